#include "api/server.h"

#include <random>
#include <sstream>

#include <openssl/evp.h>

#include "api/execution_service.h"
#include "api/http_server.h"
#include "api/invocation_dispatcher.h"
#include "api/logs_api.h"
#include "api/metrics.h"
#include "api/request_id.h"
#include "api/responses.h"
#include "api/runtime_api.h"
#include "api/stack_routes.h"
#include "api/uri.h"
#include "api/work_pool.h"
#include "hosting/code_store.h"
#include "hosting/event_queue.h"
#include "hosting/function_registry.h"
#include "hosting/log_store.h"
#include "hosting/runtime_command.h"
#include "protocol/arn.h"
#include "protocol/json_codec.h"
#include "protocol/rate_limited_reporter.h"
#include "store/sqlite_execution_store.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using protocol::ApiError;
using protocol::ErrorCode;

constexpr std::size_t kSyncPayloadLimit = 6 * 1024 * 1024;
constexpr std::size_t kAsyncPayloadLimit = 1024 * 1024;
constexpr std::size_t kCallbackResultLimit = 1024 * 1024;

protocol::Timestamp WallNow() {
  return protocol::Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()};
}

ApiError Invalid(std::string m) {
  return {ErrorCode::kInvalidParameterValue, std::move(m)};
}

// Parses a JSON request body; unparseable text is InvalidRequestContentException.
std::optional<json> ParseBody(const std::string& body, Responder& responder) {
  if (body.empty()) return json::object();
  auto j = protocol::ParseJson(body);
  if (!j.ok()) {
    responder.Send(
        ErrorResponse({ErrorCode::kInvalidRequestContent,
                       "Could not parse request body into json: " + j.status().message()}));
    return std::nullopt;
  }
  return *j;
}

template <class T>
std::optional<T> DecodeBody(const std::string& body, Responder& responder) {
  auto j = ParseBody(body, responder);
  if (!j) return std::nullopt;
  auto v = protocol::Decode<T>(*j);
  if (!v.ok()) {
    responder.Send(ErrorResponse({ErrorCode::kInvalidRequestContent, v.status().message()}));
    return std::nullopt;
  }
  return std::move(*v);
}

