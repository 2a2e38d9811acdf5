// CPU seconds and memory of a server process and of the worker processes it spawned, read
// from /proc. A sampler thread follows the workers while they live, so the CPU of a worker
// that exits during a run still counts (as of its last sample, at most one period late).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace durafn::bench {

// A /proc/PID/status field in MiB (VmRSS, VmHWM); 0 if the process is gone.
inline double StatusMiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

// The fields of /proc/PID/stat after the command name (index 0 = state); empty if gone.
inline std::vector<std::string> StatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::string> f;
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return f;
  std::string rest = stat.substr(close + 2);
  std::size_t pos = 0;
  while (pos < rest.size()) {
    auto next = rest.find(' ', pos);
    f.push_back(rest.substr(pos, next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return f;
}

// CPU seconds every core of the machine spent busy so far (user, nice, system, irq, softirq
// from /proc/stat; idle, iowait and steal excluded). Divided by work done in a window, it
// gives a cost per unit that includes the kernel's share (loopback TCP, wake-ups) and every
// process involved.
inline double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  if (cpu != "cpu") return 0;
  return (user + nice + system + irq + softirq) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// User + system CPU seconds of a process so far (0 if gone).
inline double CpuSeconds(pid_t pid) {
  auto f = StatFields(pid);
  if (f.size() < 13) return 0;
  // stat fields 14 and 15 (utime, stime) are 11 and 12 here.
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds of a process's live threads at nanosecond resolution (/proc/PID/task/*/schedstat):
// for short-lived, mostly idle workers whose tick-based figure rounds to zero. Falls back to
// CpuSeconds when schedstat is missing.
inline double ThreadCpuSeconds(pid_t pid) {
  std::error_code ec;
  double ns = 0;
  bool any = false;
  for (const auto& t :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(t.path() / "schedstat");
    double v = 0;
    if (in >> v) {
      ns += v;
      any = true;
    }
  }
  return any ? ns / 1e9 : CpuSeconds(pid);
}

// Processes whose parent is `parent`.
inline std::vector<pid_t> Children(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    auto f = StatFields(pid);
    if (f.size() > 1 && std::stol(f[1]) == parent) out.push_back(pid);
  }
  return out;
}

// Samples a server and its direct children (the workers) every `period` until Stop().
class ResourceSampler {
 public:
  struct Totals {
    double server_cpu_s = 0;          // during the sampled interval
    double server_peak_rss_mib = 0;   // largest sampled RSS
    double workers_cpu_s = 0;         // all workers seen, during the interval
    double workers_peak_rss_mib = 0;  // largest sampled sum of the workers' RSS
    int workers_peak = 0;             // most workers alive at once
  };

  explicit ResourceSampler(pid_t server,
                           std::chrono::milliseconds period = std::chrono::milliseconds(100))
      : server_(server), period_(period) {
    server_cpu0_ = CpuSeconds(server_);
    for (pid_t w : Children(server_))
      worker_cpu0_[w] = ThreadCpuSeconds(w);
    Sample();
    thread_ = std::thread([this] {
      while (!stop_) {
        std::this_thread::sleep_for(period_);
        Sample();
      }
    });
  }
  ~ResourceSampler() { Stop(); }
  ResourceSampler(const ResourceSampler&) = delete;
  ResourceSampler& operator=(const ResourceSampler&) = delete;

  // Takes a last sample and returns the totals since construction.
  Totals Stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
      Sample();
    }
    std::lock_guard lock(mu_);
    Totals t = totals_;
    t.server_cpu_s = last_server_cpu_ - server_cpu0_;
    for (const auto& [pid, cpu] : worker_cpu_)
      t.workers_cpu_s += cpu - (worker_cpu0_.count(pid) ? worker_cpu0_[pid] : 0.0);
    return t;
  }

 private:
  void Sample() {
    double cpu = CpuSeconds(server_);
    double rss = StatusMiB(server_, "VmRSS");
    double sum = 0;
    auto workers = Children(server_);
    std::map<pid_t, double> cpus;
    for (pid_t w : workers) {
      cpus[w] = ThreadCpuSeconds(w);
      sum += StatusMiB(w, "VmRSS");
    }
    std::lock_guard lock(mu_);
    if (cpu > 0) last_server_cpu_ = cpu;
    totals_.server_peak_rss_mib = std::max(totals_.server_peak_rss_mib, rss);
    totals_.workers_peak_rss_mib = std::max(totals_.workers_peak_rss_mib, sum);
    totals_.workers_peak = std::max(totals_.workers_peak, static_cast<int>(workers.size()));
    for (const auto& [pid, c] : cpus) {
      if (c > 0) worker_cpu_[pid] = c;
    }
  }

  pid_t server_;
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  double server_cpu0_ = 0, last_server_cpu_ = 0;
  std::map<pid_t, double> worker_cpu0_, worker_cpu_;
  Totals totals_;
  std::thread thread_;
};

}  // namespace durafn::bench
