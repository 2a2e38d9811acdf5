// Operation: the service's record of one durable operation, as it appears in the invocation
// envelope, in GetDurableExecutionState pages and in checkpoint responses.
#pragma once

#include <optional>
#include <string>

#include "protocol/enums.h"
#include "protocol/error_object.h"
#include "protocol/timestamp.h"

namespace durafn::protocol {

struct ExecutionDetails {
  std::optional<std::string> input_payload;  // the execution input, JSON text
  bool operator==(const ExecutionDetails&) const = default;
};

struct ContextDetails {
  std::optional<bool> replay_children;
  std::optional<std::string> result;
  std::optional<ErrorObject> error;
  bool operator==(const ContextDetails&) const = default;
};

struct StepDetails {
  std::optional<int64_t> attempt;  // finished attempts; the running one is attempt + 1
  std::optional<Timestamp> next_attempt_timestamp;
  std::optional<std::string> result;
  std::optional<ErrorObject> error;
  bool operator==(const StepDetails&) const = default;
};

struct WaitDetails {
  std::optional<Timestamp> scheduled_end_timestamp;
  bool operator==(const WaitDetails&) const = default;
};

struct CallbackDetails {
  std::optional<std::string> callback_id;
  std::optional<std::string> result;
  std::optional<ErrorObject> error;
  bool operator==(const CallbackDetails&) const = default;
};

struct ChainedInvokeDetails {
  std::optional<std::string> result;
  std::optional<ErrorObject> error;
  bool operator==(const ChainedInvokeDetails&) const = default;
};

// Only the details member that matches `type` is normally present.
struct Operation {
  std::string id;
  std::optional<std::string> parent_id;
  std::optional<std::string> name;
  OperationType type = OperationType::kStep;
  std::optional<std::string> sub_type;
  Timestamp start_timestamp;
  std::optional<Timestamp> end_timestamp;
  OperationStatus status = OperationStatus::kStarted;
  std::optional<ExecutionDetails> execution_details;
  std::optional<ContextDetails> context_details;
  std::optional<StepDetails> step_details;
  std::optional<WaitDetails> wait_details;
  std::optional<CallbackDetails> callback_details;
  std::optional<ChainedInvokeDetails> chained_invoke_details;

  bool operator==(const Operation&) const = default;
};

}  // namespace durafn::protocol
