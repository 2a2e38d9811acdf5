#include "hosting/worker_process.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol/thread_name.h"

namespace durafn::hosting {
namespace {

int PidfdOpen(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// Reads a /proc file of the worker through a descriptor held open (procfs renders it afresh
// on each read from offset 0) into `buf`, NUL-terminated. False if nothing could be read.
template <std::size_t N>
bool ReadProcFile(int fd, char (&buf)[N]) {
  if (fd < 0) return false;
  ssize_t n = ::pread(fd, buf, N - 1, 0);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

// Signals the server handles or ignores that a worker must see with their default action.
constexpr int kDefaultedSignals[] = {SIGPIPE, SIGCHLD, SIGINT,  SIGTERM,
                                     SIGHUP,  SIGQUIT, SIGUSR1, SIGUSR2};

// What the child of CloneAndExec does between clone and execve, prepared by the parent
// because the child may only make system calls (it shares the parent's memory).
struct ChildSetup {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // null: the server's
  int stdin_fd;     // /dev/null
  int out_fd;       // the pipe's write end, for stdout and stderr
  rlim_t address_space_limit;
  int error = 0;  // errno of the step that failed, set by the child
};

// The kernel's struct sigaction (not the C library's): the handler comes first on every
// architecture, and all zeros with SIG_DFL (0) is a valid value everywhere.
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void* restorer;
  uint64_t mask;
};

// Runs in the child on its own stack, sharing the parent's memory, until execve. It makes
// raw system calls only: a C library wrapper or a sanitizer's interceptor could take a lock
// or touch state the parent thread owns. Every signal is blocked on entry.
__attribute__((no_sanitize("address", "undefined"))) int ChildMain(void* arg) {
  auto* c = static_cast<ChildSetup*>(arg);
  constexpr long kSigsetBytes = 8;
  // Handlers are the server's code and must not run here; dispositions are this process's
  // own (no CLONE_SIGHAND), so resetting them leaves the server's untouched.
  for (int sig = 1; sig <= 64; ++sig) {
    KernelSigaction old{};
    if (::syscall(SYS_rt_sigaction, sig, nullptr, &old, kSigsetBytes) != 0) continue;
    bool defaulted = false;
    for (int d : kDefaultedSignals)
      defaulted = defaulted || d == sig;
    if (defaulted || (old.handler != nullptr && old.handler != reinterpret_cast<void*>(SIG_IGN))) {
      KernelSigaction dfl{};
      ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, kSigsetBytes);
    }
  }
  const uint64_t none = 0;
  struct rlimit lim = {c->address_space_limit, c->address_space_limit};
  bool ok = ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, kSigsetBytes) == 0 &&
            ::syscall(SYS_setpgid, 0, 0) == 0 &&
            ::syscall(SYS_dup3, c->stdin_fd, STDIN_FILENO, 0) >= 0 &&
            ::syscall(SYS_dup3, c->out_fd, STDOUT_FILENO, 0) >= 0 &&
            ::syscall(SYS_dup3, c->out_fd, STDERR_FILENO, 0) >= 0 &&
            ::syscall(SYS_close_range, 3U, ~0U, 0U) == 0 &&
            (!c->cwd || ::syscall(SYS_chdir, c->cwd) == 0) &&
            ::syscall(SYS_prlimit64, 0, RLIMIT_AS, &lim, nullptr) == 0;
  if (ok) ::syscall(SYS_execve, c->path, c->argv, c->envp);
  c->error = errno != 0 ? errno : EINVAL;
  ::syscall(SYS_exit_group, 127);
  return 127;
}

// posix_spawn has no resource-limit attribute, and a limit set afterwards (prlimit) would
// leave the program a moment unlimited. This does what glibc's posix_spawn does (a clone
// that shares memory and suspends the parent until execve) with setrlimit before execve.
// Returns the pid, or -errno.
pid_t CloneAndExec(ChildSetup& setup) {
  constexpr std::size_t kStackBytes = 256 * 1024;
  void* stack = ::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -errno;
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  // CLONE_VFORK: this thread resumes once the child called execve or exited.
  pid_t pid = ::clone(ChildMain, static_cast<char*>(stack) + kStackBytes,
                      CLONE_VM | CLONE_VFORK | SIGCHLD, &setup);
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::munmap(stack, kStackBytes);
  if (pid < 0) return -clone_errno;
  if (setup.error != 0) {
    ::waitpid(pid, nullptr, 0);
    return -setup.error;
  }
  return pid;
}

}  // namespace

Result<std::unique_ptr<WorkerProcess>> WorkerProcess::Spawn(const WorkerSpec& spec, LineFn on_line,
                                                            ExitFn on_exit) {
  if (spec.argv.empty()) return Status::InvalidArgument("no program to start");
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return Status::Unavailable("pipe: " + std::string(strerror(errno)));

  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& s : args)
    argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = 0;
  if (spec.address_space_limit > 0) {
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
      rc = errno;
    } else {
      ChildSetup setup{.path = args[0].c_str(),
                       .argv = argv.data(),
                       .envp = envp.data(),
                       .cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                       .stdin_fd = null_fd,
                       .out_fd = out[1],
                       .address_space_limit = spec.address_space_limit};
      pid = CloneAndExec(setup);
      if (pid < 0) rc = -pid;
      ::close(null_fd);
    }
  } else {
    // Without a limit (sanitizer builds, whose shadow memory needs terabytes of address
    // space), the C library does the same.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    // The server's sockets and database files must not leak into workers.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : kDefaultedSignals)
      sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a kill reaches its children
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);
    rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return Status::Unavailable("cannot start " + args[0] + ": " + strerror(rc));
  }
  std::unique_ptr<WorkerProcess> w(new WorkerProcess());
  w->pid_ = pid;
  w->pidfd_ = PidfdOpen(pid);
  w->out_fd_ = out[0];
  char proc_path[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/%d/status", pid);
  w->status_fd_ = ::open(proc_path, O_RDONLY | O_CLOEXEC);
  std::snprintf(proc_path, sizeof proc_path, "/proc/%d/statm", pid);
  w->statm_fd_ = ::open(proc_path, O_RDONLY | O_CLOEXEC);
  w->on_line_ = std::move(on_line);
  w->on_exit_ = std::move(on_exit);
  if (w->pidfd_ < 0) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(out[0]);
    w->pid_ = -1;
    return Status::Unavailable("pidfd_open: " + std::string(strerror(errno)));
  }
  w->reader_ = std::thread([p = w.get()] {
    SetThreadName("worker-output");
    p->Run();
  });
  return w;
}

