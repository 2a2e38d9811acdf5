// Internal to the engine: the checkpoint-token rules of §5.1 (rules 2, 4-7).
#pragma once

#include <optional>
#include <string_view>

#include "engine/execution.h"
#include "protocol/api_error.h"

namespace durafn::engine {

// The error for `token` unless it is the current token of the running invocation of this
// RUNNING execution. Every message starts "Invalid Checkpoint Token" (SDKs match on it to
// retry the invocation instead of failing the execution).
std::optional<protocol::ApiError> CheckToken(const ExecutionState& state, std::string_view token);

// The current token of the running invocation. Requires one.
std::string CurrentToken(const ExecutionState& state);

}  // namespace durafn::engine
