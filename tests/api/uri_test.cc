#include "api/uri.h"

#include <gtest/gtest.h>

namespace durafn::api {
namespace {

TEST(Uri, SplitTargetSeparatesPathAndQuery) {
  EXPECT_EQ(SplitTarget("/a/b?x=1&y").path, "/a/b");
  EXPECT_EQ(SplitTarget("/a/b?x=1&y").query, "x=1&y");
  EXPECT_EQ(SplitTarget("/a/b").query, "");
  EXPECT_EQ(SplitTarget("/a?b?c").query, "b?c");
}

TEST(Uri, SplitPathKeepsEncodedSlashesInsideSegments) {
  EXPECT_EQ(SplitPath("/a/b%2Fc"), (std::vector<std::string_view>{"a", "b%2Fc"}));
  EXPECT_EQ(SplitPath("/"), (std::vector<std::string_view>{""}));
  EXPECT_EQ(SplitPath("/a/"), (std::vector<std::string_view>{"a", ""}));
  EXPECT_EQ(SplitPath("/a//b"), (std::vector<std::string_view>{"a", "", "b"}));
}

TEST(Uri, PercentDecodeHandlesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("arn%3Aaws%2Fx", false), "arn:aws/x");
  EXPECT_EQ(PercentDecode("%7e%7E", false), "~~");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");  // '+' is literal in paths
  EXPECT_EQ(PercentDecode("a+b", true), "a b");   // and a space in query strings
  EXPECT_EQ(PercentDecode("a%2Bb", true), "a+b");
  EXPECT_EQ(PercentDecode("", false), "");
  EXPECT_EQ(PercentDecode("%00", false), std::string(1, '\0'));
}

TEST(Uri, PercentDecodeRejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("ab%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%G0", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%0g", true), std::nullopt);
}

TEST(Uri, PercentEncodeRoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all.push_back(static_cast<char>(c));
  const std::string encoded = PercentEncode(all);
  EXPECT_EQ(encoded.find_first_of("/:+= ?&%"), encoded.find('%'));  // only escapes use '%'
  EXPECT_EQ(PercentDecode(encoded, false), all);
  EXPECT_EQ(PercentEncode("a:b/c+d=e f~"), "a%3Ab%2Fc%2Bd%3De%20f~");
}

TEST(Uri, ParseQueryKeepsRepeatedKeysInOrder) {
  auto q = ParseQuery("Statuses=RUNNING&Statuses=FAILED&Name=a+b%2Bc&Empty=&Flag&&x%3D=%26");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->size(), 6u);
  auto [first, last] = q->equal_range("Statuses");
  ASSERT_EQ(std::distance(first, last), 2);
  EXPECT_EQ(first->second, "RUNNING");
  EXPECT_EQ(std::next(first)->second, "FAILED");
  EXPECT_EQ(q->find("Name")->second, "a b+c");
  EXPECT_EQ(q->find("Empty")->second, "");
  EXPECT_EQ(q->find("Flag")->second, "");
  EXPECT_EQ(q->find("x=")->second, "&");
  EXPECT_TRUE(ParseQuery("")->empty());
}

TEST(Uri, ParseQueryRejectsMalformedEscapes) {
  EXPECT_EQ(ParseQuery("a=%G0"), std::nullopt);
  EXPECT_EQ(ParseQuery("ok=1&%=x"), std::nullopt);
}

}  // namespace
}  // namespace durafn::api
