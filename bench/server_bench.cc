// The server's checkpoint path over real loopback HTTP, against the disk's own fsync cost.
//   round trip: one STEP update per CheckpointDurableExecution, committed with fsync, p50/p99
//   concurrency: 64 executions checkpointing back to back; checkpoints/s with group commit
//                and with one fsync per checkpoint (max_commit_batch = 1)
// Usage: server_bench [--quick] [--round-trip-only] [--json FILE]
//        (data in $DURAFN_BENCH_DIR or the temp dir)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "api/http_client.h"
#include "api/server.h"
#include "api/uri.h"
#include "bench_report.h"
#include "bench_util.h"
#include "protocol/json_codec.h"
#include "protocol/operation_id.h"
#include "raw_http.h"

namespace {

using durafn::api::HttpClient;
using durafn::bench::Clock;
using durafn::bench::Micros;
using durafn::bench::Must;
using durafn::bench::Percentile;
using durafn::bench::RawHttpConnection;
using nlohmann::json;

// The CheckpointToken of a checkpoint response: found by hand when it needs no unescaping.
std::string TokenOf(const std::string& body) {
  constexpr std::string_view kKey = R"("CheckpointToken":")";
  auto at = body.find(kKey);
  if (at != std::string::npos) {
    at += kKey.size();
    auto end = body.find('"', at);
    if (end != std::string::npos && body.find('\\', at) > end) return body.substr(at, end - at);
  }
  return json::parse(body).at("CheckpointToken").get<std::string>();
}

// One running execution whose invocation this thread holds, with its current token.
struct Execution {
  std::string arn;
  std::string token;
  int next_step = 1;
};

class Bench {
 public:
  Bench(std::filesystem::path dir, std::size_t batch) : dir_(std::move(dir)) {
    std::filesystem::remove_all(dir_);
    durafn::api::ServerOptions o;
    o.port = 0;
    o.data_dir = dir_;
    o.max_commit_batch = batch;
    auto s = durafn::api::Server::Open(o);
    Must(s.ok(), "open server");
    server_ = std::move(*s);
    Must(server_->Start().ok(), "start server");
    HttpClient c("127.0.0.1", server_->port());
    // The longest timeout: the bench's invocations are never answered, only checkpointed.
    const char* create = R"({"FunctionName":"bench","Runtime":"provided.al2023","Handler":"x",)"
                         R"("Timeout":900,"DurableConfig":{}})";
    Must(c.Send("POST", "/2015-03-31/functions", {}, create)->status == 201, "create function");
    Must(c.Send("POST", "/2015-03-31/functions/bench/versions", {}, "{}")->status == 201,
         "publish");
    auto ep = c.Send("POST", "/durafn/runtime-endpoints", {}, R"({"FunctionName":"bench:1"})");
    std::string e = json::parse(ep->body)["RuntimeApi"];
    runtime_port_ = static_cast<uint16_t>(std::stoi(e.substr(e.rfind(':') + 1)));
  }
  ~Bench() {
    server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // Starts an execution and takes its first invocation.
  Execution Start(HttpClient& api, HttpClient& worker) {
    auto r = api.Send("POST", "/2015-03-31/functions/bench:1/invocations",
                      {{"X-Amz-Invocation-Type", "Event"}}, "{}");
    Must(r.ok() && r->status == 202, "invoke");
    auto next =
        worker.Send("GET", "/2018-06-01/runtime/invocation/next", {}, "", std::chrono::seconds(60));
    Must(next.ok() && next->status == 200, "next");
    json env = json::parse(next->body);
    return Execution{env["DurableExecutionArn"], env["CheckpointToken"]};
  }

  // One checkpoint carrying START+SUCCEED of a new step; returns its latency. The request
  // is built and the token read back by hand, so the bench's client costs little CPU.
  double Step(RawHttpConnection& api, Execution& e) {
    const std::string id = durafn::protocol::HashOperationId(std::to_string(e.next_step++));
    const std::string body = R"({"CheckpointToken":)" + json(e.token).dump() +
                             R"(,"Updates":[{"Id":")" + id +
                             R"(","Type":"STEP","Action":"START"},{"Id":")" + id +
                             R"(","Type":"STEP","Action":"SUCCEED","Payload":"42"}]})";
    const std::string request = RawHttpConnection::Request(
        "POST",
        "/2025-12-01/durable-executions/" + durafn::api::PercentEncode(e.arn) + "/checkpoint",
        body);
    auto t0 = Clock::now();
    auto r = api.RoundTrip(request);
    double us = Micros(Clock::now() - t0);
    if (r.status != 200) {
      std::fprintf(stderr, "server_bench: checkpoint %d of %s: %d %s\n", e.next_step - 1,
                   e.arn.c_str(), r.status, r.body.c_str());
      std::exit(1);
    }
    e.token = TokenOf(r.body);
    return us;
  }

  uint16_t api_port() const { return server_->port(); }
  uint16_t runtime_port() const { return runtime_port_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<durafn::api::Server> server_;
  uint16_t runtime_port_ = 0;
};

