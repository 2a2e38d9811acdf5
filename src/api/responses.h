// Building responses: JSON, raw bytes, and Lambda's restJson1 errors (protocol.md §2.10).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http_message.h"
#include "protocol/api_error.h"

namespace durafn::api {

inline constexpr std::string_view kRequestIdHeader = "X-Amzn-RequestId";
inline constexpr std::string_view kErrorTypeHeader = "X-Amzn-ErrorType";
inline constexpr std::string_view kJsonContentType = "application/json";
// What a TooManyRequestsException tells clients to wait before retrying, in seconds.
inline constexpr int kDefaultRetryAfterSeconds = 1;

// `body` serialized with Content-Type: application/json. Invalid UTF-8 in strings is
// replaced rather than thrown on, so a handler echoing client bytes cannot fail here.
Response JsonResponse(const nlohmann::json& body, int status = 200);

// Opaque bytes (e.g. an Invoke payload, which is not necessarily JSON).
Response BytesResponse(std::string body, std::string_view content_type = "application/octet-stream",
                       int status = 200);

// A response without a body (e.g. 202 Accepted, 204 No Content).
Response EmptyResponse(int status);

// The restJson1 error Lambda sends: status HttpStatus(code), X-Amzn-ErrorType: <code>,
// Content-Type: application/json, body ApiError::Body(). A TooManyRequestsException also
// carries Retry-After. X-Amzn-RequestId is added by StampRequestId (the server does it).
Response ErrorResponse(const protocol::ApiError& error,
                       int retry_after_seconds = kDefaultRetryAfterSeconds);

// Sets X-Amzn-RequestId to `request_id` unless the response already carries one, so that
// every response (success or error, from a handler or the server itself) has one.
void StampRequestId(Response& response, std::string_view request_id);

}  // namespace durafn::api
