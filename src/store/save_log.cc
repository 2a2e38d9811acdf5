#include "store/save_log.h"

#include <algorithm>
#include <cassert>
#include <type_traits>

#include <sqlite3.h>

#include "protocol/operation_id.h"
#include "store/row_access.h"

namespace durafn::store {
namespace {

// The blobs of a log row: a count, then per row its number and strings, each string
// preceded by its length; integers little-endian, so a data directory can move between
// machines.
template <class T>
void PutFixed(std::string& out, T v) {
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}
void PutU32(std::string& out, uint32_t v) {
  PutFixed(out, v);
}
void PutI64(std::string& out, int64_t v) {
  PutFixed(out, v);
}
void PutString(std::string& out, std::string_view s) {
  assert(s.size() <= UINT32_MAX);
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(uint32_t& v) { return Fixed(v); }
  bool I64(int64_t& v) { return Fixed(v); }
  bool String(std::string& s) {
    uint32_t n = 0;
    if (!U32(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  template <class T>
  bool Fixed(T& v) {
    if (in_.size() < sizeof v) return false;
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = 0; i < sizeof v; ++i)
      u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(in_[i])) << (8 * i);
    v = static_cast<T>(u);
    in_.remove_prefix(sizeof v);
    return true;
  }
  std::string_view in_;
};

std::string EncodeOperations(const std::vector<OperationRow>& ops) {
  std::string out;
  PutU32(out, static_cast<uint32_t>(ops.size()));
  for (const auto& op : ops) {
    PutI64(out, op.seq);
    PutString(out, op.id);
    PutString(out, op.entry);
  }
  return out;
}

std::string EncodeEvents(const std::vector<EventRow>& events) {
  std::string out;
  PutU32(out, static_cast<uint32_t>(events.size()));
  for (const auto& e : events) {
    PutI64(out, e.event_id);
    PutString(out, e.event);
  }
  return out;
}

Status DecodeOperations(std::string_view blob, std::vector<OperationRow>& ops) {
  Reader r(blob);
  uint32_t n = 0;
  bool ok = r.U32(n);
  for (uint32_t i = 0; ok && i < n; ++i) {
    OperationRow& op = ops.emplace_back();
    ok = r.I64(op.seq) && r.String(op.id) && r.String(op.entry);
  }
  if (!ok || !r.done()) return Status::Internal("malformed operations in the save log");
  return Status::Ok();
}

Status DecodeEvents(std::string_view blob, std::vector<EventRow>& events) {
  Reader r(blob);
  uint32_t n = 0;
  bool ok = r.U32(n);
  for (uint32_t i = 0; ok && i < n; ++i) {
    EventRow& e = events.emplace_back();
    ok = r.I64(e.event_id) && r.String(e.event);
  }
  if (!ok || !r.done()) return Status::Internal("malformed events in the save log");
  return Status::Ok();
}

}  // namespace

int64_t SaveLogKey(std::string_view arn) {
  // The first 64 bits of md5, as hex digits; any stable hash would do.
  const std::string hex = protocol::HashOperationId(arn);
  uint64_t v = 0;
  for (char c : hex)
    v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  return static_cast<int64_t>(v >> 1);
}

Result<std::vector<LoggedSave>> ReadUnsettledSaves(Database& db, std::string_view arn,
                                                   int64_t settled_seq) {
  auto st = db.Prepare(
      "SELECT seq, change_counter, next_event_id, record, operations, events FROM save_log "
      "WHERE arn_key = ? AND seq > ? AND arn = ? ORDER BY seq");
  if (!st.ok()) return st.status();
  std::vector<LoggedSave> saves;
  Status s = ForEachRow((*st)->Bind(1, SaveLogKey(arn)).Bind(2, settled_seq).Bind(3, arn),
                        [&](Statement& row) {
                          LoggedSave& save = saves.emplace_back();
                          save.seq = row.ColumnInt(0);
                          save.change_counter = row.ColumnInt(1);
                          save.next_event_id = row.ColumnInt(2);
                          save.record = row.ColumnText(3);
                          Status d = DecodeOperations(row.ColumnBlob(4), save.operations);
                          if (d.ok()) d = DecodeEvents(row.ColumnBlob(5), save.events);
                          return d.ok() ? d : Corrupt("save log", arn, d);
                        });
  if (!s.ok()) return s;
  return saves;
}

SaveLog::SaveLog(std::size_t settle_after) : settle_after_(settle_after) {
  assert(settle_after_ > 0);
}

void SaveLog::Invalidate() {
  loaded_ = false;
  unsettled_.clear();
  by_first_seq_.clear();
  unsettled_saves_ = 0;
  rows_ = 0;
}

void SaveLog::Remove(std::unordered_map<std::string, Unsettled>::iterator it) {
  by_first_seq_.erase(it->second.first_seq);
  unsettled_saves_ -= it->second.saves;
  unsettled_.erase(it);
}

void SaveLog::Forget(const std::string& arn) {
  if (auto it = unsettled_.find(arn); it != unsettled_.end()) Remove(it);
}

Status SaveLog::Load(Database& db) {
  if (loaded_) return Status::Ok();
  Invalidate();
  auto count = db.Prepare("SELECT COUNT(*) FROM save_log");
  if (!count.ok()) return count.status();
  Status counted = ForEachRow(**count, [&](Statement& row) {
    rows_ = static_cast<std::size_t>(row.ColumnInt(0));
    return Status::Ok();
  });
  if (!counted.ok()) return counted;
  auto st = db.Prepare(
      "SELECT l.arn, e.log_seq, l.seq, l.change_counter, l.next_event_id, e.status, e.phase, "
      "e.end_ms, e.expires_ms FROM save_log l JOIN executions e ON e.arn = l.arn "
      "WHERE l.seq > e.log_seq ORDER BY l.seq");
  if (!st.ok()) return st.status();
  Status s = ForEachRow(**st, [&](Statement& row) {
    auto [it, first] = unsettled_.try_emplace(row.ColumnText(0));
    Unsettled& u = it->second;
    if (first) {
      u.settled_seq = row.ColumnInt(1);
      u.first_seq = row.ColumnInt(2);
      u.status = row.ColumnText(5);
      u.phase = row.ColumnText(6);
      u.end_ms = row.ColumnOptionalInt(7);
      u.expires_ms = row.ColumnOptionalInt(8);
      by_first_seq_.emplace(u.first_seq, it->first);
    }
    ++u.saves;
    ++unsettled_saves_;
    u.change_counter = row.ColumnInt(3);
    u.next_event_id = row.ColumnInt(4);
    return Status::Ok();
  });
  if (!s.ok()) {
    Invalidate();
    return s;
  }
  loaded_ = true;
  return Status::Ok();
}

Result<bool> SaveLog::TryAppend(Database& db, const ExecutionWrite& w) {
  if (auto s = Load(db); !s.ok()) return s;
  const ExecutionRow& r = w.row;
  auto pending = unsettled_.find(r.arn);
  if (pending == unsettled_.end()) {
    // Not logged lately: the row has the newest state.
    auto st = db.Prepare(
        "SELECT change_counter, next_event_id, status, phase, end_ms, expires_ms, log_seq "
        "FROM executions WHERE arn = ?");
    if (!st.ok()) return st.status();
    Unsettled u;
    bool found = false;
    Status s = ForEachRow((*st)->Bind(1, Text(r.arn)), [&](Statement& row) {
      found = true;
      u.change_counter = row.ColumnInt(0);
      u.next_event_id = row.ColumnInt(1);
      u.status = row.ColumnText(2);
      u.phase = row.ColumnText(3);
      u.end_ms = row.ColumnOptionalInt(4);
      u.expires_ms = row.ColumnOptionalInt(5);
      u.settled_seq = row.ColumnInt(6);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (!found) return Status::NotFound("execution " + r.arn + " is not stored");
    pending = unsettled_.emplace(r.arn, std::move(u)).first;
  }
  Unsettled& u = pending->second;
  const bool loggable = u.status == r.status && u.phase == r.phase && u.end_ms == r.end_ms &&
                        u.expires_ms == r.expires_ms && w.timers.empty() && w.chained.empty() &&
                        !r.input;
  if (!loggable) {
    if (u.saves == 0) {
      unsettled_.erase(pending);
      return false;
    }
    if (auto s = Settle(db, r.arn); !s.ok()) return s;
    return false;
  }
  if (u.change_counter < w.min_stored_change_counter || u.change_counter > r.change_counter ||
      u.next_event_id != w.expected_stored_next_event_id) {
    Status refused = ChangedUnderSave(w, u.change_counter, u.next_event_id);
    if (u.saves == 0) unsettled_.erase(pending);
    return refused;
  }

  auto ins = db.Prepare(
      "INSERT INTO save_log (arn_key, arn, change_counter, next_event_id, record, operations, "
      "events) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  const std::string ops = EncodeOperations(w.operations);
  const std::string events = EncodeEvents(w.events);
  Status s = (*ins)
                 ->Bind(1, SaveLogKey(r.arn))
                 .Bind(2, Text(r.arn))
                 .Bind(3, r.change_counter)
                 .Bind(4, r.next_event_id)
                 .Bind(5, Text(r.record))
                 .BindBlob(6, ops)
                 .BindBlob(7, events)
                 .Run();
  if (!s.ok()) {
    if (u.saves == 0) unsettled_.erase(pending);
    return s;
  }
  if (u.saves == 0) {
    u.first_seq = sqlite3_last_insert_rowid(db.handle());
    by_first_seq_.emplace(u.first_seq, r.arn);
  }
  ++u.saves;
  ++unsettled_saves_;
  u.change_counter = r.change_counter;
  u.next_event_id = r.next_event_id;
  ++rows_;
  // One busy execution is settled on its own well before the log is full: settling takes
  // about 30 us per save, and this bounds the commit that does it.
  if (u.saves >= std::max<std::size_t>(1, settle_after_ / 4)) {
    if (s = Settle(db, r.arn); !s.ok()) return s;
  }
  if (TooLong()) {
    if (s = SettleOldest(db); !s.ok()) return s;
  }
  return true;
}

Status SaveLog::Settle(Database& db, const std::string& arn) {
  if (auto s = Load(db); !s.ok()) return s;
  auto it = unsettled_.find(arn);
  if (it == unsettled_.end()) return Status::Ok();
  if (it->second.saves == 0) {
    unsettled_.erase(it);
    return Status::Ok();
  }
  auto saves = ReadUnsettledSaves(db, arn, it->second.settled_seq);
  if (!saves.ok()) return saves.status();
  if (saves->size() != it->second.saves) {
    return Status::Internal("the save log holds " + std::to_string(saves->size()) +
                            " unsettled saves of " + arn + ", not " +
                            std::to_string(it->second.saves));
  }
  for (const LoggedSave& save : *saves) {
    if (auto s = UpsertOperations(db, arn, save.operations); !s.ok()) return s;
    if (auto s = InsertEvents(db, arn, save.events); !s.ok()) return s;
  }
  const LoggedSave& last = saves->back();
  auto st = db.Prepare(
      "UPDATE executions SET change_counter = ?, next_event_id = ?, record = ?, log_seq = ? "
      "WHERE arn = ?");
  if (!st.ok()) return st.status();
  if (auto s = (*st)
                   ->Bind(1, last.change_counter)
                   .Bind(2, last.next_event_id)
                   .Bind(3, Text(last.record))
                   .Bind(4, last.seq)
                   .Bind(5, Text(arn))
                   .Run();
      !s.ok()) {
    return s;
  }
  if (Changes(db) != 1) return Status::Internal("settling the save log: " + arn + " is gone");
  const bool was_oldest = by_first_seq_.begin()->first == it->second.first_seq;
  Remove(it);
  // The head of the log may be all settled now; deleting it keeps the table short.
  return was_oldest ? DeleteSettledHead(db) : Status::Ok();
}

bool SaveLog::TooLong() const {
  return unsettled_saves_ > settle_after_ || rows_ > 2 * settle_after_;
}

Status SaveLog::SettleOldest(Database& db) {
  // Settling the oldest execution also deletes the head of the log up to the next oldest,
  // so this ends; with nothing unsettled, the head goes at once.
  while (TooLong() && !by_first_seq_.empty()) {
    const std::string arn = by_first_seq_.begin()->second;
    if (auto s = Settle(db, arn); !s.ok()) return s;
  }
  return rows_ > 2 * settle_after_ ? DeleteSettledHead(db) : Status::Ok();
}

Status SaveLog::DeleteSettledHead(Database& db) {
  // Rows before the oldest unsettled one are settled (or of deleted executions). The newest
  // row always stays, settled or not, so the next seq SQLite picks (the largest plus one)
  // is larger than every seq ever used.
  auto st = by_first_seq_.empty()
                ? db.Prepare("DELETE FROM save_log WHERE seq < (SELECT MAX(seq) FROM save_log)")
                : db.Prepare("DELETE FROM save_log WHERE seq < ?");
  if (!st.ok()) return st.status();
  if (!by_first_seq_.empty()) (*st)->Bind(1, by_first_seq_.begin()->first);
  if (auto s = (*st)->Run(); !s.ok()) return s;
  const auto deleted = static_cast<std::size_t>(Changes(db));
  rows_ = deleted < rows_ ? rows_ - deleted : 0;
  return Status::Ok();
}

Status SaveLog::SettleAll(Database& db) {
  if (auto s = Load(db); !s.ok()) return s;
  while (!by_first_seq_.empty()) {
    const std::string arn = by_first_seq_.begin()->second;
    if (auto s = Settle(db, arn); !s.ok()) return s;
  }
  unsettled_.clear();            // entries without saves
  return DeleteSettledHead(db);  // all but the newest, also rows of deleted executions
}

Result<int64_t> SaveLog::LastSeq(Database& db) {
  auto st = db.Prepare("SELECT MAX(seq) FROM save_log");
  if (!st.ok()) return st.status();
  int64_t last = 0;
  Status s = ForEachRow(**st, [&](Statement& row) {
    last = row.ColumnInt(0);  // 0 for NULL: an empty log
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return last;
}

}  // namespace durafn::store
