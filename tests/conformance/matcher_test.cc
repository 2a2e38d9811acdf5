// The conformance runner's matching rules and requirement reading, on hand-written values.
#include "matcher.h"

#include <random>

#include <gtest/gtest.h>

#include "requirement.h"

namespace conformance::runner {
namespace {

using nlohmann::json;

std::optional<std::string> M(const json& expected, const json& actual, Bindings& b) {
  return Match(expected, &actual, b, "v");
}
std::optional<std::string> M(const json& expected, const json& actual) {
  Bindings b;
  return M(expected, actual, b);
}

TEST(Matcher, StarMatchesAnyPresentValue) {
  EXPECT_FALSE(M("*", 3));
  EXPECT_FALSE(M("*", "x"));
  EXPECT_FALSE(M("*", json::object()));
  Bindings b;
  EXPECT_TRUE(Match("*", nullptr, b, "v"));  // absent
}

TEST(Matcher, EmptyObjectIsDontCareEvenWhenAbsent) {
  Bindings b;
  EXPECT_FALSE(Match(json::object(), nullptr, b, "v"));
  EXPECT_FALSE(M(json::object(), 5));
  EXPECT_FALSE(M({{"Details", json::object()}}, json::object()));
}

TEST(Matcher, ScalarsMustBeEqual) {
  EXPECT_FALSE(M(2, 2));
  EXPECT_FALSE(M(2, 2.0));
  EXPECT_TRUE(M(2, 3));
  EXPECT_TRUE(M(2, "2"));
  EXPECT_FALSE(M("Hello", "Hello"));
  EXPECT_TRUE(M("Hello", "hello"));
  EXPECT_FALSE(M(nullptr, nullptr));
  EXPECT_TRUE(M(nullptr, 0));
  EXPECT_TRUE(M(true, 1));
}

TEST(Matcher, ObjectsIgnoreExtraActualMembers) {
  EXPECT_FALSE(M({{"a", 1}}, {{"a", 1}, {"b", 2}}));
  auto m = M({{"a", 1}, {"c", 3}}, {{"a", 1}, {"b", 2}});
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("v.c"), std::string::npos) << *m;
  EXPECT_TRUE(M({{"a", 1}}, json::array({1})));
}

TEST(Matcher, ArraysMatchElementwiseWithTheSameLength) {
  EXPECT_FALSE(M(json::array({1, "*"}), json::array({1, "x"})));
  EXPECT_TRUE(M(json::array({1}), json::array({1, 2})));
  auto m = M(json::array({1, 2}), json::array({1, 3}));
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("v[1]"), std::string::npos) << *m;
}

TEST(Matcher, PlaceholderBindsOnFirstUseThenMustBeEqual) {
  Bindings b;
  EXPECT_FALSE(M("${ID1}", "abc", b));
  EXPECT_EQ(b["ID1"], "abc");
  EXPECT_FALSE(M("${ID1}", "abc", b));
  auto m = M("${ID1}", "abd", b);
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("${ID1}"), std::string::npos) << *m;
  // Another name binds independently, and may bind to the same value.
  EXPECT_FALSE(M("${ID2}", "abc", b));
  // A placeholder needs a value.
  EXPECT_TRUE(Match("${ID3}", nullptr, b, "v"));
}

TEST(Matcher, RegexPlaceholderSearchesStringsAndNumberText) {
  EXPECT_FALSE(M("${/.*TransientError$/}", "my.TransientError"));
  EXPECT_TRUE(M("${/.*TransientError$/}", "TransientErrorX"));
  EXPECT_FALSE(M("${/^[0-5]$/}", 3));
  EXPECT_TRUE(M("${/^[0-5]$/}", 7));
  EXPECT_FALSE(M("${/^([0-9]|10)$/}", 10));
  EXPECT_TRUE(M("${/x/}", json::object()));
  EXPECT_TRUE(M("${/(/}", "("));  // an invalid regex is a mismatch, not a crash
}

