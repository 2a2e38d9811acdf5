#include "api/runtime_api.h"

#include <chrono>

#include "api/responses.h"
#include "protocol/json_codec.h"

namespace durafn::api {
namespace {

using nlohmann::json;

Response RuntimeError(int status, std::string type, std::string message) {
  return JsonResponse({{"errorType", std::move(type)}, {"errorMessage", std::move(message)}},
                      status);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A worker's error report ({errorType, errorMessage, stackTrace}) as an ErrorObject.
protocol::ErrorObject ErrorFromReport(const std::string& body,
                                      std::optional<std::string_view> header) {
  protocol::ErrorObject e;
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("errorType") && j["errorType"].is_string()) e.error_type = j["errorType"];
    if (j.contains("errorMessage") && j["errorMessage"].is_string()) {
      e.error_message = j["errorMessage"];
    }
    if (j.contains("stackTrace") && j["stackTrace"].is_array()) {
      std::vector<std::string> trace;
      for (const auto& line : j["stackTrace"]) {
        if (line.is_string()) trace.push_back(line);
      }
      e.stack_trace = std::move(trace);
    }
  }
  if (!e.error_type && header) e.error_type = std::string(*header);
  if (!e.error_type) e.error_type = "Runtime.Unknown";
  return e;
}

}  // namespace

struct RuntimeApi::Endpoint {
  std::string function_arn;
  hosting::FunctionConfig config;
  std::unique_ptr<HttpServer> server;
  std::mutex mu;
  struct InFlight {
    PendingInvocation invocation;
    int64_t deadline_ms = 0;  // the worker's deadline plus a grace period
  };
  std::map<std::string, InFlight, std::less<>> in_flight;  // by request id
  // Hands an invocation to a waiting worker (see EndpointFor).
  std::function<void(std::shared_ptr<Responder>, PendingInvocation)> deliver;
};

RuntimeApi::RuntimeApi(ExecutionService& service, InvocationDispatcher& dispatcher,
                       std::string host)
    : service_(service), dispatcher_(dispatcher), host_(std::move(host)) {
  watchdog_ = std::thread([this] { RunWatchdog(); });
}

RuntimeApi::~RuntimeApi() {
  Stop();
}

void RuntimeApi::Stop() {
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints;
  {
    std::lock_guard lock(mu_);
    endpoints.swap(endpoints_);
    stopping_ = true;
  }
  watchdog_cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  for (auto& [arn, e] : endpoints)
    e->server->Stop();
}

void RuntimeApi::RunWatchdog() {
  // How long past its deadline a worker may still answer before the invocation is failed.
  constexpr int64_t kGraceMs = 1000;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    watchdog_cv_.wait_for(lock, std::chrono::milliseconds(200));
    int64_t now = NowMs();
    std::vector<std::pair<Endpoint*, PendingInvocation>> expired;
    for (auto& [arn, ep] : endpoints_) {
      std::lock_guard l(ep->mu);
      for (auto it = ep->in_flight.begin(); it != ep->in_flight.end();) {
        if (it->second.deadline_ms + kGraceMs <= now) {
          expired.emplace_back(ep.get(), std::move(it->second.invocation));
          it = ep->in_flight.erase(it);
        } else {
          ++it;
        }
      }
    }
    lock.unlock();
    for (auto& [ep, inv] : expired) {
      std::string message =
          "Task timed out after " + std::to_string(ep->config.timeout_seconds) + ".00 seconds";
      if (inv.payload) {
        if (inv.on_done) {
          inv.on_done(200,
                      json{{"errorType", "Sandbox.Timedout"}, {"errorMessage", message}}.dump(),
                      "Unhandled");
        }
      } else {
        service_.CompleteInvocation(inv.execution_arn, inv.request_id,
                                    engine::InvocationFailure{protocol::ErrorObject{
                                        "Sandbox.Timedout", message, std::nullopt, std::nullopt}},
                                    [](ApiResult<bool>) {});
      }
    }
    lock.lock();
  }
}

