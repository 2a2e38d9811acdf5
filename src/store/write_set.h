// The rows one store write changes, built from engine state on the caller's thread.
//
// Serializing on the caller's thread (an execution's strand) keeps the single writer thread,
// which every write in the process goes through, down to running SQL; and the write owns
// plain strings, so it does not pin the caller's state until the commit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/effects.h"
#include "engine/execution.h"
#include "protocol/result.h"
#include "protocol/timestamp.h"

namespace durafn::store {

inline constexpr int64_t kMillisPerDay = 86'400'000;

// The executions row: the serialized record and the columns queries filter on.
struct ExecutionRow {
  std::string arn;
  std::string function_name;  // unqualified function ARN
  std::string function_arn;   // qualified by version
  std::string version;
  std::string name;
  std::string status;  // protocol::ExecutionStatus wire name
  std::string phase;   // InvocationPhaseName
  int64_t start_ms = 0;
  std::optional<int64_t> end_ms;
  int64_t retention_days = 0;
  std::optional<int64_t> expires_ms;  // end_ms + retention; set iff closed
  int64_t change_counter = 0;
  int64_t next_event_id = 0;
  std::optional<std::string> input;  // written by Create only
  std::string record;                // EncodeRecord without the input
};

struct OperationRow {
  int64_t seq = 0;  // position in the operation table (creation order)
  std::string id;
  std::string entry;
};

struct EventRow {
  int64_t event_id = 0;
  std::string event;
};

// One change of the timers table, in effect order.
struct TimerChange {
  enum class Action {
    kSet,           // arm, or move to due_ms
    kCancel,        // disarm
    kCancelAll,     // disarm every timer of the execution
    kDeleteIfFired  // disarm unless re-armed for later than due_ms (the time it fired for)
  };
  Action action = Action::kSet;
  std::string kind;  // TimerKindName; empty for kCancelAll
  std::string operation_id;
  int64_t due_ms = 0;
};

// One change of the chained_invokes table (operations whose target runs), in effect order.
struct ChainedChange {
  enum class Action {
    kAdd,       // the operation started its target
    kRemove,    // the operation is over
    kRemoveAll  // the execution closed
  };
  Action action = Action::kAdd;
  std::string operation_id;  // empty for kRemoveAll
};

struct ExecutionWrite {
  ExecutionRow row;
  std::vector<OperationRow> operations;
  std::vector<EventRow> events;
  std::vector<TimerChange> timers;
  std::vector<ChainedChange> chained;
  // What the stored row must hold for a Save to apply: the counter is at least the caller's
  // saved one (no operation change lost) and at most the new one (no newer state
  // overwritten), and the history ends right before the first new event.
  int64_t min_stored_change_counter = 0;
  int64_t expected_stored_next_event_id = 0;
};

// Everything of a new execution: the row with its input, every operation, the outcome's
// events and timers. InvalidArgument for state the store cannot hold (see BuildSave).
Result<ExecutionWrite> BuildCreate(const engine::ExecutionState& state,
                                   const engine::Outcome& outcome);

// The rows a later engine call changed: the row (without input), the operations changed after
// `saved_change_counter` plus those named by the outcome's timer effects (the engine moves a
// callback's heartbeat deadline without marking the operation changed), the outcome's events
// and its timer effects. InvalidArgument if the events do not continue the history up to
// state.record.next_event_id, or a string is not valid UTF-8.
Result<ExecutionWrite> BuildSave(const engine::ExecutionState& state,
                                 const engine::Outcome& outcome, int64_t saved_change_counter);

// Marks `write` as the result of firing the timer (kind, operation_id) armed for `due`: its
// row goes, before the outcome's own timer effects apply (FireTimer emits no CancelTimer for
// the timer that fired, and may re-arm it).
void AddFiredTimer(engine::TimerKind kind, std::string_view operation_id, protocol::Timestamp due,
                   ExecutionWrite& write);

// One operation row, for rewriting a single entry. InvalidArgument if `id` is unknown.
Result<OperationRow> BuildOperationRow(const engine::ExecutionState& state, std::string_view id);

// One stored event.
Result<EventRow> BuildEventRow(const protocol::Event& event);

}  // namespace durafn::store
