#include "hosting/worker_process.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
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

}  // namespace

Result<std::unique_ptr<WorkerProcess>> WorkerProcess::Spawn(const WorkerSpec& spec, LineFn on_line,
                                                            ExitFn on_exit) {
  if (spec.argv.empty()) return Status::InvalidArgument("no program to start");
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return Status::Unavailable("pipe: " + std::string(strerror(errno)));

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
  for (int sig : {SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a kill reaches its children
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

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
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return Status::Unavailable("cannot start " + args[0] + ": " + strerror(rc));
  }
  if (spec.address_space_limit > 0) {
    // posix_spawn has no rlimit attribute; the limit is set right after the start. What the
    // program allocates before that instant is negligible next to the headroom.
    struct rlimit lim = {spec.address_space_limit, spec.address_space_limit};
    ::prlimit(pid, RLIMIT_AS, &lim, nullptr);
  }
  std::unique_ptr<WorkerProcess> w(new WorkerProcess());
  w->pid_ = pid;
  w->pidfd_ = PidfdOpen(pid);
  w->out_fd_ = out[0];
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
}

void WorkerProcess::Kill() {
  if (pid_ <= 0 || exited_.load()) return;
  // The group first (children of the worker), then the leader through its pidfd, which
  // cannot hit a recycled pid.
  ::kill(-pid_, SIGKILL);
  PidfdSignal(pidfd_, SIGKILL);
}

int64_t WorkerProcess::ResidentBytes() const {
  if (exited_.load()) return 0;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/statm", pid_);
  FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<int64_t>(resident) * ::sysconf(_SC_PAGESIZE);
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