std::optional<int64_t> ParseInt(std::optional<std::string_view> s) {
  if (!s || s->empty() || s->size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : *s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "true"/"false" query flags; absent gives `def`.
std::optional<bool> ParseBool(std::optional<std::string_view> s, bool def) {
  if (!s) return def;
  if (*s == "true") return true;
  if (*s == "false") return false;
  return std::nullopt;
}

template <class T>
void SendResult(Responder& responder, const engine::ApiResult<T>& r,
                const std::function<Response(const T&)>& ok) {
  if (!r.ok()) return responder.Send(ErrorResponse(r.error()));
  responder.Send(ok(*r));
}

std::string Uuid() {
  return NewRequestId();
}

std::string Sha256Base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out(4 * ((len + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Base64Decode(std::string_view in, bool* ok) {
  std::string out(3 * in.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  *ok = n >= 0;
  if (n < 0) return {};
  std::size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

bool ValidExecutionName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// The page of `items` a List* call asks for with MaxItems and Marker (the offset of the next
// item, opaque to clients), as {key: page, NextMarker?}. Lambda pages at most 50 items; a
// call with neither parameter gets the whole list, as durafn's own tools expect.
std::optional<json> ListPage(const Request& req, json items, const char* key, Responder& res) {
  auto max = req.QueryValue("MaxItems");
  auto marker = req.QueryValue("Marker");
  if (!max && !marker) return json{{key, std::move(items)}};
  int64_t limit = 50;
  if (max) {
    auto n = ParseInt(max);
    if (!n || *n < 1 || *n > 10000) {
      res.Send(ErrorResponse(Invalid("MaxItems must be 1 to 10000")));
      return std::nullopt;
    }
    limit = std::min<int64_t>(*n, 50);
  }
  int64_t from = 0;
  if (marker) {
    auto n = ParseInt(marker);
    if (!n || *n < 0 || *n > static_cast<int64_t>(items.size())) {
      res.Send(ErrorResponse(Invalid("Invalid Marker: " + std::string(*marker))));
      return std::nullopt;
    }
    from = *n;
  }
  int64_t to = std::min<int64_t>(from + limit, static_cast<int64_t>(items.size()));
  json page = json::array();
  for (int64_t k = from; k < to; ++k)
    page.push_back(std::move(items[static_cast<std::size_t>(k)]));
  json body = {{key, std::move(page)}};
  if (to < static_cast<int64_t>(items.size())) body["NextMarker"] = std::to_string(to);
  return body;
}

}  // namespace

struct Server::Impl : ChainedInvoker {
  // Before everything that reports into it, so it outlives them.
  std::unique_ptr<RateLimitedReporter> errors;
  // ---- function logs ----
  // First member, so destroyed last: workers append to it and the Logs API queries it until
  // they are gone. It is also the server's log sink (hosting::LogSink).
  std::unique_ptr<hosting::LogStore> log_store_;
  // ---- end function logs ----
  ServerOptions options;
  std::unique_ptr<hosting::FunctionRegistry> registry;
  std::unique_ptr<store::SqliteExecutionStore> store;
  std::unique_ptr<ExecutionService> service;
  std::unique_ptr<InvocationDispatcher> dispatcher;
  std::unique_ptr<hosting::CodeStore> code_store;
  // Where worker output goes: the log store.
  hosting::LogSink* log_sink_ = nullptr;
  std::unique_ptr<RuntimeApi> runtime;
  std::unique_ptr<hosting::EventQueue> events;
  std::unique_ptr<WorkPool> pool;
  std::unique_ptr<HttpServer> http;

  // Teardown order matters: nothing may call into a destroyed part. The store's writer can
  // still complete writes (and run their effects in the service and dispatcher) until it is
  // destroyed, so it goes before them.
  ~Impl() {
    if (http) http->Stop();
    if (events) events->Stop();
    if (runtime) runtime->Stop();
    pool.reset();  // runs the tasks still queued, which may enqueue events
    events.reset();
    if (service) service->Stop();
    store.reset();
    service.reset();
  }

  // Starts the target of a chained invoke (protocol.md §4.5.5) and reports its end.
  void StartChainedInvoke(const std::string& caller_arn,
                          const engine::StartChainedInvoke& invoke) override;

  Router BuildRouter();
  void AddFunctionRoutes(Router& r);
  void AddInvokeRoute(Router& r);
  void AddDurableRoutes(Router& r);
  void AddAdminRoutes(Router& r);
  // Runs `work` off the I/O threads; answers 429 when the pool is saturated.
  void Blocking(Responder responder, std::function<void(Responder&)> work);
  void AnswerSyncInvoke(std::shared_ptr<Responder> responder, const engine::ExecutionRecord& rec,
                        Headers headers);
  // Stores the code of a CreateFunction / UpdateFunctionCode request (`code`: its Code
  // object, or the request itself for UpdateFunctionCode).
  ApiResult<hosting::StoredCode> StoreCode(const json& code);
  // Runs one plain invocation of a resolved version through its workers; `done` gets the
  // status, body and X-Amz-Function-Error. False when it was throttled (nothing was run).
  using PlainDone =
      std::function<void(int status, std::string body, std::optional<std::string> error)>;
  // Queues a plain invocation under `request_id` (the Invoke's own, as Lambda reports it to
  // both the caller and the function); an error when it is throttled. `invoked_arn`: the ARN
  // as the caller named it, when `fn` was resolved from another (a queued Event's version).
  std::optional<ApiError> InvokePlain(const hosting::ResolvedFunction& fn, std::string payload,
                                      std::string request_id, PlainDone done,
                                      std::string invoked_arn = "");
};

void Server::Impl::Blocking(Responder responder, std::function<void(Responder&)> work) {
  auto shared = std::make_shared<Responder>(std::move(responder));
  bool ok = pool->Post([shared, work = std::move(work)] { work(*shared); });
  if (!ok) {
    shared->Send(ErrorResponse({ErrorCode::kTooManyRequests, "The server is busy; retry later"}));
  }
}

// ---- functions ----

namespace {

hosting::FunctionConfig ConfigFromRequest(const json& j, std::string* error) {
  hosting::FunctionConfig c;
  auto str = [&](const char* key, std::string& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_string()) {
      *error = std::string(key) + ": expected string";
      return;
    }
    out = j[key];
  };
  auto num = [&](const char* key, int64_t& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer()) {
      *error = std::string(key) + ": expected integer";
      return;
    }
    out = j[key];
  };
  str("FunctionName", c.name);
  str("Runtime", c.runtime);
  str("Handler", c.handler);
  str("Role", c.role);
  str("Description", c.description);
  num("Timeout", c.timeout_seconds);
  num("MemorySize", c.memory_size_mb);
  if (j.contains("Environment")) {
    const auto& vars = j["Environment"].value("Variables", json::object());
    if (!vars.is_object()) {
      *error = "Environment.Variables: expected object";
    } else {
      for (auto& [k, v] : vars.items()) {
        if (!v.is_string())
          *error = "Environment.Variables." + k + ": expected string";
        else
          c.environment[k] = v;
      }
    }
  }
  if (j.contains("DurableConfig")) {
    auto d = protocol::Decode<protocol::DurableConfig>(j["DurableConfig"]);
    if (!d.ok())
      *error = "DurableConfig." + d.status().message();
    else
      c.durable_config = *d;
  }
  return c;
}

}  // namespace

void Server::Impl::AddFunctionRoutes(Router& r) {
  const auto& id = registry->identity();
  auto config_json = [id](const hosting::FunctionConfig& c) { return ToLambdaJson(c, id); };

  r.Add(
      "POST", "/2015-03-31/functions",
      [this, config_json](Request req, Responder res) {
        auto j = ParseBody(req.body, res);
        if (!j) return;
        std::string error;
        auto config = ConfigFromRequest(*j, &error);
        if (!error.empty()) return res.Send(ErrorResponse(Invalid(error)));
        if (config.name.empty())
          return res.Send(ErrorResponse(Invalid("FunctionName is required")));
        json code = j->value("Code", json::object());
        if (!code.is_object()) return res.Send(ErrorResponse(Invalid("Code: expected object")));
        bool publish = j->value("Publish", false);
        Blocking(std::move(res),
                 [this, config, code, publish, config_json](Responder& res) mutable {
                   // A taken name is a conflict whatever the package holds.
                   if (registry->Get(config.name, std::nullopt).ok()) {
                     return res.Send(ErrorResponse(
                         {ErrorCode::kResourceConflict, "Function already exist: " + config.name}));
                   }
                   auto stored = StoreCode(code);
                   if (!stored.ok()) return res.Send(ErrorResponse(stored.error()));
                   config.code_sha256 = stored->sha256_base64;
                   config.code_size = stored->size;
                   config.code_location = stored->location;
                   auto created = registry->Create(config, WallNow());
                   if (!created.ok()) return res.Send(ErrorResponse(created.error()));
                   if (publish) {
                     auto v = registry->PublishVersion(config.name, "", WallNow());
                     if (!v.ok()) return res.Send(ErrorResponse(v.error()));
                     return res.Send(JsonResponse(config_json(*v), 201));
                   }
                   res.Send(JsonResponse(config_json(*created), 201));
                 });
      },
      RouteOptions{.max_body_bytes = 70 * 1024 * 1024});  // a 50 MB zip, base64-encoded

  r.Add("GET", "/2015-03-31/functions", [this, config_json](Request req, Responder res) {
    json list = json::array();
    for (const auto& f : registry->List())
      list.push_back(config_json(f));
    if (auto page = ListPage(req, std::move(list), "Functions", res)) res.Send(JsonResponse(*page));
  });

  r.Add("GET", "/2015-03-31/functions/{FunctionName}",
        [this, config_json](Request req, Responder res) {
          auto q = req.QueryValue("Qualifier");
          auto c = registry->Get(req.Label("FunctionName"),
                                 q ? std::optional<std::string_view>(*q) : std::nullopt);
          if (!c.ok()) return res.Send(ErrorResponse(c.error()));
          json body = {{"Configuration", config_json(*c)},
                       {"Code", {{"RepositoryType", "durafn"}, {"Location", c->code_location}}}};
          auto latest = registry->Get(req.Label("FunctionName"), std::nullopt);
          if (latest.ok() && latest->reserved_concurrency) {
            body["Concurrency"] = {{"ReservedConcurrentExecutions", *latest->reserved_concurrency}};
          }
          res.Send(JsonResponse(body));
        });

  r.Add("GET", "/2015-03-31/functions/{FunctionName}/configuration",
        [this, config_json](Request req, Responder res) {
          auto q = req.QueryValue("Qualifier");
          auto c = registry->Get(req.Label("FunctionName"),
                                 q ? std::optional<std::string_view>(*q) : std::nullopt);
          if (!c.ok()) return res.Send(ErrorResponse(c.error()));
          res.Send(JsonResponse(config_json(*c)));
        });

  r.Add("PUT", "/2015-03-31/functions/{FunctionName}/configuration",
        [this, config_json](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          std::string error;
          auto c = ConfigFromRequest(*j, &error);
          if (!error.empty()) return res.Send(ErrorResponse(Invalid(error)));
          hosting::FunctionConfigPatch p;
          if (j->contains("Runtime")) p.runtime = c.runtime;
          if (j->contains("Handler")) p.handler = c.handler;
          if (j->contains("Role")) p.role = c.role;
          if (j->contains("Description")) p.description = c.description;
          if (j->contains("Timeout")) p.timeout_seconds = c.timeout_seconds;
          if (j->contains("MemorySize")) p.memory_size_mb = c.memory_size_mb;
          if (j->contains("Environment")) p.environment = c.environment;
          if (j->contains("DurableConfig")) p.durable_config = c.durable_config;
          std::string name = req.Label("FunctionName");
          Blocking(std::move(res), [this, name, p, config_json](Responder& res) {
            auto u = registry->UpdateConfiguration(name, p, WallNow());
            if (!u.ok()) return res.Send(ErrorResponse(u.error()));
            res.Send(JsonResponse(config_json(*u)));
          });
        });

  r.Add(
      "PUT", "/2015-03-31/functions/{FunctionName}/code",
      [this, config_json](Request req, Responder res) {
        auto j = ParseBody(req.body, res);
        if (!j) return;
        std::string name = req.Label("FunctionName");
        bool publish = j->value("Publish", false);
        Blocking(std::move(res), [this, name, j = *j, publish, config_json](Responder& res) {
          if (auto c = registry->Get(name, std::nullopt); !c.ok()) {
            return res.Send(ErrorResponse(c.error()));
          }
          auto stored = StoreCode(j);
          if (!stored.ok()) return res.Send(ErrorResponse(stored.error()));
          auto u = registry->UpdateCode(name, stored->sha256_base64, stored->size, stored->location,
                                        WallNow());
          if (!u.ok()) return res.Send(ErrorResponse(u.error()));
          if (publish) {
            auto v = registry->PublishVersion(name, "", WallNow());
            if (!v.ok()) return res.Send(ErrorResponse(v.error()));
            return res.Send(JsonResponse(config_json(*v)));
          }
          res.Send(JsonResponse(config_json(*u)));
        });
      },
      RouteOptions{.max_body_bytes = 70 * 1024 * 1024});

  // Reserved concurrency (PutFunctionConcurrency, GetFunctionConcurrency,
  // DeleteFunctionConcurrency).
  auto set_concurrency = [this](std::string name, std::optional<int64_t> value, Responder res) {
    Blocking(std::move(res), [this, name, value](Responder& res) {
      hosting::FunctionConfigPatch p;
      p.reserved_concurrency = value;
      auto u = registry->UpdateConfiguration(name, p, WallNow());
      if (!u.ok()) return res.Send(ErrorResponse(u.error()));
      if (!value) return res.Send(EmptyResponse(204));
      res.Send(JsonResponse({{"ReservedConcurrentExecutions", *value}}));
    });
  };
  r.Add("PUT", "/2017-10-31/functions/{FunctionName}/concurrency",
        [set_concurrency](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          if (!j->contains("ReservedConcurrentExecutions") ||
              !(*j)["ReservedConcurrentExecutions"].is_number_integer()) {
            return res.Send(
                ErrorResponse(Invalid("ReservedConcurrentExecutions: expected an integer")));
          }
          set_concurrency(req.Label("FunctionName"),
                          (*j)["ReservedConcurrentExecutions"].get<int64_t>(), std::move(res));
        });
  r.Add("DELETE", "/2017-10-31/functions/{FunctionName}/concurrency",
        [set_concurrency](Request req, Responder res) {
          set_concurrency(req.Label("FunctionName"), std::nullopt, std::move(res));
        });
  r.Add("GET", "/2019-09-30/functions/{FunctionName}/concurrency",
        [this](Request req, Responder res) {
          auto c = registry->Get(req.Label("FunctionName"), std::nullopt);
          if (!c.ok()) return res.Send(ErrorResponse(c.error()));
          json body = json::object();
          if (c->reserved_concurrency) {
            body["ReservedConcurrentExecutions"] = *c->reserved_concurrency;
          }
          res.Send(JsonResponse(body));
        });

  r.Add("DELETE", "/2015-03-31/functions/{FunctionName}", [this](Request req, Responder res) {
    std::string name = req.Label("FunctionName");
    std::optional<std::string> q;
    if (auto v = req.QueryValue("Qualifier")) q = std::string(*v);
    Blocking(std::move(res), [this, name, q](Responder& res) {
      auto d = registry->Delete(name, q ? std::optional<std::string_view>(*q) : std::nullopt);
      if (!d.ok()) return res.Send(ErrorResponse(d.error()));
      res.Send(EmptyResponse(204));
    });
  });

  r.Add("POST", "/2015-03-31/functions/{FunctionName}/versions",
        [this, config_json](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          std::string name = req.Label("FunctionName");
          std::string description = j->value("Description", "");
          Blocking(std::move(res), [this, name, description, config_json](Responder& res) {
            auto v = registry->PublishVersion(name, description, WallNow());
            if (!v.ok()) return res.Send(ErrorResponse(v.error()));
            res.Send(JsonResponse(config_json(*v), 201));
          });
        });

  r.Add("GET", "/2015-03-31/functions/{FunctionName}/versions",
        [this, config_json](Request req, Responder res) {
          auto v = registry->ListVersions(req.Label("FunctionName"));
          if (!v.ok()) return res.Send(ErrorResponse(v.error()));
          json list = json::array();
          for (const auto& c : *v)
            list.push_back(config_json(c));
          if (auto page = ListPage(req, std::move(list), "Versions", res)) {
            res.Send(JsonResponse(*page));
          }
        });

  auto alias_json = [id](const hosting::AliasConfig& a) { return ToLambdaJson(a, id); };
  r.Add("POST", "/2015-03-31/functions/{FunctionName}/aliases",
        [this, alias_json](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          std::string name = req.Label("FunctionName");
          std::string alias = j->value("Name", "");
          std::string version = j->value("FunctionVersion", "");
          std::string description = j->value("Description", "");
          Blocking(std::move(res), [=, this](Responder& res) {
            auto a = registry->CreateAlias(name, alias, version, description);
            if (!a.ok()) return res.Send(ErrorResponse(a.error()));
            res.Send(JsonResponse(alias_json(*a), 201));
          });
        });
  r.Add("GET", "/2015-03-31/functions/{FunctionName}/aliases",
        [this, alias_json](Request req, Responder res) {
          auto a = registry->ListAliases(req.Label("FunctionName"));
          if (!a.ok()) return res.Send(ErrorResponse(a.error()));
          json list = json::array();
          for (const auto& x : *a)
            list.push_back(alias_json(x));
          if (auto page = ListPage(req, std::move(list), "Aliases", res)) {
            res.Send(JsonResponse(*page));
          }
        });
  r.Add("GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        [this, alias_json](Request req, Responder res) {
          auto a = registry->GetAlias(req.Label("FunctionName"), req.Label("Name"));
          if (!a.ok()) return res.Send(ErrorResponse(a.error()));
          res.Send(JsonResponse(alias_json(*a)));
        });
  r.Add("PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        [this, alias_json](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          std::string name = req.Label("FunctionName"), alias = req.Label("Name");
          std::optional<std::string> version, description;
          if (j->contains("FunctionVersion")) version = (*j)["FunctionVersion"];
          if (j->contains("Description")) description = (*j)["Description"];
          Blocking(std::move(res), [=, this](Responder& res) {
            auto a = registry->UpdateAlias(name, alias, version, description);
            if (!a.ok()) return res.Send(ErrorResponse(a.error()));
            res.Send(JsonResponse(alias_json(*a)));
          });
        });
  r.Add("DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        [this](Request req, Responder res) {
          std::string name = req.Label("FunctionName"), alias = req.Label("Name");
          Blocking(std::move(res), [=, this](Responder& res) {
            auto d = registry->DeleteAlias(name, alias);
            if (!d.ok()) return res.Send(ErrorResponse(d.error()));
            res.Send(EmptyResponse(204));
          });
        });
}

// ---- code and plain invocations ----

ApiResult<hosting::StoredCode> Server::Impl::StoreCode(const json& code) {
  bool zip = code.contains("ZipFile"), dir = code.contains("DirectoryPath");
  for (const char* unsupported : {"S3Bucket", "S3Key", "ImageUri"}) {
    if (code.contains(unsupported)) {
      return Invalid(std::string("Code.") + unsupported +
                     " is not supported by this server; use Code.ZipFile or Code.DirectoryPath");
    }
  }
  if (zip && dir) return Invalid("Specify only one of Code.ZipFile and Code.DirectoryPath");
  Result<hosting::StoredCode> stored = Status::Internal("unset");
  if (zip) {
    if (!code["ZipFile"].is_string()) return Invalid("Code.ZipFile: expected base64 string");
    bool ok = false;
    std::string bytes = Base64Decode(code["ZipFile"].get<std::string>(), &ok);
    if (!ok) return Invalid("Code.ZipFile is not valid base64");
    stored = code_store->PutZip(bytes);
  } else if (dir) {
    if (!code["DirectoryPath"].is_string()) return Invalid("Code.DirectoryPath: expected string");
    stored = code_store->PutDirectory(code["DirectoryPath"].get<std::string>());
  } else {
    // No package: the function has no code (workers for it come from outside, see
    // /durafn/runtime-endpoints).
    return hosting::StoredCode{Sha256Base64(""), 0, ""};
  }
  if (!stored.ok()) {
    if (stored.status().code() == Status::Code::kInvalidArgument) {
      return Invalid(stored.status().message());
    }
    return ApiError{ErrorCode::kService, stored.status().message()};
  }
  return *stored;
}

namespace {

// The function's ARN qualified as the caller named it: by alias, by version, or not at all.
std::string InvokedFunctionArn(const hosting::ResolvedFunction& fn) {
  const std::string& versioned = fn.function_arn;  // ...:function:NAME:VERSION
  std::string base = versioned.substr(0, versioned.rfind(':'));
  if (fn.alias) return base + ":" + *fn.alias;
  return fn.qualified ? versioned : base;
}

}  // namespace

std::optional<ApiError> Server::Impl::InvokePlain(const hosting::ResolvedFunction& fn,
                                                  std::string payload, std::string request_id,
                                                  PlainDone done, std::string invoked_arn) {
  auto latest = registry->Get(fn.config.name, std::nullopt);
  if (latest.ok() && latest->reserved_concurrency && *latest->reserved_concurrency == 0) {
    return ApiError{ErrorCode::kTooManyRequests, "Rate Exceeded."};
  }
  if (auto unavailable = runtime->Unrunnable(fn.config, fn.function_arn)) {
    json body = {{"errorType", unavailable->error_type},
                 {"errorMessage", "RequestId: " + request_id + " Error: " + unavailable->message}};
    done(200, body.dump(), "Unhandled");
    return std::nullopt;
  }
  PendingInvocation inv;
  inv.request_id = request_id;
  inv.payload = std::move(payload);
  inv.on_done = std::move(done);
  inv.invoked_function_arn = invoked_arn.empty() ? InvokedFunctionArn(fn) : std::move(invoked_arn);
  if (!dispatcher->QueuePlain(fn.function_arn, std::move(inv))) {
    return ApiError{ErrorCode::kTooManyRequests, "Rate Exceeded."};
  }
  return std::nullopt;
}

// ---- Invoke ----

void Server::Impl::AnswerSyncInvoke(std::shared_ptr<Responder> responder,
                                    const engine::ExecutionRecord& rec, Headers headers) {
  Response r;
  using protocol::ExecutionStatus;
  if (rec.status == ExecutionStatus::kSucceeded) {
    r = BytesResponse(rec.result.value_or("null"), "application/json");
  } else {
    // Lambda's function-error shape; the execution's ErrorObject supplies type and message.
    const auto& e = rec.error.value_or(protocol::ErrorObject{});
    json body = {{"errorType", e.error_type.value_or(std::string(ToString(rec.status)))},
                 {"errorMessage", e.error_message.value_or("")}};
    if (e.error_data) body["errorData"] = *e.error_data;
    if (e.stack_trace) body["stackTrace"] = *e.stack_trace;
    r = JsonResponse(body);
    r.headers.Set("X-Amz-Function-Error", "Unhandled");
  }
  for (const auto& [k, v] : headers)
    r.headers.Set(k, v);
  responder->Send(std::move(r));
}

void Server::Impl::AddInvokeRoute(Router& r) {
  r.Add(
      "POST", "/2015-03-31/functions/{FunctionName}/invocations",
      [this](Request req, Responder res) {
        std::string type(req.headers.Get("X-Amz-Invocation-Type").value_or("RequestResponse"));
        auto itype = protocol::ParseEnum<protocol::InvocationType>(type);
        if (!itype) {
          return res.Send(ErrorResponse(Invalid("Invalid InvocationType '" + type +
                                                "': expected RequestResponse, Event or DryRun")));
        }
        bool sync = *itype == protocol::InvocationType::kRequestResponse;
        std::size_t limit = sync ? kSyncPayloadLimit : kAsyncPayloadLimit;
        if (req.body.size() > limit) {
          return res.Send(ErrorResponse({ErrorCode::kRequestTooLarge,
                                         "Request must be smaller than " + std::to_string(limit) +
                                             " bytes for the " + type + " invocation type"}));
        }
        if (!req.body.empty() && !protocol::ParseJson(req.body).ok()) {
          return res.Send(ErrorResponse(
              {ErrorCode::kInvalidRequestContent, "Could not parse request body into json"}));
        }
        auto q = req.QueryValue("Qualifier");
        auto fn = registry->Resolve(req.Label("FunctionName"),
                                    q ? std::optional<std::string_view>(*q) : std::nullopt);
        if (!fn.ok()) return res.Send(ErrorResponse(fn.error()));
        Headers headers{{"X-Amz-Executed-Version", fn->executed_version}};
        if (!fn->config.durable()) {
          if (*itype == protocol::InvocationType::kDryRun) {
            Response dry = EmptyResponse(204);
            for (const auto& [k, v] : headers)
              dry.headers.Set(k, v);
            return res.Send(std::move(dry));
          }
          std::string payload = req.body.empty() ? std::string("{}") : req.body;
          if (!sync) {
            // Event: kept on disk until it ran (with Lambda's retries), then 202.
            hosting::QueuedEvent e;
            e.id = req.request_id;
            e.function_arn = fn->function_arn;
            e.invoked_function_arn = InvokedFunctionArn(*fn);
            e.payload = std::move(payload);
            return Blocking(std::move(res), [this, e, headers](Responder& res) mutable {
              if (auto s = events->Enqueue(std::move(e)); !s.ok()) {
                return res.Send(ErrorResponse({s.code() == Status::Code::kResourceExhausted
                                                   ? ErrorCode::kTooManyRequests
                                                   : ErrorCode::kService,
                                               s.message()}));
              }
              Response accepted = EmptyResponse(202);
              for (const auto& [k, v] : headers)
                accepted.headers.Set(k, v);
              res.Send(std::move(accepted));
            });
          }
          auto responder = std::make_shared<Responder>(std::move(res));
          auto throttled = InvokePlain(
              *fn, std::move(payload), req.request_id,
              [responder, headers](int status, std::string body, std::optional<std::string> error) {
                if (status == 429) {
                  return responder->Send(
                      ErrorResponse({ErrorCode::kTooManyRequests, "Rate Exceeded."}));
                }
                Response r = BytesResponse(std::move(body), "application/json", status);
                for (const auto& [k, v] : headers)
                  r.headers.Set(k, v);
                if (error) r.headers.Set("X-Amz-Function-Error", *error);
                responder->Send(std::move(r));
              });
          if (throttled) responder->Send(ErrorResponse(*throttled));
          return;
        }
        if (!fn->qualified) {
          return res.Send(ErrorResponse(
              Invalid("You cannot invoke a durable function using an unqualified ARN. Specify a "
                      "version or alias qualifier.")));
        }
        std::string name(req.headers.Get("X-Amz-Durable-Execution-Name").value_or(""));
        if (!name.empty() && !ValidExecutionName(name)) {
          return res.Send(ErrorResponse(
              Invalid("DurableExecutionName must be 1 to 64 characters of [a-zA-Z0-9-_]")));
        }
        bool skip_time = false;
        if (auto v = req.headers.Get("X-Durafn-Skip-Time")) {
          auto b = ParseBool(*v, false);
          if (!b)
            return res.Send(ErrorResponse(Invalid("X-Durafn-Skip-Time must be true or false")));
          skip_time = *b;
        }
        if (skip_time && !options.skip_time) {
          return res.Send(ErrorResponse(
              Invalid("X-Durafn-Skip-Time: skip-time mode is not enabled on this server (start it "
                      "with durafn serve --skip-time)")));
        }
        if (*itype == protocol::InvocationType::kDryRun) {
          Response dry = EmptyResponse(204);
          for (const auto& [k, v] : headers)
            dry.headers.Set(k, v);
          return res.Send(std::move(dry));
        }
        std::string id = Uuid();
        if (name.empty()) name = id;
        const auto& ident = registry->identity();
        StartExecutionRequest start;
        start.name = name;
        start.function_arn = fn->function_arn;
        start.unqualified_function_arn = hosting::FunctionArn(ident, fn->config.name);
        start.version = fn->executed_version;
        start.execution_arn = fn->function_arn + "/durable-execution/" + name + "/" + id;
        start.input = req.body.empty() ? std::string("{}") : req.body;
        start.execution_timeout_seconds = fn->config.durable_config->execution_timeout.value_or(
            hosting::kMaxExecutionTimeoutSeconds);
        start.retention_days = fn->config.durable_config->retention_period_in_days.value_or(
            hosting::kDefaultRetentionDays);
        start.sync = sync;
        start.skip_time = skip_time;
        auto responder = std::make_shared<Responder>(std::move(res));
        service->StartExecution(
            std::move(start), [this, responder, headers, sync](ApiResult<StartedExecution> st) {
              if (!st.ok()) return responder->Send(ErrorResponse(st.error()));
              Headers h = headers;
              h.Set("X-Amz-Durable-Execution-Arn", st->record.arn);
              if (!sync) {
                Response accepted = EmptyResponse(202);
                for (const auto& [k, v] : h)
                  accepted.headers.Set(k, v);
                return responder->Send(std::move(accepted));
              }
              if (protocol::IsTerminal(st->record.status)) {
                return AnswerSyncInvoke(responder, st->record, h);
              }
              service->WaitForClose(
                  st->record.arn, options.sync_invoke_limit,
                  [this, responder, h](std::optional<engine::ExecutionRecord> rec) {
                    if (rec) return AnswerSyncInvoke(responder, *rec, h);
                    // The execution goes on; the caller gets Lambda's timeout shape.
                    Response r = JsonResponse(
                        {{"errorType", "Sandbox.Timedout"},
                         {"errorMessage",
                          "The synchronous invocation limit passed; the durable execution is "
                          "still running"}});
                    r.headers.Set("X-Amz-Function-Error", "Unhandled");
                    for (const auto& [k, v] : h)
                      r.headers.Set(k, v);
                    responder->Send(std::move(r));
                  });
            });
      },
      RouteOptions{.max_body_bytes = kSyncPayloadLimit + 1});
}

// ---- durable executions ----

void Server::Impl::AddDurableRoutes(Router& r) {
  auto parse_arn = [](const Request& req, Responder& res) -> std::optional<std::string> {
    const std::string& arn = req.Label("DurableExecutionArn");
    auto parsed = protocol::ParseDurableExecutionArn(arn);
    if (!parsed.ok()) {
      res.Send(ErrorResponse(Invalid(parsed.status().message())));
      return std::nullopt;
    }
    return arn;
  };

  r.Add("POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint",
        [this, parse_arn](Request req, Responder res) {
          auto arn = parse_arn(req, res);
          if (!arn) return;
          auto body = DecodeBody<protocol::CheckpointDurableExecutionRequest>(req.body, res);
          if (!body) return;
          body->durable_execution_arn = *arn;
          auto responder = std::make_shared<Responder>(std::move(res));
          service->Checkpoint(
              *arn, std::move(*body),
              [responder](ApiResult<protocol::CheckpointDurableExecutionResponse> r) {
                if (!r.ok()) return responder->Send(ErrorResponse(r.error()));
                responder->Send(JsonResponse(protocol::Encode(*r)));
              });
        });

  r.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/state",
        [this, parse_arn](Request req, Responder res) {
          auto arn = parse_arn(req, res);
          if (!arn) return;
          protocol::GetDurableExecutionStateRequest q;
          q.durable_execution_arn = *arn;
          auto token = req.QueryValue("CheckpointToken");
          if (!token) return res.Send(ErrorResponse(Invalid("CheckpointToken is required")));
          q.checkpoint_token = std::string(*token);
          if (auto m = req.QueryValue("Marker")) q.marker = std::string(*m);
          if (auto m = req.QueryValue("MaxItems")) {
            auto n = ParseInt(m);
            if (!n || *n > 1000)
              return res.Send(ErrorResponse(Invalid("MaxItems must be 0 to 1000")));
            q.max_items = *n;
          }
          auto responder = std::make_shared<Responder>(std::move(res));
          service->GetState(*arn, std::move(q),
                            [responder](ApiResult<protocol::GetDurableExecutionStateResponse> r) {
                              if (!r.ok()) return responder->Send(ErrorResponse(r.error()));
                              responder->Send(JsonResponse(protocol::Encode(*r)));
                            });
        });

  r.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}",
        [this, parse_arn](Request req, Responder res) {
          auto arn = parse_arn(req, res);
          if (!arn) return;
          auto include = ParseBool(req.QueryValue("IncludeExecutionData"), true);
          if (!include)
            return res.Send(ErrorResponse(Invalid("IncludeExecutionData must be true or false")));
          Blocking(std::move(res), [this, arn = *arn, include = *include](Responder& res) {
            auto rec = store->LoadRecord(arn);
            if (!rec.ok())
              return res.Send(ErrorResponse({ErrorCode::kService, rec.status().message()}));
            if (!rec->has_value()) {
              return res.Send(ErrorResponse(
                  {ErrorCode::kResourceNotFound, "Durable execution not found: " + arn}));
            }
            const auto& e = **rec;
            protocol::GetDurableExecutionResponse g;
            g.durable_execution_arn = e.arn;
            g.durable_execution_name = e.name;
            g.function_arn = e.function_arn;
            g.status = e.status;
            g.start_timestamp = e.start_timestamp;
            g.end_timestamp = e.end_timestamp;
            g.version = e.version;
            g.execution_data_included = include;
            if (include) {
              g.input_payload = e.input_payload;
              g.result = e.result;
              g.error = e.error;
            }
            g.durable_config = protocol::DurableConfig{std::nullopt, e.retention_days,
                                                       e.execution_timeout_seconds};
            json body = protocol::Encode(g);
            // A durafn extension: the execution ran on a clock that skipped ahead.
            if (e.skip_time) {
              body["TimeSkipping"] = {{"Enabled", true}, {"SkippedMilliseconds", e.skipped_ms}};
            }
            res.Send(JsonResponse(body));
          });
        });

  r.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/history",
        [this, parse_arn](Request req, Responder res) {
          auto arn = parse_arn(req, res);
          if (!arn) return;
          store::HistoryQuery q;
          auto include = ParseBool(req.QueryValue("IncludeExecutionData"), true);
          auto reverse = ParseBool(req.QueryValue("ReverseOrder"), false);
          if (!include || !reverse)
            return res.Send(ErrorResponse(Invalid("boolean parameters must be true or false")));
          q.include_data = *include;
          q.reverse_order = *reverse;
          if (auto m = req.QueryValue("Marker")) q.marker = std::string(*m);
          if (auto m = req.QueryValue("MaxItems")) {
            auto n = ParseInt(m);
            if (!n || *n > 1000)
              return res.Send(ErrorResponse(Invalid("MaxItems must be 0 to 1000")));
            q.max_items = *n;
          }
          Blocking(std::move(res), [this, arn = *arn, q](Responder& res) {
            auto h = store->History(arn, q);
            if (!h.ok()) {
              auto code = h.status().code() == Status::Code::kNotFound
                              ? ErrorCode::kResourceNotFound
                          : h.status().code() == Status::Code::kInvalidArgument
                              ? ErrorCode::kInvalidParameterValue
                              : ErrorCode::kService;
              return res.Send(ErrorResponse({code, h.status().message()}));
            }
            res.Send(JsonResponse(protocol::Encode(*h)));
          });
        });

  r.Add("GET", "/2025-12-01/functions/{FunctionName}/durable-executions",
        [this](Request req, Responder res) {
          auto fn = registry->Get(req.Label("FunctionName"), std::nullopt);
          if (!fn.ok()) return res.Send(ErrorResponse(fn.error()));
          store::ListQuery q;
          q.function_arn = hosting::FunctionArn(registry->identity(), fn->name);
          if (auto qual = req.QueryValue("Qualifier")) {
            auto resolved = registry->Resolve(fn->name, *qual);
            if (!resolved.ok()) return res.Send(ErrorResponse(resolved.error()));
            q.version = resolved->executed_version;
          }
          if (auto n = req.QueryValue("DurableExecutionName")) q.name = std::string(*n);
          for (auto s : req.QueryValues("Statuses")) {
            auto st = protocol::ParseEnum<protocol::ExecutionStatus>(s);
            if (!st)
              return res.Send(ErrorResponse(Invalid("Unknown status '" + std::string(s) + "'")));
            q.statuses.push_back(*st);
          }
          for (auto [key, field] : {std::pair{"StartedAfter", &q.started_after},
                                    std::pair{"StartedBefore", &q.started_before}}) {
            if (auto v = req.QueryValue(key)) {
              auto t = protocol::ParseIso8601(*v);
              if (!t)
                return res.Send(
                    ErrorResponse(Invalid(std::string(key) + " must be an ISO-8601 time")));
              *field = *t;
            }
          }
          auto reverse = ParseBool(req.QueryValue("ReverseOrder"), false);
          if (!reverse)
            return res.Send(ErrorResponse(Invalid("ReverseOrder must be true or false")));
          q.reverse_order = *reverse;
          if (auto m = req.QueryValue("Marker")) q.marker = std::string(*m);
          if (auto m = req.QueryValue("MaxItems")) {
            auto n = ParseInt(m);
            if (!n || *n > 1000)
              return res.Send(ErrorResponse(Invalid("MaxItems must be 0 to 1000")));
            q.max_items = *n;
          }
          Blocking(std::move(res), [this, q](Responder& res) {
            auto l = store->List(q);
            if (!l.ok()) return res.Send(ErrorResponse(Invalid(l.status().message())));
            res.Send(JsonResponse(protocol::Encode(*l)));
          });
        });

  r.Add("POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/stop",
        [this, parse_arn](Request req, Responder res) {
          auto arn = parse_arn(req, res);
          if (!arn) return;
          auto j = ParseBody(req.body, res);
          if (!j) return;
          std::optional<protocol::ErrorObject> error;
          // The body is the ErrorObject itself; some tools wrap it as {"Error": {...}}.
          const json& e = j->contains("Error") && (*j)["Error"].is_object() ? (*j)["Error"] : *j;
          if (!e.empty()) {
            auto d = protocol::Decode<protocol::ErrorObject>(e);
            if (!d.ok()) return res.Send(ErrorResponse(Invalid(d.status().message())));
            error = *d;
          }
          auto responder = std::make_shared<Responder>(std::move(res));
          service->Stop(*arn, error, [responder](ApiResult<protocol::Timestamp> t) {
            if (!t.ok()) return responder->Send(ErrorResponse(t.error()));
            responder->Send(
                JsonResponse(protocol::Encode(protocol::StopDurableExecutionResponse{*t})));
          });
        });

  auto callback = [this](Request& req, Responder res, engine::CallbackCompletion c) {
    auto responder = std::make_shared<Responder>(std::move(res));
    service->CompleteCallback(req.Label("CallbackId"), std::move(c),
                              [responder](ApiResult<bool> r) {
                                if (!r.ok()) return responder->Send(ErrorResponse(r.error()));
                                responder->Send(JsonResponse(json::object()));
                              });
  };
  r.Add(
      "POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/succeed",
      [callback](Request req, Responder res) {
        std::optional<std::string> result;
        if (!req.body.empty()) result = req.body;
        callback(req, std::move(res), engine::CallbackSuccess{std::move(result)});
      },
      RouteOptions{.max_body_bytes = kCallbackResultLimit});
  r.Add("POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/fail",
        [callback](Request req, Responder res) {
          auto j = ParseBody(req.body, res);
          if (!j) return;
          auto e = protocol::Decode<protocol::ErrorObject>(*j);
          if (!e.ok()) return res.Send(ErrorResponse(Invalid(e.status().message())));
          callback(req, std::move(res), engine::CallbackFailure{*e});
        });
  r.Add("POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat",
        [callback](Request req, Responder res) {
          callback(req, std::move(res), engine::CallbackHeartbeat{});
        });
}

