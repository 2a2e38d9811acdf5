#include "hosting/log_store.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "hosting/log_filter_pattern.h"
#include "protocol/thread_name.h"
#include "store/read_pool.h"
#include "store/sqlite.h"

namespace durafn::hosting {
namespace {

using nlohmann::json;
using store::Database;

// AUTOINCREMENT: event ids must never be reused, even after the newest events of every group
// were evicted, or a follower holding an id would skip new events.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS log_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  stored_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS log_streams (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  first_event_ms INTEGER NOT NULL DEFAULT 0,
  last_event_ms INTEGER NOT NULL DEFAULT 0,
  last_ingestion_ms INTEGER NOT NULL DEFAULT 0,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, name)
);
CREATE TABLE IF NOT EXISTS log_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  stream_id INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  ingestion_ms INTEGER NOT NULL,
  message TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  is_json INTEGER NOT NULL,
  level TEXT,
  request_id TEXT,
  execution_arn TEXT
);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_id, id);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (stream_id, id);
CREATE INDEX IF NOT EXISTS log_events_by_request ON log_events (request_id, id)
  WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log_events_by_execution ON log_events (execution_arn, id)
  WHERE execution_arn IS NOT NULL;
)sql";

// The writer's group and stream id caches are dropped past this many entries.
constexpr std::size_t kMaxCachedStreams = 10'000;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)
    --end;
  s.resize(end);
}

// The string member `key` of `j`, or empty.
std::string StringMember(const json& j, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

// `message` parsed when it is a JSON object; discarded otherwise.
json ParseObject(std::string_view message) {
  std::size_t first = message.find_first_not_of(" \t");
  if (first == std::string_view::npos || message[first] != '{')
    return json(json::value_t::discarded);
  json j = json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return json(json::value_t::discarded);
  return j;
}

Status SqlError(const Database& db, std::string_view what) {
  return Status::Internal(std::string(what) + ": " + db.LastError());
}

}  // namespace

// ---- writer ----

struct LogStore::Writer {
  explicit Writer(Database database) : db(std::move(database)) {}
  Database db;
  std::unordered_map<std::string, int64_t> groups;  // name -> id
  std::map<std::pair<int64_t, std::string>, int64_t, std::less<>> streams;
  int64_t max_group_bytes = 0;

  struct Outcome {
    int64_t last_id = 0;
    uint64_t evicted = 0;
  };

  Result<int64_t> GroupId(const std::string& name, int64_t now) {
    if (auto it = groups.find(name); it != groups.end()) return it->second;
    auto ins = db.Prepare(
        "INSERT INTO log_groups (name, created_ms) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING");
    if (!ins.ok()) return ins.status();
    if (auto s = (*ins)->Bind(1, std::string_view(name)).Bind(2, now).Run(); !s.ok()) return s;
    auto sel = db.Prepare("SELECT id FROM log_groups WHERE name = ?1");
    if (!sel.ok()) return sel.status();
    (*sel)->Bind(1, std::string_view(name));
    auto row = (*sel)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return SqlError(db, "log group row missing");
    int64_t id = (*sel)->ColumnInt(0);
    (*sel)->Reset();
    groups.emplace(name, id);
    return id;
  }

  Result<int64_t> StreamId(int64_t group_id, const std::string& name, int64_t now) {
    auto key = std::pair{group_id, name};
    if (auto it = streams.find(key); it != streams.end()) return it->second;
    if (streams.size() >= kMaxCachedStreams) streams.clear();
    auto ins = db.Prepare(
        "INSERT INTO log_streams (group_id, name, created_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (group_id, name) DO NOTHING");
    if (!ins.ok()) return ins.status();
    if (auto s = (*ins)->Bind(1, group_id).Bind(2, std::string_view(name)).Bind(3, now).Run();
        !s.ok())
      return s;
    auto sel = db.Prepare("SELECT id FROM log_streams WHERE group_id = ?1 AND name = ?2");
    if (!sel.ok()) return sel.status();
    (*sel)->Bind(1, group_id).Bind(2, std::string_view(name));
    auto row = (*sel)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return SqlError(db, "log stream row missing");
    int64_t id = (*sel)->ColumnInt(0);
    (*sel)->Reset();
    streams.emplace(std::move(key), id);
    return id;
  }

