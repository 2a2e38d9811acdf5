// CHAINED_INVOKE (protocol.md §4.5.5): the SDK starts it, the shell runs the target and
// reports its end; CANCEL stops waiting for it.
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {
namespace {

using protocol::ErrorCode;
using protocol::OperationAction;
using protocol::OperationStatus;

protocol::ChainedInvokeStartedDetails StartedDetails(const ChainedInvokeRecord& c) {
  protocol::ChainedInvokeStartedDetails d;
  d.function_name = c.function_name;
  d.tenant_id = c.tenant_id;
  if (c.input_payload) d.input = EventPayloadOf(c.input_payload);
  d.executed_version = c.executed_version;
  d.durable_execution_arn = c.durable_execution_arn;
  return d;
}

}  // namespace

void ApplyChainedInvoke(Recorder& r, const protocol::OperationUpdate& u) {
  if (u.action == OperationAction::kCancel) {
    OperationEntry* e = r.state().ops.Find(u.id);
    assert(e && e->op.status == OperationStatus::kStarted);
    e->op.status = OperationStatus::kCancelled;
    e->op.end_timestamp = r.now();
    r.Touch(*e);
    // No event type exists for it (pitfall 13); stopping the target is our choice (§4.5.5).
    r.AddEffect(StopChainedInvoke{e->op.id});
    return;
  }
  assert(u.action == OperationAction::kStart && u.chained_invoke_options);
  assert(!r.state().ops.Find(u.id));
  OperationEntry& e = FindOrCreate(r, u);
  ChainedInvokeRecord& c = e.chained.emplace();
  c.function_name = u.chained_invoke_options->function_name;
  c.tenant_id = u.chained_invoke_options->tenant_id;
  c.input_payload = u.payload;
  c.started_event_id = r.record().next_event_id;
  c.started_at = r.now();
  r.Touch(e);
  r.OperationEvent(e, StartedDetails(c));
  r.AddEffect(StartChainedInvoke{e.op.id, c.function_name, c.input_payload, c.tenant_id});
}

ApiResult<Outcome> CompleteChainedInvoke(ExecutionState& state, std::string_view operation_id,
                                         const ChainedInvokeCompletion& completion,
                                         protocol::Timestamp now) {
  OperationEntry* e = state.ops.Find(operation_id);
  if (!e) return protocol::ApiError{ErrorCode::kResourceNotFound, "Operation not found."};
  if (e->op.type != protocol::OperationType::kChainedInvoke) {
    return InvalidParameter("The operation is not a CHAINED_INVOKE.");
  }
  OperationStatus to = completion.status;
  if (to != OperationStatus::kSucceeded && to != OperationStatus::kFailed &&
      to != OperationStatus::kTimedOut && to != OperationStatus::kStopped) {
    return InvalidParameter("A chained invoke ends SUCCEEDED, FAILED, TIMED_OUT or STOPPED.");
  }
  Outcome out;
  // A target finishing after a CANCEL, or after its caller closed, changes nothing.
  if (state.record.status != protocol::ExecutionStatus::kRunning ||
      e->op.status != OperationStatus::kStarted) {
    return out;
  }
  Recorder r(state, now, out);
  protocol::ChainedInvokeDetails& d = e->op.chained_invoke_details
                                          ? *e->op.chained_invoke_details
                                          : e->op.chained_invoke_details.emplace();
  e->op.status = to;
  e->op.end_timestamp = now;
  if (to == OperationStatus::kSucceeded) {
    d.result = completion.result;
    r.OperationEvent(*e, protocol::ChainedInvokeSucceededDetails{EventPayloadOf(d.result)});
  } else {
    d.error = completion.error;
    protocol::EventError error = EventErrorOf(d.error);
    if (to == OperationStatus::kFailed) {
      r.OperationEvent(*e, protocol::ChainedInvokeFailedDetails{error});
    } else if (to == OperationStatus::kTimedOut) {
      r.OperationEvent(*e, protocol::ChainedInvokeTimedOutDetails{error});
    } else {
      r.OperationEvent(*e, protocol::ChainedInvokeStoppedDetails{error});
    }
  }
  r.ServiceChanged(*e);
  AssertInvariants(state, r.changes_from());
  return out;
}

ApiResult<protocol::Event> RecordChainedInvokeTarget(
    ExecutionState& state, std::string_view operation_id,
    std::optional<std::string> executed_version, std::optional<std::string> durable_execution_arn) {
  OperationEntry* e = state.ops.Find(operation_id);
  if (!e) return protocol::ApiError{ErrorCode::kResourceNotFound, "Operation not found."};
  if (e->op.type != protocol::OperationType::kChainedInvoke || !e->chained) {
    return InvalidParameter("The operation is not a CHAINED_INVOKE.");
  }
  ChainedInvokeRecord& c = *e->chained;
  c.executed_version = std::move(executed_version);
  c.durable_execution_arn = std::move(durable_execution_arn);
  protocol::Event event;
  event.event_id = c.started_event_id;
  event.event_timestamp = c.started_at;
  event.id = e->op.id;
  event.name = e->op.name;
  event.parent_id = e->op.parent_id;
  event.sub_type = e->op.sub_type;
  event.details = StartedDetails(c);
  return event;
}

}  // namespace durafn::engine
