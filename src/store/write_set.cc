#include "store/write_set.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <type_traits>
#include <variant>

#include "protocol/enums.h"
#include "store/execution_store.h"
#include "store/state_codec.h"

namespace durafn::store {
namespace {

Result<ExecutionRow> BuildRow(const engine::ExecutionRecord& r) {
  auto function_name = UnqualifiedFunctionArn(r.arn);
  if (!function_name.ok()) return function_name.status();
  auto record = DumpJson(EncodeRecord(r, {.include_input = false}));
  if (!record.ok()) return record.status();
  ExecutionRow row;
  row.arn = r.arn;
  row.function_name = std::move(*function_name);
  row.function_arn = r.function_arn;
  row.version = r.version;
  row.name = r.name;
  row.status = std::string(protocol::ToString(r.status));
  row.phase = std::string(InvocationPhaseName(r.phase));
  row.start_ms = r.start_timestamp.ms;
  if (r.end_timestamp) {
    row.end_ms = r.end_timestamp->ms;
    // Retention counts from the end (§6.4); a running execution never expires.
    if (protocol::IsTerminal(r.status))
      row.expires_ms = *row.end_ms + r.retention_days * kMillisPerDay;
  }
  row.retention_days = r.retention_days;
  row.change_counter = r.change_counter;
  row.next_event_id = r.next_event_id;
  row.record = std::move(*record);
  return row;
}

Status AddOperation(const engine::OperationEntry& entry, std::size_t seq, ExecutionWrite& w) {
  auto text = DumpJson(EncodeOperationEntry(entry));
  if (!text.ok()) return text.status();
  w.operations.push_back(OperationRow{static_cast<int64_t>(seq), entry.op.id, std::move(*text)});
  return Status::Ok();
}

// The events must be the ones that took the history to `next_event_id`.
Status AddEvents(const std::vector<protocol::Event>& events, int64_t next_event_id,
                 ExecutionWrite& w) {
  const int64_t first = next_event_id - static_cast<int64_t>(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].event_id != first + static_cast<int64_t>(i)) {
      return Status::InvalidArgument("event ids must continue the history up to " +
                                     std::to_string(next_event_id - 1) + "; got EventId " +
                                     std::to_string(events[i].event_id) + " at position " +
                                     std::to_string(i));
    }
    auto row = BuildEventRow(events[i]);
    if (!row.ok()) return row.status();
    w.events.push_back(std::move(*row));
  }
  w.expected_stored_next_event_id = first;
  return Status::Ok();
}

void AddTimerEffects(const std::vector<engine::Effect>& effects, ExecutionWrite& w) {
  using Action = TimerChange::Action;
  for (const auto& effect : effects) {
    std::visit(
        [&w](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, engine::StartChainedInvoke>) {
            w.chained.push_back(ChainedChange{ChainedChange::Action::kAdd, e.operation_id});
          }
          if constexpr (std::is_same_v<T, engine::StartTimer>) {
            w.timers.push_back(TimerChange{Action::kSet, std::string(TimerKindName(e.kind)),
                                           e.operation_id, e.due.ms});
          } else if constexpr (std::is_same_v<T, engine::CancelTimer>) {
            w.timers.push_back(
                TimerChange{Action::kCancel, std::string(TimerKindName(e.kind)), e.operation_id});
          } else if constexpr (std::is_same_v<T, engine::ExecutionClosed>) {
            // A closed execution has nothing left to time (FireTimer would ignore it anyway).
            w.timers.push_back(TimerChange{Action::kCancelAll, "", ""});
            w.chained.push_back(ChainedChange{ChainedChange::Action::kRemoveAll, ""});
          }
        },
        effect);
  }
}

