// Worker hosting over real loopback HTTP with real worker processes (the echo test function):
//   warm invoke: one synchronous Invoke of a warm echo worker, p50/p99 (target p50 <= 0.5 ms)
//   cold start: worker spawn until its first /next (the REPORT line's Init Duration), p50/p99
//               (target p50 <= 10 ms), and the whole cold Invoke as the caller sees it
//   throughput: echo invokes/s from 8 concurrent callers (target >= 5000/s on 2 cores)
// Usage: hosting_bench [--quick] [--json FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <unistd.h>

#include "api/http_client.h"
#include "api/invocation_dispatcher.h"
#include "api/runtime_api.h"
#include "api/server.h"
#include "bench_report.h"
#include "bench_util.h"
#include "hosting/code_store.h"
#include "hosting/memory_log_sink.h"
#include "proc_stats.h"
#include "store/sqlite_execution_store.h"

namespace {

using durafn::api::HttpClient;
using durafn::bench::Clock;
using durafn::bench::Micros;
using durafn::bench::Must;
using durafn::bench::Percentile;
namespace fs = std::filesystem;

// A folder holding `bootstrap`: the echo test function.
fs::path EchoFolder(const fs::path& dir) {
  fs::create_directories(dir / "echo");
  fs::copy_file(DURAFN_ECHO_FUNCTION, dir / "echo" / "bootstrap",
                fs::copy_options::overwrite_existing);
  return dir / "echo";
}

struct ServerBench {
  explicit ServerBench(const fs::path& dir) {
    durafn::api::ServerOptions o;
    o.port = 0;
    o.data_dir = dir / "data";
    auto s = durafn::api::Server::Open(o);
    Must(s.ok(), "open server");
    server = std::move(*s);
    Must(server->Start().ok(), "start server");
    HttpClient c("127.0.0.1", server->port());
    std::string body = R"({"FunctionName":"echo","Runtime":"provided.al2023","Handler":"x",)"
                       R"("Code":{"DirectoryPath":")" +
                       EchoFolder(dir).string() + R"("}})";
    auto r = c.Send("POST", "/2015-03-31/functions", {}, body);
    Must(r.ok() && r->status == 201, "create function");
  }
  std::unique_ptr<durafn::api::Server> server;
};

double Invoke(HttpClient& c) {
  auto t0 = Clock::now();
  auto r = c.Send("POST", "/2015-03-31/functions/echo/invocations", {}, R"({"n":1})");
  double us = Micros(Clock::now() - t0);
  Must(r.ok() && r->status == 200 && r->body == R"({"n":1})", "invoke");
  return us;
}

