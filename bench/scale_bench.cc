// Many suspended executions: what they cost at rest and on restart.
//   A real `durafn serve` creates the durable function `parked` (version 1) and stops. N
//   executions (1,000,000; --quick 10,000) are then seeded straight into its SQLite store
//   through the store API (src/store) with states the engine itself produced: started,
//   invoked, checkpointed a WAIT of 3 days, suspended with PENDING. Seeding bypasses HTTP
//   (which would take hours at this N) and commits without fsync; it is setup, not measured.
//   Measured: store size on disk, `durafn serve` start on that store (spawn until serving),
//   its RSS just after start and after 5 s idle, its CPU during start, and a GetDurableExecution
//   of a seeded execution (answered from disk: no in-memory object per execution).
// Usage: scale_bench [--quick] [--executions N] [--json FILE]
//   (data in $DURAFN_BENCH_DIR or the temp dir; needs about 1.5 KiB of disk per execution)
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <semaphore>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "../tests/support/server_process.h"
#include "api/http_client.h"
#include "api/uri.h"
#include "bench_report.h"
#include "bench_util.h"
#include "engine/engine.h"
#include "proc_stats.h"
#include "store/sqlite_execution_store.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using durafn::api::HttpClient;
using nlohmann::json;
namespace engine = durafn::engine;
namespace protocol = durafn::protocol;

using durafn::bench::Abandon;
using durafn::bench::g_server;
using durafn::bench::Must;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Creates the durable function and returns its version-1 ARN.
std::string CreateFunction(uint16_t port) {
  HttpClient c("127.0.0.1", port);
  auto r = c.Send("POST", "/2015-03-31/functions", {},
                  R"({"FunctionName":"parked","Runtime":"provided.al2023","Handler":"x",)"
                  R"("DurableConfig":{"ExecutionTimeout":604800}})");
  Must(r.ok() && r->status == 201, "create function");
  r = c.Send("POST", "/2015-03-31/functions/parked/versions", {}, "{}");
  Must(r.ok() && r->status == 201, "publish");
  return json::parse(r->body)["FunctionArn"];
}

std::string ExecutionArn(const std::string& function_arn, long i) {
  char id[64];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012ld", i);
  return function_arn + "/durable-execution/p" + std::to_string(i) + "/" + id;
}

// One suspended execution as the engine leaves it, folded into a single Create.
engine::StartedExecution Suspended(const std::string& function_arn, long i,
                                   protocol::Timestamp now) {
  engine::StartExecutionParams p;
  p.arn = ExecutionArn(function_arn, i);
  p.name = "p" + std::to_string(i);
  p.function_arn = function_arn;
  p.version = "1";
  p.input = R"({"orderId":"ORD-)" + std::to_string(i) + R"("})";
  p.execution_timeout_seconds = 604800;
  auto started = engine::StartExecution(p, now);
  Must(started.ok(), "StartExecution");
  engine::ExecutionState state = std::move(started->state);
  engine::Outcome all = std::move(started->outcome);
  auto merge = [&all](engine::Outcome&& o) {
    for (auto& e : o.events)
      all.events.push_back(std::move(e));
    for (auto& e : o.effects)
      all.effects.push_back(std::move(e));
  };
  auto began = engine::BeginInvocation(state, "seed", now);
  Must(began.ok(), "BeginInvocation");
  protocol::CheckpointDurableExecutionRequest req;
  req.checkpoint_token = began->envelope.checkpoint_token;
  protocol::OperationUpdate wait;
  wait.id = "c4ca4238a0b92382";  // any valid id; the SDK would hash "1"
  wait.type = protocol::OperationType::kWait;
  wait.action = protocol::OperationAction::kStart;
  wait.wait_options = protocol::WaitOptions{3 * 86400};
  req.updates = std::vector<protocol::OperationUpdate>{wait};
  merge(std::move(began->outcome));
  auto cp = engine::Checkpoint(state, req, now, {}, [] { return std::string("n"); });
  Must(cp.ok(), "Checkpoint");
  merge(std::move(cp->outcome));
  auto done =
      engine::CompleteInvocation(state, "seed", protocol::InvocationOutput{}, now);  // PENDING
  Must(done.ok(), "CompleteInvocation");
  merge(std::move(*done));
  // Create arms the timers of StartTimer effects; the rest are the shell's to run.
  std::erase_if(all.effects, [](const engine::Effect& e) {
    return !std::holds_alternative<engine::StartTimer>(e);
  });
  return {std::move(state), std::move(all)};
}

