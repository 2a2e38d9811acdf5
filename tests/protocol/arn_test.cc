#include "protocol/arn.h"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

using ::testing::HasSubstr;

std::optional<std::string> S(const char* s) {
  return std::string(s);
}
constexpr std::nullopt_t kUnset = std::nullopt;

// --- Function identifiers -----------------------------------------------------------------------

struct GoodRef {
  std::string text;
  FunctionRef want;
  QualifierKind kind;
};

std::vector<GoodRef> GoodRefs() {
  const std::string name64(64, 'n');
  const std::string alias128 = "a" + std::string(127, '9');
  return {
      {"my-function", {kUnset, kUnset, kUnset, "my-function", kUnset}, QualifierKind::kNone},
      {"My.Function_v2", {kUnset, kUnset, kUnset, "My.Function_v2", kUnset}, QualifierKind::kNone},
      {name64, {kUnset, kUnset, kUnset, name64, kUnset}, QualifierKind::kNone},
      {"my-function:prod",
       {kUnset, kUnset, kUnset, "my-function", S("prod")},
       QualifierKind::kAlias},
      {"my-function:3", {kUnset, kUnset, kUnset, "my-function", S("3")}, QualifierKind::kVersion},
      {"my-function:$LATEST",
       {kUnset, kUnset, kUnset, "my-function", S("$LATEST")},
       QualifierKind::kLatest},
      {"my-function:$LATEST.PUBLISHED",
       {kUnset, kUnset, kUnset, "my-function", S("$LATEST.PUBLISHED")},
       QualifierKind::kLatestPublished},
      {"f:" + alias128, {kUnset, kUnset, kUnset, "f", alias128}, QualifierKind::kAlias},
      {"f:v1", {kUnset, kUnset, kUnset, "f", S("v1")}, QualifierKind::kAlias},
      // Two parts are always NAME:QUALIFIER, even when the name is "arn".
      {"arn:prod", {kUnset, kUnset, kUnset, "arn", S("prod")}, QualifierKind::kAlias},
      {"123456789012:function:my-function",
       {kUnset, kUnset, S("123456789012"), "my-function", kUnset},
       QualifierKind::kNone},
      {"123456789012:function:my-function:prod",
       {kUnset, kUnset, S("123456789012"), "my-function", S("prod")},
       QualifierKind::kAlias},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-function",
       {S("aws"), S("us-east-1"), S("123456789012"), "my-function", kUnset},
       QualifierKind::kNone},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-function:7",
       {S("aws"), S("us-east-1"), S("123456789012"), "my-function", S("7")},
       QualifierKind::kVersion},
      {"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST",
       {S("aws-cn"), S("cn-north-1"), S("123456789012"), "f", S("$LATEST")},
       QualifierKind::kLatest},
      {"arn:aws-us-gov:lambda:us-gov-west-1:000000000000:function:f:live_2",
       {S("aws-us-gov"), S("us-gov-west-1"), S("000000000000"), "f", S("live_2")},
       QualifierKind::kAlias},
  };
}

TEST(ParseFunctionRefTest, AcceptsEveryForm) {
  for (const GoodRef& c : GoodRefs()) {
    SCOPED_TRACE(c.text);
    Result<FunctionRef> r = ParseFunctionRef(c.text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->partition, c.want.partition);
    EXPECT_EQ(r->region, c.want.region);
    EXPECT_EQ(r->account, c.want.account);
    EXPECT_EQ(r->name, c.want.name);
    EXPECT_EQ(r->qualifier, c.want.qualifier);
    EXPECT_EQ(*r, c.want);
    EXPECT_EQ(r->qualifier_kind(), c.kind);
  }
}

TEST(ParseFunctionRefTest, ToStringRoundTrips) {
  for (const GoodRef& c : GoodRefs()) {
    SCOPED_TRACE(c.text);
    Result<FunctionRef> r = ParseFunctionRef(c.text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->ToString(), c.text);
  }
}

struct BadInput {
  std::string text;
  std::string message_part;  // a piece of the error message naming the faulty part
};

