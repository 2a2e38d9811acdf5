// OperationUpdate: one change an SDK asks for in CheckpointDurableExecution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/enums.h"
#include "protocol/error_object.h"

namespace durafn::protocol {

struct ContextOptions {
  std::optional<bool> replay_children;
  bool operator==(const ContextOptions&) const = default;
};

struct StepOptions {
  std::optional<int64_t> next_attempt_delay_seconds;
  bool operator==(const StepOptions&) const = default;
};

struct WaitOptions {
  std::optional<int64_t> wait_seconds;
  bool operator==(const WaitOptions&) const = default;
};

struct CallbackOptions {
  std::optional<int64_t> timeout_seconds;            // 0 or absent: no timeout
  std::optional<int64_t> heartbeat_timeout_seconds;  // 0 or absent: no heartbeat timeout
  bool operator==(const CallbackOptions&) const = default;
};

struct ChainedInvokeOptions {
  std::string function_name;  // required
  std::optional<std::string> tenant_id;
  std::optional<std::string> x_amzn_trace_id;
  bool operator==(const ChainedInvokeOptions&) const = default;
};

struct OperationUpdate {
  std::string id;
  std::optional<std::string> parent_id;
  std::optional<std::string> name;
  OperationType type = OperationType::kStep;
  std::optional<std::string> sub_type;
  OperationAction action = OperationAction::kStart;
  std::optional<std::string> payload;
  std::optional<ErrorObject> error;
  std::optional<ContextOptions> context_options;
  std::optional<StepOptions> step_options;
  std::optional<WaitOptions> wait_options;
  std::optional<CallbackOptions> callback_options;
  std::optional<ChainedInvokeOptions> chained_invoke_options;

  bool operator==(const OperationUpdate&) const = default;
};

}  // namespace durafn::protocol
