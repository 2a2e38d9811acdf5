#include "scheduler/timer_queue.h"

#include <algorithm>
#include <map>
#include <random>

#include <gtest/gtest.h>

namespace durafn::scheduler {
namespace {

using protocol::Timestamp;

TimerKey Key(const std::string& exec, const std::string& op = "", int kind = 0) {
  return TimerKey{exec, op, kind};
}

TEST(TimerQueue, PopsDueTimersInOrder) {
  TimerQueue q(Timestamp{1'000'000});
  ASSERT_TRUE(q.Set(Key("c"), Timestamp{300}));
  ASSERT_TRUE(q.Set(Key("a"), Timestamp{100}));
  ASSERT_TRUE(q.Set(Key("b"), Timestamp{200}));
  EXPECT_EQ(q.NextDue(), Timestamp{100});
  EXPECT_TRUE(q.PopDue(Timestamp{99}).empty());
  auto due = q.PopDue(Timestamp{200});
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].key.execution_arn, "a");
  EXPECT_EQ(due[1].key.execution_arn, "b");
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.NextDue(), Timestamp{300});
}

TEST(TimerQueue, CancelAndMoveAreHonoured) {
  TimerQueue q(Timestamp{1'000'000});
  q.Set(Key("x", "op", 1), Timestamp{100});
  q.Set(Key("x", "op", 2), Timestamp{100});  // different kind: a different timer
  q.Cancel(Key("x", "op", 1));
  q.Set(Key("y"), Timestamp{50});
  q.Set(Key("y"), Timestamp{500});  // moved later: the old entry must not fire
  auto due = q.PopDue(Timestamp{400});
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].key, Key("x", "op", 2));
  EXPECT_EQ(q.NextDue(), Timestamp{500});
  EXPECT_EQ(q.PopDue(Timestamp{500}).size(), 1u);
  EXPECT_FALSE(q.NextDue().has_value());
  EXPECT_EQ(q.size(), 0u);
}

TEST(TimerQueue, TimersBeyondTheHorizonWaitForARefill) {
  TimerQueue q(Timestamp{1000});
  EXPECT_TRUE(q.Set(Key("near"), Timestamp{999}));
  EXPECT_FALSE(q.Set(Key("far"), Timestamp{1000}));
  EXPECT_EQ(q.size(), 1u);
  // Moving a held timer beyond the horizon drops the held copy.
  EXPECT_FALSE(q.Set(Key("near"), Timestamp{5000}));
  EXPECT_EQ(q.size(), 0u);
  std::vector<Timer> stored = {{Key("far"), Timestamp{1000}}, {Key("near"), Timestamp{5000}}};
  q.RefillFrom(Timestamp{3000}, [&](Timestamp from, Timestamp to) {
    EXPECT_EQ(from, Timestamp{1000});
    EXPECT_EQ(to, Timestamp{3000});
    std::vector<Timer> out;
    for (auto& t : stored) {
      if (t.due >= from && t.due < to) out.push_back(t);
    }
    return out;
  });
  EXPECT_EQ(q.horizon_end(), Timestamp{3000});
  auto due = q.PopDue(Timestamp{10'000});
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].key, Key("far"));
}

// Against a simple model (a map of key -> due), random operations agree.
TEST(TimerQueue, AgreesWithAModelUnderRandomOperations) {
  std::mt19937 rng(42);
  TimerQueue q(Timestamp{1'000'000'000});
  std::map<std::string, int64_t> model;
  int64_t now = 0;
  for (int step = 0; step < 20000; ++step) {
    std::string k = "e" + std::to_string(rng() % 300);
    switch (rng() % 4) {
      case 0:
      case 1: {
        int64_t due = now + static_cast<int64_t>(rng() % 1000);
        q.Set(Key(k), Timestamp{due});
        model[k] = due;
        break;
      }
      case 2:
        q.Cancel(Key(k));
        model.erase(k);
        break;
      case 3: {
        now += static_cast<int64_t>(rng() % 50);
        auto due = q.PopDue(Timestamp{now});
        std::vector<std::string> expected;
        for (auto it = model.begin(); it != model.end();) {
          if (it->second <= now) {
            expected.push_back(it->first);
            it = model.erase(it);
          } else {
            ++it;
          }
        }
        std::vector<std::string> got;
        for (std::size_t i = 0; i < due.size(); ++i) {
          got.push_back(due[i].key.execution_arn);
          if (i > 0) {
            ASSERT_LE(due[i - 1].due, due[i].due);
          }
        }
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, expected) << "step " << step;
        break;
      }
    }
    ASSERT_EQ(q.size(), model.size());
  }
}

}  // namespace
}  // namespace durafn::scheduler
