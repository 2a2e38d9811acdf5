#include "api/runtime_api.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include <signal.h>

#include "api/responses.h"
#include "hosting/worker_process.h"
#include "protocol/json_codec.h"
#include "protocol/thread_name.h"

namespace durafn::api {
namespace {

// How long the end of an invocation (or the start of the first) waits for the worker's
// output reader to take in what the worker printed before it, so those lines carry this
// request id. Only a busy machine makes the reader late; a worker that prints all the time
// costs each invocation at most this much.
constexpr std::chrono::milliseconds kOutputDrainLimit{20};

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// The largest response a worker may post: Lambda's synchronous payload limit (6 MiB + 100).
constexpr std::size_t kMaxWorkerResponseBytes = 6'291'556;

Response RuntimeError(int status, std::string type, std::string message) {
  return JsonResponse({{"errorType", std::move(type)}, {"errorMessage", std::move(message)}},
                      status);
}

// What the Runtime API answers a worker whose response is over the limit.
Response ResponseTooLargeForRuntime() {
  return RuntimeError(413, "RequestEntityTooLarge",
                      "Exceeded maximum allowed payload size (" +
                          std::to_string(kMaxWorkerResponseBytes) + " bytes).");
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double MsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

std::string RandomHex32() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

// Lambda's stream name: "YYYY/MM/DD/[VERSION]<32 hex>".
std::string StreamName(const std::string& version, const std::string& id) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y/%m/%d", &tm);
  return std::string(date) + "/[" + version + "]" + id;
}

// How Lambda's runtime interface names a signal ("signal: killed").
std::string SignalName(int sig) {
  switch (sig) {
    case SIGKILL:
      return "killed";
    case SIGABRT:
      return "aborted";
    case SIGSEGV:
      return "segmentation fault";
    case SIGTERM:
      return "terminated";
    case SIGBUS:
      return "bus error";
    case SIGILL:
      return "illegal instruction";
    case SIGFPE:
      return "floating point exception";
    default: {
      std::string s = strsignal(sig);
      for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }
  }
}

protocol::ErrorObject Error(std::string type, std::string message);

// The invocation's outcome when its worker's response is over the limit: a function error, as
// Lambda reports it to the caller, not a wait for the timeout.
protocol::ErrorObject ResponseTooLargeError() {
  return Error("Function.ResponseSizeTooLarge",
               "Response payload size exceeded maximum allowed payload size (" +
                   std::to_string(kMaxWorkerResponseBytes) + " bytes).");
}

protocol::ErrorObject Error(std::string type, std::string message) {
  return protocol::ErrorObject{std::move(type), std::move(message), std::nullopt, std::nullopt};
}

// A worker's error report ({errorType, errorMessage, stackTrace or trace}) as an ErrorObject.
protocol::ErrorObject ErrorFromReport(const std::string& body,
                                      std::optional<std::string_view> header) {
  protocol::ErrorObject e;
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("errorType") && j["errorType"].is_string()) e.error_type = j["errorType"];
    if (j.contains("errorMessage") && j["errorMessage"].is_string()) {
      e.error_message = j["errorMessage"];
    }
    // Node.js runtimes call the stack "trace".
    const char* key = j.contains("stackTrace") ? "stackTrace" : "trace";
    if (j.contains(key) && j[key].is_array()) {
      std::vector<std::string> trace;
      for (const auto& line : j[key]) {
        if (line.is_string()) trace.push_back(line);
      }
      e.stack_trace = std::move(trace);
    }
  }
  if (!e.error_type && header) e.error_type = std::string(*header);
  if (!e.error_type) e.error_type = "Runtime.Unknown";
  return e;
}

// Lambda's function-error payload for an ErrorObject.
std::string ErrorPayload(const protocol::ErrorObject& e) {
  json j = {{"errorMessage", e.error_message.value_or("")},
            {"errorType", e.error_type.value_or("Runtime.Unknown")}};
  if (e.stack_trace) j["stackTrace"] = *e.stack_trace;
  return j.dump();
}

}  // namespace

// ---- external endpoints ----

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

// ---- spawned workers ----

struct RuntimeApi::Worker {
  std::string id;
  std::string function_arn;
  hosting::FunctionConfig config;
  std::string log_group, log_stream;
  std::unique_ptr<HttpServer> listener;
  std::unique_ptr<hosting::WorkerProcess> process;
  int pid = 0;

  // Guarded by RuntimeApi::mu_.
  enum class State { kStarting, kIdle, kBusy, kDead } state = State::kStarting;
  std::optional<PendingInvocation> current;
  bool begun = false;  // the durable invocation of `current` was begun in the service
  SteadyClock::time_point spawned = SteadyClock::now(), idle_since, invoke_start;
  SteadyClock::time_point deadline;
  uint64_t wait_ticket = 0;
  double init_ms = 0;
  bool init_reported = false;  // the cold start's Init Duration went into a REPORT
  std::optional<protocol::ErrorObject> init_error;
  std::string init_error_report;  // the body the runtime posted to /init/error
  KillReason kill_reason = KillReason::kNone;
  // StartWorker is done with it: registered in workers_, or given up. Until then a request on
  // its listener is not a sign that it was stopped.
  bool settled = false;

