#include "store/markers.h"

#include <gtest/gtest.h>

#include "engine/opaque_id.h"

namespace durafn::store {
namespace {

TEST(Markers, HistoryMarkersRoundTrip) {
  for (int64_t id : {int64_t{1}, int64_t{2}, int64_t{100}, int64_t{1'000'000'000'000}}) {
    auto back = ParseHistoryMarker(FormatHistoryMarker(id));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, id);
  }
}

TEST(Markers, ListMarkersRoundTrip) {
  ListCursor c{-5, "arn:aws:lambda:r:1:function:f:1/durable-execution/n/i"};
  auto back = ParseListMarker(FormatListMarker(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);
}

TEST(Markers, RejectsAnythingElse) {
  for (const char* bad : {"", "abc", "MTIz", "not base64!"}) {
    EXPECT_EQ(ParseHistoryMarker(bad).status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_EQ(ParseListMarker(bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
  // One listing's marker is no good for the other.
  EXPECT_FALSE(ParseListMarker(FormatHistoryMarker(3)).ok());
  EXPECT_FALSE(ParseHistoryMarker(FormatListMarker({3, "x"})).ok());
  // Well-formed packing, bad numbers.
  for (const char* id : {"0", "-1", "+1", "1x", " 1", "99999999999999999999"}) {
    auto marker = engine::Base64Encode(engine::PackFields({"history-v1", id}));
    EXPECT_FALSE(ParseHistoryMarker(marker).ok()) << id;
  }
  EXPECT_FALSE(
      ParseListMarker(engine::Base64Encode(engine::PackFields({"list-v1", "1", ""}))).ok());
}

}  // namespace
}  // namespace durafn::store
