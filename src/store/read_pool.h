// Read-only SQLite connections shared by the threads that query the store.
//
// A connection is not thread-safe, so a thread borrows one for the length of a query and
// gives it back; WAL lets any number of them read while the writer commits. Connections are
// opened on demand, so the pool is as large as the peak number of concurrent readers, and at
// most `max_idle` are kept between queries.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "store/sqlite.h"

namespace durafn::store {

class ReadPool {
 public:
  // A borrowed connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(ReadPool* pool, Database db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Database& db() { return db_; }

   private:
    ReadPool* pool_;
    Database db_;
  };

  ReadPool(std::string path, std::size_t max_idle) : path_(std::move(path)), max_idle_(max_idle) {}
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // An idle connection, or a new one. The pool must outlive the lease.
  Result<Lease> Acquire();

 private:
  void Release(Database db);

  const std::string path_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<Database> idle_;
};

// A read transaction on `db`: every query inside it sees one snapshot, so a multi-query read
// (an execution row and its operations) is consistent. Ends (ROLLBACK: nothing to keep) when
// destroyed.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db) : db_(db) {}
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();
  // Must succeed before the first query.
  Status Begin();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace durafn::store
