// Invocations of the handler: starting one (the envelope, §3.2), paging the state
// (§2.4), and ending one (the output, §3.4; re-invocation, §5.2, §6.1).
#include <algorithm>
#include <cassert>

#include "engine/apply.h"
#include "engine/paging.h"
#include "engine/token_check.h"
#include "protocol/json_codec.h"

namespace durafn::engine {
namespace {

using protocol::ErrorCode;
using protocol::InvocationStatus;
using protocol::OperationStatus;
using protocol::OperationType;

// ErrorType of an output the service rejects; PYT2 raises this exception for them.
constexpr std::string_view kInvalidOutputErrorType = "InvalidParameterValueException";

protocol::ErrorObject InvalidOutput(std::string message) {
  protocol::ErrorObject e;
  e.error_type = std::string(kInvalidOutputErrorType);
  e.error_message = std::move(message);
  return e;
}

// Something the service itself will complete and then re-invoke for (§3.4 rule 3).
bool HasPendingOperations(const ExecutionState& state) {
  for (const OperationEntry& e : state.ops) {
    const protocol::Operation& op = e.op;
    if (op.status == OperationStatus::kStarted &&
        (op.type == OperationType::kWait || op.type == OperationType::kCallback ||
         op.type == OperationType::kChainedInvoke)) {
      return true;
    }
    if (op.type == OperationType::kStep && op.status == OperationStatus::kPending) return true;
  }
  return false;
}

// What an invocation's result means for the execution.
struct Verdict {
  std::optional<protocol::ErrorObject> invocation_error;  // set: a failed invocation
  std::optional<InvocationStatus> status;                 // set: a valid output
  std::optional<std::string> result;
  std::optional<protocol::ErrorObject> error;
};

Verdict Judge(const ExecutionState& state, const InvocationResult& result, const Limits& limits) {
  if (const auto* failure = std::get_if<InvocationFailure>(&result)) {
    return {failure->error, std::nullopt, std::nullopt, std::nullopt};
  }
  const auto& out = std::get<protocol::InvocationOutput>(result);
  switch (out.status) {
    case InvocationStatus::kSucceeded:
      if (out.error)
        return {InvalidOutput("Cannot provide an Error for SUCCEEDED status."), {}, {}, {}};
      if (out.result && out.result->size() > limits.max_sync_result_bytes) {
        return {InvalidOutput("Result size exceeds the limit of " +
                              std::to_string(limits.max_sync_result_bytes) + " bytes."),
                {},
                {},
                {}};
      }
      return {std::nullopt, out.status, out.result, std::nullopt};
    case InvocationStatus::kFailed:
      if (out.result)
        return {InvalidOutput("Cannot provide a Result for FAILED status."), {}, {}, {}};
      if (out.error && protocol::Encode(*out.error).dump().size() > limits.max_error_bytes) {
        return {InvalidOutput("Error object size exceeds the limit of " +
                              std::to_string(limits.max_error_bytes) + " bytes."),
                {},
                {},
                {}};
      }
      // The service fails the execution even without an Error (§3.4 rule 2).
      return {std::nullopt, out.status, std::nullopt, out.error.value_or(protocol::ErrorObject{})};
    case InvocationStatus::kPending:
      // An unseen service change counts: the re-invocation it triggers is the next step.
      if (!HasPendingOperations(state) && !state.record.pending_service_changes) {
        return {
            InvalidOutput("Cannot return PENDING status with no pending operations."), {}, {}, {}};
      }
      return {std::nullopt, out.status, std::nullopt, std::nullopt};
  }
  return {InvalidOutput("Response status is required"), {}, {}, {}};
}

}  // namespace

ApiResult<BeganInvocation> BeginInvocation(ExecutionState& state, std::string_view request_id,
                                           protocol::Timestamp now, const Limits& limits) {
  ExecutionRecord& rec = state.record;
  if (rec.status != protocol::ExecutionStatus::kRunning) {
    return protocol::ApiError{ErrorCode::kResourceConflict, "The durable execution is closed."};
  }
  if (rec.phase == InvocationPhase::kRunning) {
    return protocol::ApiError{ErrorCode::kResourceConflict,
                              "An invocation of this durable execution is already in progress."};
  }
  if (request_id.empty() || request_id.size() > kMaxRequestIdLength) {
    return InvalidParameter("RequestId: must be 1-" + std::to_string(kMaxRequestIdLength) +
                            " characters.");
  }
  BeganInvocation began;
  Recorder r(state, now, began.outcome);
  if (rec.phase == InvocationPhase::kRetryBackoff) {
    r.AddEffect(CancelTimer{TimerKind::kInvocationRetry, rec.execution_operation_id});
    rec.invocation_retry_due.reset();
  }
  rec.token_sequence += 1;
  rec.invocation = Invocation{std::string(request_id), now, rec.token_sequence};
  rec.phase = InvocationPhase::kRunning;
  // The envelope carries the whole state: nothing is unseen any more, and requests of
  // earlier invocations can no longer be replayed.
  rec.handler_seen_change = rec.change_counter;
  rec.pending_service_changes = false;
  rec.last_checkpoint.reset();