uintmax_t DirBytes(const fs::path& dir) {
  uintmax_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, [](int) { Abandon(130); });
  std::signal(SIGTERM, [](int) { Abandon(143); });
  bool quick = false;
  long n = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--executions") == 0 && i + 1 < argc) n = std::atol(argv[++i]);
  }
  if (quick && n == 1'000'000) n = 10'000;
  durafn::bench::Report report("scale", argc, argv);
  const char* env = std::getenv("DURAFN_BENCH_DIR");
  fs::path dir = fs::path(env ? env : fs::temp_directory_path().string()) /
                 ("durafn-scale-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  durafn::testing::ServerProcess server(DURAFN_BINARY, dir / "data");
  server.Start();
  g_server = server.pid();
  const std::string function_arn = CreateFunction(server.port());
  g_server = -1;
  server.Kill(SIGTERM);

  // Seed.
  auto t0 = Clock::now();
  {
    durafn::store::SqliteExecutionStore::Options o;
    o.synchronous_full = false;  // setup only: a power loss would just mean re-seeding
    auto store = durafn::store::SqliteExecutionStore::Open(dir / "data", o);
    Must(store.ok(), "open store");
    std::counting_semaphore<> in_flight(8192);  // below the writer's queue bound
    std::atomic<long> failed{0};
    auto now = protocol::Timestamp{WallMs()};
    for (long i = 0; i < n; ++i) {
      if (i % 1000 == 0) now = protocol::Timestamp{WallMs()};
      auto s = Suspended(function_arn, i, now);
      in_flight.acquire();
      auto st = (*store)->Create(s.state, s.outcome, [&](durafn::Status r) {
        if (!r.ok()) ++failed;
        in_flight.release();
      });
      Must(st.ok(), "submit Create: " + st.ToString());
      if (i > 0 && i % 100'000 == 0) std::fprintf(stderr, "scale_bench: %ld seeded\n", i);
    }
    for (int k = 0; k < 8192; ++k)
      in_flight.acquire();  // every write acknowledged
    Must(failed == 0, "seeding writes");
  }
  double seed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  uintmax_t bytes = DirBytes(dir / "data");

  // Start on the seeded store.
  auto s0 = Clock::now();
  server.Start();
  g_server = server.pid();
  double start_ms = std::chrono::duration<double, std::milli>(Clock::now() - s0).count();
  double rss_start = durafn::bench::StatusMiB(server.pid(), "VmRSS");
  double cpu_start = durafn::bench::ThreadCpuSeconds(server.pid());
  HttpClient c("127.0.0.1", server.port());
  auto h = c.Send("GET", "/healthz");
  Must(h.ok() && h->status == 200, "healthz");
  auto g0 = Clock::now();
  auto g = c.Send("GET", "/2025-12-01/durable-executions/" +
                             durafn::api::PercentEncode(ExecutionArn(function_arn, n / 2)));
  double get_ms = std::chrono::duration<double, std::milli>(Clock::now() - g0).count();
  Must(g.ok() && g->status == 200 && json::parse(g->body)["Status"] == "RUNNING",
       "GetDurableExecution of a seeded execution");
  std::this_thread::sleep_for(std::chrono::seconds(quick ? 1 : 5));
  double rss_idle = durafn::bench::StatusMiB(server.pid(), "VmRSS");
  double hwm = durafn::bench::StatusMiB(server.pid(), "VmHWM");
  g_server = -1;
  server.Kill(SIGTERM);
  fs::remove_all(dir);

  const std::string group = std::to_string(n) + " suspended executions (each in a 3-day wait)";
  report.Value(group, "store size on disk", static_cast<double>(bytes) / (1024.0 * 1024.0), "MiB",
               "lower", std::to_string(bytes / static_cast<uintmax_t>(n)) + " bytes each");
  report.Value(group, "server start on the store, spawn to serving", start_ms, "ms", "lower");
  report.Value(group, "server CPU during start", cpu_start, "s", "lower");
  report.Value(group, "server RSS after start", rss_start, "MiB", "lower");
  report.Value(group, "server RSS after idling (5 s; --quick 1 s)", rss_idle, "MiB", "lower",
               "target <= 500 MB");
  report.Value(group, "server peak RSS", hwm, "MiB", "lower");
  report.Value(group, "GetDurableExecution of one of them", get_ms, "ms", "lower");
  report.Value(group, "seeding through the store API (setup)", static_cast<double>(n) / seed_s,
               "executions/s", "", "no fsync; not through HTTP");
  report.Write();
  std::printf("scale_bench: %ld executions: %.0f MiB on disk, start %.0f ms, RSS %.0f MiB\n", n,
              static_cast<double>(bytes) / (1024.0 * 1024.0), start_ms, rss_idle);
  return 0;
}