  // What the worker's output lines are attributed to.
  std::mutex log_mu;
  std::string log_request_id, log_execution_arn;
};

RuntimeApi::RuntimeApi(ExecutionService& service, InvocationDispatcher& dispatcher,
                       std::string host, hosting::LogSink& log_sink, WorkerPoolOptions options,
                       Resolver resolver)
    : service_(service),
      dispatcher_(dispatcher),
      host_(std::move(host)),
      log_sink_(log_sink),
      options_(std::move(options)),
      resolver_(std::move(resolver)) {
  monitor_ = std::thread([this] {
    SetThreadName("worker-monitor");
    RunMonitor();
  });
  spawner_ = std::thread([this] {
    SetThreadName("worker-spawn");
    RunSpawner();
  });
}

RuntimeApi::~RuntimeApi() {
  Stop();
}

void RuntimeApi::SetLambdaEndpoint(std::string host_port) {
  {
    std::lock_guard lock(mu_);
    lambda_endpoint_ = std::move(host_port);
  }
  SpawnAll();  // invocations queued before the server listened (recovery)
}

void RuntimeApi::Stop() {
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints;
  std::map<std::string, std::shared_ptr<Worker>> workers;
  std::vector<std::shared_ptr<Worker>> dead;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !monitor_.joinable()) return;
    stopping_ = true;
    endpoints.swap(endpoints_);
    workers.swap(workers_);
    for (auto& [id, w] : workers)
      w->kill_reason = KillReason::kStop;
  }
  monitor_cv_.notify_all();
  spawner_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
  if (spawner_.joinable()) spawner_.join();
  for (auto& [id, w] : workers) {
    if (w->process) w->process->Kill();
  }
  for (auto& [id, w] : workers) {
    if (w->listener) w->listener->Stop();
    w->process.reset();  // joins its reader, which runs OnExit
  }
  {
    std::lock_guard lock(mu_);
    dead.swap(graveyard_);
  }
  for (auto& w : dead) {
    if (w->listener) w->listener->Stop();
    w->process.reset();
  }
  for (auto& [arn, e] : endpoints)
    e->server->Stop();
  // Waiting /next calls of external workers stay in the dispatcher with a pointer to their
  // endpoint, and a late completion may still deliver to them: keep the endpoints until this
  // object goes.
  std::lock_guard lock(mu_);
  for (auto& [arn, e] : endpoints)
    retired_endpoints_.push_back(std::move(e));
}

std::vector<WorkerInfo> RuntimeApi::Workers() const {
  std::lock_guard lock(mu_);
  std::vector<WorkerInfo> out;
  for (const auto& [id, w] : workers_) {
    WorkerInfo i;
    i.function_arn = w->function_arn;
    i.log_stream = w->log_stream;
    i.pid = w->pid;
    i.state = w->state == Worker::State::kStarting ? "starting"
              : w->state == Worker::State::kIdle   ? "idle"
                                                   : "busy";
    if (w->current) i.request_id = w->current->request_id;
    out.push_back(std::move(i));
  }
  return out;
}

// ---- monitor ----

void RuntimeApi::RunMonitor() {
  int64_t last_external = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    monitor_cv_.wait_for(lock, options_.monitor_interval);
    if (stopping_) break;
    std::vector<std::shared_ptr<Worker>> dead;
    dead.swap(graveyard_);
    lock.unlock();
    for (auto& w : dead) {
      if (w->listener) w->listener->Stop();
      w->process.reset();
    }
    dead.clear();
    WatchWorkers();
    int64_t now = NowMs();
    if (now - last_external >= 200) {
      last_external = now;
      WatchExternal(now);
      for (auto& inv :
           dispatcher_.TakePlainQueuedBefore(SteadyClock::now() - options_.max_queue_wait)) {
        if (inv.on_done) {
          inv.on_done(429, ErrorPayload(Error("TooManyRequestsException", "Rate Exceeded.")),
                      std::nullopt);
        }
      }
    }
    lock.lock();
  }
}

void RuntimeApi::WatchWorkers() {
  auto now = SteadyClock::now();
  std::vector<std::shared_ptr<Worker>> to_kill;
  std::vector<std::shared_ptr<Worker>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, w] : workers_) {
      if (w->state == Worker::State::kBusy && w->current && w->kill_reason == KillReason::kNone &&
          now >= w->deadline) {
        w->kill_reason = KillReason::kTimeout;
        to_kill.push_back(w);
      } else if (w->state == Worker::State::kIdle && w->kill_reason == KillReason::kNone &&
                 now - w->idle_since >= options_.idle_timeout &&
                 dispatcher_.CancelWait(w->function_arn, w->wait_ticket)) {
        w->kill_reason = KillReason::kIdle;
        to_kill.push_back(w);
      } else if (w->kill_reason == KillReason::kNone) {
        live.push_back(w);
      }
    }
  }
  for (auto& w : live) {
    int64_t limit = w->config.memory_size_mb * 1024 * 1024;
    if (w->process && w->process->ResidentBytes() > limit) {
      {
        std::lock_guard lock(mu_);
        if (w->kill_reason != KillReason::kNone) continue;
        w->kill_reason = KillReason::kMemory;
      }
      to_kill.push_back(w);
    }
  }
  for (auto& w : to_kill) {
    if (w->process) w->process->Kill();
  }
}

