// Timers: which ones a state has armed, firing them, and completing the due ones early
// when a checkpoint arrives (§5.5). A fired timer is checked against the state, never
// trusted: the shell may deliver it late, twice, or after its operation moved on.
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {
namespace {

using protocol::OperationStatus;
using protocol::OperationType;

bool Due(const std::optional<protocol::Timestamp>& t, protocol::Timestamp now) {
  return t && *t <= now;
}

protocol::Timestamp ExecutionDeadline(const ExecutionRecord& rec) {
  return protocol::Timestamp{rec.start_timestamp.ms + rec.execution_timeout_seconds * 1000};
}

void TimeOutExecution(Recorder& r) {
  ExecutionRecord& rec = r.record();
  protocol::ErrorObject error;
  // The service's wording is unknown (§6.3); type by analogy with Callback.Timeout.
  error.error_type = "Execution.Timeout";
  error.error_message =
      "Execution timed out after " + std::to_string(rec.execution_timeout_seconds) + " seconds.";
  CloseExecution(r, protocol::ExecutionStatus::kTimedOut, std::nullopt, error,
                 protocol::ExecutionTimedOutDetails{EventErrorOf(error)});
}

}  // namespace

std::vector<StartTimer> ArmedTimers(const ExecutionState& state) {
  std::vector<StartTimer> timers;
  const ExecutionRecord& rec = state.record;
  if (rec.status != protocol::ExecutionStatus::kRunning) return timers;
  timers.push_back(
      {TimerKind::kExecutionTimeout, rec.execution_operation_id, ExecutionDeadline(rec)});
  if (rec.phase == InvocationPhase::kRetryBackoff) {
    timers.push_back(
        {TimerKind::kInvocationRetry, rec.execution_operation_id, *rec.invocation_retry_due});
  }
  for (const OperationEntry& e : state.ops) {
    const protocol::Operation& op = e.op;
    if (op.type == OperationType::kWait && op.status == OperationStatus::kStarted) {
      timers.push_back({TimerKind::kWaitEnd, op.id, *op.wait_details->scheduled_end_timestamp});
    } else if (op.type == OperationType::kStep && op.status == OperationStatus::kPending) {
      timers.push_back({TimerKind::kStepRetry, op.id, *op.step_details->next_attempt_timestamp});
    } else if (op.type == OperationType::kCallback && op.status == OperationStatus::kStarted) {
      if (e.callback->timeout_deadline) {
        timers.push_back({TimerKind::kCallbackTimeout, op.id, *e.callback->timeout_deadline});
      }
      if (e.callback->heartbeat_deadline) {
        timers.push_back({TimerKind::kCallbackHeartbeat, op.id, *e.callback->heartbeat_deadline});
      }
    }
  }
  return timers;
}

void CompleteDue(Recorder& r) {
  if (r.record().status != protocol::ExecutionStatus::kRunning) return;
  protocol::Timestamp now = r.now();
  // Only operations that may have a timer running are looked at; an operation gets one only
  // by changing, which puts it back on the list. No operation is created below, so
  // references into the table stay valid.
  r.state().ops.ForEachActive([&](OperationEntry& e) {
    protocol::Operation& op = e.op;
    if (op.type == OperationType::kWait && op.status == OperationStatus::kStarted) {
      if (!Due(op.wait_details->scheduled_end_timestamp, now)) return true;
      CompleteWait(r, e);
      r.AddEffect(CancelTimer{TimerKind::kWaitEnd, op.id});
    } else if (op.type == OperationType::kStep && op.status == OperationStatus::kPending) {
      if (!Due(op.step_details->next_attempt_timestamp, now)) return true;
      MakeStepReady(r, e);
      r.AddEffect(CancelTimer{TimerKind::kStepRetry, op.id});
    } else if (op.type == OperationType::kCallback && op.status == OperationStatus::kStarted) {
      if (Due(e.callback->timeout_deadline, now)) {
        r.AddEffect(CancelTimer{TimerKind::kCallbackTimeout, op.id});
        TimeOutCallback(r, e, TimerKind::kCallbackTimeout);
      } else if (Due(e.callback->heartbeat_deadline, now)) {
        r.AddEffect(CancelTimer{TimerKind::kCallbackHeartbeat, op.id});
        TimeOutCallback(r, e, TimerKind::kCallbackHeartbeat);
      } else {
        return true;
      }
    }
    // Completed here (it changed, so it is listed again) or nothing to time.
    return false;
  });
}

Outcome CompleteDueTimers(ExecutionState& state, protocol::Timestamp now) {
  Outcome out;
  Recorder r(state, now, out);
  CompleteDue(r);
  AssertInvariants(state, r.changes_from());
  return out;
}

Outcome FireTimer(ExecutionState& state, TimerKind kind, std::string_view operation_id,
                  protocol::Timestamp now) {
  Outcome out;
  ExecutionRecord& rec = state.record;
  if (rec.status != protocol::ExecutionStatus::kRunning) return out;
  Recorder r(state, now, out);
  switch (kind) {
    case TimerKind::kExecutionTimeout:
      if (operation_id == rec.execution_operation_id && ExecutionDeadline(rec) <= now) {
        TimeOutExecution(r);
      }
      break;
    case TimerKind::kInvocationRetry:
      if (operation_id == rec.execution_operation_id &&
          rec.phase == InvocationPhase::kRetryBackoff && Due(rec.invocation_retry_due, now)) {
        rec.phase = InvocationPhase::kQueued;
        rec.invocation_retry_due.reset();
        r.AddEffect(QueueInvocation{});
      }
      break;
    case TimerKind::kWaitEnd: {
      OperationEntry* e = state.ops.Find(operation_id);
      if (e && e->op.type == OperationType::kWait && e->op.status == OperationStatus::kStarted &&
          Due(e->op.wait_details->scheduled_end_timestamp, now)) {
        CompleteWait(r, *e);
      }
      break;
    }
    case TimerKind::kStepRetry: {
      OperationEntry* e = state.ops.Find(operation_id);
      if (e && e->op.type == OperationType::kStep && e->op.status == OperationStatus::kPending &&
          Due(e->op.step_details->next_attempt_timestamp, now)) {
        MakeStepReady(r, *e);
      }
      break;
    }
    case TimerKind::kCallbackTimeout:
    case TimerKind::kCallbackHeartbeat: {
      OperationEntry* e = state.ops.Find(operation_id);
      if (!e || e->op.type != OperationType::kCallback ||
          e->op.status != OperationStatus::kStarted) {
        break;
      }
      // A heartbeat moves the deadline; a timer armed for an older one is stale.
      const auto& deadline = kind == TimerKind::kCallbackTimeout ? e->callback->timeout_deadline
                                                                 : e->callback->heartbeat_deadline;
      if (Due(deadline, now)) TimeOutCallback(r, *e, kind);
      break;
    }
  }
  AssertInvariants(state, r.changes_from());
  return out;
}

std::vector<Effect> PendingEffects(const ExecutionState& state) {
  std::vector<Effect> effects;
  for (StartTimer& t : ArmedTimers(state)) {
    effects.emplace_back(std::move(t));
  }
  const ExecutionRecord& rec = state.record;
  if (rec.status != protocol::ExecutionStatus::kRunning) return effects;
  if (rec.phase == InvocationPhase::kQueued) effects.emplace_back(QueueInvocation{});
  for (const OperationEntry& e : state.ops) {
    // Starting a target twice must be harmless for the shell (deterministic child names);
    // once its identity is recorded, it is known to run.
    if (e.op.type == OperationType::kChainedInvoke && e.op.status == OperationStatus::kStarted &&
        e.chained && !e.chained->durable_execution_arn && !e.chained->executed_version) {
      effects.emplace_back(StartChainedInvoke{e.op.id, e.chained->function_name,
                                              e.chained->input_payload, e.chained->tenant_id});
    }
  }
  return effects;
}

}  // namespace durafn::engine
