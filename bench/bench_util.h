// Helpers every bench binary shares: time in microseconds, the fdatasync floor of a disk, and
// ending a run early without leaving a server or its workers behind.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "proc_stats.h"

namespace durafn::bench {

using Clock = std::chrono::steady_clock;

inline double Micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

// The server process a bench started, or -1 (in-process server, or none yet).
inline std::atomic<pid_t> g_server{-1};

// Ends the run at once with `code`; g_server and its workers are killed first, so that a
// failed check or ^C leaves no process behind. Async-signal-safe enough for SIGINT/SIGTERM.
[[noreturn]] inline void Abandon(int code) {
  pid_t pid = g_server.load();
  if (pid > 0) {
    for (pid_t worker : Children(pid))
      ::kill(worker, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  std::_Exit(code);
}

// A failed check ends the run: "<bench>: <what> failed", then Abandon(1).
inline void Must(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "%s: %s failed\n", program_invocation_short_name, what.c_str());
    Abandon(1);
  }
}

// A 4 KiB write at offset 0 of a file in `dir` and its fdatasync: the floor of any durable
// commit on that disk. Sample() times one, in microseconds.
class FdatasyncProbe {
 public:
  explicit FdatasyncProbe(const std::filesystem::path& dir) : path_(dir / "fdatasync.probe") {
    fd_ = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
    Must(fd_ >= 0, "opening the fdatasync probe in " + dir.string());
  }
  ~FdatasyncProbe() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  FdatasyncProbe(const FdatasyncProbe&) = delete;
  FdatasyncProbe& operator=(const FdatasyncProbe&) = delete;

  double Sample() {
    auto t0 = Clock::now();
    bool ok = ::pwrite(fd_, block_.data(), block_.size(), 0) == 4096 && ::fdatasync(fd_) == 0;
    double us = Micros(Clock::now() - t0);
    Must(ok, "the fdatasync probe");
    return us;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<char> block_ = std::vector<char>(4096, 'x');
};

// `n` samples of FdatasyncProbe, in microseconds.
inline std::vector<double> FdatasyncLatency(const std::filesystem::path& dir, int n) {
  FdatasyncProbe probe(dir);
  std::vector<double> out;
  for (int i = 0; i < n; ++i)
    out.push_back(probe.Sample());
  return out;
}

}  // namespace durafn::bench
