// Durable workflows end to end: a real `durafn serve` process (SQLite, fsync on every commit)
// running real C++ SDK workers it spawned itself, driven over loopback HTTP by synchronous
// Invoke calls (the load generator of load_generator.h).
//   steps:  the N-step function (bench/functions/steps_function.cc) for N = 0, 10, 100, 1000:
//           total latency (the report derives the cost per step, (T(N) - T(0)) / N)
//   order:  the order-processing example (validate, enrich through the plain OrderEnricher,
//           finalize) with no wait, at concurrency 1, 8, 32, 128 (--quick: 1, 8, 32):
//           workflows/s and latency
//   wait:   32 orders with the example's 2 s wait: busy workers sampled mid-wait (should be 0:
//           a waiting execution holds no worker) and the total latency
//   replay: an execution with K completed steps (10,000; --quick 1,000) resumes after a 1 s
//           wait: resumed handler minus the wait's end (timer dispatch + state fetch + SDK
//           replay), next to the same for K = 0
// Each scenario runs on a fresh server and records the server's and the workers' CPU seconds
// and peak RSS. Usage: workflow_bench [--quick] [--only SCENARIO] [--json FILE]
// (data in $DURAFN_BENCH_DIR or the temp dir)
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <time.h>

#include "../tests/support/server_process.h"
#include "api/http_client.h"
#include "api/uri.h"
#include "bench_report.h"
#include "bench_util.h"
#include "load_generator.h"
#include "proc_stats.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using durafn::api::HttpClient;
using durafn::bench::Abandon;
using durafn::bench::g_server;
using durafn::bench::Must;
using durafn::bench::Percentile;
using durafn::bench::Report;
using nlohmann::json;

// A fresh `durafn serve` with the bench's functions deployed from their executables. Each
// order in flight holds a processor worker while its enricher needs another, so 128 orders
// need 256 workers: the pool is sized like Lambda's default account concurrency (1000), not
// the server's conservative default of 64.
class Fixture {
 public:
  explicit Fixture(const fs::path& dir)
      : dir_(dir), server_(DURAFN_BINARY, dir / "data", {"--max-workers", "1000"}) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_.Start();
    g_server = server_.pid();
    Deploy("steps", DURAFN_STEPS_FUNCTION, true);
    Deploy("OrderEnricher", DURAFN_ORDER_ENRICHER, false);
    Deploy("DurableOrderProcessor", DURAFN_ORDER_PROCESSOR, true);
  }
  ~Fixture() {
    g_server = -1;
    server_.Kill(SIGTERM);
    fs::remove_all(dir_);
  }

  uint16_t port() const { return server_.port(); }
  pid_t pid() const { return server_.pid(); }

 private:
  void Deploy(const std::string& name, const char* binary, bool durable) {
    fs::path code = dir_ / "code" / name;
    fs::create_directories(code);
    fs::copy_file(binary, code / "bootstrap", fs::copy_options::overwrite_existing);
    json body = {{"FunctionName", name},   {"Runtime", "provided.al2023"},
                 {"Handler", "bootstrap"}, {"Timeout", 900},
                 {"MemorySize", 512},      {"Code", {{"DirectoryPath", code.string()}}}};
    if (durable) body["DurableConfig"] = {{"ExecutionTimeout", 3600}};
    HttpClient c("127.0.0.1", server_.port());
    auto r = c.Send("POST", "/2015-03-31/functions", {}, body.dump());
    Must(r.ok() && r->status == 201, "create function " + name);
    r = c.Send("POST", "/2015-03-31/functions/" + name + "/versions", {}, "{}");
    Must(r.ok() && r->status == 201, "publish " + name);
  }

  fs::path dir_;
  durafn::testing::ServerProcess server_;
};

// A synchronous Invoke that must succeed without a function error.
bool InvokeOk(const durafn::api::Response& r) {
  return r.status == 200 && !r.headers.Get("X-Amz-Function-Error").has_value();
}

