// A thin RAII layer over the SQLite C API: connections and prepared statements whose
// failures come back as Status. Nothing here knows durafn's schema.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "protocol/result.h"

namespace durafn::store {

class Statement;

// One SQLite connection. Not thread-safe: each thread that uses SQLite owns its connection.
class Database {
 public:
  struct Options {
    bool read_only = false;
    // FULL: a commit returns only after the WAL is fsynced, so an acknowledged write survives
    // power loss. Tests of "one fsync per checkpoint" use the same setting.
    bool synchronous_full = true;
    int busy_timeout_ms = 5000;
    // When > 0 (writable connections only): the WAL is checkpointed into the database and
    // then filled with this many zero bytes written to disk. Commits then overwrite blocks
    // the file already has instead of growing it, and an fdatasync that changes no file size
    // needs no filesystem-journal commit: on ext4 it costs far less than an appending one.
    // Meant for the first connection a process opens on a file.
    int64_t wal_reserve_bytes = 0;
    // Writable connections with synchronous_full only: gather each commit's WAL writes into
    // one system call (see wal_write_buffer.h).
    bool buffer_wal_writes = false;
  };

  // Opens (creating if needed, unless read-only) the database at `path` in WAL mode.
  static Result<Database> Open(const std::string& path, const Options& options);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // Compiles `sql`; the statement is cached, so preparing the same text again is cheap.
  Result<Statement*> Prepare(std::string_view sql);

  // See Options::wal_reserve_bytes. Ok without reserving when the log cannot be emptied now.
  Status ReserveWal(int64_t bytes);

  sqlite3* handle() const { return db_.get(); }
  // The last error SQLite reported on this connection, for messages.
  std::string LastError() const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  struct Cache;
  explicit Database(sqlite3* db);

  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<Cache> cache_;
};

// A prepared statement. Bind (1-based), Step until it returns false, read columns (0-based);
// Reset happens automatically before the next use through Database::Prepare.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<std::string>& text);
  Statement& Bind(int index, const std::optional<int64_t>& value);

  // Advances; true while a row is available. Errors (including bind errors) come back here.
  Result<bool> Step();
  // Step() expecting no row (INSERT/UPDATE/DELETE).
  Status Run();

  int64_t ColumnInt(int col) const;
  std::string ColumnText(int col) const;
  // The column's bytes, valid until the next Step or Reset.
  std::string_view ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;
  std::optional<std::string> ColumnOptionalText(int col) const;
  std::optional<int64_t> ColumnOptionalInt(int col) const;

  void Reset();

 private:
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

}  // namespace durafn::store