TEST(ParseFunctionRefTest, RejectsMalformed) {
  const std::string head = "arn:aws:lambda:us-east-1:123456789012:function:";
  const std::vector<BadInput> cases = {
      {"", "function identifier is empty"},
      {std::string(171, 'a'), "function identifier is longer than 170 characters"},
      {"head:" + std::string(166, 'a'), "function identifier is longer than 170 characters"},
      {std::string(65, 'a'), "longer than 64 characters"},
      {"my function", "function name 'my function' has invalid character ' ' at position 2"},
      {"fn\x01", "invalid character '\\x01' at position 2"},
      {"f/x", "invalid character '/' at position 1"},
      {":prod", "function name is empty"},
      {"my-function:", "qualifier is empty"},
      {"f:pro.d", "qualifier 'pro.d' has invalid character '.' at position 3"},
      {"f:$LATES", "qualifier '$LATES' must be $LATEST"},
      {"f:$latest", "qualifier '$latest'"},
      {"f:01", "qualifier '01' is a version number with a leading 0"},
      {"f:" + std::string(129, 'a'), "longer than 128 characters"},
      {"12345678901:function:f", "account id '12345678901' must be 12 digits"},
      {"12345678901x:function:f", "account id '12345678901x' must be 12 digits"},
      {"123456789012:fn:f", "has 'fn' where 'function' was expected"},
      {"123456789012:function:", "function name is empty"},
      {"a:b:c:d:e", "too many ':'"},
      {"arn:aws:lambda:us-east-1:12345678901:function:f", "account id '12345678901'"},
      {"arn:aws:lambda:us-east-1:1234567890123:function:f", "account id '1234567890123'"},
      {"arn:aws:s3:::my-bucket", "is not a Lambda function ARN (service 's3')"},
      {"arn:aws:lambda:us-east-1:123456789012:layer:f:1", "has 'layer' where 'function'"},
      {"arn:aws:lambda:us-east-1:123456789012:my-function:1",
       "has 'my-function' where 'function' was expected"},
      {"arn:aws:lambda:us-east-1:123456789012:my-function", "6 ':'-separated parts"},
      {"arn:aws:lambda", "3 ':'-separated parts"},
      {head + "f:1:2", "too many ':'"},
      {head + "f/", "function name 'f/' has invalid character '/' at position 1"},
      {head + "f:1/", "qualifier '1/' has invalid character '/'"},
      {head, "function name is empty"},
      {head + "f:", "qualifier is empty"},
      {"arn:AWS:lambda:us-east-1:123456789012:function:f", "partition 'AWS'"},
      {"arn:aws-:lambda:us-east-1:123456789012:function:f", "partition 'aws-'"},
      {"arn:azure:lambda:us-east-1:123456789012:function:f", "partition 'azure'"},
      {"arn::lambda:us-east-1:123456789012:function:f", "partition ''"},
      {"arn:aws:lambda:US-EAST-1:123456789012:function:f", "region 'US-EAST-1'"},
      {"arn:aws:lambda::123456789012:function:f", "region ''"},
      {"arn:aws:lambda:us-east:123456789012:function:f", "region 'us-east'"},
      {"arn:aws:lambda:us-east-12:123456789012:function:f", "region 'us-east-12'"},
      {"arn:aws:lambda:use-east-1:123456789012:function:f", "region 'use-east-1'"},
      {"arn:aws:lambda:us--1:123456789012:function:f", "region 'us--1'"},
      {"arn:aws:lambda:us-east-1-:123456789012:function:f", "region 'us-east-1-'"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.text);
    Result<FunctionRef> r = ParseFunctionRef(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message_part));
  }
}

TEST(ParseFunctionRefTest, AcceptsMaximumLength) {
  // 170 characters exactly: a 12-digit account, ":function:", a 64-char name, ':' and an
  // 83-char alias.
  std::string text =
      "123456789012:function:" + std::string(64, 'n') + ":" + std::string(82, 'a') + "b";
  ASSERT_EQ(text.size(), 170u);
  Result<FunctionRef> r = ParseFunctionRef(text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->qualifier_kind(), QualifierKind::kAlias);
}

TEST(ValidateQualifierTest, AcceptsAndRejects) {
  for (const char* q : {"$LATEST", "$LATEST.PUBLISHED", "1", "42", "prod", "v-1_b", "007a"}) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(ValidateQualifier(q).ok()) << ValidateQualifier(q).ToString();
  }
  const std::vector<BadInput> cases = {
      {"", "qualifier is empty"},
      {"0", "qualifier '0' is a version number with a leading 0"},
      {"$LATEST.", "qualifier '$LATEST.'"},
      {"$", "qualifier '$'"},
      {"pr$od", "qualifier 'pr$od' has invalid character '$' at position 2"},
      {"a:b", "invalid character ':' at position 1"},
      {std::string(129, '1'), "qualifier '1111"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.text);
    Status s = ValidateQualifier(c.text);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr(c.message_part));
  }
}

