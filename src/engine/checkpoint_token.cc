#include "engine/checkpoint_token.h"

#include <cassert>
#include <charconv>

#include "engine/limits.h"
#include "engine/opaque_id.h"

namespace durafn::engine {
namespace {

// Versions the layout, so a future format can coexist with tokens already handed out.
constexpr std::string_view kTag = "ct1";

}  // namespace

std::string FormatCheckpointToken(const CheckpointTokenParts& parts) {
  assert(!parts.execution_id.empty() && parts.execution_id.size() <= kMaxOperationIdLength);
  assert(!parts.request_id.empty() && parts.request_id.size() <= kMaxRequestIdLength);
  assert(parts.sequence >= 0);
  std::string seq = std::to_string(parts.sequence);
  std::string token = Base64Encode(PackFields({kTag, parts.execution_id, parts.request_id, seq}));
  assert(token.size() <= kMaxCheckpointTokenLength);
  return token;
}

std::optional<CheckpointTokenParts> ParseCheckpointToken(std::string_view token) {
  if (token.size() > kMaxCheckpointTokenLength) return std::nullopt;
  auto packed = Base64Decode(token);
  if (!packed) return std::nullopt;
  auto fields = UnpackFields(*packed, 4);
  if (!fields || (*fields)[0] != kTag) return std::nullopt;
  CheckpointTokenParts parts{(*fields)[1], (*fields)[2], 0};
  const std::string& seq = (*fields)[3];
  if (parts.execution_id.empty() || parts.request_id.empty() || seq.empty()) return std::nullopt;
  if (seq.size() > 1 && seq[0] == '0') return std::nullopt;
  auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), parts.sequence);
  if (ec != std::errc() || end != seq.data() + seq.size() || parts.sequence < 0) {
    return std::nullopt;
  }
  return parts;
}

}  // namespace durafn::engine
