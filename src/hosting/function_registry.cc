#include "hosting/function_registry.h"

#include <random>

#include "protocol/arn.h"

namespace durafn::hosting {
namespace {

using nlohmann::json;
using protocol::ApiError;
using protocol::ErrorCode;

ApiError Invalid(std::string message) {
  return {ErrorCode::kInvalidParameterValue, std::move(message)};
}

ApiError Conflict(std::string message) {
  return {ErrorCode::kResourceConflict, std::move(message)};
}

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS functions (name TEXT PRIMARY KEY, entry TEXT NOT NULL)";

// Environment variables Lambda sets itself and refuses to let a function override.
const std::set<std::string, std::less<>> kReservedEnvironmentKeys = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR"};

std::optional<ApiError> ValidateDurableConfig(const protocol::DurableConfig& d) {
  if (d.retention_period_in_days &&
      (*d.retention_period_in_days < 1 || *d.retention_period_in_days > kMaxRetentionDays)) {
    return Invalid("DurableConfig.RetentionPeriodInDays must be between 1 and 90, got " +
                   std::to_string(*d.retention_period_in_days));
  }
  if (d.execution_timeout &&
      (*d.execution_timeout < 1 || *d.execution_timeout > kMaxExecutionTimeoutSeconds)) {
    return Invalid("DurableConfig.ExecutionTimeout must be between 1 and 31622400 seconds, got " +
                   std::to_string(*d.execution_timeout));
  }
  return std::nullopt;
}

std::optional<ApiError> ValidateConfig(const FunctionConfig& c,
                                       const std::set<std::string>& runtimes) {
  if (auto s = protocol::ValidateFunctionName(c.name); !s.ok()) return Invalid(s.message());
  if (!runtimes.count(c.runtime)) {
    std::string list;
    for (const auto& r : runtimes)
      list += (list.empty() ? "" : ", ") + r;
    return Invalid("Value '" + c.runtime + "' at 'runtime' failed to satisfy constraint: " +
                   "this server runs these runtimes: " + list);
  }
  if (c.handler.empty() || c.handler.size() > 128) {
    return Invalid("Handler must be 1 to 128 characters");
  }
  if (c.timeout_seconds < kMinTimeoutSeconds || c.timeout_seconds > kMaxTimeoutSeconds) {
    return Invalid("Timeout must be between 1 and 900 seconds, got " +
                   std::to_string(c.timeout_seconds));
  }
  if (c.memory_size_mb < kMinMemoryMb || c.memory_size_mb > kMaxMemoryMb) {
    return Invalid("MemorySize must be between 128 and 10240 MB, got " +
                   std::to_string(c.memory_size_mb));
  }
  if (c.description.size() > kMaxDescriptionLength) {
    return Invalid("Description must be at most 256 characters");
  }
  std::string reserved;
  for (const auto& [key, value] : c.environment) {
    bool ok = !key.empty() && std::isalpha(static_cast<unsigned char>(key[0]));
    for (char ch : key)
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    if (!ok) return Invalid("Environment variable name '" + key + "' is invalid");
    if (kReservedEnvironmentKeys.count(key)) reserved += (reserved.empty() ? "" : ", ") + key;
  }
  if (!reserved.empty()) {
    return Invalid(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: " +
        reserved);
  }
  if (c.durable_config) return ValidateDurableConfig(*c.durable_config);
  return std::nullopt;
}

// Everything that makes two versions the same code and configuration.
bool SameContent(const FunctionConfig& a, const FunctionConfig& b) {
  FunctionConfig x = a, y = b;
  for (auto* c : {&x, &y}) {
    c->version.clear();
    c->last_modified = {};
    c->revision_id.clear();
    c->description.clear();
  }
  return x == y;
}

json EntryToJson(const std::string& name, const auto& e) {
  json versions = json::array(), aliases = json::array();
  for (const auto& [n, v] : e.versions)
    versions.push_back(ToStorageJson(v));
  for (const auto& [n, a] : e.aliases) {
    aliases.push_back({{"name", a.name},
                       {"version", a.function_version},
                       {"description", a.description},
                       {"revision_id", a.revision_id}});
  }
  return {{"name", name},
          {"latest", ToStorageJson(e.latest)},
          {"versions", versions},
          {"aliases", aliases},
          {"next_version", e.next_version}};
}

}  // namespace

FunctionRegistry::FunctionRegistry(std::unique_ptr<store::GroupCommitWriter> writer,
                                   Options options)
    : options_(std::move(options)), writer_(std::move(writer)) {}

FunctionRegistry::~FunctionRegistry() = default;

Result<std::unique_ptr<FunctionRegistry>> FunctionRegistry::Open(const std::string& path,
                                                                 Options options) {
  auto db = store::Database::Open(path, {});
  if (!db.ok()) return db.status();
  if (auto s = db->Exec(kSchema); !s.ok()) return s;
  std::map<std::string, Entry, std::less<>> loaded;
  {
    auto st = db->Prepare("SELECT name, entry FROM functions");
    if (!st.ok()) return st.status();
    for (;;) {
      auto row = (*st)->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      json j = json::parse((*st)->ColumnText(1), nullptr, false);
      if (j.is_discarded()) return Status::Internal("corrupt registry row " + (*st)->ColumnText(0));
      Entry e;
      e.latest = FunctionConfigFromStorageJson(j.at("latest"));
      for (const auto& v : j.at("versions")) {
        auto c = FunctionConfigFromStorageJson(v);
        e.versions[std::stoll(c.version)] = c;
      }
      for (const auto& a : j.at("aliases")) {
        e.aliases[a.at("name")] = AliasConfig{e.latest.name, a.at("name"), a.at("version"),
                                              a.at("description"), a.at("revision_id")};
      }
      e.next_version = j.at("next_version");
      loaded.emplace(e.latest.name, std::move(e));
    }
  }
  auto writer = std::make_unique<store::GroupCommitWriter>(std::move(*db),
                                                           store::GroupCommitWriter::Options{});
  std::unique_ptr<FunctionRegistry> registry(
      new FunctionRegistry(std::move(writer), std::move(options)));
  registry->functions_ = std::move(loaded);
  return registry;
}

ApiError FunctionRegistry::NotFound(std::string_view name,
                                    std::optional<std::string_view> qualifier) const {
  return {ErrorCode::kResourceNotFound,
          "Function not found: " + FunctionArn(options_.identity, name, qualifier)};
}

std::string FunctionRegistry::NewRevisionId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  uint64_t a = rng(), b = rng();
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xfff,
                (static_cast<unsigned>(b >> 48) & 0x3fff) | 0x8000,
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

ApiResult<bool> FunctionRegistry::Persist(const std::string& name, const Entry* entry) {
  Status s = writer_->SubmitAndWait([&](store::Database& db) -> Status {
    if (!entry) {
      auto st = db.Prepare("DELETE FROM functions WHERE name = ?");
      if (!st.ok()) return st.status();
      return (*st)->Bind(1, std::string_view(name)).Run();
    }
    auto st = db.Prepare("INSERT OR REPLACE INTO functions (name, entry) VALUES (?, ?)");
    if (!st.ok()) return st.status();
    std::string text = EntryToJson(name, *entry).dump();
    return (*st)->Bind(1, std::string_view(name)).Bind(2, std::string_view(text)).Run();
  });
  if (s.code() == Status::Code::kResourceExhausted) {
    return ApiError{ErrorCode::kTooManyRequests, s.message()};
  }
  if (!s.ok()) return ApiError{ErrorCode::kService, "registry write failed: " + s.message()};
  return true;
}

ApiResult<std::string> FunctionRegistry::NameOf(std::string_view function) const {
  auto ref = protocol::ParseFunctionRef(function);
  if (!ref.ok()) return Invalid(ref.status().message());
  if (ref->qualifier) {
    return Invalid("FunctionName '" + std::string(function) +
                   "' must not carry a qualifier for this operation");
  }
  if (ref->account && *ref->account != options_.identity.account) return NotFound(ref->name);
  return ref->name;
}

ApiResult<FunctionConfig> FunctionRegistry::VersionOf(const Entry& e,
                                                      std::string_view qualifier) const {
  if (qualifier == kLatestVersion) return e.latest;
  if (auto s = protocol::ValidateQualifier(qualifier); !s.ok()) return Invalid(s.message());
  if (!qualifier.empty() && std::isdigit(static_cast<unsigned char>(qualifier[0]))) {
    auto it = e.versions.find(std::stoll(std::string(qualifier)));
    if (it == e.versions.end()) return NotFound(e.latest.name, qualifier);
    return it->second;
  }
  auto a = e.aliases.find(std::string(qualifier));
  if (a == e.aliases.end()) return NotFound(e.latest.name, qualifier);
  return VersionOf(e, a->second.function_version);
}

ApiResult<FunctionConfig> FunctionRegistry::Create(FunctionConfig config, protocol::Timestamp now) {
  config.version = std::string(kLatestVersion);
  if (config.durable_config) {
    if (!config.durable_config->retention_period_in_days) {
      config.durable_config->retention_period_in_days = kDefaultRetentionDays;
    }
    if (!config.durable_config->execution_timeout) {
      config.durable_config->execution_timeout = kMaxExecutionTimeoutSeconds;
    }
  }
  if (auto err = ValidateConfig(config, options_.runtimes)) return *err;
  std::lock_guard write(write_mu_);
  {
    std::shared_lock read(read_mu_);
    if (functions_.count(config.name)) {
      return Conflict("Function already exist: " + config.name);
    }
  }
  config.last_modified = now;
  config.revision_id = NewRevisionId();
  Entry e;
  e.latest = config;
  if (auto p = Persist(config.name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_.emplace(config.name, std::move(e));
  return config;
}

ApiResult<FunctionConfig> FunctionRegistry::Get(std::string_view function,
                                                std::optional<std::string_view> qualifier) const {
  auto ref = protocol::ParseFunctionRef(function);
  if (!ref.ok()) return Invalid(ref.status().message());
  std::optional<std::string_view> q = qualifier;
  if (ref->qualifier) {
    if (q && *q != *ref->qualifier) {
      return Invalid(
          "The derived qualifier from the function name does not match the "
          "specified qualifier.");
    }
    q = *ref->qualifier;
  }
  std::shared_lock lock(read_mu_);
  auto it = functions_.find(ref->name);
  if (it == functions_.end() || (ref->account && *ref->account != options_.identity.account)) {
    return NotFound(ref->name);
  }
  return q ? VersionOf(it->second, *q) : ApiResult<FunctionConfig>(it->second.latest);
}

std::vector<FunctionConfig> FunctionRegistry::List() const {
  std::shared_lock lock(read_mu_);
  std::vector<FunctionConfig> out;
  for (const auto& [name, e] : functions_)
    out.push_back(e.latest);
  return out;
}

ApiResult<FunctionConfig> FunctionRegistry::UpdateConfiguration(std::string_view function,
                                                                const FunctionConfigPatch& patch,
                                                                protocol::Timestamp now) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  FunctionConfig& c = e.latest;
  if (patch.runtime) c.runtime = *patch.runtime;
  if (patch.handler) c.handler = *patch.handler;
  if (patch.role) c.role = *patch.role;
  if (patch.description) c.description = *patch.description;
  if (patch.timeout_seconds) c.timeout_seconds = *patch.timeout_seconds;
  if (patch.memory_size_mb) c.memory_size_mb = *patch.memory_size_mb;
  if (patch.environment) c.environment = *patch.environment;
  if (patch.reserved_concurrency) {
    if (*patch.reserved_concurrency && **patch.reserved_concurrency < 0) {
      return Invalid("ReservedConcurrentExecutions must be at least 0");
    }
    c.reserved_concurrency = *patch.reserved_concurrency;
  }
  if (patch.durable_config) {
    // Durability is chosen when a function is created; later only its settings change.
    if (!c.durable_config) {
      return Invalid("DurableConfig can only be set when the function is created");
    }
    if (patch.durable_config->retention_period_in_days) {
      c.durable_config->retention_period_in_days = patch.durable_config->retention_period_in_days;
    }
    if (patch.durable_config->execution_timeout) {
      c.durable_config->execution_timeout = patch.durable_config->execution_timeout;
    }
    if (patch.durable_config->kms_key_arn) {
      c.durable_config->kms_key_arn = patch.durable_config->kms_key_arn;
    }
  }
  if (auto err = ValidateConfig(c, options_.runtimes)) return *err;
  c.last_modified = now;
  c.revision_id = NewRevisionId();
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return c;
}

ApiResult<FunctionConfig> FunctionRegistry::UpdateCode(std::string_view function,
                                                       std::string code_sha256, int64_t code_size,
                                                       std::string code_location,
                                                       protocol::Timestamp now) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  e.latest.code_sha256 = std::move(code_sha256);
  e.latest.code_size = code_size;
  e.latest.code_location = std::move(code_location);
  e.latest.last_modified = now;
  e.latest.revision_id = NewRevisionId();
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return e.latest;
}

ApiResult<bool> FunctionRegistry::Delete(std::string_view function,
                                         std::optional<std::string_view> qualifier) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  if (!qualifier) {
    if (auto p = Persist(*name, nullptr); !p.ok()) return p.error();
    std::unique_lock lock(read_mu_);
    functions_.erase(*name);
    return true;
  }
  if (*qualifier == kLatestVersion) {
    return Invalid("$LATEST version cannot be deleted without deleting the function.");
  }
  if (qualifier->empty() || !std::isdigit(static_cast<unsigned char>((*qualifier)[0]))) {
    return Invalid("Deletion of aliases is not supported by DeleteFunction; use DeleteAlias");
  }
  int64_t n = std::stoll(std::string(*qualifier));
  if (!e.versions.count(n)) return NotFound(*name, *qualifier);
  for (const auto& [alias, a] : e.aliases) {
    if (a.function_version == *qualifier) {
      return Conflict("Unable to delete version because the following aliases reference it: [" +
                      alias + "]");
    }
  }
  e.versions.erase(n);
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return true;
}