TEST(ValidateFunctionNameTest, AcceptsAndRejects) {
  for (const std::string& n : {std::string("f"), std::string("a.b-c_D9"), std::string(64, 'x')}) {
    EXPECT_TRUE(ValidateFunctionName(n).ok()) << n;
  }
  const std::vector<BadInput> cases = {
      {"", "function name is empty"},
      {std::string(65, 'x'), "is longer than 64 characters"},
      {"f:1", "function name 'f:1' has invalid character ':' at position 1"},
      {"caf\xc3\xa9", "invalid character '\\xc3' at position 3"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(ValidateFunctionName(c.text).message(), HasSubstr(c.message_part));
  }
}

TEST(ValidateAliasNameTest, AcceptsAndRejects) {
  for (const std::string& a : {std::string("prod"), std::string("v1"), std::string("1a"),
                               std::string("BLUE-green_2"), std::string(128, 'a')}) {
    EXPECT_TRUE(ValidateAliasName(a).ok()) << a;
  }
  const std::vector<BadInput> cases = {
      {"", "alias name is empty"},
      {"123", "alias name '123' must not be all digits"},
      {"0", "must not be all digits"},
      {std::string(129, 'a'), "is longer than 128 characters"},
      {"$LATEST", "alias name '$LATEST' has invalid character '$' at position 0"},
      {"a.b", "invalid character '.' at position 1"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.text);
    Status s = ValidateAliasName(c.text);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr(c.message_part));
  }
}

TEST(FormatFunctionArnTest, FormatsAndRoundTrips) {
  EXPECT_EQ(FormatFunctionArn("aws", "us-east-1", "123456789012", "my-function"),
            "arn:aws:lambda:us-east-1:123456789012:function:my-function");
  EXPECT_EQ(FormatFunctionArn("aws-cn", "cn-north-1", "123456789012", "f", "$LATEST"),
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST");

  std::string arn = FormatFunctionArn("aws-us-gov", "us-gov-west-1", "123456789012", "f", "7");
  Result<FunctionRef> r = ParseFunctionRef(arn);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (FunctionRef{S("aws-us-gov"), S("us-gov-west-1"), S("123456789012"), "f", S("7")}));
  EXPECT_EQ(r->ToString(), arn);
}

// --- Durable execution ARNs ---------------------------------------------------------------------

struct GoodExecution {
  std::string text;
  DurableExecutionArn want;
};

std::vector<GoodExecution> GoodExecutions() {
  const std::string id64(64, 'i');
  return {
      {"arn:aws:lambda:us-east-1:123456789012:function:mock:$LATEST/durable-execution/mock/0001",
       {"aws", "us-east-1", "123456789012", "mock", "$LATEST", "mock", "0001"}},
      {"arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:12/"
       "durable-execution/order-1001/6f1c0a52-0000-4000-8000-000000000001",
       {"aws", "us-east-1", "123456789012", "DurableOrderProcessor", "12", "order-1001",
        "6f1c0a52-0000-4000-8000-000000000001"}},
      {"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST.PUBLISHED/"
       "durable-execution/run_1/" +
           id64,
       {"aws-cn", "cn-north-1", "123456789012", "f", "$LATEST.PUBLISHED", "run_1", id64}},
  };
}

TEST(ParseDurableExecutionArnTest, ParsesFieldsAndRoundTrips) {
  for (const GoodExecution& c : GoodExecutions()) {
    SCOPED_TRACE(c.text);
    Result<DurableExecutionArn> r = ParseDurableExecutionArn(c.text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->partition, c.want.partition);
    EXPECT_EQ(r->region, c.want.region);
    EXPECT_EQ(r->account, c.want.account);
    EXPECT_EQ(r->function_name, c.want.function_name);
    EXPECT_EQ(r->version, c.want.version);
    EXPECT_EQ(r->execution_name, c.want.execution_name);
    EXPECT_EQ(r->execution_id, c.want.execution_id);
    EXPECT_EQ(r->ToString(), c.text);

    Result<DurableExecutionArn> lenient = ParseDurableExecutionArnLenient(c.text);
    ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
    EXPECT_EQ(*lenient, *r);
  }
}

TEST(ParseDurableExecutionArnTest, FunctionArnIsQualifiedByVersion) {
  Result<DurableExecutionArn> r = ParseDurableExecutionArn(
      "arn:aws:lambda:us-east-1:123456789012:function:mock:3/durable-execution/mock/0001");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->FunctionArn(), "arn:aws:lambda:us-east-1:123456789012:function:mock:3");
  Result<FunctionRef> fn = ParseFunctionRef(r->FunctionArn());
  ASSERT_TRUE(fn.ok()) << fn.status().ToString();
  EXPECT_EQ(fn->qualifier_kind(), QualifierKind::kVersion);
}

