// Checkpoint tokens (protocol.md §5.1): opaque to clients, they name one execution, one
// invocation and a position in that execution's token sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace durafn::engine {

struct CheckpointTokenParts {
  std::string execution_id;  // last segment of the execution ARN
  std::string request_id;    // the invocation's request id
  int64_t sequence = 0;      // ExecutionRecord::token_sequence when the token was issued

  bool operator==(const CheckpointTokenParts&) const = default;
};

// The token for `parts`. Requires execution_id ≤ kMaxOperationIdLength, request_id ≤
// kMaxRequestIdLength and sequence ≥ 0; the result is ≤ kMaxCheckpointTokenLength chars.
std::string FormatCheckpointToken(const CheckpointTokenParts& parts);

// Inverse of FormatCheckpointToken; nullopt for anything it could not have produced.
std::optional<CheckpointTokenParts> ParseCheckpointToken(std::string_view token);

}  // namespace durafn::engine
