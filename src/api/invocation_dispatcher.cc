#include "api/invocation_dispatcher.h"

#include "api/request_id.h"

namespace durafn::api {

bool InvocationDispatcher::Push(const std::string& function_arn, PendingInvocation invocation) {
  std::function<void(PendingInvocation)> worker;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[function_arn];
    if (q.workers.empty()) {
      if (q.invocations.size() >= kMaxQueuedPerFunction) return false;
      q.invocations.push_back(std::move(invocation));
      return true;
    }
    worker = std::move(q.workers.front());
    q.workers.pop_front();
  }
  worker(std::move(invocation));
  return true;
}

void InvocationDispatcher::QueueDurableInvocation(const std::string& function_arn,
                                                  const std::string& execution_arn) {
  PendingInvocation inv;
  inv.request_id = NewRequestId();
  inv.execution_arn = execution_arn;
  // A full queue drops nothing durable: the execution stays Queued in the store and is
  // queued again at the next start-up.
  Push(function_arn, std::move(inv));
}

bool InvocationDispatcher::QueuePlain(const std::string& function_arn,
                                      PendingInvocation invocation) {
  return Push(function_arn, std::move(invocation));
}

bool InvocationDispatcher::Next(const std::string& function_arn,
                                std::function<void(PendingInvocation)> deliver) {
  PendingInvocation inv;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[function_arn];
    if (q.invocations.empty()) {
      if (q.workers.size() >= kMaxWaitingWorkers) return false;
      q.workers.push_back(std::move(deliver));
      return true;
    }
    inv = std::move(q.invocations.front());
    q.invocations.pop_front();
  }
  deliver(std::move(inv));
  return true;
}

std::size_t InvocationDispatcher::queued(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = queues_.find(function_arn);
  return it == queues_.end() ? 0 : it->second.invocations.size();
}

}  // namespace durafn::api
