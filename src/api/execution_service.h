// The shell around the engine: it serializes the engine calls of each execution on one
// shard thread, persists every outcome through the store before answering or acting on
// it, and runs the effects (timers, invocations, chained invokes, waiters).
//
// Threading: callers (HTTP handlers on I/O threads) post work and get their answer through
// a callback, which runs on a shard thread, on the store's completion or writer thread, or (a
// checkpoint of a cached execution on an idle shard) on the caller's thread before the call
// returns. Callbacks must be quick; answering an HTTP Responder is.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "protocol/histogram.h"
#include "scheduler/timer_queue.h"
#include "store/execution_store.h"

namespace durafn::api {

using engine::ApiResult;

// Where the service hands executions that need an invocation: the function version's
// invocation queue (hosting). Must not block.
class InvocationSink {
 public:
  virtual ~InvocationSink() = default;
  // `function_arn` is qualified by the version the execution runs.
  virtual void QueueDurableInvocation(const std::string& function_arn,
                                      const std::string& execution_arn) = 0;
};

// Starts the target of a chained invoke and reports its end (hosting/api wiring).
class ChainedInvoker {
 public:
  virtual ~ChainedInvoker() = default;
  virtual void StartChainedInvoke(const std::string& caller_arn,
                                  const engine::StartChainedInvoke& invoke) = 0;
};

struct ExecutionServiceOptions {
  int shards = 2;
  std::size_t max_queued_tasks_per_shard = 65'536;
  engine::Limits limits;
  // Timers due within this window are held in memory; the rest stay in the store.
  std::chrono::milliseconds timer_horizon{std::chrono::minutes(10)};
  // Executions kept in memory per shard; beyond it an arbitrary one is dropped.
  std::size_t max_cached_per_shard = 50'000;
  // Beyond this many cached executions per shard, one that has just become idle (no
  // invocation in flight: waiting on a timer, callback, chained invoke or a worker, or ended)
  // leaves the cache once its write is durable, so waiting executions cost store space
  // rather than memory. The store reloads it when it resumes.
  std::size_t idle_cached_per_shard = 2'000;
  // Executions may ask for skip-time mode (StartExecutionRequest::skip_time); tests and
  // local development only.
  bool allow_skip_time = false;
};

struct StartExecutionRequest {
  std::string execution_arn;  // minted by the caller (name + id)
  std::string name;
  std::string function_arn;  // qualified by the version that runs
  std::string unqualified_function_arn;
  std::string version;
  std::optional<std::string> input;
  int64_t execution_timeout_seconds = 0;
  int64_t retention_days = 14;
  bool sync = false;
  // Run on a virtual clock that jumps to the next timer whenever no invocation is in flight
  // (requires ExecutionServiceOptions::allow_skip_time).
  bool skip_time = false;
};

struct StartedExecution {
  engine::ExecutionRecord record;
  bool existing = false;  // the name was taken by an execution with the same input
};

class ExecutionService {
 public:
  using Clock = std::function<protocol::Timestamp()>;
  template <class T>
  using Callback = std::function<void(ApiResult<T>)>;

  ExecutionService(store::ExecutionStore& store, Clock clock, ExecutionServiceOptions options);
  ~ExecutionService();  // Stop()
  ExecutionService(const ExecutionService&) = delete;
  ExecutionService& operator=(const ExecutionService&) = delete;

  // Wires the effect targets; call before Start().
  void SetInvocationSink(InvocationSink* sink) { sink_ = sink; }
  void SetChainedInvoker(ChainedInvoker* invoker) { chained_ = invoker; }

  // Loads timers and recovers executions that were queued or running when the process
  // stopped, then starts the shard and timer threads.
  Status Start();
  // Stops the threads; queued work is answered with ServiceException.
  void Stop();

  // Creates the execution, or (same name, same input) returns the existing one; a different
  // input under a taken name is DurableExecutionAlreadyStartedException.
  void StartExecution(StartExecutionRequest request, Callback<StartedExecution> done);
  // Calls `done` once the execution is closed (with its record), or with nullopt when
  // `timeout` passes first. Runs `done` at once if it is already closed.
  void WaitForClose(const std::string& arn, std::chrono::milliseconds timeout,
                    std::function<void(std::optional<engine::ExecutionRecord>)> done);

