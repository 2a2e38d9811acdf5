#include "store/read_pool.h"

namespace durafn::store {

ReadPool::Lease::~Lease() {
  if (pool_ && db_.handle()) pool_->Release(std::move(db_));
}

Result<ReadPool::Lease> ReadPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      Database db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  // Opening can take a while (file system); not under the lock.
  auto db = Database::Open(path_, {.read_only = true});
  if (!db.ok()) return db.status();
  return Lease(this, std::move(*db));
}

void ReadPool::Release(Database db) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(db));
}

ReadTransaction::~ReadTransaction() {
  // A failed ROLLBACK leaves nothing to undo on a read-only connection.
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status ReadTransaction::Begin() {
  Status s = db_.Exec("BEGIN");
  open_ = s.ok();
  return s;
}

}  // namespace durafn::store