void RuntimeApi::WatchExternal(int64_t now) {
  // How long past its deadline a worker may still answer before the invocation is failed.
  constexpr int64_t kGraceMs = 1000;
  std::vector<std::pair<Endpoint*, PendingInvocation>> expired;
  {
    std::lock_guard lock(mu_);
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
  }
  for (auto& [ep, inv] : expired) {
    std::string message =
        "Task timed out after " + std::to_string(ep->config.timeout_seconds) + ".00 seconds";
    FailInvocation(inv, Error("Sandbox.Timedout", message), /*begun=*/true);
  }
}

void RuntimeApi::FailInvocation(PendingInvocation& inv, const protocol::ErrorObject& error,
                                bool begun, const std::string& report) {
  if (inv.payload) {
    if (inv.on_done) {
      bool as_posted = !report.empty() && json::parse(report, nullptr, false).is_object();
      inv.on_done(200, as_posted ? report : ErrorPayload(error), "Unhandled");
    }
    return;
  }
  auto complete = [this, arn = inv.execution_arn, id = inv.request_id, error] {
    service_.CompleteInvocation(arn, id, engine::InvocationFailure{error}, [](ApiResult<bool>) {});
  };
  if (begun) return complete();
  // The execution must hold the invocation before it can fail: begin it, then fail it, so
  // the engine retries it as it does any failed invocation.
  service_.BeginInvocation(inv.execution_arn, inv.request_id,
                           [complete](ApiResult<protocol::InvocationEnvelope> env) {
                             if (env.ok()) complete();
                           });
}

// ---- spawning ----

std::optional<hosting::RuntimeUnavailable> RuntimeApi::Unrunnable(
    const hosting::FunctionConfig& config, const std::string& function_arn) {
  {
    std::lock_guard lock(mu_);
    auto it = versions_.find(function_arn);
    if (it != versions_.end() && it->second.external) return std::nullopt;
  }
  return CheckRunnable(config);
}

std::optional<hosting::RuntimeUnavailable> RuntimeApi::CheckRunnable(
    const hosting::FunctionConfig& config) {
  constexpr std::size_t kMaxRemembered = 10'000;
  std::string key = config.runtime + '\n' + config.code_location;
  {
    std::lock_guard lock(mu_);
    if (runnable_.contains(key)) return std::nullopt;
  }
  auto unavailable =
      hosting::CommandFor(config, config.code_location, options_.runtime_files).unavailable;
  if (!unavailable) {
    std::lock_guard lock(mu_);
    if (runnable_.size() >= kMaxRemembered) runnable_.clear();
    runnable_.insert(std::move(key));
  }
  return unavailable;
}

void RuntimeApi::OnStarved(const std::string& function_arn) {
  MaybeSpawn(function_arn, /*start_elsewhere=*/true);
}

std::size_t RuntimeApi::ComingWorkers(const std::string& function_arn) const {
  std::size_t coming = 0;
  if (auto it = versions_.find(function_arn); it != versions_.end()) coming = it->second.starting;
  for (const auto& [id, w] : workers_) {
    if (w->function_arn == function_arn && w->state == Worker::State::kBusy && !w->current &&
        w->kill_reason == KillReason::kNone) {
      ++coming;
    }
  }
  return coming;
}

void RuntimeApi::RunSpawner() {
  std::unique_lock lock(mu_);
  for (;;) {
    spawner_cv_.wait(lock, [this] { return stopping_ || !to_start_.empty(); });
    if (stopping_) return;  // what is left was counted as starting; nothing counts any more
    PendingStart next = std::move(to_start_.front());
    to_start_.pop_front();
    lock.unlock();
    StartCounted(next.config, next.function_arn);
    lock.lock();
  }
}

void RuntimeApi::SpawnAll() {
  std::vector<std::string> arns;
  {
    std::lock_guard lock(mu_);
    for (const auto& [arn, v] : versions_) {
      if (!v.external) arns.push_back(arn);
    }
  }
  for (const auto& arn : arns) {
    if (dispatcher_.queued(arn) > 0) MaybeSpawn(arn);
  }
}

