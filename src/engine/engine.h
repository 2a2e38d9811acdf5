// The engine of one durable execution: pure, deterministic state transitions.
//
// Every entry point takes the execution's state, the current time and (where needed) ids
// minted by the caller; it either applies the whole call and returns the history events it
// appended plus the effects the shell must run, or returns an error and leaves the state
// untouched. Nothing here reads a clock, does I/O or keeps state between calls.
//
// The shell's contract: serialize calls per execution; persist the new state and the
// returned events in one transaction; only then run the effects and answer the caller.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/api_result.h"
#include "engine/effects.h"
#include "engine/execution.h"
#include "engine/limits.h"
#include "protocol/api_shapes.h"
#include "protocol/envelope.h"
#include "protocol/error_object.h"
#include "protocol/event.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

// ---- Starting an execution -------------------------------------------------------------

struct StartExecutionParams {
  std::string arn;           // a durable execution ARN (protocol/arn.h), ≤ kMaxExecutionArnLength
  std::string name;          // must equal the ARN's execution name
  std::string function_arn;  // the function ARN qualified by `version`
  std::string version;
  std::optional<std::string> input;       // JSON text
  int64_t execution_timeout_seconds = 0;  // 1..Limits::max_wait_seconds
  int64_t retention_days = 14;            // 1..Limits::max_retention_days
  bool sync = false;                      // started by a RequestResponse invoke
};

struct StartedExecution {
  ExecutionState state;
  Outcome outcome;
};

// Creates the execution: the EXECUTION operation (Id = last ARN segment, STARTED, input),
// event 1 ExecutionStarted, and effects StartTimer(kExecutionTimeout) + QueueInvocation.
// Rejects malformed ARNs, a name that disagrees with the ARN, an oversized input (6 MiB sync,
// 1 MiB async) and out-of-range timeout/retention with InvalidParameterValueException.
ApiResult<StartedExecution> StartExecution(const StartExecutionParams& params,
                                           protocol::Timestamp now, const Limits& limits = {});

// ---- Invocations ----------------------------------------------------------------------

struct BeganInvocation {
  protocol::InvocationEnvelope envelope;
  Outcome outcome;  // no events; cancels a pending invocation-retry timer
};

// Starts an invocation with `request_id` (1..kMaxRequestIdLength bytes, unique per
// execution): issues a new checkpoint token and builds the envelope — operations in
// creation order, EXECUTION first, children of closed non-ReplayChildren contexts pruned,
// the first page bounded by Limits::max_envelope_bytes (NextMarker continues it) — and hands
// over UpdatedOperationIds. Requires a RUNNING execution with no invocation in flight
// (ResourceConflictException otherwise).
ApiResult<BeganInvocation> BeginInvocation(ExecutionState& state, std::string_view request_id,
                                           protocol::Timestamp now, const Limits& limits = {});

// A GetDurableExecutionState page: continues the envelope's list from `request.marker`.
// Requires the current checkpoint token (it is not advanced). MaxItems 0..1000 (0/absent:
// Limits::default_state_page_items); pages are also bounded by max_state_page_bytes.
ApiResult<protocol::GetDurableExecutionStateResponse> GetState(
    const ExecutionState& state, const protocol::GetDurableExecutionStateRequest& request,
    const Limits& limits = {});

// A failed invocation as the Lambda runtime reports it (crash, timeout, function error,
// unparseable output), e.g. {ErrorType "Runtime.ExitError"} or {"Sandbox.Timedout"}.
struct InvocationFailure {
  protocol::ErrorObject error;
};
using InvocationResult = std::variant<protocol::InvocationOutput, InvocationFailure>;

// Ends the invocation `request_id`: appends InvocationCompleted (with Error for a failed
// invocation), then applies the output (§3.4): SUCCEEDED/FAILED close the execution after
// that event; PENDING is valid only while something is pending or an unseen change awaits
// (then QueueInvocation). Invalid outputs count as failed invocations; those are retried
// after Limits::invocation_retry_backoff_seconds until max_consecutive_failed_invocations,
// then the execution fails. If the execution closed meanwhile (checkpointed outcome, stop,
// timeout) the output is ignored. Unknown/stale `request_id`: ResourceConflictException.
ApiResult<Outcome> CompleteInvocation(ExecutionState& state, std::string_view request_id,
                                      const InvocationResult& result, protocol::Timestamp now,
                                      const Limits& limits = {});

// ---- Checkpoints ----------------------------------------------------------------------

// Returns a fresh random string (1..kMaxCallbackNonceLength bytes) for a new callback id.
using CallbackNonceGenerator = std::function<std::string()>;

