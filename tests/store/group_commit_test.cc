#include "store/group_commit.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pthread.h>

namespace durafn::store {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-gc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    auto db = Database::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int64_t CountRows() {
    auto db = Database::Open(path_, {.read_only = true});
    EXPECT_TRUE(db.ok());
    auto st = db->Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE((*st)->Step().value());
    return (*st)->ColumnInt(0);
  }

  static GroupCommitWriter::Work Insert(int64_t k) {
    return [k](Database& db) -> Status {
      auto st = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      if (!st.ok()) return st.status();
      return (*st)->Bind(1, k).Bind(2, std::string_view("v")).Run();
    };
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(GroupCommitTest, AcknowledgedWritesAreVisibleToANewConnection) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {});
  ASSERT_TRUE(writer.SubmitAndWait(Insert(1)).ok());
  EXPECT_EQ(CountRows(), 1);
}

TEST_F(GroupCommitTest, ConcurrentWritersShareCommits) {
  constexpr int kThreads = 16, kPerThread = 100;
  GroupCommitStats stats;
  {
    auto db = Database::Open(path_, {});
    ASSERT_TRUE(db.ok());
    GroupCommitWriter writer(std::move(*db), {});
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          if (!writer.SubmitAndWait(Insert(t * kPerThread + i)).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads)
      th.join();
    EXPECT_EQ(failures.load(), 0);
    stats = writer.stats();
  }
  EXPECT_EQ(CountRows(), kThreads * kPerThread);
  EXPECT_EQ(stats.transactions, static_cast<uint64_t>(kThreads * kPerThread));
  // With 16 writers waiting on each commit, batches must form.
  EXPECT_LT(stats.commits, stats.transactions / 2);
  EXPECT_GT(stats.max_batch, 1u);
}

TEST_F(GroupCommitTest, AFailingTransactionIsUndoneAloneAndReported) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {});
  ASSERT_TRUE(writer.SubmitAndWait(Insert(7)).ok());
  // Inserts a row, then fails: the row must not survive, the others must.
  Status failed = writer.SubmitAndWait([](Database& d) -> Status {
    auto st = d.Prepare("INSERT INTO t (k, v) VALUES (100, 'x')");
    if (auto s = (*st)->Run(); !s.ok()) return s;
    return Status::InvalidArgument("rejected after writing");
  });
  EXPECT_EQ(failed.code(), Status::Code::kInvalidArgument);
  Status dup = writer.SubmitAndWait(Insert(7));  // primary key violation
  EXPECT_FALSE(dup.ok());
  ASSERT_TRUE(writer.SubmitAndWait(Insert(8)).ok());
  EXPECT_EQ(CountRows(), 2);
}

// A commit that fails as a whole fails every transaction in it and is reported: the server
// logs it, where otherwise only retries would show. (A job ending the transaction itself is
// the one way to make COMMIT fail without a broken disk.)
TEST_F(GroupCommitTest, AFailedCommitFailsItsTransactionsAndIsReported) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  std::mutex mu;
  std::vector<std::string> reported;
  std::atomic<int> rollbacks{0};
  std::thread::id writer_thread, rollback_thread;
  GroupCommitWriter writer(std::move(*db), {.max_batch = 1,
                                            .max_queue = 16,
                                            .on_error =
                                                [&](std::string_view m) {
                                                  std::lock_guard lock(mu);
                                                  reported.emplace_back(m);
                                                },
                                            .on_rollback =
                                                [&] {
                                                  rollback_thread = std::this_thread::get_id();
                                                  ++rollbacks;
                                                }});
  Status failed = writer.SubmitAndWait([&](Database& d) {
    writer_thread = std::this_thread::get_id();
    return d.Exec("ROLLBACK");
  });
  EXPECT_FALSE(failed.ok());
  // Told on the writer thread, before the job's caller hears of the failure.
  EXPECT_EQ(rollbacks.load(), 1);
  EXPECT_EQ(rollback_thread, writer_thread);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_NE(reported[0].find("store commit of 1 transactions failed"), std::string::npos)
        << reported[0];
  }
  ASSERT_TRUE(writer.SubmitAndWait(Insert(1)).ok()) << "the writer goes on";
  EXPECT_EQ(CountRows(), 1);
  EXPECT_EQ(rollbacks.load(), 1) << "a commit that holds is no rollback";
}

