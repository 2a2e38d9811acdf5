// Group commit: one writer thread owns the write connection and runs many callers'
// transactions inside a single SQLite transaction, so they share one fsync. Each caller is
// answered only after that commit is durable ("acknowledged means durable").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/histogram.h"
#include "protocol/result.h"
#include "store/sqlite.h"

namespace durafn::store {

struct GroupCommitStats {
  uint64_t commits = 0;       // SQLite commits (fsyncs)
  uint64_t transactions = 0;  // caller transactions committed
  uint64_t rejected = 0;      // refused because the queue was full
  uint64_t max_batch = 0;
};

class GroupCommitWriter {
 public:
  struct Options {
    // A batch never holds more than this many transactions, so a commit's latency stays
    // bounded under load; under light load a batch holds one (lowest latency).
    std::size_t max_batch = 512;
    // Callers beyond this many queued transactions get ResourceExhausted (throttling)
    // instead of unbounded memory growth.
    std::size_t max_queue = 16384;
    // Told (from the writer thread) when a whole commit fails: BEGIN or COMMIT refused, e.g.
    // a full disk or an I/O error. Null: silent. Must not block.
    std::function<void(std::string_view)> on_error = nullptr;
    // Called on the writer thread after a whole commit failed and was rolled back, before
    // the next one begins: what the jobs did is undone, whatever they reported. Null: none.
    std::function<void()> on_rollback = nullptr;
  };
  // Runs inside the open transaction (within its own savepoint: a failing work is undone
  // alone). Must not block on anything but the database.
  using Work = std::function<Status(Database&)>;
  // Called once the outcome is final: OK only after the commit that holds the work is on
  // disk. Runs in commit order on the completion thread, so the writer can start the next
  // commit meanwhile, or on the writer thread itself after a small commit when no other work
  // is queued; either way it must not block for long, nor wait for another write.
  using Done = std::function<void(Status)>;

  // Takes ownership of the write connection and starts the writer thread.
  GroupCommitWriter(Database db, Options options);
  // Commits what is queued, then stops the thread.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `work`; `done` is called exactly once, unless this returns an error (queue full
  // or shutting down), in which case neither runs.
  Status Submit(Work work, Done done);
  // Submit and wait for the durable outcome.
  Status SubmitAndWait(Work work);

  GroupCommitStats stats() const;
  // Seconds from BEGIN to a durable COMMIT, and transactions per commit.
  const protocol::Histogram& commit_seconds() const { return commit_seconds_; }
  const protocol::Histogram& batch_sizes() const { return batch_sizes_; }

 private:
  struct Job {
    Work work;
    Done done;
  };
  // The outcome of one job, for the completion thread.
  struct Completion {
    Done done;
    Status status;
  };
  void Run();
  void RunCompletions();
  void CommitBatch(std::deque<Job>& batch);
  void Complete(std::vector<Completion> completions);

  Database db_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  // Completions waiting for the completion thread. The writer takes no new batch while
  // `undelivered_` is at max_queue, so a slow consumer of outcomes fills `queue_` and callers
  // get throttled, instead of outcomes piling up here without bound.
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::condition_variable drained_cv_;
  std::deque<std::vector<Completion>> completions_;
  std::size_t undelivered_ = 0;
  bool done_stopping_ = false;
  GroupCommitStats stats_;
  protocol::Histogram commit_seconds_{protocol::kLatencyBuckets};
  protocol::Histogram batch_sizes_{protocol::kBatchBuckets};
  std::thread completion_thread_;
  std::thread thread_;
};

}  // namespace durafn::store
