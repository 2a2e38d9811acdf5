#include "engine/callback_id.h"

#include <cassert>

#include "engine/limits.h"
#include "engine/opaque_id.h"

namespace durafn::engine {
namespace {

constexpr std::string_view kTag = "cb1";

}  // namespace

std::string FormatCallbackId(const CallbackIdParts& parts) {
  assert(!parts.execution_arn.empty() && parts.execution_arn.size() <= kMaxExecutionArnLength);
  assert(!parts.operation_id.empty() && parts.operation_id.size() <= kMaxOperationIdLength);
  assert(!parts.nonce.empty() && parts.nonce.size() <= kMaxCallbackNonceLength);
  std::string id =
      Base64Encode(PackFields({kTag, parts.execution_arn, parts.operation_id, parts.nonce}));
  assert(id.size() <= kMaxCallbackIdLength);
  return id;
}

std::optional<CallbackIdParts> ParseCallbackId(std::string_view callback_id) {
  if (callback_id.size() > kMaxCallbackIdLength) return std::nullopt;
  auto packed = Base64Decode(callback_id);
  if (!packed) return std::nullopt;
  auto fields = UnpackFields(*packed, 4);
  if (!fields || (*fields)[0] != kTag) return std::nullopt;
  CallbackIdParts parts{(*fields)[1], (*fields)[2], (*fields)[3]};
  if (parts.execution_arn.empty() || parts.operation_id.empty() || parts.nonce.empty()) {
    return std::nullopt;
  }
  return parts;
}

}  // namespace durafn::engine
