#include "store/schema.h"

#include <array>
#include <cassert>
#include <string>

namespace durafn::store {
namespace {

// Version 1: executions, their operations, history events and armed timers.
//
// executions holds the serialized engine::ExecutionRecord (record, without the input, which
// never changes and can be 6 MiB, so it lives in `input` and is written once) plus the
// columns the queries filter on, kept in sync with the record by every write:
//   function_name  unqualified function ARN; with name, the idempotency key (§2.2)
//   expires_ms     end_ms + retention_days; NULL while running, so purges use one index
//   phase          engine::InvocationPhase, for recovery after a restart
//   change_counter, next_event_id  what the last write persisted; a Save checks them so a
//                  lost earlier write cannot leave a gap (see SqliteExecutionStore::Save)
// operations.seq is the creation order (the operation table's position), events.event_id
// the history order; both are what Load and History page by.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE executions (
  arn            TEXT    NOT NULL PRIMARY KEY,
  function_name  TEXT    NOT NULL,
  function_arn   TEXT    NOT NULL,
  version        TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  status         TEXT    NOT NULL,
  phase          TEXT    NOT NULL,
  start_ms       INTEGER NOT NULL,
  end_ms         INTEGER,
  retention_days INTEGER NOT NULL,
  expires_ms     INTEGER,
  change_counter INTEGER NOT NULL,
  next_event_id  INTEGER NOT NULL,
  input          TEXT,
  record         TEXT    NOT NULL,
  UNIQUE (function_name, name)
);
CREATE INDEX executions_by_function_start ON executions (function_name, start_ms, arn);
CREATE INDEX executions_by_status ON executions (status, phase);
CREATE INDEX executions_by_expiry ON executions (expires_ms) WHERE expires_ms IS NOT NULL;

CREATE TABLE operations (
  arn   TEXT    NOT NULL,
  seq   INTEGER NOT NULL,
  id    TEXT    NOT NULL,
  entry TEXT    NOT NULL,
  PRIMARY KEY (arn, id)
);
CREATE UNIQUE INDEX operations_by_seq ON operations (arn, seq);

CREATE TABLE events (
  arn      TEXT    NOT NULL,
  event_id INTEGER NOT NULL,
  event    TEXT    NOT NULL,
  PRIMARY KEY (arn, event_id)
);

CREATE TABLE timers (
  arn          TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  operation_id TEXT    NOT NULL,
  due_ms       INTEGER NOT NULL,
  PRIMARY KEY (arn, kind, operation_id)
);
CREATE INDEX timers_by_due ON timers (due_ms);
)sql";

// Version 2: chained invokes in flight, so a restarted server resumes waiting for their
// targets (or runs a plain target again: invocations are at least once).
constexpr std::string_view kV2 = R"sql(
CREATE TABLE chained_invokes (
  arn          TEXT NOT NULL,
  operation_id TEXT NOT NULL,
  PRIMARY KEY (arn, operation_id)
);
)sql";

// Version 3: operations, events and timers become WITHOUT ROWID tables. A rowid table with a
// TEXT primary key is two B-trees (rows, and the key's index), and a checkpoint dirtied a page
// in each. Operations are clustered in creation order, so new ones append to one page, and
// found by id through a smaller index. Together this saves about three of the ten pages one
// checkpoint wrote to the log, and with them fsync time and writer CPU.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE operations_v3 (
  arn   TEXT    NOT NULL,
  seq   INTEGER NOT NULL,
  id    TEXT    NOT NULL,
  entry TEXT    NOT NULL,
  PRIMARY KEY (arn, seq)
) WITHOUT ROWID;
INSERT INTO operations_v3 (arn, seq, id, entry) SELECT arn, seq, id, entry FROM operations;
DROP TABLE operations;
ALTER TABLE operations_v3 RENAME TO operations;
CREATE UNIQUE INDEX operations_by_id ON operations (arn, id);

CREATE TABLE events_v3 (
  arn      TEXT    NOT NULL,
  event_id INTEGER NOT NULL,
  event    TEXT    NOT NULL,
  PRIMARY KEY (arn, event_id)
) WITHOUT ROWID;
INSERT INTO events_v3 (arn, event_id, event) SELECT arn, event_id, event FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;

