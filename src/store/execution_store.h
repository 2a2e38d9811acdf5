// The durable store of executions: what the shell persists after each engine call, and the
// queries of the execution APIs, the scheduler and recovery.
//
// Writes are asynchronous and acknowledged only once durable: a write method either refuses
// the write at once (its return value; the callback is then never called) or accepts it and
// later calls its callback exactly once, after the transaction holding it has committed (OK)
// or failed (error, nothing of it applied): on the store's completion thread, or on its writer
// thread after a small commit when no other write is waiting. Callbacks must be quick and must
// not call back into the store's write methods and wait. Writes of one execution are applied
// in the order they were accepted, so a caller may submit the next Save before the previous
// one is acknowledged.
//
// Reads may run on any thread, concurrently with each other and with writes, and see only
// committed data.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/effects.h"
#include "engine/execution.h"
#include "protocol/api_shapes.h"
#include "protocol/enums.h"
#include "protocol/event.h"
#include "protocol/result.h"
#include "protocol/timestamp.h"

namespace durafn::store {

// History and list pages (§2.6, §2.7): MaxItems 1..1000; 0 means the default.
inline constexpr int64_t kMaxPageItems = 1000;
inline constexpr int64_t kDefaultPageItems = 100;

// An armed timer: FireTimer(kind, operation_id) is due for `execution_arn` at `due`.
struct TimerRow {
  std::string execution_arn;
  engine::TimerKind kind = engine::TimerKind::kWaitEnd;
  std::string operation_id;
  protocol::Timestamp due;
  bool operator==(const TimerRow&) const = default;
};

// GetDurableExecutionHistory parameters.
struct HistoryQuery {
  std::optional<std::string> marker;  // a NextMarker of the same query
  int64_t max_items = 0;              // 0: kDefaultPageItems
  bool reverse_order = false;         // true: newest event first
  bool include_data = true;           // false: payloads of inputs/results/errors omitted
};

// ListDurableExecutionsByFunction parameters; every filter set must match.
struct ListQuery {
  std::string function_arn;            // unqualified (UnqualifiedFunctionArn)
  std::optional<std::string> version;  // the version executions run; callers resolve aliases
  std::optional<std::string> name;     // exact execution name
  std::vector<protocol::ExecutionStatus> statuses;    // empty: any
  std::optional<protocol::Timestamp> started_after;   // inclusive
  std::optional<protocol::Timestamp> started_before;  // exclusive
  bool reverse_order = false;                         // false: newest first (the API default)
  std::optional<std::string> marker;                  // a NextMarker of the same query
  int64_t max_items = 0;                              // 0: kDefaultPageItems
};

// One CHAINED_INVOKE operation of an execution.
struct ChainedInvokeKey {
  std::string arn;
  std::string operation_id;
  bool operator==(const ChainedInvokeKey&) const = default;
};

// Executions per status.
struct StatusCounts {
  std::array<int64_t, 5> by_status{};  // indexed by protocol::ExecutionStatus
  int64_t& operator[](protocol::ExecutionStatus s) { return by_status.at(static_cast<int>(s)); }
  int64_t operator[](protocol::ExecutionStatus s) const {
    return by_status.at(static_cast<int>(s));
  }
  bool operator==(const StatusCounts&) const = default;
};

// The unqualified function ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME) of a
// durable execution ARN: the function key of FindByName and List. InvalidArgument if
// `execution_arn` is not a durable execution ARN.
Result<std::string> UnqualifiedFunctionArn(std::string_view execution_arn);

class ExecutionStore {
 public:
  // The outcome of an accepted write; see the file comment for when and where it runs.
  using Done = std::function<void(Status)>;
  // PurgeExpired's outcome: how many executions were deleted.
  using PurgeDone = std::function<void(Result<int64_t>)>;

  virtual ~ExecutionStore() = default;

  // ---- Writes: an error return means refused (ResourceExhausted when the write queue is
  // full, Unavailable when shutting down, InvalidArgument for state that cannot be stored)
  // and `done` is never called; OK means `done` will be called exactly once.

  // Inserts a new execution from engine::StartExecution: its row, operations, events and the
  // timers of the outcome's StartTimer effects. `done` gets AlreadyExists if the function
  // already has an execution with this name (or this ARN exists); the caller then loads that
  // one (FindByName) for idempotency. A closed one past its retention does not conflict: it
  // is purged in the same transaction, as the name is free again (§6.4).
  [[nodiscard]] virtual Status Create(const engine::ExecutionState& state,
                                      const engine::Outcome& outcome, Done done) = 0;

