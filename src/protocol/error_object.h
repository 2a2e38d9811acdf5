// ErrorObject: how the protocol carries every error (step failures, handler errors, stops).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace durafn::protocol {

// All members optional, as in the API model. SDKs put the error class name in error_type.
struct ErrorObject {
  std::optional<std::string> error_type;
  std::optional<std::string> error_message;
  std::optional<std::string> error_data;
  std::optional<std::vector<std::string>> stack_trace;

  bool operator==(const ErrorObject&) const = default;
};

}  // namespace durafn::protocol
