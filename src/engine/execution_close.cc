// Closing an execution, by an EXECUTION update (§4.5.6) or by the service (handler output,
// retry budget, stop, timeout).
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {
namespace {

protocol::OperationStatus OperationStatusOf(protocol::ExecutionStatus s) {
  switch (s) {
    case protocol::ExecutionStatus::kSucceeded:
      return protocol::OperationStatus::kSucceeded;
    case protocol::ExecutionStatus::kFailed:
      return protocol::OperationStatus::kFailed;
    case protocol::ExecutionStatus::kTimedOut:
      return protocol::OperationStatus::kTimedOut;
    case protocol::ExecutionStatus::kStopped:
      return protocol::OperationStatus::kStopped;
    case protocol::ExecutionStatus::kRunning:
      break;
  }
  assert(false && "closing means a terminal status");
  return protocol::OperationStatus::kFailed;
}

}  // namespace

void CloseExecution(Recorder& r, protocol::ExecutionStatus status,
                    std::optional<std::string> result, std::optional<protocol::ErrorObject> error,
                    protocol::EventDetails event) {
  ExecutionRecord& rec = r.record();
  assert(rec.status == protocol::ExecutionStatus::kRunning);
  assert(protocol::IsTerminal(status));
  // Every timer is pointless now; tokens die with the RUNNING status (§5.1 rule 6).
  for (const StartTimer& t : ArmedTimers(r.state())) {
    r.AddEffect(CancelTimer{t.kind, t.operation_id});
  }
  rec.status = status;
  rec.end_timestamp = r.now();
  rec.result = std::move(result);
  rec.error = std::move(error);
  if (rec.phase == InvocationPhase::kQueued || rec.phase == InvocationPhase::kRetryBackoff) {
    rec.phase = InvocationPhase::kIdle;
  }
  rec.invocation_retry_due.reset();
  rec.pending_service_changes = false;

  OperationEntry& exec = ExecutionOperation(r.state());
  exec.op.status = OperationStatusOf(status);
  exec.op.end_timestamp = r.now();
  r.Touch(exec);
  r.ExecutionEvent(std::move(event));
  r.AddEffect(ExecutionClosed{status});
}

void ApplyExecution(Recorder& r, const protocol::OperationUpdate& u) {
  // The update's own Id (e.g. "execution-result-…") is not stored as an operation (§4.5.6).
  if (u.action == protocol::OperationAction::kSucceed) {
    CloseExecution(r, protocol::ExecutionStatus::kSucceeded, u.payload, std::nullopt,
                   protocol::ExecutionSucceededDetails{EventPayloadOf(u.payload)});
    return;
  }
  assert(u.action == protocol::OperationAction::kFail);
  protocol::ErrorObject error = u.error.value_or(protocol::ErrorObject{});
  CloseExecution(r, protocol::ExecutionStatus::kFailed, std::nullopt, error,
                 protocol::ExecutionFailedDetails{EventErrorOf(error)});
}

}  // namespace durafn::engine
