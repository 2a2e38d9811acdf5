// What the service hands a durable function (the envelope) and what the function returns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/enums.h"
#include "protocol/error_object.h"
#include "protocol/operation.h"

namespace durafn::protocol {

// A page of an execution's operation list: the envelope's InitialExecutionState, and
// the NewExecutionState of a checkpoint response.
struct ExecutionState {
  std::vector<Operation> operations;
  std::optional<std::string> next_marker;  // absent or "" on the last page
  bool operator==(const ExecutionState&) const = default;
};

// The event a durable function receives. Operations[0] is the EXECUTION operation, whose
// id equals the last segment of the execution ARN. Timestamps are epoch milliseconds.
struct InvocationEnvelope {
  std::string durable_execution_arn;
  std::string checkpoint_token;
  ExecutionState initial_execution_state;
  std::optional<std::vector<std::string>> updated_operation_ids;
  bool operator==(const InvocationEnvelope&) const = default;
};

// The value a durable handler returns to the Runtime API.
struct InvocationOutput {
  InvocationStatus status = InvocationStatus::kPending;
  std::optional<std::string> result;  // SUCCEEDED only: the JSON text of the return value
  std::optional<ErrorObject> error;   // FAILED only
  bool operator==(const InvocationOutput&) const = default;
};

}  // namespace durafn::protocol