void RuntimeApi::MaybeSpawn(const std::string& function_arn, bool start_elsewhere) {
  for (;;) {
    auto config = resolver_(function_arn);
    if (!config) return;
    if (CheckRunnable(*config)) return;
    std::shared_ptr<Worker> victim;
    bool handed_over = false;
    {
      std::lock_guard lock(mu_);
      // Workers need the Lambda API's address; until it is known invocations wait.
      if (stopping_ || lambda_endpoint_.empty()) return;
      Version& v = versions_[function_arn];
      if (v.external) return;
      if (dispatcher_.queued(function_arn) <= ComingWorkers(function_arn)) return;
      // Picks an idle worker of another version that `eligible` accepts and marks it for
      // eviction; its exit spawns again.
      auto evict_idle = [&](auto&& eligible) {
        if (evicting_ > 0) return false;
        for (auto& [id, w] : workers_) {
          if (w->function_arn != function_arn && eligible(*w) && w->state == Worker::State::kIdle &&
              w->kill_reason == KillReason::kNone &&
              dispatcher_.CancelWait(w->function_arn, w->wait_ticket)) {
            w->kill_reason = KillReason::kEvicted;
            victim = w;
            ++evicting_;
            return true;
          }
        }
        return false;
      };
      bool at_reserved_limit = false;
      if (config->reserved_concurrency) {
        int64_t mine = static_cast<int64_t>(spawning_[config->name]);
        for (const auto& [id, w] : workers_) {
          if (w->config.name == config->name) ++mine;
        }
        at_reserved_limit = mine >= *config->reserved_concurrency;
      }
      if (at_reserved_limit) {
        // Idle workers of the function's other versions hold its reserved concurrency.
        if (!evict_idle([&](const Worker& w) { return w.config.name == config->name; })) return;
      } else if (workers_.size() + spawning_total_ >= options_.max_workers) {
        if (!evict_idle([](const Worker&) { return true; })) return;
      } else {
        ++v.starting;
        ++spawning_[config->name];
        ++spawning_total_;
        if (start_elsewhere) {
          to_start_.push_back({*config, function_arn});
          handed_over = true;
        }
      }
    }
    if (victim) {
      if (victim->process) victim->process->Kill();
      return;
    }
    if (handed_over) {
      spawner_cv_.notify_one();
      continue;  // counted as starting: the next round sees whether more are needed
    }
    StartCounted(*config, function_arn);
  }
}

void RuntimeApi::StartCounted(const hosting::FunctionConfig& config,
                              const std::string& function_arn) {
  Status error;
  auto w = StartWorker(config, function_arn, &error);
  {
    // Registered in workers_ now (or failed): no longer counted as spawning.
    std::lock_guard lock(mu_);
    if (--spawning_[config.name] == 0) spawning_.erase(config.name);
    --spawning_total_;
    if (!w) --versions_[function_arn].starting;
  }
  if (!w) {
    if (auto inv = dispatcher_.TakeOldest(function_arn)) {
      FailInvocation(*inv, Error("Runtime.ExitError", error.message()), false);
    }
  }
}

std::shared_ptr<RuntimeApi::Worker> RuntimeApi::StartWorker(const hosting::FunctionConfig& config,
                                                            const std::string& function_arn,
                                                            Status* error) {
  auto w = std::make_shared<Worker>();
  w->id = RandomHex32();
  w->function_arn = function_arn;
  w->config = config;
  w->log_group = "/aws/lambda/" + config.name;
  w->log_stream = StreamName(config.version, w->id);

  HttpServerOptions http;
  http.host = "127.0.0.1";  // only the worker on this machine talks to it
  http.io_threads = 1;
  http.offload_threads = 0;  // one worker, one request at a time: nothing to hold up
  http.max_connections = 64;
  // A worker's /next may wait as long as it takes for work to arrive.
  http.idle_timeout = std::chrono::hours(24);
  http.stop_grace = std::chrono::milliseconds(100);
  w->listener = std::make_unique<HttpServer>(http, WorkerRouter(w.get()));
  if (auto s = w->listener->Start(); !s.ok()) {
    *error = s;
    return nullptr;
  }

  auto command = hosting::CommandFor(config, config.code_location, options_.runtime_files);
  hosting::WorkerSpec spec;
  spec.argv = command.argv;
  spec.cwd = config.code_location;
#if !defined(__SANITIZE_ADDRESS__)
  spec.address_space_limit =
      static_cast<uint64_t>(config.memory_size_mb + options_.address_space_headroom_mb) * 1024 *
      1024;
#endif
  // Under AddressSanitizer the workers are instrumented too and reserve terabytes of address
  // space for shadow memory, so only the resident-memory watch enforces MemorySize there.
  std::string lambda_endpoint;
  {
    std::lock_guard lock(mu_);
    lambda_endpoint = lambda_endpoint_;
  }
  const auto& task = config.code_location;
  spec.env = {
      {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(w->listener->port())},
      {"AWS_LAMBDA_FUNCTION_NAME", config.name},
      {"AWS_LAMBDA_FUNCTION_VERSION", config.version},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(config.memory_size_mb)},
      {"AWS_LAMBDA_LOG_GROUP_NAME", w->log_group},
      {"AWS_LAMBDA_LOG_STREAM_NAME", w->log_stream},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"_HANDLER", config.handler},
      {"LAMBDA_TASK_ROOT", task},
      {"AWS_REGION", options_.identity.region},
      {"AWS_DEFAULT_REGION", options_.identity.region},
      {"AWS_ENDPOINT_URL_LAMBDA", "http://" + lambda_endpoint},
      // The server checks no signatures; SDKs only need credentials to sign with.
      {"AWS_ACCESS_KEY_ID", "AKIADURAFNLOCAL00000"},
      {"AWS_SECRET_ACCESS_KEY", "durafn-local-secret"},
      {"AWS_SESSION_TOKEN", "durafn-local-session"},
      {"PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin"},
      {"LD_LIBRARY_PATH", task + ":" + task + "/lib:/opt/lib"},
      {"LANG", "en_US.UTF-8"},
      {"TZ", ":UTC"},
  };
  for (const auto& [k, v] : command.env)
    spec.env[k] = v;
  for (const auto& [k, v] : config.environment)
    spec.env[k] = v;

  std::weak_ptr<Worker> weak = w;
  auto spawned = hosting::WorkerProcess::Spawn(
      spec,
      [this, raw = w.get()](std::string_view line) {
        // The worker outlives its reader thread, which runs this.
        Log(*raw, std::string(line));
      },
      [this, weak](const hosting::WorkerExit& exit) {
        if (auto self = weak.lock()) OnExit(self, exit);
      });
  if (!spawned.ok()) {
    w->listener->Stop();
    *error = spawned.status();
    return nullptr;
  }
  bool exited_early = false;
  {
    std::lock_guard lock(mu_);
    w->process = std::move(*spawned);
    w->pid = w->process->pid();
    w->spawned = SteadyClock::now();
    w->settled = true;
    settled_cv_.notify_all();
    if (stopping_) {
      w->kill_reason = KillReason::kStop;
      graveyard_.push_back(w);
      w->process->Kill();
      return w;
    }
    workers_[w->id] = w;
    // It may have exited already, and OnExit, finding it unregistered, did nothing: handle
    // its exit now (the starting count, the invocation it was started for). If OnExit runs
    // after all, it finds the worker gone and returns.
    exited_early = w->process->exited();
  }
  if (exited_early) OnExit(w, w->process->exit_info());
  return w;
}

