// WorkerProcess with real child processes (/bin/sh and coreutils): what a worker starts
// with (resource limit, signals, process group, descriptors), its memory figures, failures.
#include "hosting/worker_process.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace durafn::hosting {
namespace {

using namespace std::chrono_literals;

// Collects a worker's output lines and its exit.
class Output {
 public:
  WorkerProcess::LineFn OnLine() {
    return [this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
      cv_.notify_all();
    };
  }
  WorkerProcess::ExitFn OnExit() {
    return [this](const WorkerExit&) {
      std::lock_guard lock(mu_);
      exited_ = true;
      cv_.notify_all();
    };
  }
  // The lines once the process exited (or after 10 s).
  std::vector<std::string> AllLines() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return exited_; });
    return lines_;
  }
  // Waits until `line` was printed.
  bool WaitFor(const std::string& line) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] {
      for (const auto& l : lines_) {
        if (l == line) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  bool exited_ = false;
};

// The value of a "Name:\tvalue" line of /proc/PID/status as printed by the worker.
std::string Field(const std::vector<std::string>& lines, const std::string& name) {
  for (const auto& l : lines) {
    if (l.starts_with(name + ":")) {
      auto v = l.substr(name.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  }
  return "";
}

TEST(WorkerProcessTest, TheAddressSpaceLimitIsInPlaceWhenTheProgramStarts) {
  Output out;
  WorkerSpec spec;
  // The shell reads its limits as its first act: no later setting could be seen here.
  spec.argv = {"/bin/sh", "-c", "ulimit -v; ulimit -H -v"};
  spec.address_space_limit = 300ull << 20;
  auto w = WorkerProcess::Spawn(spec, out.OnLine(), out.OnExit());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(out.AllLines(), (std::vector<std::string>{"307200", "307200"}));
}

TEST(WorkerProcessTest, AWorkerStartsWithDefaultSignalsItsOwnGroupAndNoInheritedFiles) {
  // What a server process typically has: SIGPIPE ignored, a handler, a blocked signal, and an
  // open descriptor without O_CLOEXEC. Ignored and blocked signals survive execve, handlers
  // do not (the shell installs its own, so SigCgt says nothing here).
  struct sigaction ignore {
  }, handler{}, old_pipe{}, old_usr1{};
  ignore.sa_handler = SIG_IGN;
  handler.sa_handler = [](int) {};
  ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &old_pipe), 0);
  ASSERT_EQ(::sigaction(SIGUSR1, &handler, &old_usr1), 0);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
  char leaked_name[] = "/tmp/durafn-leak-XXXXXX";
  int leaked = ::mkstemp(leaked_name);  // without O_CLOEXEC
  ASSERT_GE(leaked, 3);
  const std::string leaked_path = leaked_name;

  for (uint64_t limit : {uint64_t{0}, uint64_t{512} << 20}) {
    SCOPED_TRACE(limit == 0 ? "posix_spawn" : "with an address space limit");
    // The program itself reports (exec, no fork: a shell blocks signals around its forks).
    Output out;
    WorkerSpec spec;
    spec.argv = {"/bin/sh", "-c", "exec cat /proc/self/status /proc/self/stat"};
    spec.address_space_limit = limit;
    auto w = WorkerProcess::Spawn(spec, out.OnLine(), out.OnExit());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto lines = out.AllLines();
    const std::string pid = std::to_string((*w)->pid());
    EXPECT_EQ(Field(lines, "Pid"), pid);
    EXPECT_EQ(Field(lines, "SigBlk"), "0000000000000000");
    // glibc's posix_spawn leaves its two reserved signals (32, 33) ignored; no program can
    // use those through the C library anyway.
    constexpr uint64_t kGlibcReserved = (1ull << 31) | (1ull << 32);
    EXPECT_EQ(std::stoull(Field(lines, "SigIgn"), nullptr, 16) & ~kGlibcReserved, 0u)
        << Field(lines, "SigIgn");
    // /proc/self/stat: "PID (cat) STATE PPID PGRP ...": the worker leads its own group.
    std::string stat = lines.empty() ? "" : lines.back();
    ASSERT_TRUE(stat.starts_with(pid + " (cat) ")) << stat;
    std::istringstream fields(stat.substr(stat.find(')') + 2));
    std::string state, ppid, pgrp;
    fields >> state >> ppid >> pgrp;
    EXPECT_EQ(pgrp, pid);

    Output files;
    spec.argv = {"/bin/sh", "-c", "pwd; exec readlink /proc/$$/fd/*"};
    spec.cwd = "/tmp";
    w = WorkerProcess::Spawn(spec, files.OnLine(), files.OnExit());
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    lines = files.AllLines();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "/tmp");
    bool stdin_null = false, leaked_seen = false;
    for (const auto& l : lines) {
      stdin_null = stdin_null || l == "/dev/null";
      leaked_seen = leaked_seen || l.find(leaked_path) != std::string::npos;
    }
    EXPECT_TRUE(stdin_null) << testing::PrintToString(lines);
    EXPECT_FALSE(leaked_seen) << testing::PrintToString(lines);
  }

  ::close(leaked);
  ::unlink(leaked_path.c_str());
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGUSR1, &old_usr1, nullptr);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
}

TEST(WorkerProcessTest, AProgramThatCannotStartIsAnError) {
  for (uint64_t limit : {uint64_t{0}, uint64_t{512} << 20}) {
    Output out;
    WorkerSpec spec;
    spec.argv = {"/nonexistent/bootstrap"};
    spec.address_space_limit = limit;
    auto w = WorkerProcess::Spawn(spec, out.OnLine(), out.OnExit());
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.status().message().find("No such file or directory"), std::string::npos)
        << w.status().ToString();
  }
}

TEST(WorkerProcessTest, PeakMemoryFollowsWhatTheWorkerTouched) {
  Output out;
  WorkerSpec spec;
  // The shell holds 40 MB in a variable, then waits without exiting.
  spec.argv = {"/bin/sh", "-c",
               "x=$(head -c 40000000 /dev/zero | tr '\\0' a); echo ready; sleep 30 & wait"};
  spec.address_space_limit = 1ull << 30;
  auto w = WorkerProcess::Spawn(spec, out.OnLine(), out.OnExit());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(out.WaitFor("ready"));
  const int64_t first = (*w)->PeakResidentBytes();  // read from VmHWM
  EXPECT_GE(first, 40'000'000);
  // At once again: within the refresh interval, the remembered peak (or more).
  const int64_t second = (*w)->PeakResidentBytes();
  EXPECT_GE(second, first);
  const int64_t resident = (*w)->ResidentBytes();
  EXPECT_GT(resident, 0);
  EXPECT_LE(resident, (*w)->PeakResidentBytes());
  (*w)->Kill();
  out.AllLines();
  EXPECT_EQ((*w)->PeakResidentBytes(), 0);
  EXPECT_EQ((*w)->ResidentBytes(), 0);
}

}  // namespace
}  // namespace durafn::hosting