// ---- chained invoke ----

void Server::Impl::StartChainedInvoke(const std::string& caller_arn,
                                      const engine::StartChainedInvoke& invoke) {
  std::string op = invoke.operation_id;
  auto fail = [this, caller_arn, op](std::string type, std::string message) {
    engine::ChainedInvokeCompletion c;
    c.status = protocol::OperationStatus::kFailed;
    c.error =
        protocol::ErrorObject{std::move(type), std::move(message), std::nullopt, std::nullopt};
    service->CompleteChainedInvoke(caller_arn, op, std::move(c));
  };
  auto fn = registry->Resolve(invoke.function_name, std::nullopt);
  if (!fn.ok()) return fail(std::string(protocol::ToString(fn.error().code)), fn.error().message);
  std::string payload = invoke.payload.value_or("{}");

  if (!fn->config.durable()) {
    // A plain target: one invocation through its workers; its response is the result.
    auto on_done = [this, caller_arn, op](int status, std::string body,
                                          std::optional<std::string> function_error) {
      engine::ChainedInvokeCompletion c;
      if (status == 429) function_error = "TooManyRequestsException";  // throttled
      if (!function_error) {
        c.status = protocol::OperationStatus::kSucceeded;
        c.result = std::move(body);
      } else {
        c.status = protocol::OperationStatus::kFailed;
        protocol::ErrorObject e;
        json j = json::parse(body, nullptr, false);
        e.error_type = j.is_object() ? j.value("errorType", *function_error) : *function_error;
        e.error_message = j.is_object() ? j.value("errorMessage", body) : body;
        c.error = std::move(e);
      }
      service->CompleteChainedInvoke(caller_arn, op, std::move(c));
    };
    service->RecordChainedTarget(caller_arn, op, fn->executed_version, std::nullopt);
    if (auto throttled = InvokePlain(*fn, payload, NewRequestId(), std::move(on_done))) {
      fail("TooManyRequestsException", throttled->message);
    }
    return;
  }
  if (!fn->qualified) {
    return fail("InvalidParameterValueException",
                "You cannot invoke a durable function using an unqualified ARN.");
  }
  // The child's name is derived from the caller and the operation, so a repeated start
  // (after a crash) finds the same child instead of starting a second one.
  std::string digest = Sha256Base64(caller_arn + "/" + op);
  std::string name = "chained-";
  for (char ch : digest) {
    if (std::isalnum(static_cast<unsigned char>(ch)) && name.size() < 40) name += ch;
  }
  StartExecutionRequest start;
  start.name = name;
  start.function_arn = fn->function_arn;
  start.unqualified_function_arn = hosting::FunctionArn(registry->identity(), fn->config.name);
  start.version = fn->executed_version;
  start.execution_arn = fn->function_arn + "/durable-execution/" + name + "/" + Uuid();
  start.input = payload;
  start.execution_timeout_seconds =
      fn->config.durable_config->execution_timeout.value_or(hosting::kMaxExecutionTimeoutSeconds);
  start.retention_days =
      fn->config.durable_config->retention_period_in_days.value_or(hosting::kDefaultRetentionDays);
  std::string version = fn->executed_version;
  service->StartExecution(
      std::move(start), [this, caller_arn, op, version, fail](ApiResult<StartedExecution> st) {
        if (!st.ok())
          return fail(std::string(protocol::ToString(st.error().code)), st.error().message);
        std::string child = st->record.arn;
        service->RecordChainedTarget(caller_arn, op, version, child);
        service->WaitForClose(child, std::chrono::hours(24 * 400),
                              [this, caller_arn, op](std::optional<engine::ExecutionRecord> rec) {
                                if (!rec) return;  // the service is stopping
                                engine::ChainedInvokeCompletion c;
                                switch (rec->status) {
                                  case protocol::ExecutionStatus::kSucceeded:
                                    c.status = protocol::OperationStatus::kSucceeded;
                                    c.result = rec->result;
                                    break;
                                  case protocol::ExecutionStatus::kTimedOut:
                                    c.status = protocol::OperationStatus::kTimedOut;
                                    break;
                                  case protocol::ExecutionStatus::kStopped:
                                    c.status = protocol::OperationStatus::kStopped;
                                    break;
                                  default:
                                    c.status = protocol::OperationStatus::kFailed;
                                }
                                if (c.status != protocol::OperationStatus::kSucceeded) {
                                  c.error = rec->error.value_or(protocol::ErrorObject{});
                                }
                                service->CompleteChainedInvoke(caller_arn, op, std::move(c));
                              });
      });
}