TEST_F(GroupCommitTest, AFullQueueThrottlesInsteadOfGrowing) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {.max_batch = 1, .max_queue = 4});
  std::atomic<bool> release{false};
  std::atomic<int> done{0};
  // The first job holds the writer so the queue fills behind it.
  ASSERT_TRUE(writer
                  .Submit(
                      [&](Database&) {
                        while (!release)
                          std::this_thread::sleep_for(std::chrono::milliseconds(1));
                        return Status::Ok();
                      },
                      [&](Status) { ++done; })
                  .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int accepted = 0;
  Status last;
  for (int i = 0; i < 10; ++i) {
    last = writer.Submit(Insert(i), [&](Status) { ++done; });
    accepted += last.ok();
  }
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(last.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(writer.stats().rejected, 6u);
  release = true;
  while (done < 5)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(CountRows(), 4);
}

TEST_F(GroupCommitTest, SlowOutcomeDeliveryThrottlesInsteadOfGrowing) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {.max_batch = 2, .max_queue = 4});
  std::atomic<bool> release{false};
  std::atomic<int> done{0};
  // Every outcome callback blocks until released: committed work piles up undelivered.
  auto slow_done = [&](Status) {
    while (!release)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++done;
  };
  int accepted = 0;
  for (int i = 0; i < 100; ++i) {
    accepted += writer.Submit(Insert(i), slow_done).ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // At most: max_queue undelivered (one batch may overshoot by max_batch - 1), one batch
  // being delivered, and max_queue queued.
  EXPECT_LE(accepted, 4 + 1 + 2 + 4);
  EXPECT_GE(writer.stats().rejected, 100u - (4 + 1 + 2 + 4));
  release = true;
  while (done < accepted)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(CountRows(), accepted);
}

std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST_F(GroupCommitTest, ALoneTransactionIsAnsweredByTheWriterThread) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {});
  std::promise<std::string> answered_on;
  ASSERT_TRUE(writer.Submit(Insert(1), [&](Status) { answered_on.set_value(ThreadName()); }).ok());
  // Nothing else is queued, so the writer delivers it without waking the completion thread.
  EXPECT_EQ(answered_on.get_future().get(), "store-writer");
}

TEST_F(GroupCommitTest, OutcomesArriveInCommitOrderFromEitherThread) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {});
  std::mutex mu;
  std::vector<int> order;
  std::set<std::string> threads;
  auto record = [&](int k) {
    return [&, k](Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      std::lock_guard lock(mu);
      order.push_back(k);
      threads.insert(ThreadName());
    };
  };
  // Bursts small enough for the writer to deliver their last commit itself.
  constexpr int kBursts = 50, kPerBurst = 3;
  for (int b = 0; b < kBursts; ++b) {
    // The burst's first transaction holds its commit open until the rest are queued, so its
    // outcome goes to the completion thread; the commit of the rest finds nothing queued
    // after it and is delivered by the writer itself.
    std::promise<void> started, release;
    auto first = [&, release_future = release.get_future().share()](Database& db) {
      started.set_value();
      release_future.wait();
      return Insert(b * kPerBurst)(db);
    };
    ASSERT_TRUE(writer.Submit(first, record(b * kPerBurst)).ok());
    started.get_future().wait();
    std::promise<void> last;
    for (int i = 1; i < kPerBurst; ++i) {
      const int k = b * kPerBurst + i;
      auto done = record(k);
      ASSERT_TRUE(writer
                      .Submit(Insert(k),
                              [done, &last, is_last = i == kPerBurst - 1](Status s) {
                                done(s);
                                if (is_last) last.set_value();
                              })
                      .ok());
    }
    release.set_value();
    last.get_future().wait();
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kBursts * kPerBurst));
  for (int k = 0; k < kBursts * kPerBurst; ++k)
    ASSERT_EQ(order[k], k) << "outcome " << k << " out of order";
  EXPECT_EQ(threads, (std::set<std::string>{"store-done", "store-writer"}));
  EXPECT_EQ(CountRows(), kBursts * kPerBurst);
}

TEST_F(GroupCommitTest, AnOutcomeCallbackMaySubmitMoreWork) {
  auto db = Database::Open(path_, {});
  ASSERT_TRUE(db.ok());
  GroupCommitWriter writer(std::move(*db), {});
  std::promise<void> finished;
  // Each outcome submits the next transaction, on whichever thread delivers it.
  std::function<void(int)> chain = [&](int k) {
    Status s = writer.Submit(Insert(k), [&, k](Status st) {
      EXPECT_TRUE(st.ok()) << st.ToString();
      if (k == 99) return finished.set_value();
      chain(k + 1);
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  chain(0);
  ASSERT_EQ(finished.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(CountRows(), 100);
}

TEST_F(GroupCommitTest, DestructionCommitsWhatIsQueued) {
  std::atomic<int> ok{0};
  {
    auto db = Database::Open(path_, {});
    ASSERT_TRUE(db.ok());
    GroupCommitWriter writer(std::move(*db), {});
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(writer.Submit(Insert(i), [&](Status s) { ok += s.ok(); }).ok());
    }
  }
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(CountRows(), 50);
}

}  // namespace
}  // namespace durafn::store