ApiResult<FunctionConfig> FunctionRegistry::PublishVersion(std::string_view function,
                                                           std::string description,
                                                           protocol::Timestamp now) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  if (!e.versions.empty() && SameContent(e.versions.rbegin()->second, e.latest)) {
    return e.versions.rbegin()->second;
  }
  FunctionConfig v = e.latest;
  v.version = std::to_string(e.next_version);
  if (!description.empty()) v.description = std::move(description);
  v.last_modified = now;
  v.revision_id = NewRevisionId();
  e.versions[e.next_version++] = v;
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return v;
}

ApiResult<std::vector<FunctionConfig>> FunctionRegistry::ListVersions(
    std::string_view function) const {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::shared_lock lock(read_mu_);
  auto it = functions_.find(*name);
  if (it == functions_.end()) return NotFound(*name);
  std::vector<FunctionConfig> out{it->second.latest};
  for (const auto& [n, v] : it->second.versions)
    out.push_back(v);
  return out;
}

ApiResult<AliasConfig> FunctionRegistry::CreateAlias(std::string_view function, std::string alias,
                                                     std::string version, std::string description) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  if (auto s = protocol::ValidateAliasName(alias); !s.ok()) return Invalid(s.message());
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  if (e.aliases.count(alias)) {
    return Conflict("Alias already exists: " + FunctionArn(options_.identity, *name, alias));
  }
  if (version != kLatestVersion) {
    bool digits = !version.empty() && version.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) return Invalid("FunctionVersion '" + version + "' is not a version number");
    if (!e.versions.count(std::stoll(version))) return NotFound(*name, version);
  }
  AliasConfig a{*name, alias, version, std::move(description), NewRevisionId()};
  e.aliases[alias] = a;
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return a;
}

