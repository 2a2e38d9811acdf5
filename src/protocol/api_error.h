// Lambda's error types and how they go on the wire (restJson1): the HTTP status, the
// X-Amzn-ErrorType header and a JSON body that every AWS SDK can read the code from.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/enums.h"

namespace durafn::protocol {

enum class ErrorCode {
  kInvalidParameterValue,
  kInvalidRequestContent,
  kCallbackTimeout,
  kResourceNotFound,
  kDurableExecutionAlreadyStarted,
  kResourceConflict,
  kRequestTooLarge,
  kUnsupportedMediaType,
  kTooManyRequests,
  kService,
  kNoPublishedVersion,
  kResourceNotReady,
  kInvalidRuntime,
  kUnknownOperation,
};

template <>
struct EnumInfo<ErrorCode> {
  static constexpr std::string_view kName = "ErrorCode";
  static constexpr auto kWire = std::to_array<std::string_view>(
      {"InvalidParameterValueException", "InvalidRequestContentException",
       "CallbackTimeoutException", "ResourceNotFoundException",
       "DurableExecutionAlreadyStartedException", "ResourceConflictException",
       "RequestTooLargeException", "UnsupportedMediaTypeException", "TooManyRequestsException",
       "ServiceException", "NoPublishedVersionException", "ResourceNotReadyException",
       "InvalidRuntimeException", "UnknownOperationException"});
};

// The HTTP status Lambda answers with for `code`.
int HttpStatus(ErrorCode code);

// An error as the API returns it.
struct ApiError {
  ErrorCode code = ErrorCode::kService;
  std::string message;

  // {"__type": code, "Type": "User"|"Service", "message": m, "Message": m}. Both casings of
  // the message member are written because the model uses either, per error type.
  nlohmann::json Body() const;
  bool operator==(const ApiError&) const = default;
};

}  // namespace durafn::protocol
