// Durable timers at scale, against a real `durafn serve` process.
//   lateness: N executions each wait 2-30 s (--quick: 2-8 s); a worker that receives the resumed
//   invocation
//             records (arrival - the wait's ScheduledEndTimestamp): p50/p99/max, and the
//             server's peak RSS and CPU seconds over the run
//   restart:  N executions wait an hour; the server is killed (SIGKILL) and restarted on the
//             same data dir; time from spawn until it serves, and its RSS after start-up
// Usage: timer_bench [--quick] [--executions N] [--json FILE]
//   (--quick: 5,000 executions waiting 2-8 s)   (data in $DURAFN_BENCH_DIR or the temp dir)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "../tests/support/server_process.h"
#include "api/http_client.h"
#include "api/uri.h"
#include "bench_report.h"
#include "bench_util.h"
#include "protocol/operation_id.h"

namespace {

using durafn::api::HttpClient;
using durafn::bench::Clock;
using durafn::bench::CpuSeconds;
using durafn::bench::Must;
using durafn::bench::Percentile;
using durafn::bench::StatusMiB;
using nlohmann::json;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

Endpoint RuntimeEndpoint(HttpClient& c) {
  auto r = c.Send("POST", "/durafn/runtime-endpoints", {}, R"({"FunctionName":"timers:1"})");
  Must(r.ok() && r->status == 200, "runtime endpoint");
  std::string e = json::parse(r->body)["RuntimeApi"];
  auto colon = e.rfind(':');
  return {e.substr(0, colon), static_cast<uint16_t>(std::stoi(e.substr(colon + 1)))};
}

// Creates the durable function `timers` (version 1) and returns its workers' Runtime API.
Endpoint Setup(uint16_t api_port) {
  HttpClient c("127.0.0.1", api_port);
  auto r =
      c.Send("POST", "/2015-03-31/functions", {},
             R"({"FunctionName":"timers","Runtime":"provided.al2023","Handler":"x","Timeout":60,)"
             R"("DurableConfig":{"ExecutionTimeout":86400}})");
  Must(r.ok() && r->status == 201, "create function");
  r = c.Send("POST", "/2015-03-31/functions/timers/versions", {}, "{}");
  Must(r.ok() && r->status == 201, "publish");
  return RuntimeEndpoint(c);
}

// Plays the function: a new execution checkpoints a WAIT of `wait_seconds(i)` and suspends;
// a resumed one records its lateness and succeeds.
class Workers {
 public:
  Workers(uint16_t api_port, Endpoint runtime, std::function<int64_t(long)> wait_seconds)
      : api_port_(api_port), runtime_(std::move(runtime)), wait_seconds_(std::move(wait_seconds)) {}

  void Run(int threads) {
    for (int t = 0; t < threads; ++t)
      pool_.emplace_back([this] { Loop(); });
  }
  // Workers blocked in /next return when the server goes away: stop, kill it, then Join.
  void Stop() { stop_ = true; }
  void Join() {
    for (auto& t : pool_)
      t.join();
    pool_.clear();
  }
  long waiting() const { return waiting_; }
  long finished() const { return finished_; }
  // Arrival at a worker minus the scheduled end: what a user's code sees.
  std::vector<double> lateness_ms() {
    std::lock_guard lock(mu_);
    return lateness_ms_;
  }
  // The wait's EndTimestamp (when the server fired it) minus the scheduled end.
  std::vector<double> firing_ms() {
    std::lock_guard lock(mu_);
    return firing_ms_;
  }

 private:
  void Loop() {
    HttpClient api("127.0.0.1", api_port_), worker(runtime_.host, runtime_.port);
    while (!stop_) {
      // A long-poll abandoned by the client would strand the invocation handed to it, so
      // wait long; the server answers every waiting /next when it stops.
      auto next =
          worker.Send("GET", "/2018-06-01/runtime/invocation/next", {}, "", std::chrono::hours(1));
      if (stop_) break;
      Must(next.ok(), "next");
      Must(next->status == 200, "next");
      int64_t arrived = WallMs();
      std::string rid(next->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or(""));
      json env = json::parse(next->body);
      const json* wait = nullptr;
      for (const auto& op : env["InitialExecutionState"]["Operations"]) {
        if (op["Type"] == "WAIT") wait = &op;
      }
      json output;
      if (wait == nullptr) {
        long i = started_++;
        json update = {{"Id", durafn::protocol::HashOperationId("1")},
                       {"Type", "WAIT"},
                       {"Action", "START"},
                       {"WaitOptions", {{"WaitSeconds", wait_seconds_(i)}}}};
        auto r = api.Send(
            "POST",
            "/2025-12-01/durable-executions/" +
                durafn::api::PercentEncode(env["DurableExecutionArn"].get<std::string>()) +
                "/checkpoint",
            {{"Content-Type", "application/json"}},
            json{{"CheckpointToken", env["CheckpointToken"]}, {"Updates", {update}}}.dump());
        Must(r.ok() && r->status == 200, "checkpoint");
        output = {{"Status", "PENDING"}};
        ++waiting_;
      } else {
        Must((*wait)["Status"] == "SUCCEEDED", "resumed with the wait succeeded");
        int64_t due = (*wait)["WaitDetails"]["ScheduledEndTimestamp"];
        {
          std::lock_guard lock(mu_);
          lateness_ms_.push_back(static_cast<double>(arrived - due));
          int64_t fired = (*wait)["EndTimestamp"];
          firing_ms_.push_back(static_cast<double>(fired - due));
        }
        output = {{"Status", "SUCCEEDED"}, {"Result", "\"done\""}};
        --waiting_;
        ++finished_;
      }
      auto r = worker.Send("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", {},
                           output.dump());
      Must(r.ok() && r->status == 202, "response");
    }
  }

