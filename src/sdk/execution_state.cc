#include "sdk/execution_state.h"

#include <algorithm>
#include <cassert>

namespace durafn::sdk {

namespace {
std::size_t ApproxBytes(const protocol::OperationUpdate& u) {
  std::size_t n = 128 + u.id.size();
  if (u.payload) n += u.payload->size();
  if (u.error) {
    n += u.error->error_message.value_or("").size() + u.error->error_data.value_or("").size();
  }
  return n;
}
}  // namespace

ExecutionState::ExecutionState(std::string arn, std::string token,
                               std::vector<protocol::Operation> operations, DurableClient& client,
                               LambdaContext lambda)
    : arn_(std::move(arn)),
      client_(client),
      lambda_(std::move(lambda)),
      replaying_(operations.size() > 1),
      token_(std::move(token)) {
  assert(!operations.empty());
  // The loaded records share one allocation (a resumed invocation may load thousands).
  auto loaded = std::make_shared<const std::vector<protocol::Operation>>(std::move(operations));
  execution_op_ = loaded->front();
  ops_.reserve(loaded->size() * 2);
  for (const auto& op : *loaded)
    StoreLocked(std::shared_ptr<const protocol::Operation>(loaded, &op));
  linger_thread_ = std::thread([this] { LingerLoop(); });
}

ExecutionState::~ExecutionState() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  linger_cv_.notify_all();
  linger_thread_.join();
}

std::shared_ptr<const protocol::Operation> ExecutionState::Get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = ops_.find(id);
  if (it == ops_.end()) return nullptr;
  return it->second;
}

void ExecutionState::StoreLocked(std::shared_ptr<const protocol::Operation> op) {
  auto it = ops_.find(op->id);
  if (it == ops_.end()) {
    std::string_view key = op->id;
    ops_.emplace(key, std::move(op));
    return;
  }
  // The old key views the old record's id: re-key the node before the old record can go.
  auto node = ops_.extract(it);
  node.key() = op->id;
  node.mapped() = std::move(op);
  ops_.insert(std::move(node));
}

std::size_t ExecutionState::operation_count() const {
  std::lock_guard lock(mu_);
  return ops_.size();
}

uint64_t ExecutionState::Enqueue(protocol::OperationUpdate update) {
  std::unique_lock lock(mu_);
  uint64_t seq = next_seq_++;
  std::size_t bytes = ApproxBytes(update);
  queue_.emplace_back(seq, std::move(update), std::chrono::steady_clock::now(), bytes);
  return seq;
}

void ExecutionState::SendBatchLocked(std::unique_lock<std::mutex>& lock) {
  assert(!sending_ && !queue_.empty());
  sending_ = true;
  std::vector<protocol::OperationUpdate> batch;
  batch.reserve(std::min(queue_.size(), kMaxBatchUpdates));
  std::size_t bytes = 0;
  uint64_t last_seq = 0;
  while (!queue_.empty() && batch.size() < kMaxBatchUpdates &&
         (batch.empty() || bytes + queue_.front().bytes <= kMaxBatchBytes)) {
    bytes += queue_.front().bytes;
    last_seq = queue_.front().seq;
    batch.push_back(std::move(queue_.front().update));
    queue_.pop_front();
  }
  // token_ is only written here, by the one sender (sending_), after relocking: it can be
  // read without the lock and without a copy while the request is in flight.
  const std::string& token = token_;
  lock.unlock();
  std::optional<protocol::CheckpointDurableExecutionResponse> response;
  std::optional<ServiceError> error;
  try {
    response = client_.Checkpoint(arn_, token, batch);
  } catch (const ServiceError& e) {
    error = e;
  }
  requests_sent_.fetch_add(1);
  lock.lock();
  sending_ = false;
  if (error) {
    failure_ = *error;
  } else {
    if (response->checkpoint_token) token_ = std::move(*response->checkpoint_token);
    if (response->new_execution_state.operations) {
      for (auto& op : *response->new_execution_state.operations)
        StoreLocked(std::make_shared<const protocol::Operation>(std::move(op)));
    }
    committed_seq_ = last_seq;
  }
  cv_.notify_all();
}

void ExecutionState::WaitCommitted(uint64_t seq) {
  std::unique_lock lock(mu_);
  while (committed_seq_ < seq) {
    if (failure_) throw CheckpointFailure{*failure_};
    if (!sending_) {
      SendBatchLocked(lock);
    } else {
      cv_.wait(lock);
    }
  }
  if (failure_ && committed_seq_ < seq) throw CheckpointFailure{*failure_};
}

void ExecutionState::Flush() {
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    seq = next_seq_ - 1;
  }
  WaitCommitted(seq);
}

// Ticks every kLinger instead of being woken by each Enqueue: a wake-up per update would cost
// a context switch on the hot path of every step.
void ExecutionState::LingerLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    linger_cv_.wait_for(lock, kLinger);
    if (stop_ || queue_.empty() || sending_ || failure_) continue;
    if (std::chrono::steady_clock::now() - queue_.front().queued_at < kLinger) continue;
    SendBatchLocked(lock);
  }
}

void ExecutionState::SetFatal(ErrorInfo error) {
  std::lock_guard lock(mu_);
  if (!fatal_) fatal_ = std::move(error);
}

std::optional<ErrorInfo> ExecutionState::fatal() const {
  std::lock_guard lock(mu_);
  return fatal_;
}

}  // namespace durafn::sdk