// ---- a worker's Runtime API ----

std::shared_ptr<RuntimeApi::Worker> RuntimeApi::FindWorker(std::unique_lock<std::mutex>& lock,
                                                           const Worker* raw) {
  // Registration follows spawn by microseconds; the bound only guards against a bug.
  settled_cv_.wait_for(lock, std::chrono::seconds(5), [raw] { return raw->settled; });
  auto it = workers_.find(raw->id);
  return it == workers_.end() ? nullptr : it->second;
}

Router RuntimeApi::WorkerRouter(Worker* raw) {
  Router router;
  router.Add("GET", "/2018-06-01/runtime/invocation/next", [this, raw](Request, Responder res) {
    auto responder = std::make_shared<Responder>(std::move(res));
    std::shared_ptr<Worker> w;
    bool first = false;
    {
      std::unique_lock lock(mu_);
      w = FindWorker(lock, raw);
      if (!w) return responder->Send(RuntimeError(410, "Runtime.Gone", "this worker was stopped"));
      if (w->state == Worker::State::kBusy && w->current) {
        return responder->Send(RuntimeError(
            403, "InvalidStateTransition",
            "State transition from Running to Ready failed: the current invocation has no "
            "response yet"));
      }
      if (w->state == Worker::State::kStarting) {
        w->init_ms = MsSince(w->spawned);
        first = true;
      } else {
        w->state = Worker::State::kIdle;
        w->idle_since = SteadyClock::now();
      }
    }
    if (first) {
      // What it printed while initializing belongs to no invocation. It still counts as
      // starting meanwhile, so a queued invocation does not start another worker.
      if (w->process) w->process->WaitForOutput(kOutputDrainLimit);
      std::unique_lock lock(mu_);
      if (!FindWorker(lock, raw) || w->state != Worker::State::kStarting) {
        return responder->Send(RuntimeError(410, "Runtime.Gone", "this worker was stopped"));
      }
      --versions_[w->function_arn].starting;
      w->state = Worker::State::kIdle;
      w->idle_since = SteadyClock::now();
    }
    WaitForWork(w, responder);
  });

  const BodyTooLargeHandler too_large = [this, raw](const PathLabels& labels) {
    auto id = labels.find("RequestId");
    if (id != labels.end()) Finish(*raw, id->second, std::nullopt, ResponseTooLargeError(), "");
    return ResponseTooLargeForRuntime();
  };
  router.Add(
      "POST", "/2018-06-01/runtime/invocation/{RequestId}/response",
      [this, raw](Request req, Responder res) {
        if (!Finish(*raw, req.Label("RequestId"), std::move(req.body), std::nullopt, "")) {
          return res.Send(
              RuntimeError(400, "InvalidRequestID",
                           "No invocation in flight with id " + req.Label("RequestId")));
        }
        res.Send(JsonResponse({{"status", "OK"}}, 202));
      },
      RouteOptions{.max_body_bytes = kMaxWorkerResponseBytes, .on_body_too_large = too_large});

  router.Add(
      "POST", "/2018-06-01/runtime/invocation/{RequestId}/error",
      [this, raw](Request req, Responder res) {
        auto error =
            ErrorFromReport(req.body, req.headers.Get("Lambda-Runtime-Function-Error-Type"));
        if (!Finish(*raw, req.Label("RequestId"), std::nullopt, error, req.body)) {
          return res.Send(
              RuntimeError(400, "InvalidRequestID",
                           "No invocation in flight with id " + req.Label("RequestId")));
        }
        res.Send(JsonResponse({{"status", "OK"}}, 202));
      },
      RouteOptions{.max_body_bytes = kMaxWorkerResponseBytes, .on_body_too_large = too_large});

  router.Add("POST", "/2018-06-01/runtime/init/error", [this, raw](Request req, Responder res) {
    auto error = ErrorFromReport(req.body, req.headers.Get("Lambda-Runtime-Function-Error-Type"));
    std::shared_ptr<Worker> w;
    {
      std::unique_lock lock(mu_);
      w = FindWorker(lock, raw);
      if (!w || w->state != Worker::State::kStarting) {
        return res.Send(RuntimeError(403, "InvalidStateTransition",
                                     "init/error is only allowed during initialization"));
      }
      w->init_error = error;
      w->init_error_report = req.body;
      if (w->kill_reason == KillReason::kNone) w->kill_reason = KillReason::kInitError;
    }
    res.Send(JsonResponse({{"status", "OK"}}, 202));
    // As Lambda does, the runtime that failed to initialize is stopped.
    if (w->process) w->process->Kill();
  });
  return router;
}