// One counter's value from the server's Prometheus text (0 when absent).
double MetricValue(const std::string& text, const std::string& name) {
  auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? 0 : std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

struct ThroughputResult {
  double per_second = 0;
  double mean_batch = 0;  // checkpoints per SQLite commit
};

ThroughputResult Throughput(const std::filesystem::path& dir, std::size_t batch, int threads,
                            double secs) {
  Bench b(dir, batch);
  std::atomic<long> done{0};
  auto deadline = Clock::now() + std::chrono::duration<double>(secs);
  std::vector<std::thread> pool;
  auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      HttpClient api("127.0.0.1", b.api_port()), worker("127.0.0.1", b.runtime_port());
      Execution e = b.Start(api, worker);
      RawHttpConnection raw(b.api_port());
      while (Clock::now() < deadline && e.next_step < 20000) {
        b.Step(raw, e);
        ++done;
      }
    });
  }
  for (auto& t : pool)
    t.join();
  ThroughputResult out;
  out.per_second =
      static_cast<double>(done.load()) / std::chrono::duration<double>(Clock::now() - t0).count();
  auto metrics = HttpClient("127.0.0.1", b.api_port()).Send("GET", "/metrics", {}, "");
  Must(metrics.ok() && metrics->status == 200, "metrics");
  double commits = MetricValue(metrics->body, "durafn_store_commits_total");
  if (commits > 0)
    out.mean_batch = MetricValue(metrics->body, "durafn_store_transactions_total") / commits;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, round_trip_only = false;
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    round_trip_only = round_trip_only || std::strcmp(argv[i], "--round-trip-only") == 0;
  }
  durafn::bench::Report report("server", argc, argv);
  const char* env = std::getenv("DURAFN_BENCH_DIR");
  std::filesystem::path dir =
      std::filesystem::path(env ? env : std::filesystem::temp_directory_path().string()) /
      "durafn-server-bench";
  std::filesystem::create_directories(dir);
  int n = quick ? 300 : 2000;
  std::vector<double> fs, rt;
  double commit_mean_us = 0, checkpoint_mean_us = 0;
  {
    Bench b(dir / "rt", 512);
    HttpClient api("127.0.0.1", b.api_port()), worker("127.0.0.1", b.runtime_port());
    Execution e = b.Start(api, worker);
    RawHttpConnection raw(b.api_port());
    for (int i = 0; i < 20; ++i)
      b.Step(raw, e);  // warm up
    // The disk's latency drifts on a shared machine: its samples are taken in turn with the
    // round trips, so that the two p50s compare like with like.
    durafn::bench::FdatasyncProbe probe(dir);
    for (int i = 0; i < n; ++i) {
      fs.push_back(probe.Sample());
      rt.push_back(b.Step(raw, e));
    }
    // Where the round trip goes, from the server's own histograms (means, not p50s).
    auto m = api.Send("GET", "/metrics", {}, "");
    Must(m.ok() && m->status == 200, "metrics");
    auto mean_us = [&](const std::string& h) {
      double count = MetricValue(m->body, h + "_count");
      return count > 0 ? 1e6 * MetricValue(m->body, h + "_sum") / count : 0;
    };
    commit_mean_us = mean_us("durafn_store_commit_seconds");
    checkpoint_mean_us = mean_us("durafn_checkpoint_seconds");
  }
  double secs = quick ? 2.0 : 5.0;
  ThroughputResult grouped, single;
  if (!round_trip_only) {
    grouped = Throughput(dir / "gc", 512, 64, secs);
    single = Throughput(dir / "single", 1, 64, secs);
  }
  std::filesystem::remove_all(dir);

  std::printf("| checkpoint path (loopback HTTP, fsync per commit) | p50 | p99 |\n|---|---|---|\n");
  std::printf("| fdatasync 4 KiB, same disk | %.0f us | %.0f us |\n", Percentile(fs, 0.5),
              Percentile(fs, 0.99));
  std::printf("| checkpoint round trip | %.0f us | %.0f us |\n", Percentile(rt, 0.5),
              Percentile(rt, 0.99));
  std::printf("round trip p50 - fdatasync p50: %.0f us (target <= 300 us)\n",
              Percentile(rt, 0.5) - Percentile(fs, 0.5));
  std::printf("server means: arrival to durable commit %.0f us, of which the commit %.0f us\n\n",
              checkpoint_mean_us, commit_mean_us);
  const std::string g = "checkpoint path (loopback HTTP, fsync per commit)";
  report.Latency(g, "fdatasync 4 KiB, same disk", fs, "us");
  char rt_note[160];
  std::snprintf(rt_note, sizeof rt_note,
                "target: p50 - fdatasync p50 <= 300 us; server means: arrival to durable commit "
                "%.0f us, commit %.0f us",
                checkpoint_mean_us, commit_mean_us);
  report.Latency(g, "checkpoint round trip", rt, "us", rt_note);
  if (round_trip_only) return 0;
  std::printf("| 64 executions checkpointing back to back | checkpoints/s |\n|---|---|\n");
  std::printf("| group commit | %.0f (%.1f per commit) |\n", grouped.per_second,
              grouped.mean_batch);
  std::printf("| one fsync per checkpoint | %.0f |\n", single.per_second);
  std::printf("group commit / one fsync each: %.1fx (targets: >= 10000/s, >= 8x)\n",
              grouped.per_second / single.per_second);
  char batch_note[96];
  std::snprintf(batch_note, sizeof batch_note, "target >= 10000/s; %.1f checkpoints per commit",
                grouped.mean_batch);
  report.Value(g, "64 executions, group commit", grouped.per_second, "checkpoints/s", "higher",
               batch_note);
  report.Value(g, "64 executions, one fsync per checkpoint", single.per_second, "checkpoints/s",
               "higher");
  return 0;
}