  void Checkpoint(const std::string& arn, protocol::CheckpointDurableExecutionRequest request,
                  Callback<protocol::CheckpointDurableExecutionResponse> done);
  void GetState(const std::string& arn, protocol::GetDurableExecutionStateRequest request,
                Callback<protocol::GetDurableExecutionStateResponse> done);
  void Stop(const std::string& arn, std::optional<protocol::ErrorObject> error,
            Callback<protocol::Timestamp> done);
  void CompleteCallback(const std::string& callback_id, engine::CallbackCompletion completion,
                        Callback<bool> done);
  void CompleteChainedInvoke(const std::string& arn, const std::string& operation_id,
                             engine::ChainedInvokeCompletion completion);
  // Records which version and execution a chained invoke started, on the operation and in
  // its ChainedInvokeStarted event.
  void RecordChainedTarget(const std::string& arn, const std::string& operation_id,
                           std::optional<std::string> executed_version,
                           std::optional<std::string> target_arn);

  // The invocation protocol with the function's workers.
  void BeginInvocation(const std::string& arn, const std::string& request_id,
                       Callback<protocol::InvocationEnvelope> done);
  void CompleteInvocation(const std::string& arn, const std::string& request_id,
                          engine::InvocationResult result, Callback<bool> done);

  // Reads that need no serialization (they go to the store's read connections); blocking,
  // so never call them on an I/O thread.
  store::ExecutionStore& store() { return store_; }

  // Counters for /metrics.
  struct Stats {
    uint64_t checkpoints = 0, invocations_started = 0, timers_fired = 0, executions_started = 0;
    std::size_t timers_in_memory = 0;
    std::size_t executions_cached = 0;  // in memory, all shards
    // Background work (timer firings, invocation starts, chained results) whose write was
    // refused or failed and is tried again shortly; a count that keeps rising means the
    // store keeps failing. Beyond kMaxRequeued waiting, a retry is left to the next start.
    uint64_t retries = 0, retries_dropped = 0;
    uint64_t idle_evictions = 0;  // idle executions dropped from memory (see options)
  };
  Stats stats() const;
  // Seconds from a checkpoint's arrival to its durable commit (successful ones).
  const protocol::Histogram& checkpoint_seconds() const { return checkpoint_seconds_; }

 private:
  struct Cached {
    engine::ExecutionState state;
    int64_t saved_counter = 0;
  };
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> tasks;
    std::deque<std::function<void()>> urgent_tasks;
    bool stopping = false;
    // A task is running, on the shard thread or inline on a caller's (RunInline); the
    // owner of this flag is the only one touching the fields marked "shard thread only".
    bool running = false;
    bool inline_allowed = false;                    // set once recovery is done
    std::unordered_map<std::string, Cached> cache;  // touched only on the shard thread
    std::atomic<std::size_t> cached{0};             // cache.size() after the last task
    // Chained-invoke results that arrived while their caller's invocation was running, by
    // caller ARN; shard thread only. At most one per CHAINED_INVOKE operation in flight.
    std::unordered_multimap<std::string, std::pair<std::string, engine::ChainedInvokeCompletion>>
        deferred_chained;
    std::thread thread;
  };
  struct Waiter {
    std::chrono::steady_clock::time_point deadline;
    std::function<void(std::optional<engine::ExecutionRecord>)> done;
  };

