// Asynchronous (Event) invocations of plain functions: each is kept on disk from the moment
// Invoke answers 202 until it has run, so a restart runs what was queued; one that ends in
// a function error is retried as Lambda does by default (twice, after growing delays), and
// one refused for lack of capacity (throttled) is retried with a growing backoff for up to
// six hours without using up those retries, as Lambda does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/result.h"

namespace durafn::hosting {

struct QueuedEvent {
  std::string id;                    // the Invoke's request id
  std::string function_arn;          // qualified by the version that runs
  std::string invoked_function_arn;  // as the caller named it (alias, version or none)
  std::string payload;
  int attempt = 0;          // runs that ended in a function error so far (throttles aside)
  int64_t due_ms = 0;       // wall clock; 0: at once
  int throttles = 0;        // times it could not run for lack of capacity (not attempts)
  int64_t enqueued_ms = 0;  // wall clock when Invoke accepted it; 0: set by Enqueue
};

// How one run of an event ended.
enum class EventOutcome {
  kDone,           // ran (successfully, or its error is not retried)
  kFunctionError,  // ran and failed, or could not be run: retried after the next delay
  kThrottled,      // refused for lack of capacity: retried with backoff, no attempt used
};

class EventQueue {
 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;

  // Lambda's default maximum event age: a throttled event is dropped after it.
  static constexpr std::chrono::hours kMaxEventAge{6};
  // The first backoff after a throttle; it doubles, up to five minutes.
  static constexpr std::chrono::seconds kThrottleBackoff{1};

  // Runs one event and calls `done` with how it ended, on any thread.
  using Runner =
      std::function<void(const QueuedEvent& event, std::function<void(EventOutcome)> done)>;

  // Opens (creating) the folder `dir` and loads what it holds. `retry_delays`: one delay per
  // retry (Lambda's default: 1 then 2 minutes).
  static Result<std::unique_ptr<EventQueue>> Open(
      std::filesystem::path dir, std::vector<std::chrono::milliseconds> retry_delays,
      std::size_t capacity = kDefaultCapacity,
      std::chrono::milliseconds throttle_backoff = kThrottleBackoff);
  ~EventQueue();  // Stop()

  // Starts running events (those loaded and those enqueued later) through `runner`.
  void Start(Runner runner);
  // Stops the thread; events still queued stay on disk.
  void Stop();

  // Persists `event` (fsync) and queues it. ResourceExhausted when the queue is full.
  Status Enqueue(QueuedEvent event);
  // Events waiting or running (for tests and metrics).
  std::size_t size() const;

 private:
  EventQueue(std::filesystem::path dir, std::vector<std::chrono::milliseconds> delays,
             std::size_t capacity, std::chrono::milliseconds throttle_backoff)
      : dir_(std::move(dir)),
        delays_(std::move(delays)),
        capacity_(capacity),
        throttle_backoff_(throttle_backoff) {}
  Status Write(const QueuedEvent& event) const;
  void Remove(const std::string& id) const;
  void Run();
  void Finished(QueuedEvent event, EventOutcome outcome);
  // Puts `event` back on the queue (and on disk) to run at `due_ms`.
  void Requeue(QueuedEvent event, int64_t due_ms);

  const std::filesystem::path dir_;
  const std::vector<std::chrono::milliseconds> delays_;
  const std::size_t capacity_;
  const std::chrono::milliseconds throttle_backoff_;
  Runner runner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<int64_t, QueuedEvent> due_;  // by due time
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace durafn::hosting
