// The function registry: functions, their immutable published versions and aliases, with
// Lambda's rules and error messages. The registry is the source of truth for what a name,
// ARN, version or alias means; it persists every change before reporting success.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api_result.h"
#include "hosting/function_config.h"
#include "protocol/result.h"
#include "store/group_commit.h"

namespace durafn::hosting {

using engine::ApiResult;

// The fields UpdateFunctionConfiguration may change; absent members stay as they are.
struct FunctionConfigPatch {
  std::optional<std::string> runtime, handler, role, description;
  std::optional<int64_t> timeout_seconds, memory_size_mb;
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<protocol::DurableConfig> durable_config;
  // PutFunctionConcurrency (a value) / DeleteFunctionConcurrency (nullopt inside).
  std::optional<std::optional<int64_t>> reserved_concurrency;
};

// What an Invoke (or a chained invoke) of a function identifier resolves to.
struct ResolvedFunction {
  FunctionConfig config;         // of the version that runs
  std::string executed_version;  // "$LATEST" or a number; never an alias
  std::optional<std::string> alias;
  bool qualified = false;    // a qualifier was given (in the name or separately)
  std::string function_arn;  // qualified by the version that runs
};

// Limits from Lambda's API model.
inline constexpr int64_t kMinTimeoutSeconds = 1, kMaxTimeoutSeconds = 900;
inline constexpr int64_t kMinMemoryMb = 128, kMaxMemoryMb = 10'240;
inline constexpr int64_t kMaxRetentionDays = 90, kDefaultRetentionDays = 14;
inline constexpr int64_t kMaxExecutionTimeoutSeconds = 31'622'400;
inline constexpr std::size_t kMaxDescriptionLength = 256;

class FunctionRegistry {
 public:
  struct Options {
    Identity identity;
    // Runtimes functions may be created with; others get InvalidParameterValueException.
    std::set<std::string> runtimes = {"provided", "provided.al2", "provided.al2023",
                                      "nodejs20.x", "nodejs22.x"};
  };

  // Opens (creating if needed) the registry database at `path` and loads it.
  static Result<std::unique_ptr<FunctionRegistry>> Open(const std::string& path, Options options);
  ~FunctionRegistry();

  // CreateFunction: `config.version` is ignored ($LATEST); DurableConfig defaults applied
  // (retention 14 days, execution timeout the maximum). ResourceConflict if it exists.
  ApiResult<FunctionConfig> Create(FunctionConfig config, protocol::Timestamp now);
  // GetFunction / GetFunctionConfiguration: `qualifier` a version or alias.
  ApiResult<FunctionConfig> Get(std::string_view function,
                                std::optional<std::string_view> qualifier) const;
  // $LATEST of every function, by name.
  std::vector<FunctionConfig> List() const;
  ApiResult<FunctionConfig> UpdateConfiguration(std::string_view function,
                                                const FunctionConfigPatch& patch,
                                                protocol::Timestamp now);
  // UpdateFunctionCode of $LATEST.
  ApiResult<FunctionConfig> UpdateCode(std::string_view function, std::string code_sha256,
                                       int64_t code_size, std::string code_location,
                                       protocol::Timestamp now);
  // DeleteFunction: the whole function, or one published version (not one an alias uses).
  ApiResult<bool> Delete(std::string_view function, std::optional<std::string_view> qualifier);
  // PublishVersion: freezes $LATEST as the next number; returns the newest version instead
  // when nothing changed since it was published (as Lambda does).
  ApiResult<FunctionConfig> PublishVersion(std::string_view function, std::string description,
                                           protocol::Timestamp now);
  // $LATEST then the published versions in order.
  ApiResult<std::vector<FunctionConfig>> ListVersions(std::string_view function) const;

  ApiResult<AliasConfig> CreateAlias(std::string_view function, std::string alias,
                                     std::string version, std::string description);
  ApiResult<AliasConfig> UpdateAlias(std::string_view function, std::string_view alias,
                                     std::optional<std::string> version,
                                     std::optional<std::string> description);
  ApiResult<AliasConfig> GetAlias(std::string_view function, std::string_view alias) const;
  ApiResult<std::vector<AliasConfig>> ListAliases(std::string_view function) const;
  ApiResult<bool> DeleteAlias(std::string_view function, std::string_view alias);

  // Resolves an Invoke FunctionName (name, name:qualifier, partial or full ARN) and the
  // optional separate Qualifier to the version that runs.
  ApiResult<ResolvedFunction> Resolve(std::string_view function_name,
                                      std::optional<std::string_view> qualifier) const;

  const Identity& identity() const { return options_.identity; }

 private:
  struct Entry {
    FunctionConfig latest;
    std::map<int64_t, FunctionConfig> versions;  // published, immutable
    std::map<std::string, AliasConfig> aliases;
    int64_t next_version = 1;
  };
  FunctionRegistry(std::unique_ptr<store::GroupCommitWriter> writer, Options options);

  // Resolves a FunctionName that may be a name or ARN (no qualifier allowed) to its name.
  ApiResult<std::string> NameOf(std::string_view function) const;
  ApiResult<FunctionConfig> VersionOf(const Entry& e, std::string_view qualifier) const;
  engine::ApiResult<bool> Persist(const std::string& name, const Entry* entry);
  protocol::ApiError NotFound(std::string_view name,
                              std::optional<std::string_view> qualifier = std::nullopt) const;
  std::string NewRevisionId();

  const Options options_;
  std::unique_ptr<store::GroupCommitWriter> writer_;
  std::mutex write_mu_;                // one change at a time, held across its commit
  mutable std::shared_mutex read_mu_;  // guards functions_
  std::map<std::string, Entry, std::less<>> functions_;
  uint64_t revision_counter_ = 0;
};

}  // namespace durafn::hosting