  Result<Outcome> Write(std::vector<LogRecord>& batch, int64_t now) {
    if (auto s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    auto result = WriteInTransaction(batch, now);
    if (result.ok()) {
      if (auto s = db.Exec("COMMIT"); !s.ok()) result = s;
    }
    if (!result.ok()) {
      (void)db.Exec("ROLLBACK");
      // Ids cached during the failed transaction may not exist.
      groups.clear();
      streams.clear();
    }
    return result;
  }

  struct StreamDelta {
    int64_t group_id = 0;
    int64_t min_ts = INT64_MAX;
    int64_t max_ts = INT64_MIN;
    int64_t bytes = 0;
  };

  Result<Outcome> WriteInTransaction(std::vector<LogRecord>& batch, int64_t now) {
    Outcome out;
    std::map<int64_t, StreamDelta> deltas;  // by stream id
    auto insert = db.Prepare(
        "INSERT INTO log_events (group_id, stream_id, timestamp_ms, ingestion_ms, message, "
        "bytes, is_json, level, request_id, execution_arn) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert.ok()) return insert.status();
    for (LogRecord& r : batch) {
      auto gid = GroupId(r.group, now);
      if (!gid.ok()) return gid.status();
      auto sid = StreamId(*gid, r.stream, now);
      if (!sid.ok()) return sid.status();
      json parsed = ParseObject(r.message);
      bool is_json = !parsed.is_discarded();
      std::string level, request_id = r.request_id, arn = r.durable_execution_arn;
      if (is_json) {
        level = StringMember(parsed, {"level", "Level"});
        if (request_id.empty()) request_id = StringMember(parsed, {"requestId", "RequestId"});
        if (arn.empty()) {
          arn = StringMember(parsed, {"durableExecutionArn", "executionArn"});
        }
      }
      auto opt = [](std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(std::move(s));
      };
      int64_t bytes = static_cast<int64_t>(r.message.size()) + kLogEventOverheadBytes;
      (*insert)->Reset();  // a statement must be reset before it is bound again
      Status s = (*insert)
                     ->Bind(1, *gid)
                     .Bind(2, *sid)
                     .Bind(3, r.timestamp_ms)
                     .Bind(4, now)
                     .Bind(5, std::string_view(r.message))
                     .Bind(6, bytes)
                     .Bind(7, int64_t{is_json})
                     .Bind(8, opt(level))
                     .Bind(9, opt(request_id))
                     .Bind(10, opt(arn))
                     .Run();
      if (!s.ok()) return s;
      out.last_id = sqlite3_last_insert_rowid(db.handle());
      StreamDelta& d = deltas[*sid];
      d.group_id = *gid;
      d.min_ts = std::min(d.min_ts, r.timestamp_ms);
      d.max_ts = std::max(d.max_ts, r.timestamp_ms);
      d.bytes += bytes;
    }
    std::map<int64_t, int64_t> group_bytes;
    auto update_stream = db.Prepare(
        "UPDATE log_streams SET "
        "first_event_ms = CASE WHEN stored_bytes = 0 THEN ?2 ELSE min(first_event_ms, ?2) END, "
        "last_event_ms = CASE WHEN stored_bytes = 0 THEN ?3 ELSE max(last_event_ms, ?3) END, "
        "last_ingestion_ms = ?4, stored_bytes = stored_bytes + ?5 WHERE id = ?1");
    if (!update_stream.ok()) return update_stream.status();
    for (const auto& [sid, d] : deltas) {
      (*update_stream)->Reset();
      Status s = (*update_stream)
                     ->Bind(1, sid)
                     .Bind(2, d.min_ts)
                     .Bind(3, d.max_ts)
                     .Bind(4, now)
                     .Bind(5, d.bytes)
                     .Run();
      if (!s.ok()) return s;
      group_bytes[d.group_id] += d.bytes;
    }
    auto update_group = db.Prepare(
        "UPDATE log_groups SET stored_bytes = stored_bytes + ?2 WHERE id = ?1 "
        "RETURNING stored_bytes");
    if (!update_group.ok()) return update_group.status();
    for (const auto& [gid, bytes] : group_bytes) {
      (*update_group)->Bind(1, gid).Bind(2, bytes);
      auto row = (*update_group)->Step();
      if (!row.ok()) return row.status();
      int64_t stored = *row ? (*update_group)->ColumnInt(0) : 0;
      (*update_group)->Reset();
      if (stored > max_group_bytes) {
        auto evicted = Evict(gid, stored);
        if (!evicted.ok()) return evicted.status();
        out.evicted += *evicted;
      }
    }
    return out;
  }

  // Removes the oldest events of group `gid` (holding `stored` bytes) until it holds at most
  // 90% of the cap. Returns how many events went.
  Result<uint64_t> Evict(int64_t gid, int64_t stored) {
    const int64_t target = max_group_bytes / 10 * 9;
    int64_t freed = 0;
    int64_t cutoff = 0;
    uint64_t count = 0;
    std::map<int64_t, int64_t> stream_freed;
    auto scan = db.Prepare(
        "SELECT id, stream_id, bytes FROM log_events WHERE group_id = ?1 AND id > ?2 "
        "ORDER BY id LIMIT 1024");
    if (!scan.ok()) return scan.status();
    while (stored - freed > target) {
      (*scan)->Bind(1, gid).Bind(2, cutoff);
      bool any = false;
      while (stored - freed > target) {
        auto row = (*scan)->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        any = true;
        cutoff = (*scan)->ColumnInt(0);
        int64_t bytes = (*scan)->ColumnInt(2);
        stream_freed[(*scan)->ColumnInt(1)] += bytes;
        freed += bytes;
        ++count;
      }
      (*scan)->Reset();
      if (!any) break;  // accounting drifted above what is stored; nothing more to evict
    }
    if (count == 0) return count;
    auto del = db.Prepare("DELETE FROM log_events WHERE group_id = ?1 AND id <= ?2");
    if (!del.ok()) return del.status();
    if (auto s = (*del)->Bind(1, gid).Bind(2, cutoff).Run(); !s.ok()) return s;
    auto shrink = db.Prepare(
        "UPDATE log_streams SET stored_bytes = stored_bytes - ?2, first_event_ms = coalesce("
        "(SELECT timestamp_ms FROM log_events WHERE stream_id = ?1 ORDER BY id LIMIT 1), "
        "first_event_ms) WHERE id = ?1");
    if (!shrink.ok()) return shrink.status();
    for (const auto& [sid, bytes] : stream_freed) {
      (*shrink)->Reset();
      if (auto s = (*shrink)->Bind(1, sid).Bind(2, bytes).Run(); !s.ok()) return s;
    }
    auto drop_empty = db.Prepare(
        "DELETE FROM log_streams WHERE group_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM log_events WHERE stream_id = log_streams.id)");
    if (!drop_empty.ok()) return drop_empty.status();
    if (auto s = (*drop_empty)->Bind(1, gid).Run(); !s.ok()) return s;
    if (sqlite3_changes(db.handle()) > 0) streams.clear();
    auto group = db.Prepare("UPDATE log_groups SET stored_bytes = stored_bytes - ?2 WHERE id = ?1");
    if (!group.ok()) return group.status();
    if (auto s = (*group)->Bind(1, gid).Bind(2, freed).Run(); !s.ok()) return s;
    return count;
  }
};

// ---- reader ----

struct LogStore::Reader {
  explicit Reader(std::string path) : pool(std::move(path), 4) {}
  store::ReadPool pool;
};

// ---- lifecycle ----

Result<std::unique_ptr<LogStore>> LogStore::Open(const std::string& path, LogStoreOptions options) {
  if (options.queue_capacity == 0 || options.max_batch == 0 ||
      options.max_group_bytes < 1024 * 1024 || options.max_message_bytes == 0 ||
      static_cast<int64_t>(options.max_message_bytes) * 4 > options.max_group_bytes) {
    return Status::InvalidArgument(
        "log store options: queue and batch must be positive, a group's cap at least 1 MiB "
        "and 4 messages");
  }
  if (!options.clock) options.clock = SystemNowMs;
  auto db = Database::Open(path, {.synchronous_full = false});
  if (!db.ok()) return db.status();
  if (auto s = db->Exec(kSchema); !s.ok()) return s;
  auto writer = std::make_unique<Writer>(std::move(*db));
  writer->max_group_bytes = options.max_group_bytes;
  auto reader = std::make_unique<Reader>(path);
  auto store = std::unique_ptr<LogStore>(
      new LogStore(std::move(options), std::move(writer), std::move(reader)));
  auto seq =
      store->writer_->db.Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log_events'");
  if (!seq.ok()) return seq.status();
  auto row = (*seq)->Step();
  if (!row.ok()) return row.status();
  if (*row) store->last_id_ = (*seq)->ColumnInt(0);
  (*seq)->Reset();
  store->thread_ = std::thread([s = store.get()] {
    SetThreadName("log-writer");
    s->WriterLoop();
  });
  return store;
}

LogStore::LogStore(LogStoreOptions options, std::unique_ptr<Writer> writer,
                   std::unique_ptr<Reader> reader)
    : options_(std::move(options)), writer_(std::move(writer)), reader_(std::move(reader)) {}

LogStore::~LogStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogStore::Append(LogRecord record) {
  bool valid = !record.group.empty() && !record.stream.empty() &&
               record.group.size() <= kMaxLogNameBytes && record.stream.size() <= kMaxLogNameBytes;
  if (valid) TruncateUtf8(record.message, options_.max_message_bytes);
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (!valid || stopping_ || queue_.size() >= options_.queue_capacity) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(record));
    // The writer sleeps until the first record, then lingers until a batch is full.
    wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
    ++appended_;
  }
  if (wake) queue_cv_.notify_one();
}

