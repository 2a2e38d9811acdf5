// StopDurableExecution (§2.8, §6.5).
#include "engine/apply.h"
#include "protocol/json_codec.h"

namespace durafn::engine {

ApiResult<StopResult> Stop(ExecutionState& state, std::optional<protocol::ErrorObject> error,
                           protocol::Timestamp now, const Limits& limits) {
  ExecutionRecord& rec = state.record;
  // Stopping a closed execution is an idempotent success that reports the original end
  // (the emulators' behaviour; the service's is unverified).
  if (rec.status != protocol::ExecutionStatus::kRunning) {
    return StopResult{*rec.end_timestamp, Outcome{}};
  }
  if (error && protocol::Encode(*error).dump().size() > limits.max_error_bytes) {
    return InvalidParameter("Error object size must be at most " +
                            std::to_string(limits.max_error_bytes) + " bytes.");
  }
  if (!error) {
    error.emplace();
    error->error_message = "Execution stopped by user request";
  }
  StopResult result{now, Outcome{}};
  Recorder r(state, now, result.outcome);
  // In-flight operations stay as they are; their timers are disarmed with the execution.
  CloseExecution(r, protocol::ExecutionStatus::kStopped, std::nullopt, error,
                 protocol::ExecutionStoppedDetails{EventErrorOf(error)});
  AssertInvariants(state, r.changes_from());
  return result;
}

}  // namespace durafn::engine
