// CheckpointDurableExecution (§2.3, §4.6, §5): validate the whole batch, then apply it.
#include <cassert>

#include "engine/apply.h"
#include "engine/token_check.h"
#include "engine/validation.h"

namespace durafn::engine {
namespace {

using protocol::OperationType;

void ApplyUpdate(Recorder& r, const protocol::OperationUpdate& u,
                 const CallbackNonceGenerator& new_nonce) {
  switch (u.type) {
    case OperationType::kExecution:
      return ApplyExecution(r, u);
    case OperationType::kContext:
      return ApplyContext(r, u);
    case OperationType::kStep:
      return ApplyStep(r, u);
    case OperationType::kWait:
      return ApplyWait(r, u);
    case OperationType::kCallback:
      return ApplyCallback(r, u, new_nonce);
    case OperationType::kChainedInvoke:
      return ApplyChainedInvoke(r, u);
  }
  assert(false);
}

// §5.4: a batch that would exceed the execution's operation quota is not applied; the
// service fails the execution and answers without a token, as the Python SDK expects.
void FailForQuota(Recorder& r, const Limits& limits) {
  protocol::ErrorObject error;
  error.error_type = "OperationLimitExceeded";
  error.error_message = "The durable execution exceeded the limit of " +
                        std::to_string(limits.max_operations_per_execution) + " operations.";
  CloseExecution(r, protocol::ExecutionStatus::kFailed, std::nullopt, error,
                 protocol::ExecutionFailedDetails{EventErrorOf(error)});
}

}  // namespace

ApiResult<CheckpointResult> Checkpoint(ExecutionState& state,
                                       const protocol::CheckpointDurableExecutionRequest& request,
                                       protocol::Timestamp now, const Limits& limits,
                                       const CallbackNonceGenerator& new_callback_nonce) {
  ExecutionRecord& rec = state.record;
  const std::string client_token = request.client_token.value_or(std::string());
  // §5.3: an SDK retry of the request we last accepted gets the same answer, even though its
  // token is stale by now (and even if that request closed the execution).
  if (!client_token.empty() && rec.last_checkpoint &&
      rec.last_checkpoint->client_token == client_token &&
      rec.last_checkpoint->inbound_token == request.checkpoint_token) {
    return CheckpointResult{rec.last_checkpoint->response, Outcome{}};
  }
  if (auto error = CheckToken(state, request.checkpoint_token)) return *error;
  static const std::vector<protocol::OperationUpdate> kNone;
  const auto& updates = request.updates ? *request.updates : kNone;
  // Bounded before anything looks at the updates one by one.
  if (updates.size() > limits.max_updates_per_checkpoint) {
    return InvalidParameter("Updates: at most " +
                            std::to_string(limits.max_updates_per_checkpoint) +
                            " updates per checkpoint.");
  }
  if (request.client_token && !IsValidClientToken(*request.client_token)) {
    return InvalidParameter("ClientToken: must be 1-64 characters of [\\x21-\\x7E].");
  }
  if (auto error = ValidateUpdates(state, updates, limits)) return *error;

  // Validated: from here on the call succeeds and mutates.
  CheckpointResult result;
  Recorder r(state, now, result.outcome);
  if (state.ops.size() + CountNewOperations(state, updates) > limits.max_operations_per_execution) {
    FailForQuota(r, limits);
  } else {
    for (const auto& u : updates) {
      ApplyUpdate(r, u, new_callback_nonce);
    }
    CompleteDue(r);
  }

  protocol::CheckpointDurableExecutionResponse& response = result.response;
  if (rec.status == protocol::ExecutionStatus::kRunning) {
    rec.token_sequence += 1;
    response.checkpoint_token = CurrentToken(state);
  }
  // §5.6: everything changed since the handler last saw the state — this batch, and what
  // the service did meanwhile — in creation order, in one response (JS ignores NextMarker).
  std::vector<protocol::Operation> changed;
  state.ops.ForEachChangedSince(rec.handler_seen_change, [&](std::size_t, const OperationEntry& e) {
    changed.push_back(e.op);
  });
  response.new_execution_state.operations = std::move(changed);
  rec.handler_seen_change = rec.change_counter;
  rec.pending_service_changes = false;

  if (!client_token.empty()) {
    rec.last_checkpoint = CheckpointReplay{client_token, request.checkpoint_token, response};
  } else {
    rec.last_checkpoint.reset();
  }
  AssertInvariants(state, r.changes_from());
  return result;
}

}  // namespace durafn::engine
