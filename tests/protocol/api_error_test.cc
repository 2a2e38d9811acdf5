#include "protocol/api_error.h"

#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

TEST(ApiError, StatusesFollowTheLambdaModel) {
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidParameterValue), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kCallbackTimeout), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kResourceNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kDurableExecutionAlreadyStarted), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kRequestTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(HttpStatus(ErrorCode::kTooManyRequests), 429);
  EXPECT_EQ(HttpStatus(ErrorCode::kService), 500);
}

TEST(ApiError, BodyCarriesTheCodeAndBothMessageCasings) {
  ApiError e{ErrorCode::kInvalidParameterValue, "Invalid Checkpoint Token: stale"};
  auto body = e.Body();
  EXPECT_EQ(body["__type"], "InvalidParameterValueException");
  EXPECT_EQ(body["Type"], "User");
  EXPECT_EQ(body["message"], "Invalid Checkpoint Token: stale");
  EXPECT_EQ(body["Message"], "Invalid Checkpoint Token: stale");
  EXPECT_EQ((ApiError{ErrorCode::kService, "x"}.Body()["Type"]), "Service");
  EXPECT_EQ(ParseEnum<ErrorCode>("ResourceNotFoundException"), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace durafn::protocol
