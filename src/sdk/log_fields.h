// What a Logger stamps on its records (the definition behind durafn::LogFields).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "durafn/logger.h"
#include "sdk/execution_state.h"

namespace durafn {

struct LogFields {
  std::shared_ptr<sdk::ExecutionState> state;  // null outside a durable invocation
  std::optional<std::string> operation_id;
  std::optional<std::string> operation_name;
  std::optional<int> attempt;
  // Context loggers are silent while replaying; step loggers log on every real attempt.
  bool replay_aware = true;
};

}  // namespace durafn
