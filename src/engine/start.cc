// Creating an execution (§2.2, §3.2 rule 1, §6.3).
#include "engine/apply.h"
#include "protocol/arn.h"

namespace durafn::engine {

ApiResult<StartedExecution> StartExecution(const StartExecutionParams& params,
                                           protocol::Timestamp now, const Limits& limits) {
  // Callback ids embed the ARN and must stay within the model's 1024 characters.
  if (params.arn.size() > kMaxExecutionArnLength) {
    return InvalidParameter("DurableExecutionArn: must be at most " +
                            std::to_string(kMaxExecutionArnLength) + " characters.");
  }
  auto arn = protocol::ParseDurableExecutionArn(params.arn);
  if (!arn.ok()) return InvalidParameter(arn.status().message());
  if (arn->execution_name != params.name) {
    return InvalidParameter("DurableExecutionName: must equal the execution name in the ARN.");
  }
  if (arn->execution_id.size() > kMaxOperationIdLength) {
    return InvalidParameter("DurableExecutionArn: the execution id must be at most 64 characters.");
  }
  std::size_t max_input = params.sync ? limits.max_sync_result_bytes : limits.max_async_input_bytes;
  if (params.input && params.input->size() > max_input) {
    return InvalidParameter("Payload: size " + std::to_string(params.input->size()) +
                            " exceeds the limit of " + std::to_string(max_input) + " bytes.");
  }
  if (params.execution_timeout_seconds < 1 ||
      params.execution_timeout_seconds > limits.max_wait_seconds) {
    return InvalidParameter("ExecutionTimeout: must be between 1 and " +
                            std::to_string(limits.max_wait_seconds) + " seconds.");
  }
  if (params.retention_days < 1 || params.retention_days > limits.max_retention_days) {
    return InvalidParameter("RetentionPeriodInDays: must be between 1 and " +
                            std::to_string(limits.max_retention_days) + ".");
  }

  StartedExecution started;
  ExecutionState& state = started.state;
  ExecutionRecord& rec = state.record;
  rec.arn = params.arn;
  rec.name = params.name;
  rec.function_arn = params.function_arn;
  rec.version = params.version;
  rec.status = protocol::ExecutionStatus::kRunning;
  rec.start_timestamp = now;
  rec.input_payload = params.input;
  rec.execution_timeout_seconds = params.execution_timeout_seconds;
  rec.retention_days = params.retention_days;
  rec.sync = params.sync;
  rec.execution_operation_id = arn->execution_id;

  OperationEntry exec;
  exec.op.id = arn->execution_id;
  exec.op.type = protocol::OperationType::kExecution;
  exec.op.status = protocol::OperationStatus::kStarted;
  exec.op.start_timestamp = now;
  exec.op.execution_details = protocol::ExecutionDetails{params.input};
  state.ops.Append(std::move(exec));

  Recorder r(state, now, started.outcome);
  r.Touch(ExecutionOperation(state));
  r.ExecutionEvent(protocol::ExecutionStartedDetails{EventPayloadOf(params.input),
                                                     params.execution_timeout_seconds});
  r.AddEffect(StartTimer{TimerKind::kExecutionTimeout, rec.execution_operation_id,
                         protocol::Timestamp{now.ms + params.execution_timeout_seconds * 1000}});
  rec.phase = InvocationPhase::kQueued;
  r.AddEffect(QueueInvocation{});
  AssertInvariants(state, r.changes_from());
  return started;
}

}  // namespace durafn::engine
