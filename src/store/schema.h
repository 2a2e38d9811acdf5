// The durable store's table layout and how a database file is brought up to date.
//
// The schema is a list of numbered migrations. A database remembers the last one applied
// (table schema_version); opening it applies the missing ones, each in its own transaction,
// so a crash mid-upgrade leaves the database at a well-defined version. The logical schema
// (tables, columns, keys) is the one a PostgreSQL store will share; only types are SQLite's.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/result.h"
#include "store/sqlite.h"

namespace durafn::store {

// One step of the schema: `sql` takes a database at version `version - 1` to `version`.
struct Migration {
  int64_t version = 0;
  std::string_view sql;
};

// Every migration this build knows, in version order starting at 1.
std::span<const Migration> Migrations();

// The version Migrate() brings a database to: the last entry of Migrations().
int64_t LatestSchemaVersion();

// The version recorded in `db`; 0 for a database that has never been migrated.
Result<int64_t> SchemaVersion(Database& db);

// Applies the migrations of `migrations` newer than the database's version, in order, each
// in its own transaction (BEGIN IMMEDIATE, so two processes cannot both apply one). Refuses
// (FailedPrecondition, nothing changed) a database whose version is newer than the last of
// `migrations`: this build would misread it. `migrations` must be numbered 1, 2, 3...
Status Migrate(Database& db, std::span<const Migration> migrations = Migrations());

}  // namespace durafn::store