// Cold starts through the pool itself: each invocation names a new function version, so
// each starts a worker; Init Duration comes from the REPORT lines.
void ColdStarts(const fs::path& dir, int n, std::vector<double>* init_ms,
                std::vector<double>* invoke_us) {
  auto store = durafn::store::SqliteExecutionStore::Open(dir / "cold-data");
  Must(store.ok(), "open store");
  durafn::api::ExecutionService service(**store, [] { return durafn::protocol::Timestamp{0}; }, {});
  durafn::api::InvocationDispatcher dispatcher;
  durafn::hosting::MemoryLogSink sink(100'000);
  durafn::hosting::CodeStore code(dir / "code");
  auto stored = code.PutDirectory(EchoFolder(dir));
  Must(stored.ok(), "store code");
  durafn::hosting::FunctionConfig config;
  config.name = "cold";
  config.runtime = "provided.al2023";
  config.code_location = stored->location;
  durafn::api::WorkerPoolOptions options;
  options.max_workers = 16;  // beyond it idle workers of older versions are evicted
  durafn::api::RuntimeApi runtime(
      service, dispatcher, "127.0.0.1", sink, options,
      [&](const std::string& arn) -> std::optional<durafn::hosting::FunctionConfig> {
        auto c = config;
        c.version = arn.substr(arn.rfind(':') + 1);
        return c;
      });
  dispatcher.SetOnStarved([&](const std::string& arn) { runtime.OnStarved(arn); });
  runtime.SetLambdaEndpoint("127.0.0.1:9");
  for (int i = 1; i <= n; ++i) {
    std::promise<void> done;
    durafn::api::PendingInvocation inv;
    inv.request_id = "cold-" + std::to_string(i);
    inv.payload = "{}";
    inv.on_done = [&](int, std::string, std::optional<std::string> e) {
      Must(!e, "cold invoke");
      done.set_value();
    };
    auto t0 = Clock::now();
    dispatcher.QueuePlain(
        "arn:aws:lambda:us-east-1:123456789012:function:cold:" + std::to_string(i), std::move(inv));
    done.get_future().wait();
    invoke_us->push_back(Micros(Clock::now() - t0));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the last REPORT lines
  constexpr std::string_view kInit = "Init Duration: ";
  for (const auto& r : sink.Snapshot()) {
    auto at = r.message.find(kInit);
    if (r.message.starts_with("REPORT") && at != std::string::npos) {
      init_ms->push_back(std::stod(r.message.substr(at + kInit.size())));
    }
  }
  runtime.Stop();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i)
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
  durafn::bench::Report report("hosting", argc, argv);
  fs::path dir = fs::temp_directory_path() / ("durafn-hosting-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  int n = quick ? 500 : 5000;
  double secs = quick ? 1.0 : 3.0;
  int colds = quick ? 30 : 200;

  std::vector<double> warm;
  double throughput = 0;
  double cpu_us_per_invoke = 0;  // every process and the kernel, during the throughput run
  double machine_busy = 0;       // share of all cores busy during it
  {
    ServerBench b(dir / "warm");
    HttpClient c("127.0.0.1", b.server->port());
    for (int i = 0; i < 50; ++i)
      Invoke(c);  // the cold start and warm-up
    for (int i = 0; i < n; ++i)
      warm.push_back(Invoke(c));

    std::atomic<long> count{0};
    std::vector<std::thread> callers;
    // Eight workers warm first, so the timed part measures warm invokes.
    for (int t = 0; t < 8; ++t) {
      callers.emplace_back([&] {
        HttpClient client("127.0.0.1", b.server->port());
        for (int i = 0; i < 20; ++i)
          Invoke(client);
      });
    }
    for (auto& t : callers)
      t.join();
    callers.clear();
    const double busy0 = durafn::bench::MachineBusySeconds();
    auto t0 = Clock::now();
    auto deadline = t0 + std::chrono::duration<double>(secs);
    for (int t = 0; t < 8; ++t) {
      callers.emplace_back([&] {
        HttpClient client("127.0.0.1", b.server->port());
        while (Clock::now() < deadline) {
          Invoke(client);
          ++count;
        }
      });
    }
    for (auto& t : callers)
      t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    throughput = static_cast<double>(count.load()) / elapsed;
    cpu_us_per_invoke =
        (durafn::bench::MachineBusySeconds() - busy0) * 1e6 / static_cast<double>(count.load());
    machine_busy = (durafn::bench::MachineBusySeconds() - busy0) /
                   (elapsed * static_cast<double>(std::thread::hardware_concurrency()));
  }
  std::vector<double> init_ms, cold_us;
  ColdStarts(dir / "cold", colds, &init_ms, &cold_us);
  fs::remove_all(dir);
  Must(!init_ms.empty(), "collect Init Duration");

  std::printf("| hosting (loopback HTTP, echo worker) | p50 | p99 |\n|---|---|---|\n");
  std::printf("| warm Invoke (RequestResponse) | %.0f us | %.0f us |\n", Percentile(warm, 0.5),
              Percentile(warm, 0.99));
  std::printf("| cold start: spawn -> first /next | %.2f ms | %.2f ms |\n",
              Percentile(init_ms, 0.5), Percentile(init_ms, 0.99));
  std::printf("| cold invocation through the pool | %.2f ms | %.2f ms |\n",
              Percentile(cold_us, 0.5) / 1000, Percentile(cold_us, 0.99) / 1000);
  std::printf("echo throughput, 8 concurrent callers: %.0f invokes/s\n", throughput);
  std::printf(
      "machine CPU per invoke (callers, server, workers, kernel): %.0f us; cores busy %.0f%%\n",
      cpu_us_per_invoke, machine_busy * 100);
  std::printf("(targets: warm p50 <= 500 us, cold start p50 <= 10 ms, >= 5000 invokes/s)\n");
  const std::string g = "plain functions (echo worker, loopback HTTP)";
  report.Latency(g, "warm Invoke (RequestResponse)", warm, "us", "target p50 <= 500 us");
  report.Latency(g, "cold start: spawn -> first /next", init_ms, "ms", "target p50 <= 10 ms");
  std::vector<double> cold_ms;
  for (double us : cold_us)
    cold_ms.push_back(us / 1000);
  report.Latency(g, "cold invocation through the pool", cold_ms, "ms");
  report.Value(g, "invokes/s, 8 concurrent callers", throughput, "/s", "higher",
               "target >= 5000/s");
  report.Value(g, "machine CPU per invoke, 8 concurrent callers", cpu_us_per_invoke, "us", "lower",
               "busy CPU of all cores (callers, server, workers, kernel) / invokes");
  return 0;
}
