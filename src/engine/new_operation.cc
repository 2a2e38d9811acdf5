// Creation of operations from their first update.
#include <cassert>

#include "engine/apply.h"

namespace durafn::engine {

OperationEntry& FindOrCreate(Recorder& r, const protocol::OperationUpdate& u) {
  assert(u.type != protocol::OperationType::kExecution);
  if (OperationEntry* existing = r.state().ops.Find(u.id)) {
    assert(existing->op.type == u.type);
    return *existing;
  }
  OperationEntry entry;
  entry.op.id = u.id;
  entry.op.parent_id = u.parent_id;
  entry.op.name = u.name;
  entry.op.type = u.type;
  entry.op.sub_type = u.sub_type;
  entry.op.start_timestamp = r.now();
  entry.op.status = protocol::OperationStatus::kStarted;
  return r.state().ops.Append(std::move(entry));
}

}  // namespace durafn::engine
