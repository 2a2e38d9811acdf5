// The Lambda Runtime API that function workers poll, and the pool of worker processes.
//
// Spawned workers: each worker process gets its own listener (an ephemeral loopback port
// passed as AWS_LAMBDA_RUNTIME_API), so the server always knows which worker holds which
// invocation. A worker is started when an invocation of its function version is queued
// and no worker waits; idle workers are reused, reaped after `idle_timeout`, killed with
// their process group on timeout, past their memory or on Stop().
//
// External workers (EndpointFor, the POST /durafn/runtime-endpoints route): one listener
// per function version that any process may poll; a version with an external endpoint gets
// no spawned workers, and a watchdog fails its invocations that outlive their timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/execution_service.h"
#include "api/http_server.h"
#include "api/invocation_dispatcher.h"
#include "hosting/function_config.h"
#include "hosting/log_sink.h"
#include "hosting/runtime_command.h"
#include "hosting/runtime_files.h"
#include "hosting/worker_process.h"

namespace durafn::api {

struct WorkerPoolOptions {
  // Worker processes alive at once, all functions together; invocations beyond wait queued.
  std::size_t max_workers = 64;
  // An idle worker is stopped after this long without an invocation.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  // RLIMIT_AS of a worker is MemorySize plus this: runtimes reserve far more address space
  // (thread stacks, allocator arenas, mapped libraries) than they use, so the address-space
  // limit is only a backstop; the MemorySize limit itself is enforced on resident memory,
  // which is checked every `monitor_interval` (a worker past it is killed:
  // Runtime.OutOfMemory).
  int64_t address_space_headroom_mb = 1024;
  std::chrono::milliseconds monitor_interval{20};
  // A plain invocation waiting this long for a worker (every slot busy) is answered 429
  // TooManyRequestsException, as Lambda throttles when concurrency is exhausted. Without it
  // durable functions that invoke plain ones and hold every worker would wait forever.
  std::chrono::milliseconds max_queue_wait{std::chrono::seconds(10)};
  // Region and account the worker's environment claims.
  hosting::Identity identity;
  // Where node and the Node.js bootstrap are (nodejs* runtimes).
  hosting::RuntimeFiles runtime_files;
};

// A snapshot of one spawned worker (for tests, metrics and the admin route).
struct WorkerInfo {
  std::string function_arn;
  std::string log_stream;
  int pid = 0;
  std::string state;  // "starting", "idle", "busy"
  std::string request_id;
};

class RuntimeApi {
 public:
  // The configuration of the function version a qualified ARN names, with the function's
  // reserved concurrency (of $LATEST, where Lambda keeps it); nullopt if it is gone.
  using Resolver =
      std::function<std::optional<hosting::FunctionConfig>(const std::string& function_arn)>;

  RuntimeApi(ExecutionService& service, InvocationDispatcher& dispatcher, std::string host,
             hosting::LogSink& log_sink, WorkerPoolOptions options, Resolver resolver);
  ~RuntimeApi();

  // The Lambda API address (host:port) workers get as AWS_ENDPOINT_URL_LAMBDA; set once the
  // server listens.
  void SetLambdaEndpoint(std::string host_port);

  // The host:port external workers of `config` (one function version) use as
  // AWS_LAMBDA_RUNTIME_API; starts its listener on first use. The version gets no spawned
  // workers from then on.
  Result<std::string> EndpointFor(const hosting::FunctionConfig& config,
                                  const std::string& function_arn);

  // Why invocations of this version cannot run (no usable bootstrap, a runtime without one),
  // or nullopt when a worker can be started or an external endpoint serves it.
  std::optional<hosting::RuntimeUnavailable> Unrunnable(const hosting::FunctionConfig& config,
                                                        const std::string& function_arn);

  // The dispatcher's starved hook: decides at once whether queued invocations of the version
  // need more workers, and starts those on the spawner thread. Starting a process takes
  // milliseconds, and the caller may be an I/O thread or the store's writer delivering a
  // commit.
  void OnStarved(const std::string& function_arn);

  std::vector<WorkerInfo> Workers() const;

  // Kills every worker and stops every listener. Invocations in flight are not reported
  // (durable ones are recovered at the next start). Idempotent.
  void Stop();

 private:
  struct Endpoint;
  struct Worker;
  struct Version {
    bool external = false;
    std::size_t starting = 0;  // spawned, not yet at their first /next
  };
  enum class KillReason { kNone, kTimeout, kMemory, kIdle, kEvicted, kInitError, kStop };