void RuntimeApi::WaitForWork(const std::shared_ptr<Worker>& w,
                             std::shared_ptr<Responder> responder) {
  std::weak_ptr<Worker> weak = w;
  std::string arn = w->function_arn;
  auto ticket = dispatcher_.Next(arn, [this, weak, responder, arn](PendingInvocation inv) {
    auto self = weak.lock();
    if (!self) return dispatcher_.Requeue(arn, std::move(inv));
    Deliver(self, responder, std::move(inv));
  });
  if (!ticket) {
    responder->Send(RuntimeError(429, "Runtime.TooManyWorkers",
                                 "too many workers are waiting for invocations"));
    return;
  }
  if (*ticket != 0) {
    std::lock_guard lock(mu_);
    if (w->state == Worker::State::kIdle) w->wait_ticket = *ticket;
  }
}

void RuntimeApi::Deliver(const std::shared_ptr<Worker>& w, std::shared_ptr<Responder> responder,
                         PendingInvocation inv) {
  {
    std::unique_lock lock(mu_);
    if (w->state != Worker::State::kIdle || w->kill_reason != KillReason::kNone) {
      // It died (or is being stopped) while waiting: the invocation goes to another worker
      // (outside the lock: requeueing may deliver it to a waiting worker right away).
      lock.unlock();
      dispatcher_.Requeue(w->function_arn, std::move(inv));
      return;
    }
    w->state = Worker::State::kBusy;
    w->current = inv;
    w->begun = false;
    w->wait_ticket = 0;
    w->invoke_start = SteadyClock::now();
    w->deadline = w->invoke_start + std::chrono::seconds(w->config.timeout_seconds);
  }
  {
    std::lock_guard l(w->log_mu);
    w->log_request_id = inv.request_id;
    w->log_execution_arn = inv.execution_arn;
  }
  Log(*w, "START RequestId: " + inv.request_id + " Version: " + w->config.version);
  if (inv.payload) {
    std::string body = *inv.payload;
    return SendInvocation(*w, *responder, inv, std::move(body));
  }
  service_.BeginInvocation(
      inv.execution_arn, inv.request_id,
      [this, w, responder, id = inv.request_id](ApiResult<protocol::InvocationEnvelope> env) {
        PendingInvocation current;
        {
          std::lock_guard lock(mu_);
          if (w->state != Worker::State::kBusy || !w->current || w->current->request_id != id) {
            return;  // it died meanwhile; its exit handling took care of the invocation
          }
          if (!env.ok()) {
            // Nothing to run for this one (closed meanwhile); the worker waits for the next.
            w->current.reset();
            w->state = Worker::State::kIdle;
            w->idle_since = SteadyClock::now();
          } else {
            w->begun = true;
            current = *w->current;
          }
        }
        if (!env.ok()) {
          Log(*w, "END RequestId: " + id);
          return WaitForWork(w, responder);
        }
        SendInvocation(*w, *responder, current,
                       protocol::Encode(*env, protocol::TimeFormat::kEpochMillis).dump());
      });
}

void RuntimeApi::SendInvocation(Worker& w, Responder& responder, const PendingInvocation& inv,
                                std::string body) {
  int64_t deadline = NowMs() + w.config.timeout_seconds * 1000;
  Response r = BytesResponse(std::move(body), "application/json");
  r.headers.Set("Lambda-Runtime-Aws-Request-Id", inv.request_id);
  r.headers.Set("Lambda-Runtime-Deadline-Ms", std::to_string(deadline));
  r.headers.Set("Lambda-Runtime-Invoked-Function-Arn",
                inv.invoked_function_arn.empty() ? w.function_arn : inv.invoked_function_arn);
  r.headers.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-" + inv.request_id.substr(0, 24));
  responder.Send(std::move(r));
}

