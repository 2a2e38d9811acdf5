// ExecutionState: one invocation's view of the execution: the operations loaded from the
// envelope (and state pages), kept current from checkpoint responses, and the checkpoint
// queue. Shared by every context and branch thread of the invocation; all members are
// thread-safe.
//
// Batching: updates are queued; a caller that needs durability (WaitCommitted) sends the
// whole queue in one request from its own thread, so a quick step's START and SUCCEED share a
// request as in AWS's SDK. Updates nobody waits for are sent by a background thread once they
// are older than kLinger. One request is in flight at a time, and each uses the token the
// previous response returned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "durafn/errors.h"
#include "durafn/lambda_context.h"
#include "protocol/operation.h"
#include "protocol/operation_update.h"
#include "sdk/durable_client.h"

namespace durafn::sdk {

// Thrown (not a std::exception) to unwind the handler when an operation must wait for the
// service: the invocation then ends with PENDING.
struct Suspend {};

// Thrown (not a std::exception) when a checkpoint failed; the invocation ends accordingly.
struct CheckpointFailure {
  ServiceError error;
};

class ExecutionState {
 public:
  static constexpr std::chrono::milliseconds kLinger{10};
  static constexpr std::size_t kMaxBatchUpdates = 250;
  static constexpr std::size_t kMaxBatchBytes = 750 * 1024;

  ExecutionState(std::string arn, std::string token, std::vector<protocol::Operation> operations,
                 DurableClient& client, LambdaContext lambda);
  ~ExecutionState();
  ExecutionState(const ExecutionState&) = delete;
  ExecutionState& operator=(const ExecutionState&) = delete;

  // The operation with `id` as last seen, or null. Records are immutable once stored
  // (a newer state replaces the pointer), so callers may keep them without the lock.
  std::shared_ptr<const protocol::Operation> Get(const std::string& id) const;

  // Queues `update`; returns its sequence number for WaitCommitted.
  uint64_t Enqueue(protocol::OperationUpdate update);
  // Returns once update `seq` (and all before it) is acknowledged. Throws CheckpointFailure.
  void WaitCommitted(uint64_t seq);
  // Sends everything queued and waits for it. Throws CheckpointFailure.
  void Flush();

  // Replay mode: true while handler code runs over completed operations.
  bool replaying() const { return replaying_.load(std::memory_order_relaxed); }
  void MarkExecuting() { replaying_.store(false, std::memory_order_relaxed); }

  // The first non-determinism error found; it fails the execution whatever the handler does.
  void SetFatal(ErrorInfo error);
  std::optional<ErrorInfo> fatal() const;

  const std::string& arn() const { return arn_; }
  const LambdaContext& lambda() const { return lambda_; }
  const protocol::Operation& execution_operation() const { return execution_op_; }
  std::size_t operation_count() const;
  // Checkpoint requests sent so far.
  uint64_t requests_sent() const { return requests_sent_.load(); }

 private:
  // Sends one batch; requires lock held on entry and exit (released while sending).
  void SendBatchLocked(std::unique_lock<std::mutex>& lock);
  // Stores `op` under its id, replacing an older record; requires the lock (or construction).
  void StoreLocked(std::shared_ptr<const protocol::Operation> op);
  void LingerLoop();

  const std::string arn_;
  DurableClient& client_;
  const LambdaContext lambda_;
  protocol::Operation execution_op_;
  std::atomic<bool> replaying_;
  std::atomic<uint64_t> requests_sent_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;         // a request finished
  std::condition_variable linger_cv_;  // only for stopping the linger thread
  // Keyed by a view of the id inside the record it maps to, which the value keeps alive.
  std::unordered_map<std::string_view, std::shared_ptr<const protocol::Operation>> ops_;
  std::string token_;
  struct Queued {
    uint64_t seq;
    protocol::OperationUpdate update;
    std::chrono::steady_clock::time_point queued_at;
    std::size_t bytes;
  };
  std::deque<Queued> queue_;
  uint64_t next_seq_ = 1;
  uint64_t committed_seq_ = 0;
  bool sending_ = false;
  std::optional<ServiceError> failure_;
  std::optional<ErrorInfo> fatal_;
  bool stop_ = false;
  std::thread linger_thread_;
};

}  // namespace durafn::sdk
