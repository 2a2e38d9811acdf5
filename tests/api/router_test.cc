#include "api/router.h"

#include <gtest/gtest.h>

#include "api/uri.h"

namespace durafn::api {
namespace {

using protocol::ErrorCode;

constexpr std::string_view kArn =
    "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/id";

// A handler that records which route ran.
Handler Tag(std::string* ran, std::string tag) {
  return [ran, tag](Request, Responder) { *ran = tag; };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint",
                Tag(&ran_, "checkpoint"));
    router_.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/state",
                Tag(&ran_, "state"));
    router_.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}", Tag(&ran_, "get"));
    router_.Add("GET", "/things/{Id}", Tag(&ran_, "thing-by-id"));
    router_.Add("GET", "/things/special", Tag(&ran_, "special-thing"));
    router_.Add("PUT", "/things/{Id}", Tag(&ran_, "put-thing"), {.max_body_bytes = 10});
  }

  // Runs the matched handler so that tests can see which route won.
  std::string Run(const RouteMatch& m) {
    ran_.clear();
    if (m.ok()) (*m.handler)(Request{}, Responder());
    return ran_;
  }

  Router router_;
  std::string ran_;
};

TEST_F(RouterTest, DecodesLabelsAfterSplittingTheRawPath) {
  auto m = router_.Resolve("POST",
                           "/2025-12-01/durable-executions/" + PercentEncode(kArn) + "/checkpoint");
  ASSERT_TRUE(m.ok()) << m.error->message;
  EXPECT_EQ(m.labels.at("DurableExecutionArn"), kArn);
  EXPECT_EQ(m.pattern, "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint");
  EXPECT_EQ(m.max_body_bytes, kDefaultMaxBodyBytes);

  auto get = router_.Resolve("GET", "/2025-12-01/durable-executions/" + PercentEncode(kArn));
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.labels.at("DurableExecutionArn"), kArn);
  EXPECT_EQ(get.pattern, "/2025-12-01/durable-executions/{DurableExecutionArn}");
}

TEST_F(RouterTest, AnUnencodedSlashIsASegmentBoundary) {
  auto m = router_.Resolve("GET", "/2025-12-01/durable-executions/a/b");
  EXPECT_FALSE(m.ok());
  ASSERT_TRUE(m.error.has_value());
  EXPECT_EQ(m.error->code, ErrorCode::kUnknownOperation);
  // ... whereas "a/state" is the state route with label "a".
  auto state = router_.Resolve("GET", "/2025-12-01/durable-executions/a/state");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.labels.at("DurableExecutionArn"), "a");
}

TEST_F(RouterTest, LiteralSegmentsWinOverLabels) {
  EXPECT_EQ(Run(router_.Resolve("GET", "/things/special")), "special-thing");
  EXPECT_EQ(Run(router_.Resolve("GET", "/things/other")), "thing-by-id");
  // The literal route has no PUT, so PUT falls to the label route.
  auto put = router_.Resolve("PUT", "/things/special");
  EXPECT_EQ(Run(put), "put-thing");
  EXPECT_EQ(put.max_body_bytes, 10u);
  EXPECT_EQ(put.labels.at("Id"), "special");
}

TEST_F(RouterTest, PlusInAPathIsLiteral) {
  auto m = router_.Resolve("GET", "/things/a+b%20c");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.labels.at("Id"), "a+b c");
}

TEST_F(RouterTest, UnknownPathsAndEmptyLabelsAreUnknownOperations) {
  for (std::string_view target : {"/nope", "/", "/things", "/things/", "/things//",
                                  "/2025-12-01/durable-executions//state", "/things/x/y"}) {
    auto m = router_.Resolve("GET", target);
    EXPECT_FALSE(m.ok()) << target;
    ASSERT_TRUE(m.error.has_value()) << target;
    EXPECT_EQ(m.error->code, ErrorCode::kUnknownOperation) << target;
  }
}

TEST_F(RouterTest, WrongMethodNamesTheAllowedOnes) {
  auto m = router_.Resolve("DELETE", "/2025-12-01/durable-executions/x/checkpoint");
  ASSERT_TRUE(m.error.has_value());
  EXPECT_EQ(m.error->code, ErrorCode::kUnknownOperation);
  EXPECT_EQ(m.error->message,
            "Method DELETE is not allowed on "
            "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint (allowed: POST)");
  auto things = router_.Resolve("DELETE", "/things/x");
  ASSERT_TRUE(things.error.has_value());
  EXPECT_NE(things.error->message.find("(allowed: GET PUT)"), std::string::npos)
      << things.error->message;
  // Methods are case-sensitive.
  EXPECT_FALSE(router_.Resolve("get", "/things/x").ok());
}

TEST_F(RouterTest, MalformedEscapesAreInvalidParameters) {
  for (std::string_view target : {"/things/%ZZ", "/things/%4", "/nope/%", "/things/x?a=%G1"}) {
    auto m = router_.Resolve("GET", target);
    ASSERT_TRUE(m.error.has_value()) << target;
    EXPECT_EQ(m.error->code, ErrorCode::kInvalidParameterValue) << target;
  }
}

TEST_F(RouterTest, TargetsMustBeAbsolutePaths) {
  for (std::string_view target : {"", "*", "http://host/things/x"}) {
    auto m = router_.Resolve("GET", target);
    ASSERT_TRUE(m.error.has_value()) << target;
    EXPECT_EQ(m.error->code, ErrorCode::kInvalidParameterValue) << target;
  }
}

TEST_F(RouterTest, ParsesTheQueryOfMatchedRoutes) {
  auto m = router_.Resolve("GET", "/things/x?Statuses=RUNNING&Statuses=FAILED&Marker=a%2Bb");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.query.count("Statuses"), 2u);
  EXPECT_EQ(m.query.find("Marker")->second, "a+b");
  EXPECT_EQ(m.path, "/things/x");
}

}  // namespace
}  // namespace durafn::api
