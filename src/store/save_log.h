// The save log: most checkpoints are appended to one table instead of updating the
// execution's own rows.
//
// A checkpoint of a running execution changes an operation, adds events and rewrites the
// execution's record. Written in place, those rows sit in four B-trees keyed by the
// execution, so every checkpoint dirtied about eight pages of its own, however many
// checkpoints shared a commit: the log grew by 32 KiB per checkpoint and group commit saved
// only the fsyncs. Appended to save_log, the checkpoints of a commit share its last pages.
//
// A save goes to the log when it leaves everything other queries filter on as it is: the
// execution's status, phase, end and expiry, its timers and its chained invokes. Its rows
// are "settled" (written to the tables) later, an execution's saves all together: before any
// other write of it; once it has settle_after / 4 unsettled saves; or, oldest first, while
// the log holds more than `settle_after` unsettled saves or twice that many rows (then the
// settled head of the log is deleted). Settled together, an execution's checkpoints share
// pages in the tables too, and each commit does a bounded share of that work.
// executions.log_seq is the last log row settled into an execution's rows; log rows after it
// are the execution's newer state, which the readers of operations, events and records merge
// in (see ReadUnsettledSaves).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/result.h"
#include "store/sqlite.h"
#include "store/write_set.h"

namespace durafn::store {

// One logged save, decoded.
struct LoggedSave {
  int64_t seq = 0;
  int64_t change_counter = 0;
  int64_t next_event_id = 0;
  std::string record;
  std::vector<OperationRow> operations;
  std::vector<EventRow> events;
};

// The log's index key of an execution: 63 bits of a hash of its ARN (rows also hold the ARN,
// which every query checks, so two ARNs sharing a key only share index pages).
int64_t SaveLogKey(std::string_view arn);

// The saves of `arn` logged after `settled_seq` (its executions.log_seq), oldest first.
// Works on any connection; call it in the same read transaction as the row it completes.
Result<std::vector<LoggedSave>> ReadUnsettledSaves(Database& db, std::string_view arn,
                                                   int64_t settled_seq);

// The writer's side. Lives on the writer thread and is used only inside its transactions.
// What it remembers (which executions have unsettled saves, how many rows the log holds) is
// a cache of the table: after a write that failed or was rolled back, call Invalidate and it
// reads the table again before its next use.
class SaveLog {
 public:
  explicit SaveLog(std::size_t settle_after);

  // Logs `w` if it qualifies (see above) and its guard holds against the newest stored
  // state (logged or not), returning true. Returns false, with the execution's saves
  // settled, when `w` must be written to the tables instead. NotFound if the execution is
  // not stored; FailedPrecondition if it changed under the save.
  Result<bool> TryAppend(Database& db, const ExecutionWrite& w);

  // Writes the unsettled saves of `arn` into its rows. Call before any other write of it.
  Status Settle(Database& db, const std::string& arn);
  // Settles every execution and empties the log (but for its newest row; see
  // DeleteSettledHead).
  Status SettleAll(Database& db);
  // Unsettled saves (for tests and metrics).
  std::size_t unsettled() const { return unsettled_saves_; }
  // The seq a new execution's log_seq starts at: every row logged so far counts as settled
  // for it, so rows left by a deleted execution of the same ARN never apply to it.
  Result<int64_t> LastSeq(Database& db);
  // The execution's rows were deleted; its logged saves are dropped with the log.
  void Forget(const std::string& arn);
  // What this remembers may no longer match the table (a write failed or rolled back).
  void Invalidate();

 private:
  // An execution with unsettled saves.
  struct Unsettled {
    int64_t settled_seq = 0;  // executions.log_seq: the rows after it are unsettled
    int64_t first_seq = 0;    // its oldest unsettled row
    std::size_t saves = 0;
    // The newest logged state, which the next save's guard checks.
    int64_t change_counter = 0;
    int64_t next_event_id = 0;
    // The row's filtered columns, which no logged save changes.
    std::string status, phase;
    std::optional<int64_t> end_ms, expires_ms;
  };
  Status Load(Database& db);
  // More than settle_after_ saves unsettled, or more than twice that many rows (settled
  // rows stay while an older one is unsettled: an execution that checkpointed once and then
  // ran a long step would otherwise let the log grow without bound).
  bool TooLong() const;
  // Settles the oldest executions until the log is no longer too long.
  Status SettleOldest(Database& db);
  // Deletes the rows before the oldest unsettled one (all settled), never the newest row.
  Status DeleteSettledHead(Database& db);
  void Remove(std::unordered_map<std::string, Unsettled>::iterator it);

  const std::size_t settle_after_;
  bool loaded_ = false;
  std::size_t unsettled_saves_ = 0;
  std::size_t rows_ = 0;  // in the table, settled or not
  std::unordered_map<std::string, Unsettled> unsettled_;
  std::map<int64_t, std::string> by_first_seq_;  // unsettled_, oldest first
};

}  // namespace durafn::store