  // Fails invocations of external endpoints whose worker did not answer within the
  // function's timeout, and watches spawned workers (timeouts, memory, idleness).
  void RunMonitor();
  void RunSpawner();
  // Workers starting, and busy ones that just answered and are about to ask for more: they
  // will take queued invocations without a new process. Requires mu_.
  std::size_t ComingWorkers(const std::string& function_arn) const;
  void WatchExternal(int64_t now_ms);
  void WatchWorkers();

  // Starts workers while invocations of the version wait and limits allow. With
  // `start_elsewhere`, decides here (cheap, and most calls start nothing) but leaves the
  // process starts, which take milliseconds, to the spawner thread.
  void MaybeSpawn(const std::string& function_arn, bool start_elsewhere = false);
  // Starts a worker that MaybeSpawn counted as starting, and settles the counts.
  void StartCounted(const hosting::FunctionConfig& config, const std::string& function_arn);
  void SpawnAll();  // MaybeSpawn for every version with queued invocations
  std::shared_ptr<Worker> StartWorker(const hosting::FunctionConfig& config,
                                      const std::string& function_arn, Status* error);
  Router WorkerRouter(Worker* w);
  void WaitForWork(const std::shared_ptr<Worker>& w, std::shared_ptr<Responder> responder);
  void Deliver(const std::shared_ptr<Worker>& w, std::shared_ptr<Responder> responder,
               PendingInvocation inv);
  void SendInvocation(Worker& w, Responder& responder, const PendingInvocation& inv,
                      std::string body);
  // Ends the worker's invocation `request_id` (its response or error); false if it holds
  // no such invocation.
  bool Finish(Worker& w, const std::string& request_id, std::optional<std::string> response,
              std::optional<protocol::ErrorObject> error, const std::string& raw_error);
  void OnExit(const std::shared_ptr<Worker>& w, const hosting::WorkerExit& exit);
  void Log(Worker& w, std::string message);
  void WriteReport(Worker& w, const std::string& request_id, double duration_ms,
                   int64_t max_memory_mb, const char* status);
  // Reports `error` as the outcome of `inv` (a plain invocation's caller, or the durable
  // execution's failed invocation).
  // `report`: the runtime's own error document, which a plain caller gets as it was posted
  // when it is a JSON object (runtimes differ in its fields, e.g. Node.js sends "trace").
  void FailInvocation(PendingInvocation& inv, const protocol::ErrorObject& error, bool begun,
                      const std::string& report = "");
  // CommandFor(...).unavailable, remembering successes: code folders never change once
  // written, and the check (a file system lookup) would otherwise run on every invocation.
  std::optional<hosting::RuntimeUnavailable> CheckRunnable(const hosting::FunctionConfig& config);

  ExecutionService& service_;
  InvocationDispatcher& dispatcher_;
  const std::string host_;
  hosting::LogSink& log_sink_;
  const WorkerPoolOptions options_;
  Resolver resolver_;

  mutable std::mutex mu_;
  std::string lambda_endpoint_;
  std::map<std::string, std::unique_ptr<Endpoint>> endpoints_;  // by function ARN
  std::vector<std::unique_ptr<Endpoint>> retired_endpoints_;    // after Stop()
  std::map<std::string, Version> versions_;                     // by function ARN
  std::set<std::string> runnable_;  // runtime + '\n' + code folder; see CheckRunnable
  std::map<std::string, std::shared_ptr<Worker>> workers_;  // by worker id, alive
  std::vector<std::shared_ptr<Worker>> graveyard_;  // exited, to be torn down by the monitor
  std::size_t evicting_ = 0;
  // Workers being started (not in workers_ yet), per function name and in all; they count
  // against reserved concurrency and the global cap.
  std::map<std::string, std::size_t> spawning_;
  std::size_t spawning_total_ = 0;  // idle workers killed to make room, not yet exited
  std::condition_variable monitor_cv_;
  // Signalled when a started worker's registration is settled (see Worker::settled).
  std::condition_variable settled_cv_;
  bool stopping_ = false;
  std::thread monitor_;
  // Workers counted as starting that the spawner thread is to start, under mu_. At most
  // options_.max_workers: each is counted in spawning_total_.
  struct PendingStart {
    hosting::FunctionConfig config;
    std::string function_arn;
  };
  std::deque<PendingStart> to_start_;
  std::condition_variable spawner_cv_;
  std::thread spawner_;

  // The live worker whose listener got a request, under `lock` (on mu_); null once it was
  // stopped. Waits while it is being registered: a worker may call before spawn returns.
  std::shared_ptr<Worker> FindWorker(std::unique_lock<std::mutex>& lock, const Worker* raw);
};

}  // namespace durafn::api