ApiResult<AliasConfig> FunctionRegistry::UpdateAlias(std::string_view function,
                                                     std::string_view alias,
                                                     std::optional<std::string> version,
                                                     std::optional<std::string> description) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  auto a = e.aliases.find(std::string(alias));
  if (a == e.aliases.end()) {
    return ApiError{ErrorCode::kResourceNotFound,
                    "Alias not found: " + FunctionArn(options_.identity, *name, alias)};
  }
  if (version) {
    if (*version != kLatestVersion &&
        (version->empty() || version->find_first_not_of("0123456789") != std::string::npos ||
         !e.versions.count(std::stoll(*version)))) {
      return NotFound(*name, *version);
    }
    a->second.function_version = *version;
  }
  if (description) a->second.description = *description;
  a->second.revision_id = NewRevisionId();
  AliasConfig out = a->second;
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return out;
}

ApiResult<AliasConfig> FunctionRegistry::GetAlias(std::string_view function,
                                                  std::string_view alias) const {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::shared_lock lock(read_mu_);
  auto it = functions_.find(*name);
  if (it == functions_.end()) return NotFound(*name);
  auto a = it->second.aliases.find(std::string(alias));
  if (a == it->second.aliases.end()) {
    return ApiError{ErrorCode::kResourceNotFound,
                    "Alias not found: " + FunctionArn(options_.identity, *name, alias)};
  }
  return a->second;
}