  // Persists `state` after an engine call whose result was `outcome`: the record, the
  // operations changed since `saved_change_counter` (the state's record.change_counter as of
  // its last Create, Save or Load), the outcome's events, and its timer effects (StartTimer
  // arms or moves, CancelTimer disarms, ExecutionClosed disarms all). `done` gets NotFound
  // for an unknown execution and FailedPrecondition if the stored execution is not the one
  // `state` was derived from (an earlier write of it failed, or a newer one was saved):
  // the caller must reload it.
  [[nodiscard]] virtual Status Save(const engine::ExecutionState& state,
                                    const engine::Outcome& outcome, int64_t saved_change_counter,
                                    Done done) = 0;

  // Save for the outcome of engine::FireTimer(fired.kind, fired.operation_id): also disarms
  // the timer that fired (FireTimer emits no CancelTimer for it), unless the outcome or an
  // earlier write re-armed it for later than `fired.due`. Use it for stale fires too (empty
  // outcome), or the row would be fired again after every restart.
  [[nodiscard]] virtual Status SaveTimerFired(const TimerRow& fired,
                                              const engine::ExecutionState& state,
                                              const engine::Outcome& outcome,
                                              int64_t saved_change_counter, Done done) = 0;

  // Overwrites the stored event with `event`'s EventId, and the stored entry of the
  // operation it is about (event.id) with the one in `state`: what
  // engine::RecordChainedInvokeTarget changes, without advancing the change counter.
  // `done` gets NotFound if the execution, the event or the operation is not stored.
  [[nodiscard]] virtual Status ReplaceEvent(const engine::ExecutionState& state,
                                            const protocol::Event& event, Done done) = 0;

  // Deletes up to `limit` (> 0) closed executions whose retention ended before `now`
  // (EndTimestamp + RetentionPeriodInDays < now), with their operations, events and
  // timers, oldest expiry first. Running executions are never deleted. A result equal to
  // `limit` means more may be due.
  [[nodiscard]] virtual Status PurgeExpired(protocol::Timestamp now, int64_t limit,
                                            PurgeDone done) = 0;

  // ---- Reads

  // The whole state as last persisted; nullopt if unknown (or purged).
  virtual Result<std::optional<engine::ExecutionState>> Load(std::string_view arn) = 0;
  // The record only (no operations): enough for GetDurableExecution, and much cheaper.
  virtual Result<std::optional<engine::ExecutionRecord>> LoadRecord(std::string_view arn) = 0;
  // The ARN of the execution `name` of the function `function_arn` (unqualified).
  virtual Result<std::optional<std::string>> FindByName(std::string_view function_arn,
                                                        std::string_view name) = 0;

  // A page of the execution's history. NotFound for an unknown execution; InvalidArgument
  // for a bad marker or MaxItems outside 0..kMaxPageItems. NextMarker is set iff more
  // events follow.
  virtual Result<protocol::GetDurableExecutionHistoryResponse> History(
      std::string_view arn, const HistoryQuery& query) = 0;

  // A page of the function's executions, by start time (newest first unless reverse_order).
  // An unknown function simply has none. InvalidArgument for a bad marker or MaxItems.
  virtual Result<protocol::ListDurableExecutionsByFunctionResponse> List(
      const ListQuery& query) = 0;

  // Up to `limit` armed timers with from <= due < to, earliest first (ties in a fixed order),
  // for the scheduler's in-memory horizon.
  virtual Result<std::vector<TimerRow>> TimersDue(protocol::Timestamp from, protocol::Timestamp to,
                                                  int64_t limit) = 0;

  // ARNs of RUNNING executions that were waiting for an invocation (phase Queued) or had one
  // in flight (phase Running) when the process stopped, oldest first: after a restart the
  // shell queues the former and fails the latter's invocation (the worker is gone). Other
  // running executions wait for timers (TimersDue) or callbacks.
  virtual Result<std::vector<std::string>> RecoverableExecutions() = 0;

  // CHAINED_INVOKE operations of running executions whose target was started and whose
  // operation is not over: after a restart the service waits for (or re-runs) their targets.
  virtual Result<std::vector<ChainedInvokeKey>> PendingChainedInvokes() = 0;

  virtual Result<StatusCounts> CountByStatus() = 0;
};

}  // namespace durafn::store
