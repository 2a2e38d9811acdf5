// Internal to the engine: how an entry point records what it does — history events with
// consecutive EventIds, effects, and the change bookkeeping behind NewExecutionState,
// UpdatedOperationIds and re-invocation (§5.2, §5.6, §6.2).
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/effects.h"
#include "engine/execution.h"
#include "protocol/event.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

class Recorder {
 public:
  // Records into `out`, mutating `state`, at time `now`.
  Recorder(ExecutionState& state, protocol::Timestamp now, Outcome& out)
      : state_(state), now_(now), out_(out), changes_from_(state.record.change_counter) {}

  ExecutionState& state() { return state_; }
  // The change counter before this recorder's first change: AssertInvariants' argument.
  int64_t changes_from() const { return changes_from_; }
  ExecutionRecord& record() { return state_.record; }
  protocol::Timestamp now() const { return now_; }

  // Appends an event about `entry`'s operation (Id, Name, ParentId, SubType copied, §7.1).
  void OperationEvent(const OperationEntry& entry, protocol::EventDetails details);
  // Appends an Execution* event: only the EXECUTION operation's Id is set.
  void ExecutionEvent(protocol::EventDetails details);
  // Appends an event that names no operation (InvocationCompleted).
  void BareEvent(protocol::EventDetails details);

  // Appends an effect, built in place: moving a whole Effect around trips GCC 12's
  // -Wmaybe-uninitialized on the inactive alternatives.
  template <class E>
  void AddEffect(E&& effect) {
    out_.effects.emplace_back(std::in_place_type<std::decay_t<E>>, std::forward<E>(effect));
  }

  // Marks `entry` as changed now, so the next checkpoint response carries it.
  void Touch(OperationEntry& entry);

  // Marks `entry` as changed by the service (timer, callback, chained invoke): it joins
  // UpdatedOperationIds, and the handler must get to see it — at once through a new
  // invocation if none runs, else when the running one ends (pending_service_changes).
  void ServiceChanged(OperationEntry& entry);

 private:
  protocol::Event& Append(protocol::EventDetails details);

  ExecutionState& state_;
  protocol::Timestamp now_;
  Outcome& out_;
  const int64_t changes_from_;
};

// An EventInput/EventResult: the payload with Truncated=false, or {} when there is none.
protocol::EventPayload EventPayloadOf(const std::optional<std::string>& payload);

// An EventError: the error with Truncated=false, or {} when there is none.
protocol::EventError EventErrorOf(const std::optional<protocol::ErrorObject>& error);

}  // namespace durafn::engine
