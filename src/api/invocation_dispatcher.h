// Per function version, the invocations waiting for a worker, and the workers waiting for an
// invocation (the Runtime API's /next long-poll). Both sides are bounded.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

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
  std::function<void(int status, std::string body, std::optional<std::string> function_error)>
      on_done;
};

class InvocationDispatcher : public InvocationSink {
 public:
  // Invocations waiting per function version beyond which new ones are refused.
  static constexpr std::size_t kMaxQueuedPerFunction = 100'000;
  // Workers waiting in /next per function version.
  static constexpr std::size_t kMaxWaitingWorkers = 10'000;

  void QueueDurableInvocation(const std::string& function_arn,
                              const std::string& execution_arn) override;
  // Queues a plain invocation; false when the queue is full (throttling).
  bool QueuePlain(const std::string& function_arn, PendingInvocation invocation);
  // Hands the next invocation of `function_arn` to `deliver`, now or when one arrives.
  // False when too many workers already wait.
  bool Next(const std::string& function_arn, std::function<void(PendingInvocation)> deliver);
  // Invocations queued for `function_arn` (for tests and metrics).
  std::size_t queued(const std::string& function_arn) const;

 private:
  struct Queue {
    std::deque<PendingInvocation> invocations;
    std::deque<std::function<void(PendingInvocation)>> workers;
  };
  bool Push(const std::string& function_arn, PendingInvocation invocation);

  mutable std::mutex mu_;
  std::map<std::string, Queue, std::less<>> queues_;
};

}  // namespace durafn::api