void LogStore::WriterLoop() {
  std::vector<LogRecord> batch;
  while (true) {
    batch.clear();
    {
      std::unique_lock lock(mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      if (options_.linger.count() > 0) {
        queue_cv_.wait_for(lock, options_.linger, [&] {
          return stopping_ || flushes_waiting_ > 0 || queue_.size() >= options_.max_batch;
        });
      }
      std::size_t n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto outcome = writer_->Write(batch, options_.clock());
    {
      std::lock_guard lock(mu_);
      done_ += batch.size();
      if (outcome.ok()) {
        written_ += batch.size();
        evicted_ += outcome->evicted;
        last_id_ = std::max(last_id_, outcome->last_id);
      } else {
        dropped_ += batch.size();
      }
    }
    written_cv_.notify_all();
  }
}

void LogStore::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = appended_;
  ++flushes_waiting_;
  queue_cv_.notify_one();
  written_cv_.wait(lock, [&] { return done_ >= target; });
  --flushes_waiting_;
}

int64_t LogStore::WaitForNewer(int64_t after_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  written_cv_.wait_for(lock, timeout, [&] { return last_id_ > after_id || stopping_; });
  return last_id_;
}

LogStoreStats LogStore::stats() const {
  std::lock_guard lock(mu_);
  return {appended_, dropped_, written_, evicted_, queue_.size()};
}

// ---- queries ----

namespace {

Result<std::optional<int64_t>> FindGroup(Database& db, const std::string& name) {
  auto sel = db.Prepare("SELECT id FROM log_groups WHERE name = ?1");
  if (!sel.ok()) return sel.status();
  (*sel)->Bind(1, std::string_view(name));
  auto row = (*sel)->Step();
  if (!row.ok()) return row.status();
  std::optional<int64_t> id;
  if (*row) id = (*sel)->ColumnInt(0);
  (*sel)->Reset();
  return id;
}

Status GroupNotFound() {
  return Status::NotFound("The specified log group does not exist.");
}

}  // namespace

Result<LogPage> LogStore::Query(const LogQuery& q) {
  if (q.limit == 0 || q.limit > kMaxLogQueryLimit) {
    return Status::InvalidArgument("limit must be between 1 and " +
                                   std::to_string(kMaxLogQueryLimit));
  }
  if (q.streams.size() > kMaxLogStreamNamesPerQuery) {
    return Status::InvalidArgument("At most " + std::to_string(kMaxLogStreamNamesPerQuery) +
                                   " log stream names may be given");
  }
  auto pattern = LogFilterPattern::Parse(q.filter_pattern);
  if (!pattern.ok()) return pattern.status();

  auto lease = reader_->pool.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  store::ReadTransaction tx(db);
  if (auto s = tx.Begin(); !s.ok()) return s;
  auto gid = FindGroup(db, q.group);
  if (!gid.ok()) return gid.status();
  if (!*gid) return GroupNotFound();

  // One statement text per combination of present conditions (at most 32), each cached.
  std::string sql =
      "SELECT e.id, s.name, e.timestamp_ms, e.ingestion_ms, e.message, e.is_json, e.level, "
      "e.request_id, e.execution_arn FROM log_events e JOIN log_streams s ON s.id = e.stream_id "
      "WHERE e.group_id = ?1 AND e.id > ?2 AND e.id < ?3";
  if (q.start_ms) sql += " AND e.timestamp_ms >= ?4";
  if (q.end_ms) sql += " AND e.timestamp_ms < ?5";
  if (!q.request_id.empty()) sql += " AND e.request_id = ?6";
  if (!q.durable_execution_arn.empty()) sql += " AND e.execution_arn = ?7";
  if (!q.streams.empty()) sql += " AND s.name IN (SELECT value FROM json_each(?8))";
  if (!q.stream_prefix.empty()) sql += " AND substr(s.name, 1, length(?9)) = ?9";
  sql += q.newest_first ? " ORDER BY e.id DESC" : " ORDER BY e.id";
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  store::Statement& st = **stmt;
  st.Bind(1, **gid).Bind(2, q.after_id).Bind(3, q.before_id.value_or(INT64_MAX));
  if (q.start_ms) st.Bind(4, *q.start_ms);
  if (q.end_ms) st.Bind(5, *q.end_ms);
  if (!q.request_id.empty()) st.Bind(6, std::string_view(q.request_id));
  if (!q.durable_execution_arn.empty()) st.Bind(7, std::string_view(q.durable_execution_arn));
  std::string names_json;
  if (!q.streams.empty()) {
    names_json = json(q.streams).dump(-1, ' ', false, json::error_handler_t::replace);
    st.Bind(8, std::string_view(names_json));
  }
  if (!q.stream_prefix.empty()) st.Bind(9, std::string_view(q.stream_prefix));

  LogPage page;
  std::size_t scanned = 0, bytes = 0;
  while (true) {
    auto row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.status();
    }
    if (!*row) break;  // no more: complete
    int64_t id = st.ColumnInt(0);
    if (page.events.size() >= q.limit || bytes >= kMaxLogPageBytes ||
        scanned >= kMaxLogScanPerQuery) {
      page.complete = false;  // another matching candidate exists; resume after the last seen
      break;
    }
    ++scanned;
    page.resume_id = id;
    std::string message = st.ColumnText(4);
    bool matched;
    if (pattern->is_json() && st.ColumnInt(5) != 0) {
      json parsed = json::parse(message, nullptr, false);
      matched = pattern->Matches(message, parsed.is_discarded() ? nullptr : &parsed);
    } else {
      matched = pattern->Matches(message, nullptr);
    }
    if (!matched) continue;
    bytes += message.size();
    LogEvent e;
    e.id = id;
    e.stream = st.ColumnText(1);
    e.timestamp_ms = st.ColumnInt(2);
    e.ingestion_ms = st.ColumnInt(3);
    e.message = std::move(message);
    e.level = st.ColumnOptionalText(6).value_or("");
    e.request_id = st.ColumnOptionalText(7).value_or("");
    e.durable_execution_arn = st.ColumnOptionalText(8).value_or("");
    page.events.push_back(std::move(e));
  }
  st.Reset();
  return page;
}

