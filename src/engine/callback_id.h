// Callback ids (protocol.md §1.3, §4.5.4): opaque to clients, they let the server find the
// execution and the CALLBACK operation a completion call is for. The nonce makes an id
// unguessable from the (public) execution ARN and operation id.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace durafn::engine {

struct CallbackIdParts {
  std::string execution_arn;
  std::string operation_id;
  std::string nonce;  // supplied by the shell (random), 1..kMaxCallbackNonceLength bytes

  bool operator==(const CallbackIdParts&) const = default;
};

// The callback id for `parts`. Requires execution_arn ≤ kMaxExecutionArnLength,
// operation_id ≤ kMaxOperationIdLength and nonce ≤ kMaxCallbackNonceLength, all non-empty;
// the result is ≤ kMaxCallbackIdLength chars.
std::string FormatCallbackId(const CallbackIdParts& parts);

// Inverse of FormatCallbackId; nullopt for anything it could not have produced.
std::optional<CallbackIdParts> ParseCallbackId(std::string_view callback_id);

}  // namespace durafn::engine
