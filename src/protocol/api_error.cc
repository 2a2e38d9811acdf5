#include "protocol/api_error.h"

namespace durafn::protocol {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidParameterValue:
    case ErrorCode::kInvalidRequestContent:
    case ErrorCode::kCallbackTimeout:
    case ErrorCode::kNoPublishedVersion:
    case ErrorCode::kInvalidRuntime:
      return 400;
    case ErrorCode::kResourceNotFound:
    case ErrorCode::kUnknownOperation:
      return 404;
    case ErrorCode::kDurableExecutionAlreadyStarted:
    case ErrorCode::kResourceConflict:
      return 409;
    case ErrorCode::kRequestTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kResourceNotReady:
    case ErrorCode::kService:
      return 500;
  }
  return 500;
}

nlohmann::json ApiError::Body() const {
  bool service_side = code == ErrorCode::kService || code == ErrorCode::kResourceNotReady;
  return {{"__type", std::string(ToString(code))},
          {"Type", service_side ? "Service" : "User"},
          {"message", message},
          {"Message", message}};
}

}  // namespace durafn::protocol