// ---- admin ----

void Server::Impl::AddAdminRoutes(Router& r) {
  r.Add("GET", "/healthz", [](Request, Responder res) {
    res.Send(JsonResponse({{"status", "ok"}}));
  });
  r.Add("GET", "/metrics", [this](Request, Responder res) {
    // Counting executions by status reads the store: off the I/O threads.
    Blocking(std::move(res), [this](Responder& res) {
      auto counts = store->CountByStatus();
      MetricsSources sources{*service, store->writer(),
                             counts.ok() ? std::optional(*counts) : std::nullopt,
                             log_store_->stats(), dispatcher->total_queued()};
      res.Send(BytesResponse(RenderMetrics(sources), "text/plain; version=0.0.4"));
    });
  });
  // Not part of AWS's API: the worker processes this server runs.
  r.Add("GET", "/durafn/workers", [this](Request, Responder res) {
    json list = json::array();
    for (const auto& w : runtime->Workers()) {
      list.push_back({{"FunctionArn", w.function_arn},
                      {"LogStreamName", w.log_stream},
                      {"Pid", w.pid},
                      {"State", w.state},
                      {"RequestId", w.request_id}});
    }
    res.Send(JsonResponse({{"Workers", list}}));
  });
  // Not part of AWS's API: where the workers of a function version reach the Runtime API.
  // Hosting starts workers with it; tests use it to act as a worker.
  r.Add("POST", "/durafn/runtime-endpoints", [this](Request req, Responder res) {
    auto j = ParseBody(req.body, res);
    if (!j) return;
    std::string name = j->value("FunctionName", "");
    std::optional<std::string> q;
    if (j->contains("Qualifier")) q = (*j)["Qualifier"].get<std::string>();
    auto fn = registry->Resolve(name, q ? std::optional<std::string_view>(*q) : std::nullopt);
    if (!fn.ok()) return res.Send(ErrorResponse(fn.error()));
    auto endpoint = runtime->EndpointFor(fn->config, fn->function_arn);
    if (!endpoint.ok()) {
      return res.Send(ErrorResponse({ErrorCode::kService, endpoint.status().message()}));
    }
    res.Send(JsonResponse({{"RuntimeApi", *endpoint}, {"FunctionArn", fn->function_arn}}));
  });
}

