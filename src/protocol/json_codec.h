// JSON encoding and strict decoding of every protocol shape.
//
// Decoding is strict where it matters for safety and clear errors: a member of the wrong
// JSON type, a missing required member, or an unknown enum value is an error whose message
// starts with the member's path, e.g. "Updates[3].WaitOptions.WaitSeconds: expected integer,
// got string". Members the model does not define are ignored, as AWS's own clients do, so
// newer peers stay compatible. JSON null is read as "absent".
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/api_shapes.h"
#include "protocol/result.h"
#include "protocol/timestamp.h"

namespace durafn::protocol {

// Decodes `json` as a T; timestamps given as numbers are read in the unit of `format`
// (ISO-8601 strings are accepted in every format). Defined for every shape in
// api_shapes.h, envelope.h, event.h, operation.h, operation_update.h and error_object.h.
template <class T>
Result<T> Decode(const nlohmann::json& json, TimeFormat format = TimeFormat::kEpochSeconds);

// Encodes `value` as JSON; absent optional members are omitted, never written as null.
template <class T>
nlohmann::json Encode(const T& value, TimeFormat format = TimeFormat::kEpochSeconds);

// Parses JSON text. The error message names the byte offset of the first problem.
Result<nlohmann::json> ParseJson(std::string_view text);

// ParseJson followed by Decode<T>.
template <class T>
Result<T> DecodeText(std::string_view text, TimeFormat format = TimeFormat::kEpochSeconds) {
  auto json = ParseJson(text);
  if (!json.ok()) return json.status();
  return Decode<T>(*json, format);
}

}  // namespace durafn::protocol