  uint16_t api_port_;
  Endpoint runtime_;
  std::function<int64_t(long)> wait_seconds_;
  std::atomic<bool> stop_{false};
  std::atomic<long> started_{0}, waiting_{0}, finished_{0};
  std::mutex mu_;
  std::vector<double> lateness_ms_, firing_ms_;
  std::vector<std::thread> pool_;
};

// Starts `n` executions with asynchronous invokes from `threads` clients.
void StartExecutions(uint16_t api_port, long n, int threads) {
  std::atomic<long> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      HttpClient api("127.0.0.1", api_port);
      while (next++ < n) {
        auto r = api.Send("POST", "/2015-03-31/functions/timers:1/invocations",
                          {{"X-Amz-Invocation-Type", "Event"}}, "{}");
        Must(r.ok() && r->status == 202, "invoke");
      }
    });
  }
  for (auto& t : pool)
    t.join();
}

// Waits until `count()` reaches `target`. Gives up (false) when it has not moved for `stall`
// (work the server lost: the run ends and reports it) or after `limit`.
template <typename Count>
bool WaitUntil(Count count, long target, std::chrono::seconds limit, std::chrono::seconds stall,
               const char* what) {
  auto deadline = Clock::now() + limit;
  auto report = Clock::now() + std::chrono::seconds(10);
  long last = count();
  auto moved = Clock::now();
  while (count() < target) {
    if (Clock::now() > deadline) return false;
    if (long c = count(); c != last) {
      last = c;
      moved = Clock::now();
    } else if (Clock::now() - moved > stall) {
      std::fprintf(stderr, "timer_bench: %s: stuck at %ld of %ld for %lld s; giving up\n", what, c,
                   target, static_cast<long long>(stall.count()));
      return false;
    }
    if (Clock::now() > report) {
      std::fprintf(stderr, "timer_bench: still waiting for %s (%ld of %ld)\n", what, last, target);
      report = Clock::now() + std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  long n = 100'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--executions") == 0 && i + 1 < argc) n = std::atol(argv[++i]);
  }
  if (quick && n == 100'000) n = 5'000;
  const int64_t spread = quick ? 7 : 29;  // waits last 2 .. 2 + spread - 1 s
  durafn::bench::Report report("timer", argc, argv);
  const char* env = std::getenv("DURAFN_BENCH_DIR");
  std::filesystem::path dir =
      std::filesystem::path(env ? env : std::filesystem::temp_directory_path().string()) /
      "durafn-timer-bench";
  std::filesystem::remove_all(dir);

  // Lateness: every wait ends 2-30 s after a common point far enough ahead that all executions
  // are started by then (budget: 2 ms per execution), so the backlog of starting executions
  // does not count as lateness.
  std::vector<double> late, firing;
  double peak_rss = 0, cpu = 0, wall = 0;
  long never_resumed = 0, never_waiting = 0, refused = 0;
  {
    durafn::testing::ServerProcess server(DURAFN_BINARY, dir / "lateness");
    server.Start();
    auto runtime = Setup(server.port());
    const int64_t base_ms = WallMs() + 2'000 + 2 * n;
    Workers workers(server.port(), runtime, [base_ms, spread](long i) {
      int64_t end_ms = base_ms + 1000 * (2 + (i * 7919) % spread);
      return std::max<int64_t>(1, (end_ms - WallMs() + 999) / 1000);
    });
    workers.Run(16);
    auto t0 = Clock::now();
    StartExecutions(server.port(), n, 8);
    // No wait ends before base_ms + 2 s, so the stall clock starts then. Every wait ends by
    // base_ms + 30 s; a minute without progress after that is lost work.
    if (int64_t ahead = base_ms + 2'000 - WallMs(); ahead > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(ahead));
    WaitUntil([&] { return workers.finished(); }, n, std::chrono::seconds(600 + n / 100),
              std::chrono::seconds(60), "every wait firing");
    never_resumed = n - workers.finished();
    {
      HttpClient c("127.0.0.1", server.port());
      auto m = c.Send("GET", "/metrics");
      const std::string key = "durafn_store_rejected_total ";
      if (m.ok() && m->status == 200) {
        auto at = m->body.find(key);
        if (at != std::string::npos) refused = std::atol(m->body.c_str() + at + key.size());
      }
    }
    wall = std::chrono::duration<double>(Clock::now() - t0).count();
    peak_rss = StatusMiB(server.pid(), "VmHWM");
    cpu = CpuSeconds(server.pid());
    late = workers.lateness_ms();
    firing = workers.firing_ms();
    workers.Stop();
    server.Kill(SIGKILL);
    workers.Join();
  }

  // Restart with every timer pending.
  double restart_ms = 0, rss_after_restart = 0;
  {
    durafn::testing::ServerProcess server(DURAFN_BINARY, dir / "restart");
    server.Start();
    auto runtime = Setup(server.port());
    Workers workers(server.port(), runtime, [](long) { return 3600; });
    workers.Run(16);
    StartExecutions(server.port(), n, 8);
    WaitUntil([&] { return workers.waiting(); }, n, std::chrono::seconds(600 + n / 100),
              std::chrono::seconds(60), "every execution waiting");
    never_waiting = n - workers.waiting();
    workers.Stop();
    server.Kill(SIGKILL);
    workers.Join();
    auto t0 = Clock::now();
    server.Start();  // returns once the server reports it is serving
    restart_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    HttpClient c("127.0.0.1", server.port());
    auto h = c.Send("GET", "/healthz");
    Must(h.ok() && h->status == 200, "healthz after restart");
    rss_after_restart = StatusMiB(server.pid(), "VmRSS");
  }
  std::filesystem::remove_all(dir);

  std::printf("| %ld executions waiting on timers (2-%ld s) | value |\n|---|---|\n", n,
              static_cast<long>(1 + spread));
  std::printf(
      "| lateness p50 | %.0f ms |\n| lateness p99 | %.0f ms |\n| lateness max | %.0f ms |\n",
      Percentile(late, 0.5), Percentile(late, 0.99), Percentile(late, 1.0));
  std::printf("| firing p50 | %.0f ms |\n| firing p99 | %.0f ms |\n| firing max | %.0f ms |\n",
              Percentile(firing, 0.5), Percentile(firing, 0.99), Percentile(firing, 1.0));
  std::printf("| server peak RSS | %.0f MiB |\n| server CPU | %.1f s over %.1f s |\n", peak_rss,
              cpu, wall);
  std::printf("| restart with %ld timers pending, spawn to serving | %.0f ms |\n", n, restart_ms);
  std::printf("| server RSS after restart | %.0f MiB |\n", rss_after_restart);
  std::printf("| executions never resumed | %ld |\n", never_resumed);
  std::printf(
      "lateness: the resumed invocation's arrival at a worker minus the wait's scheduled end;\n"
      "firing: the wait's EndTimestamp (set when the timer fires) minus its scheduled end (ms)\n"
      "(targets: firing p99 <= 10 ms, RSS <= 300 MB, restart <= 5 s)\n");
  const std::string g = std::to_string(n) + " executions waiting on timers (2-" +
                        std::to_string(1 + spread) + " s), raw protocol workers";
  report.Latency(g, "lateness: arrival at a worker - scheduled end", late, "ms",
                 "the firing plus the resumed invocation's wait for a worker");
  report.Latency(g, "firing: EndTimestamp - scheduled end", firing, "ms",
                 "timer lateness, target p99 <= 10 ms");
  report.Value(g, "server peak RSS", peak_rss, "MiB", "lower", "target <= 300 MB");
  report.Value(g, "server CPU", cpu, "s", "lower",
               "over " + std::to_string(static_cast<int>(wall)) + " s");
  report.Value(g, "restart with all timers pending, spawn to serving", restart_ms, "ms", "lower",
               "target <= 5 s");
  report.Value(g, "server RSS after restart", rss_after_restart, "MiB", "lower");
  report.Value(g, "executions never resumed", static_cast<double>(never_resumed), "", "lower",
               "their wait fired, no invocation followed (should be 0)");
  report.Value(g, "store writes refused (write queue full)", static_cast<double>(refused), "",
               "lower", "durafn_store_rejected_total after the lateness run");
  report.Value(g, "executions never reaching their wait (restart run)",
               static_cast<double>(never_waiting), "", "lower", "should be 0");
  return 0;
}
