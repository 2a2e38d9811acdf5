// A function version's configuration, as the registry keeps it and as Lambda reports it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/api_shapes.h"
#include "protocol/timestamp.h"

namespace durafn::hosting {

// Where this server claims to be: the parts every ARN it mints carries.
struct Identity {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "123456789012";
};

inline constexpr std::string_view kLatestVersion = "$LATEST";

struct FunctionConfig {
  std::string name;
  std::string version{kLatestVersion};  // "$LATEST" or a published number
  std::string runtime;                  // e.g. provided.al2023, nodejs22.x
  std::string handler;
  std::string role;
  std::string description;
  int64_t timeout_seconds = 3;   // 1..900, per invocation
  int64_t memory_size_mb = 128;  // 128..10240
  std::map<std::string, std::string> environment;
  // Present iff the function is durable; only settable when the function is created.
  std::optional<protocol::DurableConfig> durable_config;
  std::optional<int64_t> reserved_concurrency;
  std::string code_sha256;  // base64 of the SHA-256 of the code package, as Lambda reports
  int64_t code_size = 0;
  std::string code_location;  // content-addressed folder under the data dir
  protocol::Timestamp last_modified;
  std::string revision_id;

  bool durable() const { return durable_config.has_value(); }
  bool operator==(const FunctionConfig&) const = default;
};

struct AliasConfig {
  std::string function_name;
  std::string name;
  std::string function_version;
  std::string description;
  std::string revision_id;
  bool operator==(const AliasConfig&) const = default;
};

// The registry's own lossless encoding (persistence).
nlohmann::json ToStorageJson(const FunctionConfig& config);
FunctionConfig FunctionConfigFromStorageJson(const nlohmann::json& json);

// Lambda's FunctionConfiguration shape (GetFunctionConfiguration, CreateFunction, ...).
nlohmann::json ToLambdaJson(const FunctionConfig& config, const Identity& identity);
// Lambda's AliasConfiguration shape.
nlohmann::json ToLambdaJson(const AliasConfig& alias, const Identity& identity);

// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
std::string FunctionArn(const Identity& identity, std::string_view name,
                        std::optional<std::string_view> qualifier = std::nullopt);

// Lambda's LastModified format: "2026-11-28T02:00:34.312+0000".
std::string LambdaTimestamp(protocol::Timestamp t);

}  // namespace durafn::hosting