WorkerProcess::~WorkerProcess() {
  Kill();
  if (reader_.joinable()) reader_.join();
  if (pidfd_ >= 0) ::close(pidfd_);
  if (out_fd_ >= 0) ::close(out_fd_);
  if (status_fd_ >= 0) ::close(status_fd_);
  if (statm_fd_ >= 0) ::close(statm_fd_);
}

void WorkerProcess::Kill() {
  if (pid_ <= 0 || exited_.load()) return;
  // The group first (children of the worker), then the leader through its pidfd, which
  // cannot hit a recycled pid.
  ::kill(-pid_, SIGKILL);
  PidfdSignal(pidfd_, SIGKILL);
}

int64_t WorkerProcess::ResidentBytes() const {
  char buf[128];
  if (exited_.load() || !ReadProcFile(statm_fd_, buf)) return 0;
  long size = 0, resident = 0;
  if (std::sscanf(buf, "%ld %ld", &size, &resident) != 2) return 0;
  return static_cast<int64_t>(resident) * ::sysconf(_SC_PAGESIZE);
}

int64_t WorkerProcess::PeakResidentBytes() const {
  if (exited_.load() || status_fd_ < 0) return 0;
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
  const int64_t read_at = peak_read_at_ns_.load(std::memory_order_relaxed);
  if (read_at != 0 && now_ns - read_at < std::chrono::nanoseconds(kPeakRefresh).count()) {
    return std::max(peak_bytes_.load(std::memory_order_relaxed), ResidentBytes());
  }
  char buf[4096];  // holds every line up to VmHWM
  if (!ReadProcFile(status_fd_, buf)) return 0;
  const char* at = std::strstr(buf, "\nVmHWM:");
  if (!at) return 0;
  const int64_t peak = std::atoll(at + 7) * 1024;
  peak_bytes_.store(peak, std::memory_order_relaxed);
  peak_read_at_ns_.store(now_ns, std::memory_order_relaxed);
  return peak;
}

void WorkerProcess::WaitForOutput(std::chrono::microseconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int pending = 0;
    if (exited_.load() || ::ioctl(out_fd_, FIONREAD, &pending) != 0) return;
    if (pending == 0 && !reading_.load()) return;
    if (std::chrono::steady_clock::now() >= until) return;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

void WorkerProcess::Run() {
  std::string buffer;
  char chunk[16384];
  auto emit_lines = [&](bool flush) {
    std::size_t start = 0;
    for (;;) {
      auto nl = buffer.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line(buffer.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      on_line_(line);
      start = nl + 1;
    }
    buffer.erase(0, start);
    while (buffer.size() >= kMaxLineBytes || (flush && !buffer.empty())) {
      std::size_t n = std::min(buffer.size(), kMaxLineBytes);
      on_line_(std::string_view(buffer.data(), n));
      buffer.erase(0, n);
    }
  };
  bool out_open = true, reaped = false;
  WorkerExit exit;
  while (out_open || !reaped) {
    pollfd fds[2];
    int n = 0;
    if (out_open) fds[n++] = {out_fd_, POLLIN, 0};
    int pid_index = -1;
    if (!reaped) {
      pid_index = n;
      fds[n++] = {pidfd_, POLLIN, 0};
    }
    // Once the worker is gone, its descendants were killed; the pipe closes promptly.
    int timeout = reaped ? 2000 : -1;
    int r = ::poll(fds, static_cast<nfds_t>(n), timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) break;  // a descendant escaped the group and holds the pipe: stop reading
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      reading_.store(true);
      ssize_t got = ::read(out_fd_, chunk, sizeof chunk);
      if (got > 0) {
        buffer.append(chunk, static_cast<std::size_t>(got));
        emit_lines(false);
      }
      reading_.store(false);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        out_open = false;
      }
    }
    if (pid_index >= 0 && (fds[pid_index].revents & POLLIN)) {
      int status = 0;
      struct rusage usage {};
      pid_t w = ::wait4(pid_, &status, WNOHANG, &usage);
      if (w == pid_) {
        reaped = true;
        exit.signaled = WIFSIGNALED(status);
        exit.code = exit.signaled ? WTERMSIG(status) : WEXITSTATUS(status);
        exit.max_rss_kb = usage.ru_maxrss;
        exit_info_ = exit;
        exited_.store(true);
        ::kill(-pid_, SIGKILL);  // what it left behind goes with it
      }
    }
  }
  emit_lines(true);
  if (!reaped) {
    ::wait4(pid_, nullptr, 0, nullptr);
    exited_.store(true);
  }
  on_exit_(exit);
}

}  // namespace durafn::hosting
