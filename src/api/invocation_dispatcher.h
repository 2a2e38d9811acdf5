// Per function version, the invocations waiting for a worker, and the workers waiting for an
// invocation (the Runtime API's /next long-poll). Both sides are bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/execution_service.h"

namespace durafn::api {

// One unit of work for a worker of a function version.
struct PendingInvocation {
  std::string request_id;
  // Durable: the execution to run; its envelope is built when a worker takes it, so it is
  // always current.
  std::string execution_arn;
  // Plain functions: the event, and where the outcome goes.
  std::optional<std::string> payload;
  // The ARN as the caller named it (unqualified, or with its alias or version), which Lambda
  // hands the function as invokedFunctionArn; empty: the ARN of the version that runs.
  std::string invoked_function_arn;
  // status 429 (no function error): throttled, it waited too long for a worker.
  std::function<void(int status, std::string body, std::optional<std::string> function_error)>
      on_done;
  // When it was queued (set by the dispatcher).
  std::chrono::steady_clock::time_point queued_at;
};

class InvocationDispatcher : public InvocationSink {
 public:
  // Invocations waiting per function version beyond which new plain ones are refused.
  static constexpr std::size_t kMaxQueuedPerFunction = 100'000;
  // Workers waiting in /next per function version.
  static constexpr std::size_t kMaxWaitingWorkers = 10'000;

  // `max_queued_plain`: plain invocations waiting per function version (at most
  // kMaxQueuedPerFunction); beyond it QueuePlain refuses (TooManyRequestsException).
  explicit InvocationDispatcher(std::size_t max_queued_plain = kMaxQueuedPerFunction);

  // Called (outside the dispatcher's lock) with the function version's ARN whenever an
  // invocation was queued because no worker was waiting: hosting starts a worker then.
  // Set before use.
  void SetOnStarved(std::function<void(const std::string& function_arn)> fn) {
    on_starved_ = std::move(fn);
  }

  void QueueDurableInvocation(const std::string& function_arn,
                              const std::string& execution_arn) override;
  // Queues a plain invocation; false when the queue is full (throttling).
  bool QueuePlain(const std::string& function_arn, PendingInvocation invocation);
  // Puts back an invocation a worker could not take (it died first), ahead of the others.
  void Requeue(const std::string& function_arn, PendingInvocation invocation);
  // Removes and returns the oldest queued invocation (to fail it, e.g. when a worker started
  // for it could not initialize).
  std::optional<PendingInvocation> TakeOldest(const std::string& function_arn);

  // Hands the next invocation of `function_arn` to `deliver`, now or when one arrives.
  // Returns a wait ticket (0 when delivered at once), or nullopt when too many workers wait.
  std::optional<uint64_t> Next(const std::string& function_arn,
                               std::function<void(PendingInvocation)> deliver);
  // Withdraws a waiting worker; false when its wait already got an invocation.
  bool CancelWait(const std::string& function_arn, uint64_t ticket);
  // Invocations queued for `function_arn` (for tests and metrics).
  std::size_t queued(const std::string& function_arn) const;
  // Invocations queued for every function.
  std::size_t total_queued() const;
  // Removes and returns the plain invocations queued before `cutoff` (oldest first per
  // function), to be throttled.
  std::vector<PendingInvocation> TakePlainQueuedBefore(
      std::chrono::steady_clock::time_point cutoff);

 private:
  struct Waiter {
    uint64_t ticket;
    std::function<void(PendingInvocation)> deliver;
  };
  struct Queue {
    std::deque<PendingInvocation> invocations;
    std::deque<Waiter> workers;
  };
  // `limit`: the queue length past which the invocation is refused.
  bool Push(const std::string& function_arn, PendingInvocation invocation, std::size_t limit,
            bool front = false);

  const std::size_t max_queued_plain_;
  std::function<void(const std::string&)> on_starved_;
  mutable std::mutex mu_;
  std::map<std::string, Queue, std::less<>> queues_;
  uint64_t next_ticket_ = 1;
};

}  // namespace durafn::api