  protocol::InvocationEnvelope& env = began.envelope;
  env.durable_execution_arn = rec.arn;
  env.checkpoint_token = CurrentToken(state);
  Page page = CollectPage(state, 0, state.ops.size(), limits.max_envelope_bytes,
                          protocol::TimeFormat::kEpochMillis);
  assert(!page.operations.empty() && page.operations[0].type == OperationType::kExecution);
  env.initial_execution_state.operations = std::move(page.operations);
  env.initial_execution_state.next_marker =
      page.next_position ? FormatMarker(*page.next_position) : std::string();
  env.updated_operation_ids = std::move(rec.updated_operation_ids);
  rec.updated_operation_ids.clear();
  AssertInvariants(state, r.changes_from());
  return began;
}

ApiResult<protocol::GetDurableExecutionStateResponse> GetState(
    const ExecutionState& state, const protocol::GetDurableExecutionStateRequest& request,
    const Limits& limits) {
  if (auto error = CheckToken(state, request.checkpoint_token)) return *error;
  int64_t max_items = request.max_items.value_or(0);
  if (max_items < 0 || max_items > limits.max_state_page_items) {
    return InvalidParameter("MaxItems: must be between 0 and " +
                            std::to_string(limits.max_state_page_items) + ".");
  }
  if (max_items == 0) max_items = limits.default_state_page_items;
  std::size_t start = 0;
  if (request.marker && !request.marker->empty()) {
    auto pos = ParseMarker(*request.marker, state.ops.size());
    if (!pos) return InvalidParameter("Marker: not a marker of this execution's state.");
    start = *pos;
  }
  Page page = CollectPage(state, start, static_cast<std::size_t>(max_items),
                          limits.max_state_page_bytes, protocol::TimeFormat::kEpochSeconds);
  protocol::GetDurableExecutionStateResponse response;
  response.operations = std::move(page.operations);
  if (page.next_position) response.next_marker = FormatMarker(*page.next_position);
  return response;
}

ApiResult<Outcome> CompleteInvocation(ExecutionState& state, std::string_view request_id,
                                      const InvocationResult& result, protocol::Timestamp now,
                                      const Limits& limits) {
  ExecutionRecord& rec = state.record;
  if (!rec.invocation || rec.invocation->request_id != request_id) {
    return protocol::ApiError{ErrorCode::kResourceConflict,
                              "No invocation with this request id is in progress."};
  }
  bool closed = rec.status != protocol::ExecutionStatus::kRunning;
  // The output of an invocation whose execution already closed is ignored (§4.5.6), but a
  // crash is still worth recording on its InvocationCompleted.
  Verdict verdict;
  if (!closed) {
    verdict = Judge(state, result, limits);
  } else if (const auto* failure = std::get_if<InvocationFailure>(&result)) {
    verdict.invocation_error = failure->error;
  }

  Outcome out;
  Recorder r(state, now, out);
  protocol::InvocationCompletedDetails completed;
  completed.start_timestamp = rec.invocation->started_at;
  completed.end_timestamp = now;
  completed.request_id = rec.invocation->request_id;
  if (verdict.invocation_error) completed.error = EventErrorOf(verdict.invocation_error);
  r.BareEvent(std::move(completed));

  bool unseen_changes = rec.pending_service_changes;
  rec.invocation.reset();
  rec.phase = InvocationPhase::kIdle;
  rec.pending_service_changes = false;
  // UpdatedOperationIds lists what the next invocation has not seen (§6.2).
  std::erase_if(rec.updated_operation_ids, [&](const std::string& id) {
    return state.ops.Find(id)->changed_at <= rec.handler_seen_change;
  });
  if (closed) {
    AssertInvariants(state, r.changes_from());
    return out;
  }

  if (verdict.invocation_error) {
    rec.consecutive_failed_invocations += 1;
    if (rec.consecutive_failed_invocations >= limits.max_consecutive_failed_invocations) {
      CloseExecution(r, protocol::ExecutionStatus::kFailed, std::nullopt, verdict.invocation_error,
                     protocol::ExecutionFailedDetails{EventErrorOf(verdict.invocation_error)});
    } else {
      rec.phase = InvocationPhase::kRetryBackoff;
      rec.invocation_retry_due =
          protocol::Timestamp{now.ms + limits.invocation_retry_backoff_seconds * 1000};
      r.AddEffect(StartTimer{TimerKind::kInvocationRetry, rec.execution_operation_id,
                             *rec.invocation_retry_due});
    }
    AssertInvariants(state, r.changes_from());
    return out;
  }

  rec.consecutive_failed_invocations = 0;
  switch (*verdict.status) {
    case InvocationStatus::kSucceeded:
      CloseExecution(r, protocol::ExecutionStatus::kSucceeded, verdict.result, std::nullopt,
                     protocol::ExecutionSucceededDetails{EventPayloadOf(verdict.result)});
      break;
    case InvocationStatus::kFailed:
      CloseExecution(r, protocol::ExecutionStatus::kFailed, std::nullopt, verdict.error,
                     protocol::ExecutionFailedDetails{EventErrorOf(verdict.error)});
      break;
    case InvocationStatus::kPending:
      // The deferred re-invoke: something became ready that this invocation never saw.
      if (unseen_changes) {
        rec.phase = InvocationPhase::kQueued;
        r.AddEffect(QueueInvocation{});
      }
      break;
  }
  AssertInvariants(state, r.changes_from());
  return out;
}

}  // namespace durafn::engine
