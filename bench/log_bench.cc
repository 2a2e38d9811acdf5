// The function log store: what Append costs the worker's pipe reader, how many lines per
// second reach the file, and what the queries behind FilterLogEvents cost on a full group.
//   BM_Append          caller-side cost of one Append (the writer drains concurrently;
//                      the queue is flushed every 10,000 lines, untimed, so none drop)
//   BM_AppendToDisk    lines/s from Append until committed (Flush), batches of 10,000
//   BM_Filter*         one query on a group of 100,000 lines (~10 MB): the newest 100 lines,
//                      a term pattern, a JSON pattern, one request id, and a follower's
//                      empty poll past the newest line
// Data goes to $DURAFN_BENCH_DIR (default: the system temp dir).
#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "hosting/log_store.h"

namespace {

namespace fs = std::filesystem;
using durafn::hosting::LogQuery;
using durafn::hosting::LogRecord;
using durafn::hosting::LogStore;

constexpr const char* kGroup = "/aws/lambda/bench";

fs::path BenchDir(const std::string& name) {
  const char* env = std::getenv("DURAFN_BENCH_DIR");
  fs::path dir = fs::path(env ? env : fs::temp_directory_path().string()) /
                 ("durafn-log-bench-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::unique_ptr<LogStore> OpenStore(const fs::path& dir) {
  durafn::hosting::LogStoreOptions options;
  options.max_group_bytes = 1LL << 30;  // no eviction while measuring
  auto store = LogStore::Open((dir / "logs.db").string(), options);
  if (!store.ok()) std::abort();
  return std::move(*store);
}

// A typical worker line: about 100 bytes, every fourth one a JSON log line.
LogRecord Line(int64_t i) {
  std::string message =
      i % 4 == 0 ? R"({"level":")" + std::string(i % 20 == 0 ? "ERROR" : "INFO") +
                       R"(","msg":"charged card for order","order":)" + std::to_string(i) + "}"
                 : "2026-11-28T06:00:00.000Z\treq-" + std::to_string(i / 10) +
                       "\tINFO\tprocessing order " + std::to_string(i) + " for customer 42";
  return {kGroup,
          "2026/11/28/[1]w" + std::to_string(i % 8),
          1'700'000'000'000 + i,
          std::move(message),
          "req-" + std::to_string(i / 10),
          ""};
}

void BM_Append(benchmark::State& state) {
  fs::path dir = BenchDir("append");
  auto store = OpenStore(dir);
  int64_t i = 0;
  for (auto _ : state) {
    store->Append(Line(i++));
    if (i % 10'000 == 0) {  // keep the queue below its bound: measure queuing, not dropping
      state.PauseTiming();
      store->Flush();
      state.ResumeTiming();
    }
  }
  store->Flush();  // after the timed loop
  state.counters["dropped"] = static_cast<double>(store->stats().dropped);
  store.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_Append);

void BM_AppendToDisk(benchmark::State& state) {
  fs::path dir = BenchDir("disk");
  auto store = OpenStore(dir);
  int64_t i = 0;
  constexpr int kBatch = 10'000;
  for (auto _ : state) {
    for (int n = 0; n < kBatch; ++n)
      store->Append(Line(i++));
    store->Flush();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["dropped"] = static_cast<double>(store->stats().dropped);
  store.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_AppendToDisk)->Unit(benchmark::kMillisecond)->UseRealTime();

// One store with 100,000 lines, shared by the query benchmarks; removed by main.
fs::path filled_dir;
std::unique_ptr<LogStore> filled;

LogStore& Filled() {
  if (!filled) {
    filled_dir = BenchDir("query");
    filled = OpenStore(filled_dir);
    for (int64_t i = 0; i < 100'000; ++i)
      filled->Append(Line(i));
    filled->Flush();
  }
  return *filled;
}

void RunQuery(benchmark::State& state, LogQuery q) {
  LogStore& store = Filled();
  q.group = kGroup;
  std::size_t events = 0;
  for (auto _ : state) {
    auto page = store.Query(q);
    if (!page.ok()) std::abort();
    events = page->events.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["events"] = static_cast<double>(events);
}

void BM_FilterNewest100(benchmark::State& state) {
  LogQuery q;
  q.newest_first = true;
  q.limit = 100;
  RunQuery(state, q);
}
BENCHMARK(BM_FilterNewest100)->Unit(benchmark::kMicrosecond);

void BM_FilterTermPattern(benchmark::State& state) {
  LogQuery q;
  q.filter_pattern = "\"order 4242\" -ERROR";  // scans up to the per-query bound
  q.limit = 100;
  RunQuery(state, q);
}
BENCHMARK(BM_FilterTermPattern)->Unit(benchmark::kMillisecond);

void BM_FilterJsonPattern(benchmark::State& state) {
  LogQuery q;
  q.filter_pattern = R"({ $.level = "ERROR" && $.order > 1000 })";
  q.limit = 100;
  RunQuery(state, q);
}
BENCHMARK(BM_FilterJsonPattern)->Unit(benchmark::kMillisecond);

void BM_FilterRequestId(benchmark::State& state) {
  LogQuery q;
  q.request_id = "req-5000";
  RunQuery(state, q);
}
BENCHMARK(BM_FilterRequestId)->Unit(benchmark::kMicrosecond);

void BM_FollowEmptyPoll(benchmark::State& state) {
  LogQuery q;
  q.after_id = 100'000;  // past the newest line
  RunQuery(state, q);
}
BENCHMARK(BM_FollowEmptyPoll)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  filled.reset();
  if (!filled_dir.empty()) fs::remove_all(filled_dir);
  return 0;
}