Result<std::vector<LogGroupInfo>> LogStore::ListGroups(const std::string& prefix,
                                                       const std::string& contains,
                                                       std::size_t offset, std::size_t limit) {
  auto lease = reader_->pool.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  auto stmt = db.Prepare(
      "SELECT g.name, g.created_ms, g.stored_bytes, "
      "(SELECT min(first_event_ms) FROM log_streams WHERE group_id = g.id AND stored_bytes > 0), "
      "(SELECT max(last_event_ms) FROM log_streams WHERE group_id = g.id AND stored_bytes > 0) "
      "FROM log_groups g WHERE substr(g.name, 1, length(?1)) = ?1 "
      "AND instr(lower(g.name), lower(?4)) > 0 ORDER BY g.name "
      "LIMIT ?2 OFFSET ?3");
  if (!stmt.ok()) return stmt.status();
  store::Statement& st = **stmt;
  st.Bind(1, std::string_view(prefix))
      .Bind(2, static_cast<int64_t>(limit))
      .Bind(3, static_cast<int64_t>(offset))
      .Bind(4, std::string_view(contains));
  std::vector<LogGroupInfo> out;
  while (true) {
    auto row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back({st.ColumnText(0), st.ColumnInt(1), st.ColumnInt(2),
                   st.ColumnOptionalInt(3).value_or(0), st.ColumnOptionalInt(4).value_or(0)});
  }
  st.Reset();
  return out;
}