  Shard& ShardFor(const std::string& arn);
  // Runs `task` on the execution's shard thread; false when the shard is full or stopping.
  // Urgent tasks (timer firings) run before the others that wait: a wait's end is stamped
  // when its task runs, and a backlog of invocation work must not make it late. Tasks of one
  // execution may so run out of order; each checks the state it finds (the store refuses a
  // write derived from a stale one).
  bool Post(const std::string& arn, std::function<void()> task, bool urgent = false);
  // Drops the execution from the shard's cache if the cache holds more than
  // idle_cached_per_shard and the execution is still at `counter` (its durable state).
  void EvictIfUnchanged(Shard& shard, const std::string& arn, int64_t counter);
  template <class T>
  void PostOrReject(const std::string& arn, const Callback<T>& done, std::function<void()> task);
  // Runs `task` on the calling thread if the execution's shard is idle (no task running or
  // queued), as if it were the shard thread; false if it did not run, or if `task` returned
  // false (it needs the shard thread, e.g. to load the execution from the store). This
  // saves a thread hop on the checkpoint path, whose engine work is short and never blocks
  // once the execution is cached.
  bool RunInline(const std::string& arn, const std::function<bool()>& task);
  void RunShard(Shard& shard);
  // The cached state (loading it if needed) or nullptr for an unknown execution; on a store
  // error sets `error`. Shard thread only.
  Cached* Lookup(Shard& shard, const std::string& arn, protocol::ApiError* error);
  // Persists `outcome` of an engine call on `cached`, then runs `on_durable` and the effects;
  // on failure drops the cached state (it may be ahead of the store) and reports it.
  void Persist(Shard& shard, const std::string& arn, Cached& cached, engine::Outcome outcome,
               std::function<void(Status)> on_durable, const store::TimerRow* fired = nullptr,
               bool allow_skip = true);
  void RunEffects(const engine::ExecutionState& state, const std::vector<engine::Effect>& effects);
  void FireTimer(store::TimerRow timer);
  // The execution's clock: the wall clock, plus the time skipped in skip-time mode.
  protocol::Timestamp Now(const engine::ExecutionState& state) const;
  // Skip-time mode: if the execution has no invocation in flight, advances its clock to its
  // next timer and fires it. Shard thread only.
  // SkipToNextTimer again shortly, e.g. after the store refused its write.
  void SkipLater(const std::string& arn);
  void SkipToNextTimer(const std::string& arn);
  void RunTimers();
  // Runs `task` a little later, from the timer thread: work refused by a full store or shard
  // is tried again instead of waiting for a restart's recovery. Bounded; past it the task is
  // dropped and recovery at the next start finds what it was for.
  void RetryLater(std::function<void()> task);
  // Stats: a write retried shortly (`queued`), or one left to the next start.
  void CountRetry(bool queued);
  // An invocation whose start could not be saved stays queued in the execution: hand it to
  // the sink again.
  void Requeue(const std::string& arn);
  // Chained-invoke results are recorded once the caller's invocation has ended (see
  // CompleteChainedInvoke); these run on the shard thread.
  void ApplyChained(Shard& shard, const std::string& arn, Cached& cached,
                    const std::string& operation_id,
                    const engine::ChainedInvokeCompletion& completion);
  void FlushDeferredChained(Shard& shard, const std::string& arn);
  // FlushDeferredChained from a task of its own, shortly (the shard was full).
  void FlushLater(const std::string& arn);
  void NotifyClosed(const engine::ExecutionRecord& record);
  Status Recover();
  std::string NewNonce();

  store::ExecutionStore& store_;
  Clock clock_;
  const ExecutionServiceOptions options_;
  InvocationSink* sink_ = nullptr;
  ChainedInvoker* chained_ = nullptr;
  std::vector<std::unique_ptr<Shard>> shards_;

  mutable std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  scheduler::TimerQueue timers_;
  bool timer_stopping_ = false;
  int64_t next_purge_ms_ = 0;  // guarded by timer_mu_
  // (due ms, task) in due order, guarded by timer_mu_; bounded (oldest kept).
  std::deque<std::pair<int64_t, std::function<void()>>> retries_;
  std::thread timer_thread_;

  std::mutex waiter_mu_;
  std::multimap<std::string, Waiter> waiters_;

  mutable std::mutex stats_mu_;
  Stats stats_;
  protocol::Histogram checkpoint_seconds_{protocol::kLatencyBuckets};
  bool started_ = false;
};

}  // namespace durafn::api