ApiResult<std::vector<AliasConfig>> FunctionRegistry::ListAliases(std::string_view function) const {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::shared_lock lock(read_mu_);
  auto it = functions_.find(*name);
  if (it == functions_.end()) return NotFound(*name);
  std::vector<AliasConfig> out;
  for (const auto& [n, a] : it->second.aliases)
    out.push_back(a);
  return out;
}

ApiResult<bool> FunctionRegistry::DeleteAlias(std::string_view function, std::string_view alias) {
  auto name = NameOf(function);
  if (!name.ok()) return name.error();
  std::lock_guard write(write_mu_);
  Entry e;
  {
    std::shared_lock read(read_mu_);
    auto it = functions_.find(*name);
    if (it == functions_.end()) return NotFound(*name);
    e = it->second;
  }
  // Lambda answers 204 for an alias that does not exist.
  if (!e.aliases.erase(std::string(alias))) return true;
  if (auto p = Persist(*name, &e); !p.ok()) return p.error();
  std::unique_lock lock(read_mu_);
  functions_[*name] = e;
  return true;
}

ApiResult<ResolvedFunction> FunctionRegistry::Resolve(
    std::string_view function_name, std::optional<std::string_view> qualifier) const {
  auto ref = protocol::ParseFunctionRef(function_name);
  if (!ref.ok()) return Invalid(ref.status().message());
  std::optional<std::string> q;
  if (qualifier) {
    if (auto s = protocol::ValidateQualifier(*qualifier); !s.ok()) return Invalid(s.message());
    q = std::string(*qualifier);
  }
  if (ref->qualifier) {
    if (q && *q != *ref->qualifier) {
      return Invalid(
          "The derived qualifier from the function name does not match the "
          "specified qualifier.");
    }
    q = ref->qualifier;
  }
  if ((ref->account && *ref->account != options_.identity.account) ||
      (ref->region && *ref->region != options_.identity.region)) {
    return NotFound(ref->name, q);
  }
  std::shared_lock lock(read_mu_);
  auto it = functions_.find(ref->name);
  if (it == functions_.end()) return NotFound(ref->name, q);
  ResolvedFunction r;
  r.qualified = q.has_value();
  if (!q) {
    r.config = it->second.latest;
  } else {
    auto v = VersionOf(it->second, *q);
    if (!v.ok()) return v.error();
    r.config = *v;
    bool alias = *q != kLatestVersion && !std::isdigit(static_cast<unsigned char>((*q)[0]));
    if (alias) r.alias = *q;
  }
  r.executed_version = r.config.version;
  r.function_arn = FunctionArn(options_.identity, r.config.name, r.executed_version);
  return r;
}

}  // namespace durafn::hosting