Router Server::Impl::BuildRouter() {
  Router r;
  AddFunctionRoutes(r);
  AddInvokeRoute(r);
  AddDurableRoutes(r);
  AddAdminRoutes(r);
  // Function logs over CloudWatch Logs' protocol: POST / with X-Amz-Target.
  RegisterLogsRoutes(r, *log_store_, {.identity = registry->identity()});
  // durafn extension: records of deployed stacks (`durafn deploy`).
  AddStackRoutes(r, options.data_dir, registry->identity().region, registry->identity().account);
  return r;
}

// ---- lifecycle ----

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  Stop();
}

Result<std::unique_ptr<Server>> Server::Open(ServerOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return Status::Unavailable("cannot create data dir " + options.data_dir.string());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->errors = std::make_unique<RateLimitedReporter>(options.on_error);
  auto registry = hosting::FunctionRegistry::Open((options.data_dir / "registry.db").string(), {});
  if (!registry.ok()) return registry.status();
  impl->registry = std::move(*registry);
  auto log_store =
      hosting::LogStore::Open((options.data_dir / "logs.db").string(), hosting::LogStoreOptions{});
  if (!log_store.ok()) return log_store.status();
  impl->log_store_ = std::move(*log_store);
  impl->log_sink_ = impl->log_store_.get();
  store::SqliteExecutionStore::Options store_options;
  store_options.writer.max_batch = options.max_commit_batch;
  store_options.writer.max_queue = options.max_queued_writes;
  store_options.writer.on_error = [reporter = impl->errors.get()](std::string_view m) {
    reporter->Report(m);
  };
  auto store = store::SqliteExecutionStore::Open(options.data_dir, store_options);
  if (!store.ok()) return store.status();
  impl->store = std::move(*store);
  ExecutionServiceOptions so;
  so.shards = options.shards;
  so.idle_cached_per_shard =
      options.max_idle_cached_executions / static_cast<std::size_t>(std::max(1, options.shards));
  so.allow_skip_time = options.skip_time;
  impl->service = std::make_unique<ExecutionService>(*impl->store, WallNow, so);
  impl->dispatcher = std::make_unique<InvocationDispatcher>(options.max_queued_invocations);
  impl->code_store = std::make_unique<hosting::CodeStore>(options.data_dir / "code");
  impl->service->SetInvocationSink(impl->dispatcher.get());
  impl->service->SetChainedInvoker(impl.get());
  WorkerPoolOptions pool;
  pool.max_workers = options.max_workers;
  pool.idle_timeout = options.worker_idle_timeout;
  pool.max_queue_wait = options.max_invocation_queue_wait;
  pool.identity = impl->registry->identity();
  pool.runtime_files = hosting::LocateRuntimeFiles(options.runtimes_dir);
  Impl* raw = impl.get();
  impl->runtime = std::make_unique<RuntimeApi>(
      *impl->service, *impl->dispatcher, options.host, *impl->log_sink_, pool,
      [raw](const std::string& arn) -> std::optional<hosting::FunctionConfig> {
        auto r = raw->registry->Resolve(arn, std::nullopt);
        if (!r.ok()) return std::nullopt;
        hosting::FunctionConfig c = r->config;
        // Reserved concurrency belongs to the function, not to one version.
        auto latest = raw->registry->Get(c.name, std::nullopt);
        if (latest.ok()) c.reserved_concurrency = latest->reserved_concurrency;
        return c;
      });
  impl->dispatcher->SetOnStarved([raw](const std::string& arn) { raw->runtime->OnStarved(arn); });
  auto events = hosting::EventQueue::Open(
      options.data_dir / "events", {options.event_retry_delay_1, options.event_retry_delay_2});
  if (!events.ok()) return events.status();
  impl->events = std::move(*events);
  impl->pool = std::make_unique<WorkPool>(2, 10'000);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Start() {
  if (auto s = impl_->service->Start(); !s.ok()) return s;
  HttpServerOptions http;
  http.host = impl_->options.host;
  http.port = impl_->options.port;
  http.io_threads = impl_->options.io_threads;
  http.stop_grace = impl_->options.stop_grace;
  http.on_error = [reporter = impl_->errors.get()](std::string_view m) { reporter->Report(m); };
  impl_->http = std::make_unique<HttpServer>(http, impl_->BuildRouter());
  if (auto s = impl_->http->Start(); !s.ok()) return s;
  // Workers call the Lambda API back on a loopback address even when it listens on all.
  std::string host = impl_->options.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "[::1]";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  impl_->runtime->SetLambdaEndpoint(host + ":" + std::to_string(impl_->http->port()));
  Impl* impl = impl_.get();
  using hosting::EventOutcome;
  impl_->events->Start(
      [impl](const hosting::QueuedEvent& e, std::function<void(EventOutcome)> done) {
        auto fn = impl->registry->Resolve(e.function_arn, std::nullopt);
        // The function or version is gone: nothing to retry.
        if (!fn.ok()) return done(EventOutcome::kDone);
        // Every attempt runs under the request id the 202 carried, as Lambda's retries do.
        auto throttled = impl->InvokePlain(
            *fn, e.payload, e.id,
            [done](int status, std::string, std::optional<std::string> error) {
              if (status == 429) return done(EventOutcome::kThrottled);  // waited too long
              done(error ? EventOutcome::kFunctionError : EventOutcome::kDone);
            },
            e.invoked_function_arn);
        if (throttled) done(EventOutcome::kThrottled);
      });
  return Status::Ok();
}

void Server::Stop() {
  if (!impl_) return;
  if (impl_->http) impl_->http->Stop();
  if (impl_->events) impl_->events->Stop();
  if (impl_->runtime) impl_->runtime->Stop();
  if (impl_->service) impl_->service->Stop();
}

uint16_t Server::port() const {
  return impl_->http ? impl_->http->port() : 0;
}

}  // namespace durafn::api