TEST(ParseDurableExecutionArnTest, AliasVersionOnlyAcceptedWhenLenient) {
  const std::string text =
      "arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:prod/"
      "durable-execution/order-1001/6f1c0a52-0000-4000-8000-000000000001";
  Result<DurableExecutionArn> strict = ParseDurableExecutionArn(text);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message(),
            "durable execution ARN version 'prod' must be $LATEST, $LATEST.PUBLISHED or a version "
            "number");

  Result<DurableExecutionArn> lenient = ParseDurableExecutionArnLenient(text);
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  EXPECT_EQ(lenient->function_name, "DurableOrderProcessor");
  EXPECT_EQ(lenient->version, "prod");
  EXPECT_EQ(lenient->execution_name, "order-1001");
  EXPECT_EQ(lenient->execution_id, "6f1c0a52-0000-4000-8000-000000000001");
  EXPECT_EQ(lenient->ToString(), text);
}

TEST(ParseDurableExecutionArnTest, RejectsMalformedEvenWhenLenient) {
  const std::string fn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  const std::string de = "/durable-execution/";
  const std::vector<BadInput> cases = {
      {"", "durable execution ARN is empty"},
      {fn + ":1" + de + "a/" + std::string(1000, 'x'),
       "durable execution ARN is longer than 1024 characters"},
      {fn + ":1", "durable execution ARN has no '/durable-execution/' part"},
      {fn + ":1/durable-executions/a/b", "has no '/durable-execution/' part"},
      {fn + de + "a/b", "has no version after function name 'f'"},
      {fn + ":1:2" + de + "a/b", "too many ':'"},
      {fn + ":01" + de + "a/b", "version '01'"},
      {fn + ":pr.od" + de + "a/b", "version 'pr.od'"},
      {fn + ":" + de + "a/b", "version ''"},
      {fn + ":1" + de + "order-1", "has no execution id after execution name 'order-1'"},
      {fn + ":1" + de + "order-1/", "execution id is empty"},
      {fn + ":1" + de + "/id", "execution name is empty"},
      {fn + ":1" + de + "a b/id", "execution name 'a b' has invalid character ' ' at position 1"},
      {fn + ":1" + de + "a/i.d", "execution id 'i.d' has invalid character '.' at position 1"},
      {fn + ":1" + de + std::string(65, 'n') + "/id", "longer than 64 characters"},
      {fn + ":1" + de + "a/" + std::string(65, 'i'), "longer than 64 characters"},
      {fn + ":1" + de + "a/id/more", "extra text '/more' after execution id 'id'"},
      {fn + ":1" + de + "a/id/", "extra text '/' after execution id 'id'"},
      {"arn:aws:s3:us-east-1:123456789012:function:f:1" + de + "a/b", "(service 's3')"},
      {"xrn:aws:lambda:us-east-1:123456789012:function:f:1" + de + "a/b",
       "does not start with 'arn:'"},
      {"arn:aws:lambda:us-east-1:1234:function:f:1" + de + "a/b", "account id '1234'"},
      {"arn:aws:lambda:us-east-1:123456789012:layer:f:1" + de + "a/b",
       "has 'layer' where 'function'"},
      {"arn:aws:lambda:us-east-1:123456789012:function:f g:1" + de + "a/b",
       "function name 'f g' has invalid character ' '"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.text);
    for (auto parse : {&ParseDurableExecutionArn, &ParseDurableExecutionArnLenient}) {
      Result<DurableExecutionArn> r = parse(c.text);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
      EXPECT_THAT(r.status().message(), HasSubstr(c.message_part));
    }
  }
}

TEST(ParseDurableExecutionArnTest, AcceptsMaximumLengthAndRejectsOneMore) {
  // Only the 1024-character cap is tested here, so pad with a version number (no length limit).
  const std::string prefix = "arn:aws:lambda:us-east-1:123456789012:function:f:";
  const std::string suffix = "/durable-execution/a/b";
  std::string text =
      prefix + "1" + std::string(1024 - prefix.size() - suffix.size() - 1, '0') + suffix;
  ASSERT_EQ(text.size(), 1024u);
  EXPECT_TRUE(ParseDurableExecutionArn(text).ok());
  EXPECT_FALSE(ParseDurableExecutionArn(prefix + "10" + text.substr(prefix.size() + 1)).ok());
}

}  // namespace
}  // namespace durafn::protocol