Result<std::string> RuntimeApi::EndpointFor(const hosting::FunctionConfig& config,
                                            const std::string& function_arn) {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(function_arn);
  if (it != endpoints_.end()) {
    return host_ + ":" + std::to_string(it->second->server->port());
  }
  auto endpoint = std::make_unique<Endpoint>();
  endpoint->function_arn = function_arn;
  endpoint->config = config;
  Endpoint* ep = endpoint.get();
  Router router;

  // Hands `inv` to the waiting worker; a durable one first gets its envelope built. An
  // execution that cannot start an invocation any more (closed meanwhile) is skipped.
  ep->deliver = [this, ep](std::shared_ptr<Responder> responder, PendingInvocation inv) {
    auto send = [ep, responder](const PendingInvocation& inv, std::string body) {
      int64_t deadline = NowMs() + ep->config.timeout_seconds * 1000;
      {
        std::lock_guard l(ep->mu);
        ep->in_flight[inv.request_id] = Endpoint::InFlight{inv, deadline};
      }
      Response r = BytesResponse(std::move(body), "application/json");
      r.headers.Set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
      r.headers.Set("Lambda-Runtime-Deadline-Ms", std::to_string(deadline));
      r.headers.Set("Lambda-Runtime-Invoked-Function-Arn", ep->function_arn);
      r.headers.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-" + inv.request_id.substr(0, 24));
      responder->Send(std::move(r));
    };
    if (inv.payload) {
      std::string body = *inv.payload;
      return send(inv, std::move(body));
    }
    std::string arn = inv.execution_arn;
    service_.BeginInvocation(
        arn, inv.request_id,
        [this, ep, responder, inv, send](ApiResult<protocol::InvocationEnvelope> env) {
          if (!env.ok()) {
            // Nothing to run for this one; keep the worker waiting for the next.
            dispatcher_.Next(ep->function_arn, [ep, responder](PendingInvocation next) {
              ep->deliver(responder, std::move(next));
            });
            return;
          }
          send(inv, protocol::Encode(*env, protocol::TimeFormat::kEpochMillis).dump());
        });
  };

  router.Add("GET", "/2018-06-01/runtime/invocation/next",
             [this, ep](Request, Responder responder) {
               auto shared = std::make_shared<Responder>(std::move(responder));
               bool ok = dispatcher_.Next(ep->function_arn, [ep, shared](PendingInvocation inv) {
                 ep->deliver(shared, std::move(inv));
               });
               if (!ok) {
                 shared->Send(RuntimeError(429, "Runtime.TooManyWorkers",
                                           "too many workers are waiting for invocations"));
               }
             });

  auto finish = [this, ep](const std::string& request_id, Responder responder,
                           std::function<void(PendingInvocation&)> complete) {
    PendingInvocation inv;
    {
      std::lock_guard l(ep->mu);
      auto it = ep->in_flight.find(request_id);
      if (it == ep->in_flight.end()) {
        return responder.Send(
            RuntimeError(400, "InvalidRequestID", "No invocation in flight with id " + request_id));
      }
      inv = std::move(it->second.invocation);
      ep->in_flight.erase(it);
    }
    complete(inv);
    responder.Send(JsonResponse({{"status", "OK"}}, 202));
  };

  router.Add(
      "POST", "/2018-06-01/runtime/invocation/{RequestId}/response",
      [this, finish](Request req, Responder responder) {
        std::string body = std::move(req.body);
        finish(req.Label("RequestId"), std::move(responder), [this, body](PendingInvocation& inv) {
          if (inv.payload) {
            if (inv.on_done) inv.on_done(200, body, std::nullopt);
            return;
          }
          engine::InvocationResult result;
          auto out = protocol::DecodeText<protocol::InvocationOutput>(body);
          if (out.ok()) {
            result = *out;
          } else {
            result = engine::InvocationFailure{protocol::ErrorObject{
                "Runtime.InvalidOutput",
                "The durable handler returned an invalid output: " + out.status().message(),
                std::nullopt, std::nullopt}};
          }
          service_.CompleteInvocation(inv.execution_arn, inv.request_id, std::move(result),
                                      [](ApiResult<bool>) {});
        });
      });

  router.Add("POST", "/2018-06-01/runtime/invocation/{RequestId}/error",
             [this, finish](Request req, Responder responder) {
               auto error =
                   ErrorFromReport(req.body, req.headers.Get("Lambda-Runtime-Function-Error-Type"));
               std::string body = std::move(req.body);
               finish(req.Label("RequestId"), std::move(responder),
                      [this, error, body](PendingInvocation& inv) {
                        if (inv.payload) {
                          if (inv.on_done) inv.on_done(200, body, "Unhandled");
                          return;
                        }
                        service_.CompleteInvocation(inv.execution_arn, inv.request_id,
                                                    engine::InvocationFailure{error},
                                                    [](ApiResult<bool>) {});
                      });
             });

  router.Add("POST", "/2018-06-01/runtime/init/error", [](Request, Responder responder) {
    responder.Send(JsonResponse({{"status", "OK"}}, 202));
  });

  HttpServerOptions options;
  options.host = host_;
  options.io_threads = 1;
  // A worker's /next may wait as long as it takes for work to arrive.
  options.idle_timeout = std::chrono::hours(24);
  endpoint->server = std::make_unique<HttpServer>(options, std::move(router));
  if (auto s = endpoint->server->Start(); !s.ok()) return s;
  std::string address = host_ + ":" + std::to_string(endpoint->server->port());
  endpoints_.emplace(function_arn, std::move(endpoint));
  return address;
}

}  // namespace durafn::api
