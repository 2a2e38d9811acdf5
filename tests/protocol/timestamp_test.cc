#include "protocol/timestamp.h"

#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

TEST(Timestamp, FormatsLikeJavaScriptToIsoString) {
  EXPECT_EQ(FormatIso8601(Timestamp{0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{1795831234312}), "2026-11-28T02:00:34.312Z");
  EXPECT_EQ(FormatIso8601(Timestamp{951782400000}), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{-1}), "1969-12-31T23:59:59.999Z");
}

TEST(Timestamp, ParsesRfc3339) {
  EXPECT_EQ(ParseIso8601("2026-11-28T02:00:34.312Z")->ms, 1795831234312);
  EXPECT_EQ(ParseIso8601("2026-11-28T02:00:34Z")->ms, 1795831234000);
  EXPECT_EQ(ParseIso8601("2026-11-28T02:00:34.3Z")->ms, 1795831234300);
  EXPECT_EQ(ParseIso8601("2026-11-28T02:00:34.312999Z")->ms, 1795831234312);
  EXPECT_EQ(ParseIso8601("2026-11-28T03:00:34.312+01:00")->ms, 1795831234312);
  EXPECT_EQ(ParseIso8601("2026-11-27T21:00:34.312-05:00")->ms, 1795831234312);
}

TEST(Timestamp, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-28", "2026-11-28T01:20:34", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-28T24:00:00Z", "2026-11-28T01:20:34.Z", "2026-11-28 01:20:34Z",
        "2026-11-28T01:20:34Zjunk", "1795831234312", "2026-11-28T01:20:34+0100"}) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

TEST(Timestamp, FormatParseRoundTrip) {
  for (int64_t ms : {0LL, 1LL, 999LL, 86'399'999LL, 1764547200123LL, 4102444800000LL}) {
    auto back = ParseIso8601(FormatIso8601(Timestamp{ms}));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->ms, ms);
  }
}

TEST(Timestamp, EpochSeconds) {
  EXPECT_DOUBLE_EQ(ToEpochSeconds(Timestamp{1795831234312}), 1795831234.312);
  EXPECT_EQ(Timestamp::FromSeconds(3).ms, 3000);
}

}  // namespace
}  // namespace durafn::protocol