CREATE TABLE timers_v3 (
  arn          TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  operation_id TEXT    NOT NULL,
  due_ms       INTEGER NOT NULL,
  PRIMARY KEY (arn, kind, operation_id)
) WITHOUT ROWID;
INSERT INTO timers_v3 (arn, kind, operation_id, due_ms)
  SELECT arn, kind, operation_id, due_ms FROM timers;
DROP TABLE timers;
ALTER TABLE timers_v3 RENAME TO timers;
CREATE INDEX timers_by_due ON timers (due_ms);
)sql";

// Version 4: the save log (see save_log.h). seq must keep growing, which executions.log_seq
// relies on: the log is never emptied completely (its newest row stays), rather than using
// AUTOINCREMENT, whose counter row would cost every commit a page. operations_by_id goes:
// ids are hashes, so each new operation landed on its own page of it, and writes find rows
// by position (the engine keeps ids unique; loading checks it).
constexpr std::string_view kV4 = R"sql(
CREATE TABLE save_log (
  seq            INTEGER PRIMARY KEY,
  arn_key        INTEGER NOT NULL,
  arn            TEXT    NOT NULL,
  change_counter INTEGER NOT NULL,
  next_event_id  INTEGER NOT NULL,
  record         TEXT    NOT NULL,
  operations     BLOB    NOT NULL,
  events         BLOB    NOT NULL
);
CREATE INDEX save_log_by_execution ON save_log (arn_key, seq);
ALTER TABLE executions ADD COLUMN log_seq INTEGER NOT NULL DEFAULT 0;
DROP INDEX operations_by_id;
)sql";

constexpr std::array kMigrations = {
    Migration{1, kV1},
    Migration{2, kV2},
    Migration{3, kV3},
    Migration{4, kV4},
};

Status EnsureVersionTable(Database& db) {
  // One row, enforced by the key, even if two processes create it at once.
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "  id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);"
      "INSERT OR IGNORE INTO schema_version (id, version) VALUES (1, 0);");
}

// Runs one migration and records its version in the same transaction.
Status Apply(Database& db, const Migration& m) {
  if (auto s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  // Re-read under the write lock: another process may have migrated meanwhile.
  auto current = SchemaVersion(db);
  Status s = current.status();
  if (s.ok() && *current >= m.version) return db.Exec("COMMIT");
  if (s.ok() && *current != m.version - 1) {
    s = Status::Internal("schema version " + std::to_string(*current) + " cannot take migration " +
                         std::to_string(m.version));
  }
  if (s.ok()) s = db.Exec(m.sql);
  if (s.ok()) {
    auto st = db.Prepare("UPDATE schema_version SET version = ?");
    s = st.ok() ? (*st)->Bind(1, m.version).Run() : st.status();
  }
  if (s.ok()) s = db.Exec("COMMIT");
  if (!s.ok()) {
    (void)db.Exec("ROLLBACK");  // the original error is the one worth reporting
    return Status(s.code(), "schema migration " + std::to_string(m.version) + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

int64_t LatestSchemaVersion() {
  return kMigrations.back().version;
}

Result<int64_t> SchemaVersion(Database& db) {
  auto exists = db.Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.ok()) return exists.status();
  auto has = (*exists)->Step();
  if (!has.ok()) return has.status();
  bool present = *has && (*exists)->ColumnInt(0) > 0;
  (*exists)->Reset();
  if (!present) return int64_t{0};

  auto st = db.Prepare("SELECT version FROM schema_version");
  if (!st.ok()) return st.status();
  auto row = (*st)->Step();
  if (!row.ok()) return row.status();
  int64_t version = *row ? (*st)->ColumnInt(0) : 0;
  (*st)->Reset();
  return version;
}

Status Migrate(Database& db, std::span<const Migration> migrations) {
  assert(!migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    assert(migrations[i].version == static_cast<int64_t>(i) + 1 && "migrations are 1, 2, 3...");
  }
  const int64_t latest = migrations.back().version;
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  if (*current > latest) {
    return Status::FailedPrecondition("database schema version " + std::to_string(*current) +
                                      " is newer than this build supports (" +
                                      std::to_string(latest) +
                                      "); use a newer durafn or another data directory");
  }
  if (*current == latest) return Status::Ok();
  if (auto s = EnsureVersionTable(db); !s.ok()) return s;
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (auto s = Apply(db, m); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace durafn::store
