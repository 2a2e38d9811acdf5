#include "store/group_commit.h"

#include <cassert>
#include <chrono>
#include <future>

#include "protocol/thread_name.h"

namespace durafn::store {

namespace {
constexpr std::size_t kMaxOutcomesDeliveredByWriter = 4;
}  // namespace

GroupCommitWriter::GroupCommitWriter(Database db, Options options)
    : db_(std::move(db)),
      options_(options),
      completion_thread_([this] {
        SetThreadName("store-done");
        RunCompletions();
      }),
      thread_([this] {
        SetThreadName("store-writer");
        Run();
      }) {
  assert(options_.max_batch > 0 && options_.max_queue > 0);
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  {
    std::lock_guard lock(done_mu_);
    done_stopping_ = true;
  }
  done_cv_.notify_all();
  completion_thread_.join();
}

void GroupCommitWriter::Complete(std::vector<Completion> completions) {
  {
    std::lock_guard lock(done_mu_);
    undelivered_ += completions.size();
    completions_.push_back(std::move(completions));
  }
  done_cv_.notify_one();
}

void GroupCommitWriter::RunCompletions() {
  for (;;) {
    std::vector<Completion> batch;
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait(lock, [this] { return done_stopping_ || !completions_.empty(); });
      if (completions_.empty()) return;  // stopping, and every outcome delivered
      batch = std::move(completions_.front());
      completions_.pop_front();
    }
    for (auto& c : batch)
      c.done(std::move(c.status));
    {
      std::lock_guard lock(done_mu_);
      assert(undelivered_ >= batch.size());
      undelivered_ -= batch.size();
    }
    drained_cv_.notify_one();
  }
}

Status GroupCommitWriter::Submit(Work work, Done done) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("store is shutting down");
    if (queue_.size() >= options_.max_queue) {
      ++stats_.rejected;
      return Status::ResourceExhausted("store write queue is full (" +
                                       std::to_string(options_.max_queue) + " transactions)");
    }
    queue_.push_back(Job{std::move(work), std::move(done)});
  }
  cv_.notify_one();
  return Status::Ok();
}

Status GroupCommitWriter::SubmitAndWait(Work work) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Status s = Submit(std::move(work), [&promise](Status st) { promise.set_value(std::move(st)); });
  if (!s.ok()) return s;
  return future.get();
}

GroupCommitStats GroupCommitWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void GroupCommitWriter::Run() {
  std::deque<Job> batch;
  for (;;) {
    {
      // Backpressure from the completion thread (see undelivered_). It keeps running until
      // this thread has ended, so the wait always ends.
      std::unique_lock lock(done_mu_);
      drained_cv_.wait(lock, [this] { return undelivered_ < options_.max_queue; });
    }
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      // Take what is there now, up to the cap: no waiting to fill a batch, so a lone
      // transaction commits at once and batches grow only while a commit is in progress.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::deque<Job>& batch) {
  std::vector<Status> outcomes;
  outcomes.reserve(batch.size());
  auto fail_all = [&](const Status& s) {
    if (options_.on_rollback) options_.on_rollback();
    if (options_.on_error) {
      options_.on_error("store commit of " + std::to_string(batch.size()) +
                        " transactions failed: " + s.message());
    }
    std::vector<Completion> out;
    out.reserve(batch.size());
    for (auto& job : batch)
      out.push_back({std::move(job.done), s});
    Complete(std::move(out));
  };
  const auto started = std::chrono::steady_clock::now();
  // Transaction and savepoint statements go through the statement cache: compiling them per
  // commit or job would cost more than a small job itself.
  auto run = [this](std::string_view sql) -> Status {
    auto st = db_.Prepare(sql);
    return st.ok() ? (*st)->Run() : st.status();
  };
  Status begin = run("BEGIN IMMEDIATE");
  if (!begin.ok()) return fail_all(begin);
  for (auto& job : batch) {
    Status s = run("SAVEPOINT job");
    if (s.ok()) {
      s = job.work(db_);
      Status end = s.ok() ? run("RELEASE job") : db_.Exec("ROLLBACK TO job; RELEASE job");
      if (s.ok()) s = end;
    }
    outcomes.push_back(std::move(s));
  }
  Status commit = run("COMMIT");
  if (!commit.ok()) {
    db_.Exec("ROLLBACK");
    return fail_all(commit);
  }
  commit_seconds_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  batch_sizes_.Observe(static_cast<double>(batch.size()));
  bool nothing_queued = false;
  {
    std::lock_guard lock(mu_);
    ++stats_.commits;
    stats_.transactions += batch.size();
    if (batch.size() > stats_.max_batch) stats_.max_batch = batch.size();
    nothing_queued = queue_.empty();
  }
  std::vector<Completion> out;
  out.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    out.push_back({std::move(batch[i].done), std::move(outcomes[i])});
  if (nothing_queued && out.size() <= kMaxOutcomesDeliveredByWriter) {
    // No commit to start next and no earlier outcome still being delivered: this thread
    // delivers these itself, in order, and a lone checkpoint is answered without waking the
    // completion thread (tens of microseconds on a virtual machine). A larger batch means
    // load: its outcomes go to the completion thread while this one starts the next commit.
    std::unique_lock lock(done_mu_);
    if (undelivered_ == 0) {
      lock.unlock();
      for (auto& c : out)
        c.done(std::move(c.status));
      return;
    }
  }
  Complete(std::move(out));
}

}  // namespace durafn::store
