// One worker process: started in its own process group (with its address-space limit in
// place before execve), its stdout and stderr read line by line, its exit observed (with
// its peak memory) without polling.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/types.h>

#include "protocol/result.h"

namespace durafn::hosting {

struct WorkerSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::map<std::string, std::string> env;
  std::string cwd;
  // RLIMIT_AS of the process in bytes; 0: none.
  uint64_t address_space_limit = 0;
};

struct WorkerExit {
  bool signaled = false;
  int code = 0;  // the exit status, or the signal number when `signaled`
  int64_t max_rss_kb = 0;
};

class WorkerProcess {
 public:
  // One output line is cut into pieces of at most this many bytes (CloudWatch's event limit).
  static constexpr std::size_t kMaxLineBytes = 256 * 1024;

  using LineFn = std::function<void(std::string_view line)>;
  using ExitFn = std::function<void(const WorkerExit&)>;

  // Starts the process. `on_line` runs on the worker's reader thread for each line it prints
  // (stdout and stderr together, without the newline); `on_exit` runs once on that thread
  // after the process was reaped and its output drained. Both must not call Kill()-then-
  // destroy on this object. Unavailable when the program cannot be started.
  static Result<std::unique_ptr<WorkerProcess>> Spawn(const WorkerSpec& spec, LineFn on_line,
                                                      ExitFn on_exit);
  // Kills the process group and joins the reader thread.
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // SIGKILL to the whole process group (the worker and whatever it started). Idempotent;
  // the leader is signalled through its pidfd, which cannot reach a recycled pid.
  void Kill();
  // Resident memory of the worker process now, in bytes (0 once it has exited).
  int64_t ResidentBytes() const;
  // Its peak resident memory so far (VmHWM), in bytes; 0 once it has exited or if unknown.
  // This runs after every invocation, and procfs renders all of /proc/PID/status for one
  // field, so VmHWM is read at most every kPeakRefresh; in between the figure is the last
  // VmHWM or the resident memory now, whichever is larger. A peak freed again within
  // kPeakRefresh of the previous read shows up one call late.
  int64_t PeakResidentBytes() const;
  static constexpr std::chrono::milliseconds kPeakRefresh{10};
  bool exited() const { return exited_.load(); }
  // How it ended; valid once exited() is true.
  WorkerExit exit_info() const { return exit_info_; }
  // Waits, at most `limit`, until what the process has written so far was read and handed
  // to `on_line` (a trailing partial line stays buffered), so lines printed before an
  // invocation ended are attributed to it.
  void WaitForOutput(std::chrono::microseconds limit) const;

 private:
  WorkerProcess() = default;
  void Run();

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int out_fd_ = -1;
  int status_fd_ = -1;                               // /proc/PID/status
  int statm_fd_ = -1;                                // /proc/PID/statm
  mutable std::atomic<int64_t> peak_bytes_{0};       // the last VmHWM read
  mutable std::atomic<int64_t> peak_read_at_ns_{0};  // steady clock; 0: never
  LineFn on_line_;
  ExitFn on_exit_;
  WorkerExit exit_info_;  // written before exited_ is set
  std::atomic<bool> exited_{false};
  std::atomic<bool> reading_{false};  // the reader holds bytes it has not emitted yet
  std::thread reader_;
};

}  // namespace durafn::hosting