durafn::bench::LoadSpec InvokeSpec(uint16_t port, const std::string& function,
                                   std::function<std::string(long)> body) {
  durafn::bench::LoadSpec spec;
  spec.port = port;
  spec.target = [function](long) { return "/2015-03-31/functions/" + function + "/invocations"; };
  spec.body = std::move(body);
  spec.ok = InvokeOk;
  spec.request_timeout = std::chrono::minutes(5);
  return spec;
}

void Resources(Report& report, const std::string& group,
               const durafn::bench::ResourceSampler::Totals& t, double per, const char* per_what) {
  std::string each = std::string(" per ") + per_what;
  report.Value(group, "server CPU" + each, per > 0 ? 1000 * t.server_cpu_s / per : 0, "ms",
               "lower");
  report.Value(group, "workers CPU" + each, per > 0 ? 1000 * t.workers_cpu_s / per : 0, "ms",
               "lower");
  report.Value(group, "server peak RSS", t.server_peak_rss_mib, "MiB", "lower");
  report.Value(group, "workers peak RSS (sum)", t.workers_peak_rss_mib, "MiB", "lower",
               std::to_string(t.workers_peak) + " workers at most");
}

void Steps(const fs::path& dir, bool quick, Report& report) {
  const std::string group = "N sequential durable steps";
  Fixture f(dir);
  auto body = [](long n) { return [n](long) { return json{{"steps", n}}.dump(); }; };
  // Warm: the worker is started and its code paged in.
  Must(durafn::bench::RunLoad(InvokeSpec(f.port(), "steps:1", body(10))).failed == 0, "warm-up");
  durafn::bench::ResourceSampler sampler(f.pid());
  std::vector<std::pair<long, std::vector<double>>> runs;
  std::vector<double> rates;  // workflows/s, one client
  long total_steps = 0;
  for (long n : {0L, 10L, 100L, 1000L}) {
    long reps = n >= 1000 ? (quick ? 2 : 5) : (quick ? 10 : 30);
    auto spec = InvokeSpec(f.port(), "steps:1", body(n));
    spec.count = reps;
    spec.max_duration = std::chrono::seconds(quick ? 30 : 120);
    auto r = durafn::bench::RunLoad(spec);
    Must(r.failed == 0 && r.succeeded > 0, "steps N=" + std::to_string(n) + ": " + r.first_error);
    runs.emplace_back(n, r.latency_ms);
    rates.push_back(r.per_second());
    total_steps += n * r.succeeded;
  }
  auto totals = sampler.Stop();
  // Per-step cost and flatness are derived by scripts/bench_report.py from these rows, the
  // same way for the peers.
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& [n, lat] = runs[i];
    report.Latency(group, "N=" + std::to_string(n) + " workflow latency", lat, "ms",
                   n == 0 ? "C++ SDK worker, fsync per checkpoint" : "");
    report.Value(group, "N=" + std::to_string(n) + " workflow throughput", rates[i], "/s", "higher",
                 std::to_string(lat.size()) + " ok, 0 failed");
  }
  Resources(report, group, totals, static_cast<double>(total_steps), "step");
}

