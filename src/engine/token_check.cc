#include "engine/token_check.h"

#include <cassert>

#include "engine/api_result.h"
#include "engine/checkpoint_token.h"

namespace durafn::engine {

std::optional<protocol::ApiError> CheckToken(const ExecutionState& state, std::string_view token) {
  const ExecutionRecord& rec = state.record;
  auto parts = ParseCheckpointToken(token);
  if (!parts) return InvalidParameter("Invalid Checkpoint Token: the token is malformed.");
  if (parts->execution_id != rec.execution_operation_id) {
    return InvalidParameter("Invalid Checkpoint Token: the token belongs to another execution.");
  }
  if (rec.status != protocol::ExecutionStatus::kRunning) {
    return InvalidParameter("Invalid Checkpoint Token: the durable execution is closed (" +
                            std::string(protocol::ToString(rec.status)) + ").");
  }
  if (!rec.invocation || parts->request_id != rec.invocation->request_id) {
    return InvalidParameter(
        "Invalid Checkpoint Token: the token belongs to an invocation that has ended.");
  }
  if (parts->sequence != rec.token_sequence) {
    return InvalidParameter(
        "Invalid Checkpoint Token: the token is stale; use the token of the latest response.");
  }
  return std::nullopt;
}

std::string CurrentToken(const ExecutionState& state) {
  const ExecutionRecord& rec = state.record;
  assert(rec.invocation);
  return FormatCheckpointToken(
      {rec.execution_operation_id, rec.invocation->request_id, rec.token_sequence});
}

}  // namespace durafn::engine
