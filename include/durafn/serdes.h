// Serdes: how a durable operation's value becomes the checkpointed Payload and back.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace durafn {

struct Serdes {
  // Value -> Payload text; nullopt sends no Payload.
  std::function<std::optional<std::string>(const nlohmann::json&)> serialize;
  // Payload text (nullopt when none was stored) -> value.
  std::function<nlohmann::json(const std::optional<std::string>&)> deserialize;
};

// The default: JSON text both ways; a discarded json value sends no Payload, and a missing
// Payload reads back as null.
const Serdes& json_serdes();

// Raw text both ways: the value must be a JSON string, whose characters are the Payload
// (the default for callback results, as in AWS's SDKs).
const Serdes& passthrough_serdes();

}  // namespace durafn
