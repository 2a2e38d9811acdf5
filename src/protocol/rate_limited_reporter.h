// Passes error messages on to a sink, at most a few per interval: a condition that repeats
// every 100 ms (a full disk failing every commit retried) must show in the server's log
// without flooding it. What was held back is counted in the next message that goes out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace durafn {

class RateLimitedReporter {
 public:
  using Sink = std::function<void(std::string_view)>;
  // At most `burst` messages per `interval` reach `sink` (null: everything is dropped).
  explicit RateLimitedReporter(
      Sink sink, int burst = 5,
      std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
      : sink_(std::move(sink)), burst_(burst), interval_(interval) {}

  // Thread-safe. Calls the sink on the caller's thread, outside the lock.
  void Report(std::string_view message) {
    if (!sink_) return;
    std::string line;
    {
      std::lock_guard lock(mu_);
      auto now = std::chrono::steady_clock::now();
      if (now - window_start_ >= interval_) {
        window_start_ = now;
        sent_in_window_ = 0;
      }
      if (sent_in_window_ >= burst_) {
        ++held_back_;
        return;
      }
      ++sent_in_window_;
      line = std::string(message);
      if (held_back_ > 0) {
        line += " (" + std::to_string(held_back_) + " earlier messages not shown)";
        held_back_ = 0;
      }
    }
    sink_(line);
  }

  // How many messages were dropped since the last one that went out.
  uint64_t held_back() const {
    std::lock_guard lock(mu_);
    return held_back_;
  }

 private:
  const Sink sink_;
  const int burst_;
  const std::chrono::steady_clock::duration interval_;
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  int sent_in_window_ = 0;
  uint64_t held_back_ = 0;
};

}  // namespace durafn
