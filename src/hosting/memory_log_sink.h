// A LogSink that keeps the newest records in memory (bounded): the server's sink until the
// log store is wired in, and the tests' window onto what workers printed.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "hosting/log_sink.h"

namespace durafn::hosting {

class MemoryLogSink : public LogSink {
 public:
  // Keeps at most `capacity` records; older ones are dropped first.
  explicit MemoryLogSink(std::size_t capacity = 10'000) : capacity_(capacity) {}

  void Append(LogRecord record) override {
    std::lock_guard lock(mu_);
    if (records_.size() >= capacity_) records_.pop_front();
    records_.push_back(std::move(record));
  }

  // A copy of the records held, oldest first.
  std::vector<LogRecord> Snapshot() const {
    std::lock_guard lock(mu_);
    return {records_.begin(), records_.end()};
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::deque<LogRecord> records_;
};

}  // namespace durafn::hosting
