#include "store/row_access.h"

namespace durafn::store {

Status Corrupt(std::string_view what, std::string_view arn, const Status& s) {
  return Status::Internal("stored " + std::string(what) + " of " + std::string(arn) +
                          " is unreadable: " + s.message());
}

Status ChangedUnderSave(const ExecutionWrite& w, int64_t stored_change_counter,
                        int64_t stored_next_event_id) {
  return Status::FailedPrecondition(
      "execution " + w.row.arn + " changed under this save (stored change " +
      std::to_string(stored_change_counter) + ", next event " +
      std::to_string(stored_next_event_id) + "; the save expects change " +
      std::to_string(w.min_stored_change_counter) + ".." + std::to_string(w.row.change_counter) +
      ", next event " + std::to_string(w.expected_stored_next_event_id) + "): reload it");
}

Status UpsertOperations(Database& db, const std::string& arn,
                        const std::vector<OperationRow>& ops) {
  auto st = db.Prepare(
      "INSERT INTO operations (arn, seq, id, entry) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (arn, seq) DO UPDATE SET entry = excluded.entry WHERE id = excluded.id");
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
    // A position keeps its operation for good (the engine never reorders its table).
    if (Changes(db) != 1) {
      return Status::Internal("operation " + std::to_string(op.seq) + " of " + arn +
                              " is stored with another id than " + op.id);
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

}  // namespace durafn::store