void Orders(const fs::path& dir, bool quick, Report& report) {
  // Each order holds its durable worker while the enricher runs in a second worker, so
  // concurrency 128 needs more than the server's 64 workers (see bench/README.md).
  std::vector<int> levels = {1, 8, 32, 128};
  if (quick) levels.pop_back();
  for (int c : levels) {
    const std::string group = "order workflow, wait 0 s, concurrency " + std::to_string(c);
    std::fprintf(stderr, "workflow_bench: %s\n", group.c_str());
    Fixture f(dir);
    auto enricher = "OrderEnricher:1";
    auto body = [enricher](long i) {
      return json{{"orderId", "ORD-" + std::to_string(i)},
                  {"nodejsLambdaArn", enricher},
                  {"waitSeconds", 0}}
          .dump();
    };
    auto warm = InvokeSpec(f.port(), "DurableOrderProcessor:1", body);
    warm.concurrency = c;
    warm.count = c;  // starts the workers this concurrency needs
    warm.max_duration = std::chrono::seconds(30);
    auto w = durafn::bench::RunLoad(warm);
    if (w.failed > 0) std::fprintf(stderr, "order warm-up c=%d: %s\n", c, w.first_error.c_str());
    durafn::bench::ResourceSampler sampler(f.pid());
    auto spec = warm;
    spec.count = quick ? std::max(20, 3 * c) : std::max(200, 10 * c);
    spec.max_duration = std::chrono::seconds(quick ? 15 : 60);
    auto r = durafn::bench::RunLoad(spec);
    auto totals = sampler.Stop();
    report.Latency(group, "workflow latency", r.latency_ms, "ms");
    report.Value(group, "workflow throughput", r.per_second(), "/s", "higher",
                 std::to_string(r.succeeded) + " ok, " + std::to_string(r.failed) + " failed");
    if (r.failed > 0) std::fprintf(stderr, "order c=%d: %s\n", c, r.first_error.c_str());
    Resources(report, group, totals, static_cast<double>(r.succeeded), "workflow");
  }
}