Result<std::vector<LogStreamInfo>> LogStore::ListStreams(const std::string& group,
                                                         const std::string& prefix,
                                                         LogStreamOrder order, bool descending,
                                                         std::size_t offset, std::size_t limit) {
  auto lease = reader_->pool.Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = lease->db();
  store::ReadTransaction tx(db);
  if (auto s = tx.Begin(); !s.ok()) return s;
  auto gid = FindGroup(db, group);
  if (!gid.ok()) return gid.status();
  if (!*gid) return GroupNotFound();
  std::string dir = descending ? " DESC" : "";
  std::string sql =
      "SELECT name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes "
      "FROM log_streams WHERE group_id = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY ";
  sql += order == LogStreamOrder::kName ? "name" + dir : "last_event_ms" + dir + ", name" + dir;
  sql += " LIMIT ?3 OFFSET ?4";
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  store::Statement& st = **stmt;
  st.Bind(1, **gid)
      .Bind(2, std::string_view(prefix))
      .Bind(3, static_cast<int64_t>(limit))
      .Bind(4, static_cast<int64_t>(offset));
  std::vector<LogStreamInfo> out;
  while (true) {
    auto row = st.Step();
    if (!row.ok()) {
      st.Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back({st.ColumnText(0), st.ColumnInt(1), st.ColumnInt(2), st.ColumnInt(3),
                   st.ColumnInt(4), st.ColumnInt(5)});
  }
  st.Reset();
  return out;
}

}  // namespace durafn::hosting
