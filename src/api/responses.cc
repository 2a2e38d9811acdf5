#include "api/responses.h"

#include <cassert>

namespace durafn::api {

namespace {

std::string Dump(const nlohmann::json& body) {
  return body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Response JsonResponse(const nlohmann::json& body, int status) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::string(kJsonContentType));
  r.body = Dump(body);
  return r;
}

Response BytesResponse(std::string body, std::string_view content_type, int status) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

Response EmptyResponse(int status) {
  Response r;
  r.status = status;
  return r;
}

Response ErrorResponse(const protocol::ApiError& error, int retry_after_seconds) {
  assert(retry_after_seconds >= 0);
  Response r = JsonResponse(error.Body(), protocol::HttpStatus(error.code));
  r.headers.Set(std::string(kErrorTypeHeader), std::string(protocol::ToString(error.code)));
  if (error.code == protocol::ErrorCode::kTooManyRequests) {
    r.headers.Set("Retry-After", std::to_string(retry_after_seconds));
  }
  return r;
}

void StampRequestId(Response& response, std::string_view request_id) {
  if (!response.headers.Has(kRequestIdHeader)) {
    response.headers.Set(std::string(kRequestIdHeader), std::string(request_id));
  }
}

}  // namespace durafn::api
