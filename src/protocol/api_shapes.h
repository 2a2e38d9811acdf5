// Request and response shapes of the durable-execution REST API (Lambda 2025-12-01 paths).
// Members bound to the URI or query string are kept here too, so one struct describes a
// whole call; the codecs read and write every member as a JSON body member.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/enums.h"
#include "protocol/envelope.h"
#include "protocol/error_object.h"
#include "protocol/event.h"
#include "protocol/operation.h"
#include "protocol/operation_update.h"
#include "protocol/timestamp.h"

namespace durafn::protocol {

struct DurableConfig {
  std::optional<std::string> kms_key_arn;
  std::optional<int64_t> retention_period_in_days;  // 1-90
  std::optional<int64_t> execution_timeout;         // seconds, 1-31,622,400
  bool operator==(const DurableConfig&) const = default;
};

struct TraceHeader {
  std::optional<std::string> x_amzn_trace_id;
  bool operator==(const TraceHeader&) const = default;
};

struct CheckpointDurableExecutionRequest {
  std::optional<std::string> durable_execution_arn;  // URI label on the wire
  std::string checkpoint_token;
  std::optional<std::vector<OperationUpdate>> updates;
  std::optional<std::string> client_token;
  bool operator==(const CheckpointDurableExecutionRequest&) const = default;
};

// Unlike the envelope's state, Operations may be absent here.
struct CheckpointUpdatedExecutionState {
  std::optional<std::vector<Operation>> operations;
  std::optional<std::string> next_marker;
  bool operator==(const CheckpointUpdatedExecutionState&) const = default;
};

struct CheckpointDurableExecutionResponse {
  std::optional<std::string> checkpoint_token;  // absent once the execution closed
  CheckpointUpdatedExecutionState new_execution_state;
  bool operator==(const CheckpointDurableExecutionResponse&) const = default;
};

struct GetDurableExecutionStateRequest {
  std::optional<std::string> durable_execution_arn;  // URI label
  std::string checkpoint_token;                      // query
  std::optional<std::string> marker;                 // query
  std::optional<int64_t> max_items;                  // query, 0-1000
  bool operator==(const GetDurableExecutionStateRequest&) const = default;
};

struct GetDurableExecutionStateResponse {
  std::vector<Operation> operations;
  std::optional<std::string> next_marker;
  bool operator==(const GetDurableExecutionStateResponse&) const = default;
};

struct GetDurableExecutionResponse {
  std::string durable_execution_arn;
  std::string durable_execution_name;
  std::string function_arn;
  std::optional<std::string> input_payload;
  std::optional<std::string> result;
  std::optional<ErrorObject> error;
  Timestamp start_timestamp;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::optional<Timestamp> end_timestamp;
  std::optional<std::string> version;
  std::optional<TraceHeader> trace_header;
  std::optional<bool> execution_data_included;
  std::optional<DurableConfig> durable_config;
  bool operator==(const GetDurableExecutionResponse&) const = default;
};

struct GetDurableExecutionHistoryResponse {
  std::vector<Event> events;
  std::optional<std::string> next_marker;
  bool operator==(const GetDurableExecutionHistoryResponse&) const = default;
};

// One row of ListDurableExecutionsByFunction.
struct ExecutionSummary {
  std::string durable_execution_arn;
  std::string durable_execution_name;
  std::string function_arn;
  ExecutionStatus status = ExecutionStatus::kRunning;
  Timestamp start_timestamp;
  std::optional<Timestamp> end_timestamp;
  std::optional<std::string> kms_key_arn;
  bool operator==(const ExecutionSummary&) const = default;
};

struct ListDurableExecutionsByFunctionResponse {
  std::optional<std::vector<ExecutionSummary>> durable_executions;
  std::optional<std::string> next_marker;
  bool operator==(const ListDurableExecutionsByFunctionResponse&) const = default;
};

struct StopDurableExecutionResponse {
  Timestamp stop_timestamp;
  bool operator==(const StopDurableExecutionResponse&) const = default;
};

}  // namespace durafn::protocol
