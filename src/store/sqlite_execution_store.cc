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
#include "store/schema.h"
#include "store/state_codec.h"
#include "store/write_set.h"

namespace durafn::store {
namespace {

using protocol::ExecutionStatus;

constexpr std::string_view kRunning = "RUNNING";

// Runs `st` to the end, calling `row(st)` for each row (stopping at its first error), and
// resets it either way: a statement left mid-result would hold its snapshot open.
template <class F>
Status ForEachRow(Statement& st, F&& row) {
  Status s;
  for (;;) {
    auto has_row = st.Step();
    if (!has_row.ok()) {
      s = has_row.status();
      break;
    }
    if (!*has_row) break;
    s = row(st);
    if (!s.ok()) break;
  }
  st.Reset();
  return s;
}

// Statement::Bind takes text as string_view (a std::string would also match its
// optional<string> overload).
std::string_view Text(const std::string& s) {
  return s;
}

// A stored value that does not decode is corruption (or a bug), never the caller's fault.
Status Corrupt(std::string_view what, std::string_view arn, const Status& s) {
  return Status::Internal("stored " + std::string(what) + " of " + std::string(arn) +
                          " is unreadable: " + s.message());
}

Result<int64_t> PageSize(int64_t max_items) {
  if (max_items < 0 || max_items > kMaxPageItems) {
    return Status::InvalidArgument("MaxItems: must be between 0 and " +
                                   std::to_string(kMaxPageItems));
  }
  return max_items == 0 ? kDefaultPageItems : max_items;
}

// ---- writes (run on the writer thread, inside the group's transaction) ----

int64_t Changes(Database& db) {
  return sqlite3_changes64(db.handle());
}

Status DeleteExecution(Database& db, const std::string& arn) {
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

Status UpsertOperations(Database& db, const std::string& arn,
                        const std::vector<OperationRow>& ops) {
  auto st = db.Prepare(
      "INSERT INTO operations (arn, seq, id, entry) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (arn, id) DO UPDATE SET entry = excluded.entry");
  if (!st.ok()) return st.status();
  for (const auto& op : ops) {
    (*st)->Reset();
    if (auto s = (*st)
                     ->Bind(1, Text(arn))
                     .Bind(2, op.seq)
                     .Bind(3, Text(op.id))
                     .Bind(4, Text(op.entry))
                     .Run();
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status InsertEvents(Database& db, const std::string& arn, const std::vector<EventRow>& events) {
  auto st = db.Prepare("INSERT INTO events (arn, event_id, event) VALUES (?, ?, ?)");
  if (!st.ok()) return st.status();
  for (const auto& e : events) {
    (*st)->Reset();
    if (auto s = (*st)->Bind(1, Text(arn)).Bind(2, e.event_id).Bind(3, Text(e.event)).Run();
        !s.ok())
      return s;
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
Status InsertExecution(Database& db, const ExecutionWrite& w) {
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
    if (s = DeleteExecution(db, arn); !s.ok()) return s;
  }

  auto ins = db.Prepare(
      "INSERT INTO executions (arn, function_name, function_arn, version, name, status, phase, "
      "start_ms, end_ms, retention_days, expires_ms, change_counter, next_event_id, input, "
      "record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
    return Status::FailedPrecondition(
        "execution " + r.arn + " changed under this save (stored change " +
        std::to_string(stored->first) + ", next event " + std::to_string(stored->second) +
        "; the save expects change " + std::to_string(w.min_stored_change_counter) + ".." +
        std::to_string(r.change_counter) + ", next event " +
        std::to_string(w.expected_stored_next_event_id) + "): reload it");
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

Result<int64_t> PurgeRows(Database& db, protocol::Timestamp now, int64_t limit) {
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
    if (s = DeleteExecution(db, arn); !s.ok()) return s;
  }
  return static_cast<int64_t>(arns.size());
}

// ---- reads ----

// The record row of `arn` (input restored), or nullopt.
Result<std::optional<engine::ExecutionRecord>> ReadRecord(Database& db, std::string_view arn) {
  auto st = db.Prepare("SELECT record, input FROM executions WHERE arn = ?");
  if (!st.ok()) return st.status();
  std::optional<engine::ExecutionRecord> out;
  Status s = ForEachRow((*st)->Bind(1, arn), [&](Statement& row) {
    auto record = ParseStored(row.ColumnText(0), DecodeRecord);
    if (!record.ok()) return Corrupt("record", arn, record.status());
    record->input_payload = row.ColumnOptionalText(1);
    out = std::move(*record);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
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
    ops.Append(std::move(*entry));
    return Status::Ok();
  });
}

Result<bool> ExecutionExists(Database& db, std::string_view arn) {
  auto st = db.Prepare("SELECT 1 FROM executions WHERE arn = ?");
  if (!st.ok()) return st.status();
  bool found = false;
  Status s = ForEachRow((*st)->Bind(1, arn), [&](Statement&) {
    found = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return found;
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

}  // namespace

// ---- SqliteExecutionStore ----

SqliteExecutionStore::SqliteExecutionStore(const std::string& path, Database writer_db,
                                           const Options& options)
    : readers_(path, options.max_idle_readers), writer_(std::move(writer_db), options.writer) {}

Result<std::unique_ptr<SqliteExecutionStore>> SqliteExecutionStore::Open(
    const std::filesystem::path& data_dir, const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create data directory " + data_dir.string() + ": " +
                               ec.message());
  }
  const std::string path = (data_dir / kDatabaseFileName).string();
  auto db = Database::Open(path, {.synchronous_full = options.synchronous_full});
  if (!db.ok()) return db.status();
  if (auto s = Migrate(*db); !s.ok()) return s;
  // After the migrations, whose own writes the checkpoint moves out of the log.
  if (options.wal_reserve_bytes > 0) {
    if (auto s = db->ReserveWal(options.wal_reserve_bytes); !s.ok()) return s;
  }
  return std::unique_ptr<SqliteExecutionStore>(
      new SqliteExecutionStore(path, std::move(*db), options));
}

Status SqliteExecutionStore::Create(const engine::ExecutionState& state,
                                    const engine::Outcome& outcome, Done done) {
  auto w = BuildCreate(state, outcome);
  if (!w.ok()) return w.status();
  return writer_.Submit([w = std::move(*w)](Database& db) { return InsertExecution(db, w); },
                        std::move(done));
}

Status SqliteExecutionStore::Save(const engine::ExecutionState& state,
                                  const engine::Outcome& outcome, int64_t saved_change_counter,
                                  Done done) {
  auto w = BuildSave(state, outcome, saved_change_counter);
  if (!w.ok()) return w.status();
  return writer_.Submit([w = std::move(*w)](Database& db) { return UpdateExecution(db, w); },
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
  return writer_.Submit([w = std::move(*w)](Database& db) { return UpdateExecution(db, w); },
                        std::move(done));
}

Status SqliteExecutionStore::ReplaceEvent(const engine::ExecutionState& state,
                                          const protocol::Event& event, Done done) {
  if (!event.id) return Status::InvalidArgument("ReplaceEvent: the event names no operation");
  auto op = BuildOperationRow(state, *event.id);
  if (!op.ok()) return op.status();
  auto ev = BuildEventRow(event);
  if (!ev.ok()) return ev.status();
  return writer_.Submit([arn = state.record.arn, op = std::move(*op), ev = std::move(*ev)](
                            Database& db) { return ReplaceEventRows(db, arn, op, ev); },
                        std::move(done));
}

Status SqliteExecutionStore::PurgeExpired(protocol::Timestamp now, int64_t limit, PurgeDone done) {
  if (limit <= 0) return Status::InvalidArgument("PurgeExpired: limit must be positive");
  // The work reports the count through `purged`; Done only carries a Status.
  auto purged = std::make_shared<int64_t>(0);
  return writer_.Submit(
      [purged, now, limit](Database& db) -> Status {
        auto n = PurgeRows(db, now, limit);
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
  auto record = ReadRecord(db, arn);
  if (!record.ok()) return record.status();
  if (!*record) return std::optional<engine::ExecutionState>();
  engine::ExecutionState state;
  state.record = std::move(**record);
  if (auto s = ReadOperations(db, arn, state.ops); !s.ok()) return s;
  if (state.ops.empty()) {
    return Corrupt("operations", arn, Status::Internal("the EXECUTION operation is missing"));
  }
  return std::optional<engine::ExecutionState>(std::move(state));
}

Result<std::optional<engine::ExecutionRecord>> SqliteExecutionStore::LoadRecord(
    std::string_view arn) {
  auto lease = readers_.Acquire();
  if (!lease.ok()) return lease.status();
  return ReadRecord(lease->db(), arn);
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
  auto exists = ExecutionExists(db, arn);
  if (!exists.ok()) return exists.status();
  if (!*exists) return Status::NotFound("execution " + std::string(arn) + " not found");

  auto st = db.Prepare(query.reverse_order
                           ? "SELECT event_id, event FROM events WHERE arn = ? AND event_id <= ? "
                             "ORDER BY event_id DESC LIMIT ?"
                           : "SELECT event_id, event FROM events WHERE arn = ? AND event_id >= ? "
                             "ORDER BY event_id LIMIT ?");
  if (!st.ok()) return st.status();
  protocol::GetDurableExecutionHistoryResponse page;
  // One row more than the page tells whether another page follows, and where it starts.
  Status s =
      ForEachRow((*st)->Bind(1, arn).Bind(2, start).Bind(3, *page_size + 1), [&](Statement& row) {
        if (static_cast<int64_t>(page.events.size()) == *page_size) {
          page.next_marker = FormatHistoryMarker(row.ColumnInt(0));
          return Status::Ok();
        }
        auto event = ParseStored(row.ColumnText(1), DecodeStoredEvent);
        if (!event.ok()) return Corrupt("event", arn, event.status());
        if (!query.include_data) OmitEventData(*event);
        page.events.push_back(std::move(*event));
        return Status::Ok();
      });
  if (!s.ok()) return s;
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