bool RuntimeApi::Finish(Worker& w, const std::string& request_id,
                        std::optional<std::string> response,
                        std::optional<protocol::ErrorObject> error, const std::string& raw_error) {
  PendingInvocation inv;
  double duration = 0;
  {
    std::lock_guard lock(mu_);
    if (w.state != Worker::State::kBusy || !w.current || w.current->request_id != request_id ||
        (!w.current->payload && !w.begun) || w.kill_reason != KillReason::kNone) {
      return false;
    }
    inv = std::move(*w.current);
    w.current.reset();
    // Busy until its next /next: a worker is not idle before it asks for work.
    duration = MsSince(w.invoke_start);
  }
  if (inv.payload) {
    if (inv.on_done) {
      if (response) {
        inv.on_done(200, std::move(*response), std::nullopt);
      } else {
        // The worker's own report goes to the caller as it posted it, if it is JSON.
        json j = json::parse(raw_error, nullptr, false);
        inv.on_done(200, j.is_object() ? raw_error : ErrorPayload(*error), "Unhandled");
      }
    }
  } else if (response) {
    engine::InvocationResult result;
    auto out = protocol::DecodeText<protocol::InvocationOutput>(*response);
    if (out.ok()) {
      result = *out;
    } else {
      result = engine::InvocationFailure{
          Error("Runtime.InvalidOutput",
                "The durable handler returned an invalid output: " + out.status().message())};
    }
    service_.CompleteInvocation(inv.execution_arn, inv.request_id, std::move(result),
                                [](ApiResult<bool>) {});
  } else {
    service_.CompleteInvocation(inv.execution_arn, inv.request_id,
                                engine::InvocationFailure{*error}, [](ApiResult<bool>) {});
  }
  if (w.process) w.process->WaitForOutput(kOutputDrainLimit);
  Log(w, "END RequestId: " + request_id);
  const int64_t peak = w.process ? w.process->PeakResidentBytes() : 0;
  WriteReport(w, request_id, duration, (peak + (1 << 20) - 1) >> 20, nullptr);
  {
    std::lock_guard l(w.log_mu);
    w.log_request_id.clear();
    w.log_execution_arn.clear();
  }
  return true;
}

void RuntimeApi::OnExit(const std::shared_ptr<Worker>& w, const hosting::WorkerExit& exit) {
  std::optional<PendingInvocation> inv;
  bool begun = false, was_starting = false;
  KillReason reason;
  double duration = 0;
  {
    std::lock_guard lock(mu_);
    auto it = workers_.find(w->id);
    if (it == workers_.end() || it->second != w) return;  // not registered (yet, or stopping)
    workers_.erase(it);
    was_starting = w->state == Worker::State::kStarting;
    if (was_starting) --versions_[w->function_arn].starting;
    if (w->state == Worker::State::kIdle && w->wait_ticket) {
      dispatcher_.CancelWait(w->function_arn, w->wait_ticket);
    }
    w->state = Worker::State::kDead;
    inv = std::move(w->current);
    w->current.reset();
    begun = w->begun;
    reason = w->kill_reason;
    if (reason == KillReason::kEvicted) --evicting_;
    graveyard_.push_back(w);
    if (inv) duration = MsSince(w->invoke_start);
  }
  monitor_cv_.notify_all();
  if (reason == KillReason::kStop) return;

  std::string how = exit.signaled ? "signal: " + SignalName(exit.code)
                                  : "exit status " + std::to_string(exit.code);
  bool out_of_memory =
      reason == KillReason::kMemory ||
      (reason != KillReason::kTimeout && exit.max_rss_kb / 1024 >= w->config.memory_size_mb);
  int64_t max_memory_mb = (exit.max_rss_kb + 1023) / 1024;
  if (inv) {
    const std::string& id = inv->request_id;
    protocol::ErrorObject error;
    const char* status = "error";
    if (reason == KillReason::kTimeout) {
      error =
          Error("Sandbox.Timedout", "RequestId: " + id + " Error: Task timed out after " +
                                        std::to_string(w->config.timeout_seconds) + ".00 seconds");
      status = "timeout";
    } else if (out_of_memory) {
      error = Error("Runtime.OutOfMemory",
                    "RequestId: " + id + " Error: Runtime exited with error: " + how);
    } else {
      error = Error("Runtime.ExitError",
                    "RequestId: " + id + " Error: Runtime exited with error: " + how);
    }
    Log(*w, "END RequestId: " + id);
    WriteReport(*w, id, duration, max_memory_mb, status);
    if (!inv->payload && !begun) {
      // Its envelope was still being built: hand it to another worker.
      dispatcher_.Requeue(w->function_arn, std::move(*inv));
    } else {
      FailInvocation(*inv, error, begun);
    }
  } else if (was_starting && reason != KillReason::kIdle && reason != KillReason::kEvicted) {
    // It never asked for work: the invocation it was started for fails with its init error.
    if (auto queued = dispatcher_.TakeOldest(w->function_arn)) {
      protocol::ErrorObject error =
          w->init_error ? *w->init_error
          : out_of_memory
              ? Error("Runtime.OutOfMemory", "RequestId: " + queued->request_id +
                                                 " Error: Runtime exited with error: " + how)
              : Error("Runtime.ExitError", "RequestId: " + queued->request_id +
                                               " Error: Runtime exited with error: " + how);
      FailInvocation(*queued, error, false, w->init_error ? w->init_error_report : "");
    }
  }
  SpawnAll();
}

// ---- logs ----