struct CheckpointResult {
  protocol::CheckpointDurableExecutionResponse response;
  Outcome outcome;
};

// CheckpointDurableExecution (§2.3, §4.6, §5). A retry of the last accepted request (same
// ClientToken and inbound token) returns the cached response and changes nothing. Otherwise:
// token check (messages start "Invalid Checkpoint Token"), size of the batch, ClientToken,
// the validation pipeline; then the updates are applied in order, due timers complete
// (§5.5), the token advances (none once the execution closed) and NewExecutionState
// carries every operation changed since the handler last saw the state. A batch that would
// exceed Limits::max_operations_per_execution is not applied: the execution fails (§5.4).
ApiResult<CheckpointResult> Checkpoint(ExecutionState& state,
                                       const protocol::CheckpointDurableExecutionRequest& request,
                                       protocol::Timestamp now, const Limits& limits,
                                       const CallbackNonceGenerator& new_callback_nonce);

// ---- Timers ---------------------------------------------------------------------------

// Completes every operation timer due at or before `now`: WAITs end (WaitSucceeded), PENDING
// STEPs become READY, callbacks past a deadline time out. Checkpoint calls it; the shell
// may too (e.g. in skip-time mode).
Outcome CompleteDueTimers(ExecutionState& state, protocol::Timestamp now);

// The timer (kind, operation_id) fired. Stale timers — the operation moved on, the deadline
// moved (heartbeat), the execution closed — are no-ops with an empty outcome.
Outcome FireTimer(ExecutionState& state, TimerKind kind, std::string_view operation_id,
                  protocol::Timestamp now);

// ---- Callbacks and chained invokes ----------------------------------------------------

struct CallbackSuccess {
  std::optional<std::string> result;  // the request body as text; empty means none
};
struct CallbackFailure {
  protocol::ErrorObject error;
};
struct CallbackHeartbeat {};
using CallbackCompletion = std::variant<CallbackSuccess, CallbackFailure, CallbackHeartbeat>;

// SendDurableExecutionCallback{Success,Failure,Heartbeat} for `callback_id` (§2.9, §4.5.4).
// Errors: malformed id → InvalidParameterValue; id of another execution or unknown →
// ResourceNotFound; callback timed out → CallbackTimeout; callback otherwise closed or
// execution closed → InvalidParameterValue; oversized result/error → InvalidParameterValue.
ApiResult<Outcome> CompleteCallback(ExecutionState& state, std::string_view callback_id,
                                    const CallbackCompletion& completion, protocol::Timestamp now,
                                    const Limits& limits = {});

struct ChainedInvokeCompletion {
  protocol::OperationStatus status = protocol::OperationStatus::kSucceeded;  // or FAILED,
                                                                             // TIMED_OUT, STOPPED
  std::optional<std::string> result;                                         // SUCCEEDED
  std::optional<protocol::ErrorObject> error;                                // the others
};

// The target of the CHAINED_INVOKE `operation_id` finished: the operation takes `status`
// with the matching ChainedInvoke* event. A completion for an operation already closed
// (e.g. cancelled) or of a closed execution is a no-op. Unknown operation →
// ResourceNotFound; not a CHAINED_INVOKE or a non-terminal status → InvalidParameterValue.
ApiResult<Outcome> CompleteChainedInvoke(ExecutionState& state, std::string_view operation_id,
                                         const ChainedInvokeCompletion& completion,
                                         protocol::Timestamp now);

// Records the chained invoke's resolved target once the shell started it, and returns the
// operation's ChainedInvokeStarted event (same EventId) now carrying ExecutedVersion and
// DurableExecutionArn, for the shell to overwrite the stored one.
ApiResult<protocol::Event> RecordChainedInvokeTarget(
    ExecutionState& state, std::string_view operation_id,
    std::optional<std::string> executed_version, std::optional<std::string> durable_execution_arn);

// ---- Stop and recovery ----------------------------------------------------------------

struct StopResult {
  protocol::Timestamp stop_timestamp;
  Outcome outcome;
};

// StopDurableExecution (§6.5): STOPPED with `error` (default: "Execution stopped by user
// request"), event ExecutionStopped. An already closed execution is left unchanged and its
// EndTimestamp returned. Oversized error → InvalidParameterValue.
ApiResult<StopResult> Stop(ExecutionState& state, std::optional<protocol::ErrorObject> error,
                           protocol::Timestamp now, const Limits& limits = {});

// The effects a restarted shell must re-establish for `state`: every armed timer, a queued
// invocation, chained invokes whose target is not yet recorded. Idempotent to run.
std::vector<Effect> PendingEffects(const ExecutionState& state);

}  // namespace durafn::engine
