#include "store/sqlite.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/wal_write_buffer.h"

namespace durafn::store {

namespace {

// Writes zeros up to `bytes` into an empty WAL file and makes them durable. SQLite reads a
// zero header as "no frames", exactly as after a restart of the log, and overwrites the
// blocks from the start. Real writes rather than fallocate: ext4 records the first write to
// an unwritten extent as metadata, which would bring back the journal commit per fsync.
Status FillEmptyWal(const std::string& wal_path, int64_t bytes) {
  int fd = ::open(wal_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return Status::Ok();  // no log yet: nothing to reserve in
  if (fd < 0) return Status::Unavailable("cannot open " + wal_path + ": " + std::strerror(errno));
  struct stat st {};
  Status result;
  if (::fstat(fd, &st) == 0 && st.st_size == 0) {
    // One page per write: the page cache then holds the file in page-sized folios. Written
    // in large pieces, it may be cached in large folios, and the kernel walks every block of
    // a large folio on each small write into it; SQLite writes the log one frame at a time.
    std::vector<char> zeros(4096, 0);
    for (int64_t off = 0; off < bytes && result.ok();) {
      auto n = static_cast<std::size_t>(std::min<int64_t>(bytes - off, zeros.size()));
      ssize_t w = ::pwrite(fd, zeros.data(), n, off);
      if (w <= 0) {
        result = Status::Unavailable("cannot reserve WAL space in " + wal_path + ": " +
                                     std::strerror(errno));
      } else {
        off += w;
      }
    }
    if (result.ok() && ::fdatasync(fd) != 0) {
      result = Status::Unavailable("cannot sync " + wal_path + ": " + std::strerror(errno));
    }
  }
  ::close(fd);
  return result;
}

}  // namespace

struct Database::Cache {
  // Looked up by string_view, without copying the SQL text: the writer looks up several
  // statements per transaction.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> statements;
};

void Database::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

Database::Database(sqlite3* db) : db_(db), cache_(std::make_unique<Cache>()) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
// The statement cache must go before the connection it belongs to.
Database::~Database() {
  cache_.reset();
}

Result<Database> Database::Open(const std::string& path, const Options& options) {
  sqlite3* raw = nullptr;
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const bool buffered = options.buffer_wal_writes && options.synchronous_full && !options.read_only;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, buffered ? WalWriteBufferVfs() : nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Status::Unavailable("cannot open database " + path + ": " + msg);
  }
  Database db(raw);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!options.read_only) {
    if (auto s = db.Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  }
  if (auto s = db.Exec(options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                : "PRAGMA synchronous=NORMAL");
      !s.ok()) {
    return s;
  }
  if (auto s = db.Exec("PRAGMA foreign_keys=ON"); !s.ok()) return s;
  if (options.wal_reserve_bytes > 0 && !options.read_only) {
    if (auto s = db.ReserveWal(options.wal_reserve_bytes); !s.ok()) return s;
  }
  return db;
}

Status Database::ReserveWal(int64_t bytes) {
  // Empty the log first: whatever it holds (a crash's committed frames included) moves into
  // the database, and TRUNCATE leaves a zero-length file. Busy (another connection reading)
  // means the log is left as it is; that only costs speed.
  auto st = Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!st.ok()) return st.status();
  auto row = (*st)->Step();
  if (!row.ok()) return row.status();
  bool truncated = *row && (*st)->ColumnInt(0) == 0 && (*st)->ColumnInt(1) == 0;
  (*st)->Reset();
  if (!truncated) return Status::Ok();
  const char* main = sqlite3_db_filename(db_.get(), "main");
  if (main == nullptr || *main == '\0') return Status::Ok();  // in-memory database
  return FillEmptyWal(std::string(main) + "-wal", bytes);
}

std::string Database::LastError() const {
  return sqlite3_errmsg(db_.get());
}

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return Status::Unavailable("sqlite: " + msg + " (in: " + text.substr(0, 80) + ")");
  }
  return Status::Ok();
}

Result<Statement*> Database::Prepare(std::string_view sql) {
  auto it = cache_->statements.find(sql);
  if (it != cache_->statements.end()) {
    it->second->Reset();
    return it->second.get();
  }
  std::string key(sql);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Status::Internal("sqlite prepare: " + LastError() + " (in: " + key.substr(0, 80) + ")");
  }
  auto owned = std::make_unique<Statement>(stmt);
  Statement* raw = owned.get();
  cache_->statements.emplace(std::move(key), std::move(owned));
  return raw;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

Statement& Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return Status::Internal(std::string("sqlite bind: ") + sqlite3_errstr(bind_error_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s =
      Status::Unavailable(std::string("sqlite step: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  sqlite3_reset(stmt_);
  return s;
}

Status Statement::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  if (*r) return Status::Internal("statement unexpectedly returned a row");
  return Status::Ok();
}

int64_t Statement::ColumnInt(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string Statement::ColumnText(int col) const {
  const auto* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::string_view Statement::ColumnBlob(int col) const {
  const auto* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string_view();
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::optional<std::string> Statement::ColumnOptionalText(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnText(col);
}

std::optional<int64_t> Statement::ColumnOptionalInt(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt(col);
}

}  // namespace durafn::store
