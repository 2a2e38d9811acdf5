#include "engine/execution.h"

#include <cassert>
#include <string_view>
#include <unordered_set>

namespace durafn::engine {

using protocol::ExecutionStatus;
using protocol::OperationStatus;
using protocol::OperationType;

const OperationEntry& ExecutionOperation(const ExecutionState& state) {
  assert(!state.ops.empty());
  return state.ops.at(0);
}

OperationEntry& ExecutionOperation(ExecutionState& state) {
  assert(!state.ops.empty());
  return state.ops.at(0);
}

void AssertInvariants(const ExecutionState& state, int64_t changed_since) {
  const ExecutionRecord& rec = state.record;
  // ExecutionStarted is event 1, so a started execution has handed out at least one id.
  assert(rec.next_event_id >= 2);
  assert(rec.token_sequence >= 0);
  assert(rec.handler_seen_change >= 0 && rec.handler_seen_change <= rec.change_counter);
  assert(rec.consecutive_failed_invocations >= 0);

  // One invocation at a time (§5.2), and the phase says which.
  assert((rec.phase == InvocationPhase::kRunning) == rec.invocation.has_value());
  assert((rec.phase == InvocationPhase::kRetryBackoff) == rec.invocation_retry_due.has_value());
  assert(!rec.pending_service_changes || rec.phase == InvocationPhase::kRunning);

  bool running = rec.status == ExecutionStatus::kRunning;
  // A closed execution schedules nothing; its last invocation may still be reporting.
  assert(running || rec.phase == InvocationPhase::kIdle || rec.phase == InvocationPhase::kRunning);
  assert(running != rec.end_timestamp.has_value());
  assert(!rec.result || rec.status == ExecutionStatus::kSucceeded);

  assert(changed_since != 0 || state.ops.IndexConsistent());
  assert(state.ops.indexed() == state.ops.size());
  assert(!state.ops.empty());
  const protocol::Operation& exec = state.ops.at(0).op;
  assert(exec.type == OperationType::kExecution);
  assert(exec.id == rec.execution_operation_id);
  assert((exec.status == OperationStatus::kStarted) == running);

  auto check = [&](std::size_t i, const OperationEntry& e) {
    const protocol::Operation& op = e.op;
    assert(e.changed_at >= 0 && e.changed_at <= rec.change_counter);
    assert(state.ops.PositionOf(op.id) == i);
    assert(protocol::IsTerminal(op.status) == op.end_timestamp.has_value());
    assert(i == 0 || op.type != OperationType::kExecution);
    if (op.parent_id) {
      // Parents are created before their children, so the list is a valid replay order.
      auto parent = state.ops.PositionOf(*op.parent_id);
      assert(parent && *parent < i);
      assert(state.ops.at(*parent).op.type == OperationType::kContext);
      (void)parent;
    }
    switch (op.type) {
      case OperationType::kStep:
        assert(op.step_details && op.step_details->attempt && *op.step_details->attempt >= 0);
        assert((op.status == OperationStatus::kPending) ==
               op.step_details->next_attempt_timestamp.has_value());
        break;
      case OperationType::kWait:
        assert(op.wait_details && op.wait_details->scheduled_end_timestamp && e.wait_seconds);
        break;
      case OperationType::kCallback:
        assert(e.callback && op.callback_details && op.callback_details->callback_id);
        assert(op.status == OperationStatus::kStarted ||
               (!e.callback->timeout_deadline && !e.callback->heartbeat_deadline));
        break;
      case OperationType::kChainedInvoke:
        assert(e.chained);
        break;
      case OperationType::kExecution:
      case OperationType::kContext:
        break;
    }
    (void)i;
    (void)op;
  };
  // What did not change was checked when it last did.
  if (changed_since != 0) {
    state.ops.ForEachChangedSince(changed_since, check);
  } else {
    for (std::size_t i = 0; i < state.ops.size(); ++i)
      check(i, state.ops.at(i));
  }
  // Service changes are reported once each.
  std::unordered_set<std::string_view> updated;
  for (const std::string& id : rec.updated_operation_ids) {
    assert(state.ops.Find(id));
    bool fresh = updated.insert(id).second;
    assert(fresh);
    (void)fresh;
  }
}

}  // namespace durafn::engine