// Ids of the operations the outcome's timer effects are about.
std::set<std::string, std::less<>> TimerOperationIds(const std::vector<engine::Effect>& effects) {
  std::set<std::string, std::less<>> ids;
  for (const auto& effect : effects) {
    if (const auto* s = std::get_if<engine::StartTimer>(&effect)) ids.insert(s->operation_id);
    if (const auto* c = std::get_if<engine::CancelTimer>(&effect)) ids.insert(c->operation_id);
  }
  return ids;
}

}  // namespace

Result<ExecutionWrite> BuildCreate(const engine::ExecutionState& state,
                                   const engine::Outcome& outcome) {
  ExecutionWrite w;
  auto row = BuildRow(state.record);
  if (!row.ok()) return row.status();
  w.row = std::move(*row);
  w.row.input = state.record.input_payload;
  w.operations.reserve(state.ops.size());
  for (std::size_t i = 0; i < state.ops.size(); ++i) {
    if (auto s = AddOperation(state.ops.at(i), i, w); !s.ok()) return s;
  }
  if (auto s = AddEvents(outcome.events, state.record.next_event_id, w); !s.ok()) return s;
  if (w.expected_stored_next_event_id != 1) {
    return Status::InvalidArgument("a new execution's history must start at EventId 1");
  }
  AddTimerEffects(outcome.effects, w);
  return w;
}

Result<ExecutionWrite> BuildSave(const engine::ExecutionState& state,
                                 const engine::Outcome& outcome, int64_t saved_change_counter) {
  if (saved_change_counter < 0 || saved_change_counter > state.record.change_counter) {
    return Status::InvalidArgument("saved_change_counter " + std::to_string(saved_change_counter) +
                                   " is not between 0 and the state's change_counter " +
                                   std::to_string(state.record.change_counter));
  }
  ExecutionWrite w;
  auto row = BuildRow(state.record);
  if (!row.ok()) return row.status();
  w.row = std::move(*row);
  w.min_stored_change_counter = saved_change_counter;
  std::vector<std::size_t> positions;
  state.ops.ForEachChangedSince(saved_change_counter,
                                [&](std::size_t pos, const engine::OperationEntry& e) {
                                  assert(e.changed_at <= state.record.change_counter);
                                  (void)e;
                                  positions.push_back(pos);
                                });
  for (const std::string& id : TimerOperationIds(outcome.effects)) {
    if (auto pos = state.ops.PositionOf(id)) positions.push_back(*pos);
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  for (std::size_t pos : positions) {
    const engine::OperationEntry& e = state.ops.at(pos);
    if (auto s = AddOperation(e, pos, w); !s.ok()) return s;
    if (e.op.type == protocol::OperationType::kChainedInvoke &&
        e.op.status != protocol::OperationStatus::kStarted) {
      w.chained.push_back(ChainedChange{ChainedChange::Action::kRemove, e.op.id});
    }
  }
  if (auto s = AddEvents(outcome.events, state.record.next_event_id, w); !s.ok()) return s;
  AddTimerEffects(outcome.effects, w);
  return w;
}

void AddFiredTimer(engine::TimerKind kind, std::string_view operation_id, protocol::Timestamp due,
                   ExecutionWrite& w) {
  w.timers.insert(w.timers.begin(),
                  TimerChange{TimerChange::Action::kDeleteIfFired, std::string(TimerKindName(kind)),
                              std::string(operation_id), due.ms});
}

Result<OperationRow> BuildOperationRow(const engine::ExecutionState& state, std::string_view id) {
  auto pos = state.ops.PositionOf(id);
  if (!pos) return Status::InvalidArgument("no operation '" + std::string(id) + "' in the state");
  ExecutionWrite w;
  if (auto s = AddOperation(state.ops.at(*pos), *pos, w); !s.ok()) return s;
  return std::move(w.operations.front());
}

Result<EventRow> BuildEventRow(const protocol::Event& event) {
  auto text = DumpJson(EncodeStoredEvent(event));
  if (!text.ok()) return text.status();
  return EventRow{event.event_id, std::move(*text)};
}

}  // namespace durafn::store
