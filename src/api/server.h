// The durafn server: the Lambda-compatible REST API (functions, Invoke, durable executions,
// callbacks), the Runtime API listeners for workers, health and metrics, all wired to the
// registry, the execution store and the execution service.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace durafn::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9001;  // 0: an ephemeral port
  std::filesystem::path data_dir = ".durafn";
  int io_threads = 2;
  // How long Stop() lets requests in progress finish; those still running then are answered
  // 500 ServiceException (see HttpServer::Stop).
  std::chrono::milliseconds stop_grace{5'000};
  // Told about failures nobody else hears of: a store commit that failed (full disk, I/O
  // error; the work is retried) and a request handler that threw. At most 5 messages per
  // 10 s arrive; what was held back is counted in the next. Called from server threads,
  // must not block. Null: silent.
  std::function<void(std::string_view)> on_error;
  int shards = 2;
  // Most transactions one commit may carry (1: one fsync per checkpoint, for comparison).
  std::size_t max_commit_batch = 512;
  // Store transactions waiting for a commit; past it requests get 429 and background work
  // (timers, invocation starts) is retried shortly.
  std::size_t max_queued_writes = 16384;
  // Idle executions (no invocation in flight) kept in memory; beyond it, one that becomes
  // idle is dropped and reloaded from the store when it resumes.
  std::size_t max_idle_cached_executions = 4'000;
  // How long a synchronous Invoke of a durable function waits for the execution to end.
  std::chrono::milliseconds sync_invoke_limit{std::chrono::minutes(15)};
  // Skip-time mode (tests, local development): a durable Invoke with the header
  // `X-Durafn-Skip-Time: true` starts an execution whose clock jumps to its next timer
  // whenever no invocation is in flight. Off: the header is refused, time is real.
  bool skip_time = false;

  // Worker hosting.
  // Worker processes alive at once (all functions); invocations beyond it wait queued.
  std::size_t max_workers = 64;
  // Plain invocations waiting per function version; past it Invoke answers 429
  // TooManyRequestsException.
  std::size_t max_queued_invocations = 1000;
  // An idle worker is stopped after this long.
  std::chrono::milliseconds worker_idle_timeout{std::chrono::minutes(10)};
  // A plain invocation that waited this long for a worker is answered 429.
  std::chrono::milliseconds max_invocation_queue_wait{std::chrono::seconds(10)};
  // Asynchronous (Event) invocations that end in a function error are retried twice, after
  // these delays (Lambda's defaults: about one, then two minutes).
  std::chrono::milliseconds event_retry_delay_1{std::chrono::minutes(1)};
  std::chrono::milliseconds event_retry_delay_2{std::chrono::minutes(2)};
  // The folder holding nodejs/bootstrap.mjs; empty: found as hosting::LocateRuntimeFiles
  // does ($DURAFN_RUNTIMES_DIR, else next to the running executable).
  std::string runtimes_dir;
};

class Server {
 public:
  // Opens the data dir (registry and execution store) without serving yet.
  static Result<std::unique_ptr<Server>> Open(ServerOptions options);
  ~Server();  // Stop()

  // Recovers executions and timers, then listens. Unavailable if the address is taken.
  Status Start();
  // Stops listening and the background threads; acknowledged work is already durable.
  void Stop();
  uint16_t port() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace durafn::api
