#include "api/invocation_dispatcher.h"

#include <algorithm>

#include "api/request_id.h"

namespace durafn::api {

InvocationDispatcher::InvocationDispatcher(std::size_t max_queued_plain)
    : max_queued_plain_(std::min(max_queued_plain, kMaxQueuedPerFunction)) {}

bool InvocationDispatcher::Push(const std::string& function_arn, PendingInvocation invocation,
                                std::size_t limit, bool front) {
  std::function<void(PendingInvocation)> worker;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[function_arn];
    if (q.workers.empty()) {
      if (q.invocations.size() >= limit) return false;
      if (invocation.queued_at == std::chrono::steady_clock::time_point{}) {
        invocation.queued_at = std::chrono::steady_clock::now();
      }
      if (front) {
        q.invocations.push_front(std::move(invocation));
      } else {
        q.invocations.push_back(std::move(invocation));
      }
    } else {
      worker = std::move(q.workers.front().deliver);
      q.workers.pop_front();
    }
  }
  if (worker) {
    worker(std::move(invocation));
  } else if (on_starved_) {
    on_starved_(function_arn);
  }
  return true;
}

void InvocationDispatcher::QueueDurableInvocation(const std::string& function_arn,
                                                  const std::string& execution_arn) {
  PendingInvocation inv;
  inv.request_id = NewRequestId();
  inv.execution_arn = execution_arn;
  // A full queue drops nothing durable: the execution stays Queued in the store and is
  // queued again at the next start-up.
  Push(function_arn, std::move(inv), kMaxQueuedPerFunction);
}

bool InvocationDispatcher::QueuePlain(const std::string& function_arn,
                                      PendingInvocation invocation) {
  return Push(function_arn, std::move(invocation), max_queued_plain_);
}

void InvocationDispatcher::Requeue(const std::string& function_arn, PendingInvocation invocation) {
  // Taken from the queue before, so it may always go back (one past the limit at most).
  Push(function_arn, std::move(invocation), kMaxQueuedPerFunction + 1, /*front=*/true);
}

std::optional<PendingInvocation> InvocationDispatcher::TakeOldest(const std::string& function_arn) {
  std::lock_guard lock(mu_);
  auto it = queues_.find(function_arn);
  if (it == queues_.end() || it->second.invocations.empty()) return std::nullopt;
  PendingInvocation inv = std::move(it->second.invocations.front());
  it->second.invocations.pop_front();
  return inv;
}

std::optional<uint64_t> InvocationDispatcher::Next(const std::string& function_arn,
                                                   std::function<void(PendingInvocation)> deliver) {
  PendingInvocation inv;
  {
    std::lock_guard lock(mu_);
    Queue& q = queues_[function_arn];
    if (q.invocations.empty()) {
      if (q.workers.size() >= kMaxWaitingWorkers) return std::nullopt;
      uint64_t ticket = next_ticket_++;
      q.workers.push_back(Waiter{ticket, std::move(deliver)});
      return ticket;
    }
    inv = std::move(q.invocations.front());
    q.invocations.pop_front();
  }
  deliver(std::move(inv));
  return 0;
}

bool InvocationDispatcher::CancelWait(const std::string& function_arn, uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto it = queues_.find(function_arn);
  if (it == queues_.end()) return false;
  auto& w = it->second.workers;
  auto found =
      std::find_if(w.begin(), w.end(), [&](const Waiter& x) { return x.ticket == ticket; });
  if (found == w.end()) return false;
  w.erase(found);
  return true;
}

std::size_t InvocationDispatcher::queued(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = queues_.find(function_arn);
  return it == queues_.end() ? 0 : it->second.invocations.size();
}

std::vector<PendingInvocation> InvocationDispatcher::TakePlainQueuedBefore(
    std::chrono::steady_clock::time_point cutoff) {
  std::vector<PendingInvocation> out;
  std::lock_guard lock(mu_);
  for (auto& [arn, q] : queues_) {
    // Oldest first; a requeued invocation keeps its first time, so the front is the oldest.
    while (!q.invocations.empty() && q.invocations.front().payload &&
           q.invocations.front().queued_at < cutoff) {
      out.push_back(std::move(q.invocations.front()));
      q.invocations.pop_front();
    }
  }
  return out;
}

std::size_t InvocationDispatcher::total_queued() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [arn, q] : queues_)
    n += q.invocations.size();
  return n;
}

}  // namespace durafn::api
