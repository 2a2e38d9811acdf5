// Small pieces the store's SQL code shares: running a query to its end, binding text, and
// writing an execution's operation and event rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "protocol/result.h"
#include "store/sqlite.h"
#include "store/write_set.h"

namespace durafn::store {

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
inline std::string_view Text(const std::string& s) {
  return s;
}

// Rows the last statement on `db` changed.
inline int64_t Changes(Database& db) {
  return sqlite3_changes64(db.handle());
}

// A stored value that does not decode is corruption (or a bug), never the caller's fault.
Status Corrupt(std::string_view what, std::string_view arn, const Status& s);

// FailedPrecondition: the stored execution is not the state `w` was derived from (its guard,
// ExecutionWrite::min_stored_change_counter and expected_stored_next_event_id, fails).
Status ChangedUnderSave(const ExecutionWrite& w, int64_t stored_change_counter,
                        int64_t stored_next_event_id);

// Inserts `ops` into the operations table, replacing the entry of an id already there.
Status UpsertOperations(Database& db, const std::string& arn, const std::vector<OperationRow>& ops);

// Inserts `events` into the events table.
Status InsertEvents(Database& db, const std::string& arn, const std::vector<EventRow>& events);

}  // namespace durafn::store
