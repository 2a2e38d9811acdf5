// The stored form of the engine's per-execution state: JSON for ExecutionRecord and
// OperationEntry, and the stored spellings of the engine enums the schema keeps in columns.
//
// Encoding then decoding gives back an equal value (every field, exactly). Protocol types
// inside are written by protocol::Encode with epoch-millisecond timestamps, so no precision
// is lost; the engine's own fields use snake_case keys and integer milliseconds. Decoding is
// strict: a missing member or one of the wrong type is an error naming its path, because a
// state read back wrong would be acted on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/effects.h"
#include "engine/execution.h"
#include "engine/operation_table.h"
#include "protocol/result.h"

namespace durafn::store {

struct RecordEncoding {
  // False leaves out input_payload: the store keeps the (immutable, possibly 6 MiB) input in
  // a column of its own instead of rewriting it with every record update.
  bool include_input = true;
};

// ExecutionRecord <-> JSON.
nlohmann::json EncodeRecord(const engine::ExecutionRecord& record, RecordEncoding encoding = {});
Result<engine::ExecutionRecord> DecodeRecord(const nlohmann::json& json);

// OperationEntry <-> JSON.
nlohmann::json EncodeOperationEntry(const engine::OperationEntry& entry);
Result<engine::OperationEntry> DecodeOperationEntry(const nlohmann::json& json);

// protocol::Event <-> JSON as stored (protocol::Encode with epoch milliseconds).
nlohmann::json EncodeStoredEvent(const protocol::Event& event);
Result<protocol::Event> DecodeStoredEvent(const nlohmann::json& json);

// Compact JSON text. Fails (InvalidArgument) if a string is not valid UTF-8: JSON cannot
// carry it, and replacing bytes would break the exact round trip.
Result<std::string> DumpJson(const nlohmann::json& json);
// ParseJson followed by a decoder above, e.g. ParseStored(text, DecodeRecord).
template <class Decoder>
auto ParseStored(std::string_view text, Decoder decode) -> decltype(decode(nlohmann::json())) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument("stored JSON is malformed");
  return decode(json);
}

// Stored names: "WaitEnd", "StepRetry", "CallbackTimeout", "CallbackHeartbeat",
// "ExecutionTimeout", "InvocationRetry".
std::string_view TimerKindName(engine::TimerKind kind);
std::optional<engine::TimerKind> ParseTimerKind(std::string_view name);

// Stored names: "Idle", "Queued", "Running", "RetryBackoff".
std::string_view InvocationPhaseName(engine::InvocationPhase phase);
std::optional<engine::InvocationPhase> ParseInvocationPhase(std::string_view name);

}  // namespace durafn::store