void Waits(const fs::path& dir, Report& report) {
  const std::string group = "order workflow, 2 s wait, 32 at once";
  Fixture f(dir);
  auto body = [](long i) {
    return json{{"orderId", "ORD-" + std::to_string(i)}, {"nodejsLambdaArn", "OrderEnricher:1"}}
        .dump();
  };
  auto spec = InvokeSpec(f.port(), "DurableOrderProcessor:1", body);
  spec.concurrency = 32;
  spec.count = 32;
  auto warm = durafn::bench::RunLoad(spec);  // workers started, as for the other runs
  Must(warm.failed == 0, "wait warm-up: " + warm.first_error);
  durafn::bench::ResourceSampler sampler(f.pid());
  // Sample the worker pool while the orders run: busy workers and executions in their wait.
  std::atomic<bool> done{false};
  std::vector<std::pair<double, int>> busy;  // (seconds since start, busy workers)
  int running_mid_wait = -1;                 // RUNNING executions 1.0 s after the start
  auto t0 = Clock::now();
  std::thread watcher([&] {
    HttpClient c("127.0.0.1", f.port());
    while (!done) {
      if (running_mid_wait < 0 && Clock::now() - t0 >= std::chrono::seconds(1)) {
        auto l = c.Send("GET",
                        "/2025-12-01/functions/DurableOrderProcessor/durable-executions"
                        "?Statuses=RUNNING&MaxItems=1000");
        if (l.ok() && l->status == 200) {
          running_mid_wait = static_cast<int>(
              json::parse(l->body).value("DurableExecutions", json::array()).size());
        }
      }
      auto r = c.Send("GET", "/durafn/workers");
      if (r.ok() && r->status == 200) {
        int n = 0;
        const json workers = json::parse(r->body);
        for (const auto& w : workers["Workers"])
          n += w["State"] == "busy";
        busy.emplace_back(std::chrono::duration<double>(Clock::now() - t0).count(), n);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  auto r = durafn::bench::RunLoad(spec);
  done = true;
  watcher.join();
  auto totals = sampler.Stop();
  // Mid-wait: after every order reached its wait (the fastest latency minus 2 s bounds the
  // pre-wait part from above only loosely, so take the middle second of the wait).
  int mid_max = -1, all_max = 0;
  for (const auto& [t, n] : busy) {
    all_max = std::max(all_max, n);
    if (t >= 1.0 && t <= 1.8) mid_max = std::max(mid_max, n);
  }
  report.Latency(group, "workflow latency", r.latency_ms, "ms",
                 std::to_string(r.failed) + " failed");
  report.Value(group, "busy workers mid-wait (max over 1.0-1.8 s)", mid_max, "", "lower",
               std::to_string(running_mid_wait) + " executions RUNNING at 1.0 s");
  report.Value(group, "busy workers, max over the run", all_max, "", "");
  Resources(report, group, totals, static_cast<double>(r.succeeded), "workflow");
}

// ISO-8601 UTC with milliseconds ("2026-11-28T01:39:22.015Z") to epoch milliseconds.
int64_t IsoMs(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

// The resume of an execution with `steps` completed operations: the handler's wall clock
// after the wait minus the wait's WaitSucceeded event.
double ResumeMs(uint16_t port, long steps) {
  HttpClient c("127.0.0.1", port);
  auto r = c.Send("POST", "/2015-03-31/functions/steps:1/invocations", {},
                  json{{"steps", steps}, {"waitSeconds", 1}}.dump(), std::chrono::minutes(10));
  Must(r.ok() && InvokeOk(*r), "replay invoke");
  int64_t resumed = json::parse(r->body)["resumedAtMs"];
  std::string arn(r->headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  Must(!arn.empty(), "execution ARN header");
  auto h = c.Send("GET", "/2025-12-01/durable-executions/" + durafn::api::PercentEncode(arn) +
                             "/history?ReverseOrder=true&MaxItems=20");
  Must(h.ok() && h->status == 200, "history");
  const json history = json::parse(h->body);
  for (const auto& e : history["Events"]) {
    if (e["EventType"] != "WaitSucceeded") continue;
    const json& at = e["EventTimestamp"];  // epoch seconds here; ISO-8601 text in AWS's CLI
    int64_t fired = at.is_number() ? static_cast<int64_t>(at.get<double>() * 1000 + 0.5)
                                   : IsoMs(at.get<std::string>());
    return static_cast<double>(resumed - fired);
  }
  Must(false, "WaitSucceeded event in " + h->body.substr(0, 2000));
  return 0;
}

void Replay(const fs::path& dir, bool quick, Report& report) {
  const long k = quick ? 1000 : 10000;
  const std::string group = "replay: resume after a 1 s wait";
  Fixture f(dir);
  ResumeMs(f.port(), 0);  // warm
  std::vector<double> base, big;
  for (int i = 0; i < 3; ++i)
    base.push_back(ResumeMs(f.port(), 0));
  durafn::bench::ResourceSampler sampler(f.pid());
  auto t0 = Clock::now();
  big.push_back(ResumeMs(f.port(), k));
  double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto totals = sampler.Stop();
  report.Latency(group, "resume with 0 completed operations", base, "ms",
                 "timer fire -> handler past the wait");
  report.Latency(group, "resume with " + std::to_string(k) + " completed steps", big, "ms",
                 "state fetch + SDK replay included");
  report.Value(group, "building it (" + std::to_string(k) + " steps + wait + resume)", build_s, "s",
               "lower");
  report.Value(group, "workers peak RSS (sum)", totals.workers_peak_rss_mib, "MiB", "lower");
  report.Value(group, "server peak RSS", totals.server_peak_rss_mib, "MiB", "lower");
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, [](int) { Abandon(130); });
  std::signal(SIGTERM, [](int) { Abandon(143); });
  bool quick = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
  }
  Report report("workflow", argc, argv);
  const char* env = std::getenv("DURAFN_BENCH_DIR");
  fs::path dir = fs::path(env ? env : fs::temp_directory_path().string()) /
                 ("durafn-workflow-bench-" + std::to_string(getpid()));
  auto want = [&](const char* s) { return only.empty() || only == s; };
  if (want("steps")) Steps(dir, quick, report);
  if (want("order")) Orders(dir, quick, report);
  if (want("wait")) Waits(dir, report);
  if (want("replay")) Replay(dir, quick, report);
  fs::remove_all(dir);
  report.Write();
  std::printf("workflow_bench: done%s\n", quick ? " (quick)" : "");
  return 0;
}
