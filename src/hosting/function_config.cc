#include "hosting/function_config.h"

#include "protocol/arn.h"
#include "protocol/json_codec.h"

namespace durafn::hosting {

using nlohmann::json;

std::string FunctionArn(const Identity& identity, std::string_view name,
                        std::optional<std::string_view> qualifier) {
  return protocol::FormatFunctionArn(identity.partition, identity.region, identity.account, name,
                                     qualifier);
}

std::string LambdaTimestamp(protocol::Timestamp t) {
  std::string iso = protocol::FormatIso8601(t);  // ...T..:..:..mmmZ
  iso.pop_back();
  return iso + "+0000";
}

json ToStorageJson(const FunctionConfig& c) {
  json j = {{"name", c.name},
            {"version", c.version},
            {"runtime", c.runtime},
            {"handler", c.handler},
            {"role", c.role},
            {"description", c.description},
            {"timeout", c.timeout_seconds},
            {"memory", c.memory_size_mb},
            {"environment", c.environment},
            {"code_sha256", c.code_sha256},
            {"code_size", c.code_size},
            {"code_location", c.code_location},
            {"last_modified_ms", c.last_modified.ms},
            {"revision_id", c.revision_id}};
  if (c.durable_config) j["durable_config"] = protocol::Encode(*c.durable_config);
  if (c.reserved_concurrency) j["reserved_concurrency"] = *c.reserved_concurrency;
  return j;
}

FunctionConfig FunctionConfigFromStorageJson(const json& j) {
  FunctionConfig c;
  c.name = j.at("name");
  c.version = j.at("version");
  c.runtime = j.at("runtime");
  c.handler = j.at("handler");
  c.role = j.at("role");
  c.description = j.at("description");
  c.timeout_seconds = j.at("timeout");
  c.memory_size_mb = j.at("memory");
  c.environment = j.at("environment").get<std::map<std::string, std::string>>();
  c.code_sha256 = j.at("code_sha256");
  c.code_size = j.at("code_size");
  c.code_location = j.at("code_location");
  c.last_modified = protocol::Timestamp{j.at("last_modified_ms").get<int64_t>()};
  c.revision_id = j.at("revision_id");
  if (j.contains("durable_config")) {
    c.durable_config = protocol::Decode<protocol::DurableConfig>(j["durable_config"]).value();
  }
  if (j.contains("reserved_concurrency")) c.reserved_concurrency = j["reserved_concurrency"];
  return c;
}

json ToLambdaJson(const FunctionConfig& c, const Identity& identity) {
  json j = {{"FunctionName", c.name},
            {"FunctionArn", FunctionArn(identity, c.name, c.version)},
            {"Runtime", c.runtime},
            {"Role", c.role},
            {"Handler", c.handler},
            {"CodeSize", c.code_size},
            {"Description", c.description},
            {"Timeout", c.timeout_seconds},
            {"MemorySize", c.memory_size_mb},
            {"LastModified", LambdaTimestamp(c.last_modified)},
            {"CodeSha256", c.code_sha256},
            {"Version", c.version},
            {"RevisionId", c.revision_id},
            {"State", "Active"},
            {"LastUpdateStatus", "Successful"},
            {"PackageType", "Zip"},
            {"Architectures", json::array({"x86_64"})}};
  if (!c.environment.empty()) j["Environment"] = {{"Variables", c.environment}};
  if (c.durable_config) j["DurableConfig"] = protocol::Encode(*c.durable_config);
  return j;
}

json ToLambdaJson(const AliasConfig& a, const Identity& identity) {
  return {{"AliasArn", FunctionArn(identity, a.function_name, a.name)},
          {"Name", a.name},
          {"FunctionVersion", a.function_version},
          {"Description", a.description},
          {"RevisionId", a.revision_id}};
}

}  // namespace durafn::hosting
