// Asynchronous (Event) invocations of plain functions: each is kept on disk from the moment
// Invoke answers 202 until it has run, so a restart runs what was queued; one that ends in
// a function error is retried as Lambda does by default (twice, after growing delays).
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
  std::string id;            // the Invoke's request id
  std::string function_arn;  // qualified by the version that runs
  std::string payload;
  int attempt = 0;     // runs so far
  int64_t due_ms = 0;  // wall clock; 0: at once
};

class EventQueue {
 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;

  // Runs one event; calls `done(true)` when it ended in a function error (or could not run)
  // and should be retried, `done(false)` otherwise. May call `done` on any thread.
  using Runner = std::function<void(const QueuedEvent& event, std::function<void(bool)> done)>;

  // Opens (creating) the folder `dir` and loads what it holds. `retry_delays`: one delay per
  // retry (Lambda's default: 1 then 2 minutes).
  static Result<std::unique_ptr<EventQueue>> Open(
      std::filesystem::path dir, std::vector<std::chrono::milliseconds> retry_delays,
      std::size_t capacity = kDefaultCapacity);
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
             std::size_t capacity)
      : dir_(std::move(dir)), delays_(std::move(delays)), capacity_(capacity) {}
  Status Write(const QueuedEvent& event) const;
  void Remove(const std::string& id) const;
  void Run();
  void Finished(QueuedEvent event, bool retry);

  const std::filesystem::path dir_;
  const std::vector<std::chrono::milliseconds> delays_;
  const std::size_t capacity_;
  Runner runner_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<int64_t, QueuedEvent> due_;  // by due time
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace durafn::hosting