TEST(Matcher, HistoryMatchesByEventIdAndIgnoresExtraEvents) {
  json expected = json::array({
      {{"EventType", "StepStarted"}, {"EventId", 2}, {"Id", "${ID1}"}, {"EventTimestamp", "*"}},
      {{"EventType", "StepSucceeded"}, {"EventId", 3}, {"Id", "${ID1}"}},
  });
  json actual = json::array({
      {{"EventType", "ExecutionStarted"}, {"EventId", 1}, {"Id", "x"}},
      {{"EventType", "StepStarted"}, {"EventId", 2}, {"Id", "s1"}, {"EventTimestamp", 1.5}},
      {{"EventType", "StepSucceeded"}, {"EventId", 3}, {"Id", "s1"}},
      {{"EventType", "ExecutionSucceeded"}, {"EventId", 4}},
  });
  Bindings b;
  EXPECT_FALSE(MatchHistory(expected, actual, b));
  EXPECT_EQ(b["ID1"], "s1");

  actual[2]["Id"] = "s2";
  Bindings b2;
  auto m = MatchHistory(expected, actual, b2);
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("event 3"), std::string::npos) << *m;

  Bindings b3;
  m = MatchHistory(json::array({{{"EventType", "WaitStarted"}, {"EventId", 9}}}), actual, b3);
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("no event"), std::string::npos) << *m;
}

TEST(Requirement, YamlScalarsKeepTheirTypes) {
  json j = YamlToJson(
      "a: 2\nb: '2'\nc:\nd: true\ne: Hello, World!\nf: '*'\ng: {}\nh: [admin, active]\ni: 1.5\n"
      "j: null\n");
  EXPECT_EQ(j["a"], 2);
  EXPECT_EQ(j["b"], "2");
  EXPECT_TRUE(j["c"].is_null());
  EXPECT_EQ(j["d"], true);
  EXPECT_EQ(j["e"], "Hello, World!");
  EXPECT_EQ(j["f"], "*");
  EXPECT_EQ(j["g"], json::object());
  EXPECT_EQ(j["h"], json::array({"admin", "active"}));
  EXPECT_EQ(j["i"], 1.5);
  EXPECT_TRUE(j["j"].is_null());
}

TEST(Requirement, VariablesAreGeneratedAndSubstituted) {
  std::mt19937_64 rng(7);
  auto vars = ResolveVariables({{"INPUT_1", "${GEN_STR:8}"}, {"B", "x-${GEN_STR:3}"}}, rng);
  ASSERT_EQ(vars["INPUT_1"].size(), 8u);
  for (char c : vars["INPUT_1"])
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
  EXPECT_EQ(vars["B"].rfind("x-", 0), 0u);
  EXPECT_EQ(vars["B"].size(), 5u);
  json v = Substitute({{"Result", "Hello, ${INPUT_1}!"},
                       {"Id", "${ID1}"},
                       {"n", 3},
                       {"list", json::array({"${INPUT_1}"})}},
                      vars);
  EXPECT_EQ(v["Result"], "Hello, " + vars["INPUT_1"] + "!");
  EXPECT_EQ(v["Id"], "${ID1}");  // not a variable: left for the matcher
  EXPECT_EQ(v["n"], 3);
  EXPECT_EQ(v["list"][0], vars["INPUT_1"]);
}

TEST(Requirement, EstimatedSecondsAddsWaitsDelaysAndTimeouts) {
  Requirement r;
  r.expected_history =
      json::array({{{"WaitStartedDetails", {{"Duration", 60}}}},
                   {{"WaitSucceededDetails", {{"Duration", 60}}}},
                   {{"StepFailedDetails", {{"RetryDetails", {{"NextAttemptDelaySeconds", 2}}}}}}});
  r.callback_actions = json::array({{{"Delay", 3}}, {{"Delay", 1}}});
  auto s = EstimatedSeconds(r);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, 60 + 2 + 3);
  r.expected_history.push_back({{"WaitStartedDetails", {{"Duration", "*"}}}});
  EXPECT_FALSE(EstimatedSeconds(r));
}

}  // namespace
}  // namespace conformance::runner
