#include "engine/recorder.h"

#include <algorithm>
#include <cassert>

namespace durafn::engine {

protocol::Event& Recorder::Append(protocol::EventDetails details) {
  assert(state_.record.next_event_id >= 1);
  protocol::Event event;
  event.event_id = state_.record.next_event_id++;
  event.event_timestamp = now_;
  event.details = std::move(details);
  out_.events.push_back(std::move(event));
  return out_.events.back();
}

void Recorder::OperationEvent(const OperationEntry& entry, protocol::EventDetails details) {
  protocol::Event& e = Append(std::move(details));
  e.id = entry.op.id;
  e.name = entry.op.name;
  e.parent_id = entry.op.parent_id;
  e.sub_type = entry.op.sub_type;
}

void Recorder::ExecutionEvent(protocol::EventDetails details) {
  protocol::Event& e = Append(std::move(details));
  e.id = state_.record.execution_operation_id;
}

void Recorder::BareEvent(protocol::EventDetails details) {
  Append(std::move(details));
}

void Recorder::Touch(OperationEntry& entry) {
  state_.ops.MarkChanged(entry, ++state_.record.change_counter);
}

void Recorder::ServiceChanged(OperationEntry& entry) {
  Touch(entry);
  ExecutionRecord& r = state_.record;
  assert(r.status == protocol::ExecutionStatus::kRunning);
  // Bounded by the number of operations: each id appears once.
  if (std::find(r.updated_operation_ids.begin(), r.updated_operation_ids.end(), entry.op.id) ==
      r.updated_operation_ids.end()) {
    r.updated_operation_ids.push_back(entry.op.id);
  }
  switch (r.phase) {
    case InvocationPhase::kRunning:
      r.pending_service_changes = true;
      break;
    case InvocationPhase::kIdle:
      r.phase = InvocationPhase::kQueued;
      AddEffect(QueueInvocation{});
      break;
    case InvocationPhase::kQueued:
    case InvocationPhase::kRetryBackoff:
      // An invocation is coming anyway and will carry the whole state.
      break;
  }
}

protocol::EventPayload EventPayloadOf(const std::optional<std::string>& payload) {
  if (!payload) return {};
  return {payload, false};
}

protocol::EventError EventErrorOf(const std::optional<protocol::ErrorObject>& error) {
  if (!error) return {};
  return {error, false};
}

}  // namespace durafn::engine
