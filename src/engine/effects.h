// What the shell must do after it has durably stored the outcome of an engine call.
//
// The engine owns no timers, workers or child executions; it describes them. The shell
// persists the new state and the events in one transaction and only then runs the effects,
// so an effect never refers to state that could still be lost. After a crash the shell
// re-derives them with PendingEffects() (engine.h).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/enums.h"
#include "protocol/event.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

enum class TimerKind {
  kWaitEnd,            // a WAIT reaches its ScheduledEndTimestamp
  kStepRetry,          // a PENDING STEP reaches its NextAttemptTimestamp
  kCallbackTimeout,    // a CALLBACK's TimeoutSeconds elapsed
  kCallbackHeartbeat,  // a CALLBACK got no heartbeat for HeartbeatTimeoutSeconds
  kExecutionTimeout,   // DurableConfig.ExecutionTimeout elapsed (operation = EXECUTION op)
  kInvocationRetry,    // backoff after a failed invocation ended (operation = EXECUTION op)
};

// Arm a timer that calls FireTimer(kind, operation_id) at `due`. A timer is identified by
// (execution, kind, operation_id): starting one that exists replaces its due time.
struct StartTimer {
  TimerKind kind = TimerKind::kWaitEnd;
  std::string operation_id;
  protocol::Timestamp due;
  bool operator==(const StartTimer&) const = default;
};

// Disarm the timer (execution, kind, operation_id); a no-op when none is armed. Cancelling is
// an optimisation only: FireTimer ignores timers whose operation moved on.
struct CancelTimer {
  TimerKind kind = TimerKind::kWaitEnd;
  std::string operation_id;
  bool operator==(const CancelTimer&) const = default;
};

// The execution needs a new invocation: when a worker is free, call BeginInvocation.
struct QueueInvocation {
  bool operator==(const QueueInvocation&) const = default;
};

// Invoke `function_name` for the CHAINED_INVOKE `operation_id` and report its end with
// CompleteChainedInvoke (and, once known, RecordChainedInvokeTarget).
struct StartChainedInvoke {
  std::string operation_id;
  std::string function_name;
  std::optional<std::string> payload;
  std::optional<std::string> tenant_id;
  bool operator==(const StartChainedInvoke&) const = default;
};

// The CHAINED_INVOKE `operation_id` was cancelled: stop its target if it still runs.
struct StopChainedInvoke {
  std::string operation_id;
  bool operator==(const StopChainedInvoke&) const = default;
};

// The execution reached a terminal status: drop queued invocations, release sync waiters.
struct ExecutionClosed {
  protocol::ExecutionStatus status = protocol::ExecutionStatus::kSucceeded;
  bool operator==(const ExecutionClosed&) const = default;
};

using Effect = std::variant<StartTimer, CancelTimer, QueueInvocation, StartChainedInvoke,
                            StopChainedInvoke, ExecutionClosed>;

// The history events an engine call appended (EventIds consecutive, continuing the
// execution's history) and the effects it asks for, both in order.
struct Outcome {
  std::vector<protocol::Event> events;
  std::vector<Effect> effects;
  bool operator==(const Outcome&) const = default;
};

}  // namespace durafn::engine
