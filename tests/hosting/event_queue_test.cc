// Asynchronous invocations kept on disk: what was queued runs after a reopen, and a run that
// ends in a function error is retried after each configured delay, then dropped.
#include "hosting/event_queue.h"

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace durafn::hosting {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class EventQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("durafn-events-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static QueuedEvent Event(std::string id) {
    QueuedEvent e;
    e.id = std::move(id);
    e.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f:1";
    e.payload = R"({"n":1})";
    return e;
  }
  fs::path dir_;
};

TEST_F(EventQueueTest, QueuedEventsRunAfterAReopen) {
  {
    auto q = EventQueue::Open(dir_, {milliseconds(10), milliseconds(20)});
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE((*q)->Enqueue(Event("a")).ok());
    ASSERT_TRUE((*q)->Enqueue(Event("b")).ok());
    // Never started: the process "stops" with both queued.
  }
  auto q = EventQueue::Open(dir_, {milliseconds(10), milliseconds(20)});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->size(), 2u);
  std::mutex mu;
  std::vector<std::string> ran;
  std::promise<void> both;
  (*q)->Start([&](const QueuedEvent& e, std::function<void(EventOutcome)> done) {
    EXPECT_EQ(e.payload, R"({"n":1})");
    {
      std::lock_guard lock(mu);
      ran.push_back(e.id);
      if (ran.size() == 2) both.set_value();
    }
    done(EventOutcome::kDone);
  });
  ASSERT_EQ(both.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  for (int i = 0; i < 100 && (*q)->size() > 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_TRUE(fs::is_empty(dir_)) << "finished events leave nothing on disk";
}

TEST_F(EventQueueTest, FailedRunsAreRetriedAfterEachDelayThenDropped) {
  auto q = EventQueue::Open(dir_, {milliseconds(100), milliseconds(200)});
  ASSERT_TRUE(q.ok());
  std::mutex mu;
  std::vector<std::pair<int, std::chrono::steady_clock::time_point>> runs;
  (*q)->Start([&](const QueuedEvent& e, std::function<void(EventOutcome)> done) {
    {
      std::lock_guard lock(mu);
      runs.emplace_back(e.attempt, std::chrono::steady_clock::now());
    }
    done(EventOutcome::kFunctionError);
  });
  ASSERT_TRUE((*q)->Enqueue(Event("x")).ok());
  for (int i = 0; i < 300 && (*q)->size() > 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(100));
  std::lock_guard lock(mu);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].first, 0);
  EXPECT_EQ(runs[2].first, 2);
  // Due times have millisecond resolution.
  EXPECT_GE(runs[1].second - runs[0].second, milliseconds(95));
  EXPECT_GE(runs[2].second - runs[1].second, milliseconds(195));
  EXPECT_TRUE(fs::is_empty(dir_));
}

// Lambda retries a throttled event with backoff for up to six hours; throttles do not use up
// the two retries that function errors get.
TEST_F(EventQueueTest, ThrottledRunsBackOffWithoutUsingUpRetries) {
  auto q = EventQueue::Open(dir_, {milliseconds(10)}, EventQueue::kDefaultCapacity,
                            /*throttle_backoff=*/milliseconds(20));
  ASSERT_TRUE(q.ok());
  std::mutex mu;
  std::vector<std::pair<QueuedEvent, std::chrono::steady_clock::time_point>> runs;
  (*q)->Start([&](const QueuedEvent& e, std::function<void(EventOutcome)> done) {
    std::size_t n;
    {
      std::lock_guard lock(mu);
      runs.emplace_back(e, std::chrono::steady_clock::now());
      n = runs.size();
    }
    // Throttled three times, then a function error (its one retry), then success.
    done(n <= 3   ? EventOutcome::kThrottled
         : n == 4 ? EventOutcome::kFunctionError
                  : EventOutcome::kDone);
  });
  ASSERT_TRUE((*q)->Enqueue(Event("t")).ok());
  for (int i = 0; i < 300 && (*q)->size() > 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  std::lock_guard lock(mu);
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[3].first.attempt, 0) << "throttles are not attempts";
  EXPECT_EQ(runs[3].first.throttles, 3);
  EXPECT_EQ(runs[4].first.attempt, 1);
  EXPECT_GT(runs[0].first.enqueued_ms, 0);
  // 20, 40 and 80 ms of backoff (millisecond resolution).
  EXPECT_GE(runs[1].second - runs[0].second, milliseconds(15));
  EXPECT_GE(runs[2].second - runs[1].second, milliseconds(35));
  EXPECT_GE(runs[3].second - runs[2].second, milliseconds(75));
  EXPECT_TRUE(fs::is_empty(dir_));
}

// Past Lambda's maximum event age a throttled event is dropped, not retried again.
TEST_F(EventQueueTest, AThrottledEventOlderThanSixHoursIsDropped) {
  auto q =
      EventQueue::Open(dir_, {milliseconds(10)}, EventQueue::kDefaultCapacity, milliseconds(10));
  ASSERT_TRUE(q.ok());
  std::atomic<int> runs{0};
  (*q)->Start([&](const QueuedEvent&, std::function<void(EventOutcome)> done) {
    ++runs;
    done(EventOutcome::kThrottled);
  });
  QueuedEvent old = Event("old");
  old.enqueued_ms = std::chrono::duration_cast<milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(7))
                        .count();
  ASSERT_TRUE((*q)->Enqueue(old).ok());
  for (int i = 0; i < 300 && (*q)->size() > 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ((*q)->size(), 0u);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(EventQueueTest, AFullQueueRefuses) {
  auto q = EventQueue::Open(dir_, {}, /*capacity=*/1);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE((*q)->Enqueue(Event("one")).ok());
  EXPECT_EQ((*q)->Enqueue(Event("two")).code(), Status::Code::kResourceExhausted);
  EXPECT_EQ((*q)->Enqueue(Event("../bad")).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace durafn::hosting
