// Progress for long operations (deploy steps, a synchronous invoke that waits): shown on
// stderr only when stderr is a terminal, so piped and scripted runs stay quiet.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace durafn::cli {

// True when stderr is a terminal.
bool ProgressVisible();

// Prints "<message>" as a step line on stderr when visible.
void ProgressStep(const std::string& message);

// While alive, shows "<label> 3s" on stderr (updated each second), erased when done.
class WaitIndicator {
 public:
  explicit WaitIndicator(std::string label);
  ~WaitIndicator();
  WaitIndicator(const WaitIndicator&) = delete;
  WaitIndicator& operator=(const WaitIndicator&) = delete;

 private:
  std::string label_;
  bool visible_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace durafn::cli
