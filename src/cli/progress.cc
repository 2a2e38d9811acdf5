#include "cli/progress.h"

#include <iostream>

#include <unistd.h>

namespace durafn::cli {

bool ProgressVisible() {
  return ::isatty(STDERR_FILENO) == 1;
}

void ProgressStep(const std::string& message) {
  if (ProgressVisible()) std::cerr << message << std::endl;
}

WaitIndicator::WaitIndicator(std::string label)
    : label_(std::move(label)), visible_(ProgressVisible()) {
  if (!visible_) return;
  thread_ = std::thread([this] {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                start);
      std::cerr << "\r" << label_ << " " << s.count() << "s" << std::flush;
    }
    std::cerr << "\r\033[K" << std::flush;
  });
}

WaitIndicator::~WaitIndicator() {
  if (!visible_) return;
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace durafn::cli
