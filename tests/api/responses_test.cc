#include "api/responses.h"

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "api/request_id.h"
#include "api/responder.h"

namespace durafn::api {
namespace {

using protocol::ApiError;
using protocol::ErrorCode;

TEST(Headers, NamesCompareCaseInsensitively) {
  Headers h;
  h.Add("X-Amzn-ErrorType", "A");
  h.Add("x-amzn-errortype", "B");
  EXPECT_EQ(h.Get("X-AMZN-ERRORTYPE"), "A");
  EXPECT_EQ(h.size(), 2u);
  h.Set("x-AMZN-errortype", "C");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.Get("X-Amzn-ErrorType"), "C");
  h.Remove("X-AMZN-ERRORTYPE");
  EXPECT_FALSE(h.Has("x-amzn-errortype"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
}

TEST(Responses, ErrorResponseIsRestJson1) {
  Response r = ErrorResponse({ErrorCode::kResourceNotFound, "Execution not found"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.Get("x-amzn-errortype"), "ResourceNotFoundException");
  EXPECT_EQ(r.headers.Get("content-type"), "application/json");
  EXPECT_FALSE(r.headers.Has("Retry-After"));
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["__type"], "ResourceNotFoundException");
  EXPECT_EQ(body["Message"], "Execution not found");
  EXPECT_EQ(body["message"], "Execution not found");
}

TEST(Responses, TooManyRequestsCarriesRetryAfter) {
  Response r = ErrorResponse({ErrorCode::kTooManyRequests, "slow down"}, 7);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After"), "7");
  EXPECT_EQ(ErrorResponse({ErrorCode::kTooManyRequests, "x"}).headers.Get("Retry-After"), "1");
}

TEST(Responses, JsonResponseToleratesInvalidUtf8) {
  Response r = JsonResponse({{"echo", std::string("\xff\xfe")}}, 201);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  EXPECT_NO_THROW(nlohmann::json::parse(r.body));
}

TEST(Responses, BytesAndEmptyResponses) {
  Response b = BytesResponse("\x01\x02", "application/octet-stream", 202);
  EXPECT_EQ(b.status, 202);
  EXPECT_EQ(b.body, "\x01\x02");
  EXPECT_EQ(b.headers.Get("Content-Type"), "application/octet-stream");
  Response e = EmptyResponse(204);
  EXPECT_EQ(e.status, 204);
  EXPECT_TRUE(e.body.empty());
  EXPECT_TRUE(e.headers.empty());
}

TEST(Responses, StampRequestIdKeepsAnExistingOne) {
  Response r;
  StampRequestId(r, "first");
  StampRequestId(r, "second");
  EXPECT_EQ(r.headers.Get(kRequestIdHeader), "first");
}

// 8-4-4-4-12 lower-case hex, version nibble 4, variant 10xx. (Hand-written rather than
// std::regex, which trips a false -Wmaybe-uninitialized in GCC 12's sanitizer builds.)
bool IsUuid4(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
    if (dash ? id[i] != '-' : !hex) return false;
  }
  return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

TEST(RequestId, IsAVersion4Uuid) {
  EXPECT_FALSE(IsUuid4("3f2b8c1e-4d5a-3b6c-9d7e-0a1b2c3d4e5f"));  // version 3
  EXPECT_FALSE(IsUuid4("3f2b8c1e-4d5a-4b6c-cd7e-0a1b2c3d4e5f"));  // wrong variant
  EXPECT_TRUE(IsUuid4("3f2b8c1e-4d5a-4b6c-9d7e-0a1b2c3d4e5f"));
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    std::string id = NewRequestId();
    ASSERT_TRUE(IsUuid4(id)) << id;
    seen.insert(std::move(id));
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RequestId, ThreadsDrawDifferentIds) {
  std::string a, b;
  std::thread t1([&] { a = NewRequestId(); });
  std::thread t2([&] { b = NewRequestId(); });
  t1.join();
  t2.join();
  EXPECT_NE(a, b);
}

// Records what a Responder delivers.
class RecordingSink : public ResponseSink {
 public:
  void Deliver(Response response) override { delivered.push_back(std::move(response)); }
  std::vector<Response> delivered;
};

TEST(Responder, SendsOnce) {
  auto sink = std::make_shared<RecordingSink>();
  {
    Responder r(sink);
    EXPECT_TRUE(r.pending());
    r.Send(JsonResponse({{"ok", true}}));
    EXPECT_FALSE(r.pending());
  }
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].status, 200);
}

TEST(Responder, DroppedWithoutSendingAnswers500) {
  auto sink = std::make_shared<RecordingSink>();
  { Responder r(sink); }
  ASSERT_EQ(sink->delivered.size(), 1u);
  EXPECT_EQ(sink->delivered[0].status, 500);
  EXPECT_EQ(sink->delivered[0].headers.Get(kErrorTypeHeader), "ServiceException");
}

TEST(Responder, MovingTransfersTheObligation) {
  auto first = std::make_shared<RecordingSink>();
  auto second = std::make_shared<RecordingSink>();
  Responder a(first);
  Responder b(std::move(a));
  EXPECT_FALSE(a.pending());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(first->delivered.empty());
  Responder c(second);
  c = std::move(b);  // c's own request is answered with a 500 first
  ASSERT_EQ(second->delivered.size(), 1u);
  EXPECT_EQ(second->delivered[0].status, 500);
  c(EmptyResponse(204));
  ASSERT_EQ(first->delivered.size(), 1u);
  EXPECT_EQ(first->delivered[0].status, 204);
}

}  // namespace
}  // namespace durafn::api
