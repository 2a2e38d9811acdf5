#include "store/sqlite_execution_store.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>
#include <variant>

#include <sqlite3.h>

#include "protocol/enums.h"
#include "store/event_data.h"
#include "store/markers.h"
#include "store/row_access.h"
#include "store/schema.h"
#include "store/state_codec.h"
#include "store/write_set.h"

namespace durafn::store {
namespace {

using protocol::ExecutionStatus;

constexpr std::string_view kRunning = "RUNNING";

Result<int64_t> PageSize(int64_t max_items) {
  if (max_items < 0 || max_items > kMaxPageItems) {
    return Status::InvalidArgument("MaxItems: must be between 0 and " +
                                   std::to_string(kMaxPageItems));
  }
  return max_items == 0 ? kDefaultPageItems : max_items;
}

// ---- writes (run on the writer thread, inside the group's transaction) ----

Status DeleteExecution(Database& db, SaveLog& log, const std::string& arn) {
  log.Forget(arn);
  for (std::string_view sql :
       {"DELETE FROM executions WHERE arn = ?", "DELETE FROM operations WHERE arn = ?",
        "DELETE FROM events WHERE arn = ?", "DELETE FROM timers WHERE arn = ?",
        "DELETE FROM chained_invokes WHERE arn = ?"}) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    if (auto s = (*st)->Bind(1, Text(arn)).Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyTimerChanges(Database& db, const std::string& arn,
                         const std::vector<TimerChange>& changes) {
  using Action = TimerChange::Action;
  for (const auto& c : changes) {
    Result<Statement*> st = Status::Internal("unreachable");
    switch (c.action) {
      case Action::kSet:
        st = db.Prepare(
            "INSERT INTO timers (arn, kind, operation_id, due_ms) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (arn, kind, operation_id) DO UPDATE SET due_ms = excluded.due_ms");
        if (st.ok())
          (*st)
              ->Bind(1, Text(arn))
              .Bind(2, Text(c.kind))
              .Bind(3, Text(c.operation_id))
              .Bind(4, c.due_ms);
        break;
      case Action::kCancel:
        st = db.Prepare("DELETE FROM timers WHERE arn = ? AND kind = ? AND operation_id = ?");
        if (st.ok()) (*st)->Bind(1, Text(arn)).Bind(2, Text(c.kind)).Bind(3, Text(c.operation_id));
        break;
      case Action::kDeleteIfFired:
        st = db.Prepare(
            "DELETE FROM timers WHERE arn = ? AND kind = ? AND operation_id = ? AND due_ms <= ?");
        if (st.ok()) {
          (*st)
              ->Bind(1, Text(arn))
              .Bind(2, Text(c.kind))
              .Bind(3, Text(c.operation_id))
              .Bind(4, c.due_ms);
        }
        break;
      case Action::kCancelAll:
        st = db.Prepare("DELETE FROM timers WHERE arn = ?");
        if (st.ok()) (*st)->Bind(1, Text(arn));
        break;
    }
    if (!st.ok()) return st.status();
    if (auto s = (*st)->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ApplyChainedChanges(Database& db, const std::string& arn,
                           const std::vector<ChainedChange>& changes) {
  using Action = ChainedChange::Action;
  for (const auto& c : changes) {
    Result<Statement*> st = Status::Internal("unreachable");
    switch (c.action) {
      case Action::kAdd:
        st = db.Prepare("INSERT OR IGNORE INTO chained_invokes (arn, operation_id) VALUES (?, ?)");
        if (st.ok()) (*st)->Bind(1, Text(arn)).Bind(2, Text(c.operation_id));
        break;
      case Action::kRemove:
        st = db.Prepare("DELETE FROM chained_invokes WHERE arn = ? AND operation_id = ?");
        if (st.ok()) (*st)->Bind(1, Text(arn)).Bind(2, Text(c.operation_id));
        break;
      case Action::kRemoveAll:
        st = db.Prepare("DELETE FROM chained_invokes WHERE arn = ?");
        if (st.ok()) (*st)->Bind(1, Text(arn));
        break;
    }
    if (!st.ok()) return st.status();
    if (auto s = (*st)->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

// The rows that hang off an execution: operations, events, timers and chained invokes.
Status WriteChildRows(Database& db, const ExecutionWrite& w) {
  const std::string& arn = w.row.arn;
  Status s = UpsertOperations(db, arn, w.operations);
  if (s.ok()) s = InsertEvents(db, arn, w.events);
  if (s.ok()) s = ApplyTimerChanges(db, arn, w.timers);
  if (s.ok()) s = ApplyChainedChanges(db, arn, w.chained);
  return s;
}

// Create: fails with AlreadyExists on a live name or ARN conflict; purges an expired one.
Status InsertExecution(Database& db, SaveLog& log, const ExecutionWrite& w) {
  const ExecutionRow& r = w.row;
  auto find = db.Prepare(
      "SELECT arn, expires_ms FROM executions "
      "WHERE arn = ? OR (function_name = ? AND name = ?)");
  if (!find.ok()) return find.status();
  std::vector<std::string> expired;
  std::optional<std::string> live;
  Status s =
      ForEachRow((*find)->Bind(1, Text(r.arn)).Bind(2, Text(r.function_name)).Bind(3, Text(r.name)),
                 [&](Statement& row) {
                   auto expires = row.ColumnOptionalInt(1);
                   // The new execution's start is "now" for retention.
                   if (expires && *expires < r.start_ms) {
                     expired.push_back(row.ColumnText(0));
                   } else {
                     live = row.ColumnText(0);
                   }
                   return Status::Ok();
                 });
  if (!s.ok()) return s;
  if (live) {
    return Status::AlreadyExists("execution '" + r.name + "' of " + r.function_name +
                                 " already exists: " + *live);
  }
  for (const auto& arn : expired) {
    if (s = DeleteExecution(db, log, arn); !s.ok()) return s;
  }
  auto log_seq = log.LastSeq(db);
  if (!log_seq.ok()) return log_seq.status();

  auto ins = db.Prepare(
      "INSERT INTO executions (arn, function_name, function_arn, version, name, status, phase, "
      "start_ms, end_ms, retention_days, expires_ms, change_counter, next_event_id, input, "
      "record, log_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  s = (*ins)
          ->Bind(1, Text(r.arn))
          .Bind(2, Text(r.function_name))
          .Bind(3, Text(r.function_arn))
          .Bind(4, Text(r.version))
          .Bind(5, Text(r.name))
          .Bind(6, Text(r.status))
          .Bind(7, Text(r.phase))
          .Bind(8, r.start_ms)
          .Bind(9, r.end_ms)
          .Bind(10, r.retention_days)
          .Bind(11, r.expires_ms)
          .Bind(12, r.change_counter)
          .Bind(13, r.next_event_id)
          .Bind(14, r.input)
          .Bind(15, Text(r.record))
          .Bind(16, *log_seq)
          .Run();
  if (!s.ok()) return s;
  return WriteChildRows(db, w);
}

// Save: the row is updated only if it is the state the caller derived its own from.
Status UpdateExecution(Database& db, const ExecutionWrite& w) {
  const ExecutionRow& r = w.row;
  // Most saves (a step, a checkpoint) leave the indexed columns as they are. SQLite rewrites
  // the index entries of every column an UPDATE sets, so such a save sets only the others,
  // sparing a page of executions_by_status in the log. It matches no row when an indexed
  // column changes or the guard fails; the full update then decides. Both number their
  // parameters alike, so one binding serves either.
  constexpr std::string_view kGuard =
      "WHERE arn = ?4 AND change_counter BETWEEN ?5 AND ?6 AND next_event_id = ?7";
  static const std::string kLight =
      "UPDATE executions SET change_counter = ?1, next_event_id = ?2, record = ?3 " +
      std::string(kGuard) +
      " AND status = ?8 AND phase = ?9 AND end_ms IS ?10 AND expires_ms IS ?11";
  static const std::string kFull =
      "UPDATE executions SET change_counter = ?1, next_event_id = ?2, record = ?3, status = ?8, "
      "phase = ?9, end_ms = ?10, expires_ms = ?11 " +
      std::string(kGuard);
  auto update = [&](const std::string& sql) -> Status {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    return (*st)
        ->Bind(1, r.change_counter)
        .Bind(2, r.next_event_id)
        .Bind(3, Text(r.record))
        .Bind(4, Text(r.arn))
        .Bind(5, w.min_stored_change_counter)
        .Bind(6, r.change_counter)
        .Bind(7, w.expected_stored_next_event_id)
        .Bind(8, Text(r.status))
        .Bind(9, Text(r.phase))
        .Bind(10, r.end_ms)
        .Bind(11, r.expires_ms)
        .Run();
  };
  Status s = update(kLight);
  if (!s.ok()) return s;
  if (Changes(db) == 1) return WriteChildRows(db, w);
  if (s = update(kFull); !s.ok()) return s;
  if (Changes(db) != 1) {
    auto check = db.Prepare("SELECT change_counter, next_event_id FROM executions WHERE arn = ?");
    if (!check.ok()) return check.status();
    std::optional<std::pair<int64_t, int64_t>> stored;
    s = ForEachRow((*check)->Bind(1, Text(r.arn)), [&](Statement& row) {
      stored.emplace(row.ColumnInt(0), row.ColumnInt(1));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (!stored) return Status::NotFound("execution " + r.arn + " is not stored");
    return ChangedUnderSave(w, stored->first, stored->second);
  }
  return WriteChildRows(db, w);
}

Status ReplaceEventRows(Database& db, const std::string& arn, const OperationRow& op,
                        const EventRow& event) {
  auto ev = db.Prepare("UPDATE events SET event = ? WHERE arn = ? AND event_id = ?");
  if (!ev.ok()) return ev.status();
  if (auto s = (*ev)->Bind(1, Text(event.event)).Bind(2, Text(arn)).Bind(3, event.event_id).Run();
      !s.ok()) {
    return s;
  }
  if (Changes(db) != 1) {
    return Status::NotFound("event " + std::to_string(event.event_id) + " of " + arn +
                            " is not stored");
  }
  auto upd = db.Prepare("UPDATE operations SET entry = ? WHERE arn = ? AND id = ? AND seq = ?");
  if (!upd.ok()) return upd.status();
  if (auto s = (*upd)
                   ->Bind(1, Text(op.entry))
                   .Bind(2, Text(arn))
                   .Bind(3, Text(op.id))
                   .Bind(4, op.seq)
                   .Run();
      !s.ok()) {
    return s;
  }
  if (Changes(db) != 1) {
    return Status::NotFound("operation " + op.id + " of " + arn + " is not stored");
  }
  return Status::Ok();
}

Result<int64_t> PurgeRows(Database& db, SaveLog& log, protocol::Timestamp now, int64_t limit) {
  auto find = db.Prepare(
      "SELECT arn FROM executions WHERE expires_ms IS NOT NULL AND expires_ms < ? "
      "AND status <> ? ORDER BY expires_ms LIMIT ?");
  if (!find.ok()) return find.status();
  std::vector<std::string> arns;
  Status s =
      ForEachRow((*find)->Bind(1, now.ms).Bind(2, kRunning).Bind(3, limit), [&](Statement& row) {
        arns.push_back(row.ColumnText(0));
        return Status::Ok();
      });
  if (!s.ok()) return s;
  for (const auto& arn : arns) {
    if (s = DeleteExecution(db, log, arn); !s.ok()) return s;
  }
  return static_cast<int64_t>(arns.size());
}

// ---- reads ----

// The execution's record (input restored) and the last log row settled into its rows.
struct StoredRecord {
  engine::ExecutionRecord record;
  int64_t log_seq = 0;
};

// The record row of `arn`, or nullopt. The record may be older than the newest in the save
// log (see ReadUnsettledSaves).
Result<std::optional<StoredRecord>> ReadRecord(Database& db, std::string_view arn) {
  auto st = db.Prepare("SELECT record, input, log_seq FROM executions WHERE arn = ?");
  if (!st.ok()) return st.status();
  std::optional<StoredRecord> out;
  Status s = ForEachRow((*st)->Bind(1, arn), [&](Statement& row) {
    auto record = ParseStored(row.ColumnText(0), DecodeRecord);
    if (!record.ok()) return Corrupt("record", arn, record.status());
    record->input_payload = row.ColumnOptionalText(1);
    out = StoredRecord{std::move(*record), row.ColumnInt(2)};
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

// The newest record: the last unsettled save's, if any (the input never changes).
Status TakeNewestRecord(std::string_view arn, const std::vector<LoggedSave>& saves,
                        engine::ExecutionRecord& record) {
  if (saves.empty()) return Status::Ok();
  auto newest = ParseStored(saves.back().record, DecodeRecord);
  if (!newest.ok()) return Corrupt("logged record", arn, newest.status());
  newest->input_payload = std::move(record.input_payload);
  record = std::move(*newest);
  return Status::Ok();
}

// Applies the operation rows of unsettled saves to `ops`, as settling them would.
Status ApplyLoggedOperations(std::string_view arn, const std::vector<LoggedSave>& saves,
                             engine::OperationTable& ops) {
  for (const LoggedSave& save : saves) {
    for (const OperationRow& row : save.operations) {
      auto entry = ParseStored(row.entry, DecodeOperationEntry);
      if (!entry.ok()) return Corrupt("logged operation", arn, entry.status());
      const auto pos = static_cast<std::size_t>(row.seq);
      if (row.seq >= 0 && pos < ops.size() && ops.at(pos).op.id == row.id) {
        ops.Replace(pos, std::move(*entry));
      } else if (pos == ops.size() && !ops.Find(row.id)) {
        ops.Append(std::move(*entry));
      } else {
        return Corrupt("save log", arn,
                       Status::Internal("operation " + row.id + " at seq " +
                                        std::to_string(row.seq) + " does not fit the table"));
      }
    }
  }
  return Status::Ok();
}

Status ReadOperations(Database& db, std::string_view arn, engine::OperationTable& ops) {
  auto st = db.Prepare("SELECT seq, entry FROM operations WHERE arn = ? ORDER BY seq");
  if (!st.ok()) return st.status();
  return ForEachRow((*st)->Bind(1, arn), [&](Statement& row) {
    auto entry = ParseStored(row.ColumnText(1), DecodeOperationEntry);
    if (!entry.ok()) return Corrupt("operation", arn, entry.status());
    // seq is the table position: rows 0, 1, 2... with no gap.
    if (row.ColumnInt(0) != static_cast<int64_t>(ops.size())) {
      return Corrupt("operations", arn,
                     Status::Internal("operation seq " + std::to_string(row.ColumnInt(0)) +
                                      " where " + std::to_string(ops.size()) + " was expected"));
    }
    if (ops.Find(entry->op.id)) {
      return Corrupt("operations", arn,
                     Status::Internal("operation id " + entry->op.id + " repeats"));
    }
    ops.Append(std::move(*entry));
    return Status::Ok();
  });
}

// The execution's log_seq (see save_log.h), or nullopt if it is not stored.
Result<std::optional<int64_t>> SettledLogSeq(Database& db, std::string_view arn) {
  auto st = db.Prepare("SELECT log_seq FROM executions WHERE arn = ?");
  if (!st.ok()) return st.status();
  std::optional<int64_t> seq;
  Status s = ForEachRow((*st)->Bind(1, arn), [&](Statement& row) {
    seq = row.ColumnInt(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return seq;
}

Result<ExecutionStatus> ParseStatusColumn(Statement& row, int col) {
  std::string text = row.ColumnText(col);
  auto status = protocol::ParseEnum<ExecutionStatus>(text);
  if (!status) return Status::Internal("stored execution status '" + text + "' is unknown");
  return *status;
}

// A bound parameter of a query built at run time.
using Param = std::variant<int64_t, std::string>;

void BindAll(Statement& st, const std::vector<Param>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) {
            st.Bind(static_cast<int>(i) + 1, Text(v));
          } else {
            st.Bind(static_cast<int>(i) + 1, v);
          }
        },
        params[i]);
  }
}

// The writer's options with `hook` run on a rollback too.
GroupCommitWriter::Options WithRollbackHook(GroupCommitWriter::Options o,
                                            std::function<void()> hook) {
  o.on_rollback = [first = std::move(o.on_rollback), hook = std::move(hook)] {
    if (first) first();
    hook();
  };
  return o;
}

}  // namespace

// ---- SqliteExecutionStore ----

SqliteExecutionStore::SqliteExecutionStore(const std::string& path, Database writer_db,
                                           const Options& options)
    : readers_(path, options.max_idle_readers),
      log_(options.settle_after),
      writer_(std::move(writer_db),
              WithRollbackHook(options.writer, [this] { log_.Invalidate(); })) {}

Status SqliteExecutionStore::SubmitWrite(std::function<Status(Database&)> work, Done done) {
  return writer_.Submit(
      [this, work = std::move(work)](Database& db) {
        Status s = work(db);
        // The job's savepoint is rolled back, and with it whatever it did to the log.
        if (!s.ok()) log_.Invalidate();
        return s;
      },
      std::move(done));
}

Result<std::unique_ptr<SqliteExecutionStore>> SqliteExecutionStore::Open(
    const std::filesystem::path& data_dir, const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create data directory " + data_dir.string() + ": " +
                               ec.message());
  }
  const std::string path = (data_dir / kDatabaseFileName).string();
  auto db = Database::Open(path, {.synchronous_full = options.synchronous_full,
                                  .buffer_wal_writes = options.synchronous_full});
  if (!db.ok()) return db.status();
  if (auto s = Migrate(*db); !s.ok()) return s;
  // After the migrations, whose own writes the checkpoint moves out of the log.
  if (options.wal_reserve_bytes > 0) {
    if (auto s = db->ReserveWal(options.wal_reserve_bytes); !s.ok()) return s;
  }
  std::unique_ptr<SqliteExecutionStore> store(
      new SqliteExecutionStore(path, std::move(*db), options));
  // Saves logged before a stop go to the tables now, so the log starts empty.
  if (auto s = store->writer_.SubmitAndWait([&log = store->log_](Database& db) {
        Status settled = log.SettleAll(db);
        if (!settled.ok()) log.Invalidate();
        return settled;
      });
      !s.ok()) {
    return Status(s.code(), "settling the save log: " + s.message());
  }
  return store;
}

Status SqliteExecutionStore::Create(const engine::ExecutionState& state,
                                    const engine::Outcome& outcome, Done done) {
  auto w = BuildCreate(state, outcome);
  if (!w.ok()) return w.status();
  return SubmitWrite(
      [this, w = std::move(*w)](Database& db) { return InsertExecution(db, log_, w); },
      std::move(done));
}

Status SqliteExecutionStore::Save(const engine::ExecutionState& state,
                                  const engine::Outcome& outcome, int64_t saved_change_counter,
                                  Done done) {
  auto w = BuildSave(state, outcome, saved_change_counter);
  if (!w.ok()) return w.status();
  return SubmitWrite(
      [this, w = std::move(*w)](Database& db) -> Status {
        auto logged = log_.TryAppend(db, w);
        if (!logged.ok()) return logged.status();
        return *logged ? Status::Ok() : UpdateExecution(db, w);
      },
      std::move(done));
}

Status SqliteExecutionStore::SaveTimerFired(const TimerRow& fired,
                                            const engine::ExecutionState& state,
                                            const engine::Outcome& outcome,
                                            int64_t saved_change_counter, Done done) {
  if (fired.execution_arn != state.record.arn) {
    return Status::InvalidArgument("SaveTimerFired: the timer is not of this execution");
  }
  auto w = BuildSave(state, outcome, saved_change_counter);
  if (!w.ok()) return w.status();
  AddFiredTimer(fired.kind, fired.operation_id, fired.due, *w);
  return SubmitWrite(
      [this, w = std::move(*w)](Database& db) {
        Status s = log_.Settle(db, w.row.arn);
        return s.ok() ? UpdateExecution(db, w) : s;
      },
      std::move(done));
}

Status SqliteExecutionStore::ReplaceEvent(const engine::ExecutionState& state,
                                          const protocol::Event& event, Done done) {
  if (!event.id) return Status::InvalidArgument("ReplaceEvent: the event names no operation");
  auto op = BuildOperationRow(state, *event.id);
  if (!op.ok()) return op.status();
  auto ev = BuildEventRow(event);
  if (!ev.ok()) return ev.status();
  return SubmitWrite(
      [this, arn = state.record.arn, op = std::move(*op), ev = std::move(*ev)](Database& db) {
        Status s = log_.Settle(db, arn);
        return s.ok() ? ReplaceEventRows(db, arn, op, ev) : s;
      },
      std::move(done));
}

Status SqliteExecutionStore::PurgeExpired(protocol::Timestamp now, int64_t limit, PurgeDone done) {
  if (limit <= 0) return Status::InvalidArgument("PurgeExpired: limit must be positive");
  // The work reports the count through `purged`; Done only carries a Status.
  auto purged = std::make_shared<int64_t>(0);
  return SubmitWrite(
      [this, purged, now, limit](Database& db) -> Status {
        auto n = PurgeRows(db, log_, now, limit);
        if (!n.ok()) return n.status();
        *purged = *n;
        return Status::Ok();
      },
      [purged, done = std::move(done)](Status s) {
        if (s.ok()) {
          done(*purged);
        } else {
          done(std::move(s));
        }
      });
}

Result<std::optional<engine::ExecutionState>> SqliteExecutionStore::Load(std::string_view arn) {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  ReadTransaction txn(db);
  if (auto s = txn.Begin(); !s.ok()) return s;
  auto stored = ReadRecord(db, arn);
  if (!stored.ok()) return stored.status();
  if (!*stored) return std::optional<engine::ExecutionState>();
  engine::ExecutionState state;
  state.record = std::move((*stored)->record);
  if (auto s = ReadOperations(db, arn, state.ops); !s.ok()) return s;
  auto saves = ReadUnsettledSaves(db, arn, (*stored)->log_seq);
  if (!saves.ok()) return saves.status();
  if (auto s = ApplyLoggedOperations(arn, *saves, state.ops); !s.ok()) return s;
  if (auto s = TakeNewestRecord(arn, *saves, state.record); !s.ok()) return s;
  if (state.ops.empty()) {
    return Corrupt("operations", arn, Status::Internal("the EXECUTION operation is missing"));
  }
  return std::optional<engine::ExecutionState>(std::move(state));
}

Result<std::optional<engine::ExecutionRecord>> SqliteExecutionStore::LoadRecord(
    std::string_view arn) {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  ReadTransaction txn(db);
  if (auto s = txn.Begin(); !s.ok()) return s;
  auto stored = ReadRecord(db, arn);
  if (!stored.ok()) return stored.status();
  if (!*stored) return std::optional<engine::ExecutionRecord>();
  auto saves = ReadUnsettledSaves(db, arn, (*stored)->log_seq);
  if (!saves.ok()) return saves.status();
  engine::ExecutionRecord record = std::move((*stored)->record);
  if (auto s = TakeNewestRecord(arn, *saves, record); !s.ok()) return s;
  return std::optional<engine::ExecutionRecord>(std::move(record));
}

Result<std::optional<std::string>> SqliteExecutionStore::FindByName(std::string_view function_arn,
                                                                    std::string_view name) {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare("SELECT arn FROM executions WHERE function_name = ? AND name = ?");
  if (!st.ok()) return st.status();
  std::optional<std::string> arn;
  Status s = ForEachRow((*st)->Bind(1, function_arn).Bind(2, name), [&](Statement& row) {
    arn = row.ColumnText(0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return arn;
}

Result<protocol::GetDurableExecutionHistoryResponse> SqliteExecutionStore::History(
    std::string_view arn, const HistoryQuery& query) {
  auto page_size = PageSize(query.max_items);
  if (!page_size.ok()) return page_size.status();
  // Without a marker, start at the first event (or the last, newest first).
  int64_t start = query.reverse_order ? std::numeric_limits<int64_t>::max() : 1;
  if (query.marker) {
    auto parsed = ParseHistoryMarker(*query.marker);
    if (!parsed.ok()) return parsed.status();
    start = *parsed;
  }

  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  ReadTransaction txn(db);
  if (auto s = txn.Begin(); !s.ok()) return s;
  auto log_seq = SettledLogSeq(db, arn);
  if (!log_seq.ok()) return log_seq.status();
  if (!*log_seq) return Status::NotFound("execution " + std::string(arn) + " not found");
  // The newest events may still be in the save log; all of them follow the table's.
  auto saves = ReadUnsettledSaves(db, arn, **log_seq);
  if (!saves.ok()) return saves.status();
  std::vector<EventRow> logged;
  for (auto& save : *saves) {
    for (auto& e : save.events)
      logged.push_back(std::move(e));
  }

  // One row more than the page tells whether another page follows, and where it starts.
  const auto wanted = static_cast<std::size_t>(*page_size) + 1;
  std::vector<EventRow> rows;
  auto from_log = [&] {
    if (query.reverse_order) {
      for (auto it = logged.rbegin(); it != logged.rend() && rows.size() < wanted; ++it) {
        if (it->event_id <= start) rows.push_back(std::move(*it));
      }
    } else {
      for (auto& e : logged) {
        if (rows.size() < wanted && e.event_id >= start) rows.push_back(std::move(e));
      }
    }
  };
  auto from_table = [&]() -> Status {
    if (rows.size() >= wanted) return Status::Ok();
    auto st = db.Prepare(query.reverse_order
                             ? "SELECT event_id, event FROM events WHERE arn = ? AND event_id <= ? "
                               "ORDER BY event_id DESC LIMIT ?"
                             : "SELECT event_id, event FROM events WHERE arn = ? AND event_id >= ? "
                               "ORDER BY event_id LIMIT ?");
    if (!st.ok()) return st.status();
    const auto limit = static_cast<int64_t>(wanted - rows.size());
    return ForEachRow((*st)->Bind(1, arn).Bind(2, start).Bind(3, limit), [&](Statement& row) {
      rows.push_back(EventRow{row.ColumnInt(0), row.ColumnText(1)});
      return Status::Ok();
    });
  };
  if (query.reverse_order) from_log();
  if (auto s = from_table(); !s.ok()) return s;
  if (!query.reverse_order) from_log();

  protocol::GetDurableExecutionHistoryResponse page;
  for (auto& row : rows) {
    if (page.events.size() == static_cast<std::size_t>(*page_size)) {
      page.next_marker = FormatHistoryMarker(row.event_id);
      break;
    }
    auto event = ParseStored(row.event, DecodeStoredEvent);
    if (!event.ok()) return Corrupt("event", arn, event.status());
    if (!query.include_data) OmitEventData(*event);
    page.events.push_back(std::move(*event));
  }
  return page;
}

Result<protocol::ListDurableExecutionsByFunctionResponse> SqliteExecutionStore::List(
    const ListQuery& query) {
  auto page_size = PageSize(query.max_items);
  if (!page_size.ok()) return page_size.status();
  std::optional<ListCursor> cursor;
  if (query.marker) {
    auto parsed = ParseListMarker(*query.marker);
    if (!parsed.ok()) return parsed.status();
    cursor = std::move(*parsed);
  }

  // The filters vary, so the statement is built for the ones given; the statement cache
  // holds at most one text per combination (2^6 filters x 2 orders).
  std::string sql =
      "SELECT arn, name, function_arn, status, start_ms, end_ms FROM executions "
      "WHERE function_name = ?";
  std::vector<Param> params{query.function_arn};
  if (query.version) {
    sql += " AND version = ?";
    params.emplace_back(*query.version);
  }
  if (query.name) {
    sql += " AND name = ?";
    params.emplace_back(*query.name);
  }
  if (!query.statuses.empty()) {
    // One parameter for any set of statuses: "|RUNNING|FAILED|" contains "|" status "|".
    std::string set = "|";
    for (auto status : query.statuses)
      set.append(protocol::ToString(status)).append("|");
    sql += " AND instr(?, '|' || status || '|') > 0";
    params.emplace_back(std::move(set));
  }
  if (query.started_after) {
    sql += " AND start_ms >= ?";
    params.emplace_back(query.started_after->ms);
  }
  if (query.started_before) {
    sql += " AND start_ms < ?";
    params.emplace_back(query.started_before->ms);
  }
  const bool newest_first = !query.reverse_order;
  if (cursor) {
    sql += newest_first ? " AND (start_ms, arn) < (?, ?)" : " AND (start_ms, arn) > (?, ?)";
    params.emplace_back(cursor->start_ms);
    params.emplace_back(cursor->arn);
  }
  sql += newest_first ? " ORDER BY start_ms DESC, arn DESC LIMIT ?"
                      : " ORDER BY start_ms, arn LIMIT ?";
  params.emplace_back(*page_size + 1);

  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare(sql);
  if (!st.ok()) return st.status();
  BindAll(**st, params);
  protocol::ListDurableExecutionsByFunctionResponse page;
  auto& rows = page.durable_executions.emplace();
  bool more = false;
  Status s = ForEachRow(**st, [&](Statement& row) {
    if (static_cast<int64_t>(rows.size()) == *page_size) {
      more = true;
      return Status::Ok();
    }
    auto status = ParseStatusColumn(row, 3);
    if (!status.ok()) return status.status();
    protocol::ExecutionSummary e;
    e.durable_execution_arn = row.ColumnText(0);
    e.durable_execution_name = row.ColumnText(1);
    e.function_arn = row.ColumnText(2);
    e.status = *status;
    e.start_timestamp = protocol::Timestamp{row.ColumnInt(4)};
    if (auto end = row.ColumnOptionalInt(5)) e.end_timestamp = protocol::Timestamp{*end};
    rows.push_back(std::move(e));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (more) {
    const auto& last = rows.back();
    page.next_marker = FormatListMarker({last.start_timestamp.ms, last.durable_execution_arn});
  }
  return page;
}

Result<std::vector<TimerRow>> SqliteExecutionStore::TimersDue(protocol::Timestamp from,
                                                              protocol::Timestamp to,
                                                              int64_t limit) {
  if (limit <= 0) return Status::InvalidArgument("TimersDue: limit must be positive");
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare(
      "SELECT arn, kind, operation_id, due_ms FROM timers WHERE due_ms >= ? AND due_ms < ? "
      "ORDER BY due_ms, arn, kind, operation_id LIMIT ?");
  if (!st.ok()) return st.status();
  std::vector<TimerRow> timers;
  Status s = ForEachRow((*st)->Bind(1, from.ms).Bind(2, to.ms).Bind(3, limit), [&](Statement& row) {
    std::string kind = row.ColumnText(1);
    auto parsed = ParseTimerKind(kind);
    if (!parsed) return Status::Internal("stored timer kind '" + kind + "' is unknown");
    timers.push_back(TimerRow{row.ColumnText(0), *parsed, row.ColumnText(2),
                              protocol::Timestamp{row.ColumnInt(3)}});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return timers;
}

Result<std::vector<ChainedInvokeKey>> SqliteExecutionStore::PendingChainedInvokes() {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare(
      "SELECT arn, operation_id FROM chained_invokes ORDER BY arn, operation_id");
  if (!st.ok()) return st.status();
  std::vector<ChainedInvokeKey> keys;
  Status s = ForEachRow(**st, [&](Statement& row) {
    keys.push_back(ChainedInvokeKey{row.ColumnText(0), row.ColumnText(1)});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return keys;
}

Result<std::vector<std::string>> SqliteExecutionStore::RecoverableExecutions() {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare(
      "SELECT arn FROM executions WHERE status = ? AND phase IN (?, ?) ORDER BY start_ms, arn");
  if (!st.ok()) return st.status();
  std::vector<std::string> arns;
  Status s = ForEachRow((*st)
                            ->Bind(1, kRunning)
                            .Bind(2, InvocationPhaseName(engine::InvocationPhase::kQueued))
                            .Bind(3, InvocationPhaseName(engine::InvocationPhase::kRunning)),
                        [&](Statement& row) {
                          arns.push_back(row.ColumnText(0));
                          return Status::Ok();
                        });
  if (!s.ok()) return s;
  return arns;
}

Result<StatusCounts> SqliteExecutionStore::CountByStatus() {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  auto st = lease->db().Prepare("SELECT status, COUNT(*) FROM executions GROUP BY status");
  if (!st.ok()) return st.status();
  StatusCounts counts;
  Status s = ForEachRow(**st, [&](Statement& row) {
    auto status = ParseStatusColumn(row, 0);
    if (!status.ok()) return status.status();
    counts[*status] = row.ColumnInt(1);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return counts;
}

}  // namespace durafn::store