void RuntimeApi::Log(Worker& w, std::string message) {
  hosting::LogRecord r;
  r.group = w.log_group;
  r.stream = w.log_stream;
  r.timestamp_ms = NowMs();
  r.message = std::move(message);
  {
    std::lock_guard l(w.log_mu);
    r.request_id = w.log_request_id;
    r.durable_execution_arn = w.log_execution_arn;
  }
  log_sink_.Append(std::move(r));
}

void RuntimeApi::WriteReport(Worker& w, const std::string& request_id, double duration_ms,
                             int64_t max_memory_mb, const char* status) {
  char buf[512];
  int n = std::snprintf(
      buf, sizeof buf,
      "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\t"
      "Memory Size: %lld MB\tMax Memory Used: %lld MB",
      request_id.c_str(), duration_ms, static_cast<long long>(std::ceil(duration_ms)),
      static_cast<long long>(w.config.memory_size_mb), static_cast<long long>(max_memory_mb));
  std::string line(buf, static_cast<std::size_t>(std::max(n, 0)));
  bool cold = false;
  double init_ms = 0;
  {
    std::lock_guard lock(mu_);
    if (!w.init_reported) {
      w.init_reported = true;
      cold = true;
      init_ms = w.init_ms;
    }
  }
  if (cold) {
    std::snprintf(buf, sizeof buf, "\tInit Duration: %.2f ms", init_ms);
    line += buf;
  }
  if (status) line += std::string("\tStatus: ") + status;
  Log(w, std::move(line));
}

// ---- external endpoints ----

Result<std::string> RuntimeApi::EndpointFor(const hosting::FunctionConfig& config,
                                            const std::string& function_arn) {
  std::lock_guard lock(mu_);
  versions_[function_arn].external = true;
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
      r.headers.Set("Lambda-Runtime-Invoked-Function-Arn",
                    inv.invoked_function_arn.empty() ? ep->function_arn : inv.invoked_function_arn);
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
               auto ok = dispatcher_.Next(ep->function_arn, [ep, shared](PendingInvocation inv) {
                 ep->deliver(shared, std::move(inv));
               });
               if (!ok) {
                 shared->Send(RuntimeError(429, "Runtime.TooManyWorkers",
                                           "too many workers are waiting for invocations"));
               }
             });

  auto take = [ep](const std::string& request_id) -> std::optional<PendingInvocation> {
    std::lock_guard l(ep->mu);
    auto it = ep->in_flight.find(request_id);
    if (it == ep->in_flight.end()) return std::nullopt;
    PendingInvocation inv = std::move(it->second.invocation);
    ep->in_flight.erase(it);
    return inv;
  };
  auto finish = [take](const std::string& request_id, Responder responder,
                       std::function<void(PendingInvocation&)> complete) {
    auto inv = take(request_id);
    if (!inv) {
      return responder.Send(
          RuntimeError(400, "InvalidRequestID", "No invocation in flight with id " + request_id));
    }
    complete(*inv);
    responder.Send(JsonResponse({{"status", "OK"}}, 202));
  };
  const BodyTooLargeHandler too_large = [this, take](const PathLabels& labels) {
    auto id = labels.find("RequestId");
    auto inv = id == labels.end() ? std::nullopt : take(id->second);
    if (inv && inv->payload) {
      if (inv->on_done) inv->on_done(200, ErrorPayload(ResponseTooLargeError()), "Unhandled");
    } else if (inv) {
      service_.CompleteInvocation(inv->execution_arn, inv->request_id,
                                  engine::InvocationFailure{ResponseTooLargeError()},
                                  [](ApiResult<bool>) {});
    }
    return ResponseTooLargeForRuntime();
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
            result = engine::InvocationFailure{
                Error("Runtime.InvalidOutput",
                      "The durable handler returned an invalid output: " + out.status().message())};
          }
          service_.CompleteInvocation(inv.execution_arn, inv.request_id, std::move(result),
                                      [](ApiResult<bool>) {});
        });
      },
      RouteOptions{.max_body_bytes = kMaxWorkerResponseBytes, .on_body_too_large = too_large});

  router.Add(
      "POST", "/2018-06-01/runtime/invocation/{RequestId}/error",
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
      },
      RouteOptions{.max_body_bytes = kMaxWorkerResponseBytes, .on_body_too_large = too_large});

  router.Add("POST", "/2018-06-01/runtime/init/error", [](Request, Responder responder) {
    responder.Send(JsonResponse({{"status", "OK"}}, 202));
  });

  HttpServerOptions options;
  options.host = host_;
  options.io_threads = 1;
  // One endpoint per function: threads of its own for large bodies would multiply with the
  // functions, and its requests (a worker's next, response, error) are few.
  options.offload_threads = 0;
  // A worker's /next may wait as long as it takes for work to arrive.
  options.idle_timeout = std::chrono::hours(24);
  endpoint->server = std::make_unique<HttpServer>(options, std::move(router));
  if (auto s = endpoint->server->Start(); !s.ok()) return s;
  std::string address = host_ + ":" + std::to_string(endpoint->server->port());
  endpoints_.emplace(function_arn, std::move(endpoint));
  return address;
}

}  // namespace durafn::api
