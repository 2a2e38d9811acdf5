// ApiResult<T>: a value or the Lambda API error an engine entry point rejects a call with.
//
// The engine's errors go straight back to API callers (and SDKs classify them by code and
// message prefix), so they carry a protocol::ApiError rather than a generic Status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "protocol/api_error.h"

namespace durafn::engine {

template <class T>
class ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  ApiResult(protocol::ApiError error)
      : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // Requires !ok().
  const protocol::ApiError& error() const {
    assert(!ok());
    return std::get<protocol::ApiError>(v_);
  }
  // Requires ok().
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, protocol::ApiError> v_;
};

// An InvalidParameterValueException (HTTP 400) with `message`.
inline protocol::ApiError InvalidParameter(std::string message) {
  return {protocol::ErrorCode::kInvalidParameterValue, std::move(message)};
}

}  // namespace durafn::engine
