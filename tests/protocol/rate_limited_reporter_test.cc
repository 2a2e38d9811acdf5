#include "protocol/rate_limited_reporter.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace durafn {
namespace {

TEST(RateLimitedReporterTest, HoldsBackBeyondTheBurstAndCountsItInTheNextMessage) {
  std::vector<std::string> seen;
  RateLimitedReporter r([&](std::string_view m) { seen.emplace_back(m); }, 2,
                        std::chrono::milliseconds(200));
  for (int i = 0; i < 5; ++i)
    r.Report("disk full " + std::to_string(i));
  EXPECT_EQ(seen, (std::vector<std::string>{"disk full 0", "disk full 1"}));
  EXPECT_EQ(r.held_back(), 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a new window
  r.Report("disk full 5");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2], "disk full 5 (3 earlier messages not shown)");
  EXPECT_EQ(r.held_back(), 0u);
}

TEST(RateLimitedReporterTest, WithoutASinkNothingHappens) {
  RateLimitedReporter r(nullptr);
  r.Report("x");
  EXPECT_EQ(r.held_back(), 0u);
}

}  // namespace
}  // namespace durafn
