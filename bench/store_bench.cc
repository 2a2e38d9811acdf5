// Store write path: what one durable commit costs, and what group commit buys.
//   fdatasync:     4 KiB write + fdatasync on the data dir's disk (the floor for any commit)
//   commit p50/99: one transaction at a time through GroupCommitWriter (acknowledged = on disk)
//   64 writers:    transactions/s with group commit, and with one fsync per transaction
// Usage: store_bench [DIR] [--quick] [--json FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_report.h"
#include "bench_util.h"
#include "store/group_commit.h"

namespace {

using durafn::Status;
using durafn::bench::Clock;
using durafn::bench::FdatasyncLatency;
using durafn::bench::Micros;
using durafn::bench::Percentile;
using durafn::store::Database;
using durafn::store::GroupCommitWriter;

GroupCommitWriter::Work InsertCheckpointRow(int64_t k) {
  // Roughly the size of one checkpoint's writes: an operation row and an event row.
  return [k](Database& db) -> Status {
    auto st = db.Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
    if (!st.ok()) return st.status();
    static const std::string payload(300, 'p');
    return (*st)->Bind(1, k).Bind(2, std::string_view(payload)).Run();
  };
}

std::unique_ptr<GroupCommitWriter> OpenWriter(const std::filesystem::path& dir, std::size_t batch) {
  std::filesystem::remove(dir / "bench.db");
  std::filesystem::remove(dir / "bench.db-wal");
  std::filesystem::remove(dir / "bench.db-shm");
  // As the execution store opens its database: WAL space reserved up front.
  auto db = Database::Open((dir / "bench.db").string(), {.wal_reserve_bytes = 16 << 20});
  if (!db.ok() || !db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok()) {
    std::fprintf(stderr, "cannot create bench database\n");
    std::exit(1);
  }
  return std::make_unique<GroupCommitWriter>(std::move(*db),
                                             GroupCommitWriter::Options{.max_batch = batch});
}

std::vector<double> SerialCommitLatency(const std::filesystem::path& dir, int n) {
  auto writer = OpenWriter(dir, 512);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (!writer->SubmitAndWait(InsertCheckpointRow(i)).ok()) std::exit(1);
    out.push_back(Micros(Clock::now() - t0));
  }
  return out;
}

double ConcurrentThroughput(const std::filesystem::path& dir, std::size_t batch, int threads,
                            double seconds, uint64_t* commits) {
  auto writer = OpenWriter(dir, batch);
  std::atomic<int64_t> next{0}, done{0};
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (Clock::now() < deadline) {
        if (writer->SubmitAndWait(InsertCheckpointRow(next++)).ok()) ++done;
      }
    });
  }
  for (auto& th : pool)
    th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  *commits = writer->stats().commits;
  return static_cast<double>(done.load()) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "durafn-store-bench";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else if (std::strcmp(argv[i], "--json") == 0)
      ++i;
    else
      dir = argv[i];
  }
  durafn::bench::Report report("store", argc, argv);
  std::filesystem::create_directories(dir);
  int n = quick ? 200 : 1000;
  double secs = quick ? 1.0 : 3.0;

  auto fs = FdatasyncLatency(dir, n);
  auto commit = SerialCommitLatency(dir, n);
  uint64_t gc_commits = 0, single_commits = 0;
  double grouped = ConcurrentThroughput(dir, 512, 64, secs, &gc_commits);
  double single = ConcurrentThroughput(dir, 1, 64, secs, &single_commits);
  std::filesystem::remove_all(dir);

  std::printf("| store write path (dir %s) | p50 | p99 |\n|---|---|---|\n", dir.c_str());
  std::printf("| fdatasync 4 KiB | %.0f us | %.0f us |\n", Percentile(fs, 0.5),
              Percentile(fs, 0.99));
  std::printf("| one committed transaction | %.0f us | %.0f us |\n", Percentile(commit, 0.5),
              Percentile(commit, 0.99));
  std::printf("\n| 64 concurrent writers | transactions/s | commits |\n|---|---|---|\n");
  std::printf("| group commit | %.0f | %llu |\n", grouped,
              static_cast<unsigned long long>(gc_commits));
  std::printf("| one fsync per transaction | %.0f | %llu |\n", single,
              static_cast<unsigned long long>(single_commits));
  std::printf("\ngroup commit / one fsync each: %.1fx\n", grouped / single);
  std::printf("commit p50 - fdatasync p50: %.0f us\n",
              Percentile(commit, 0.5) - Percentile(fs, 0.5));
  const std::string g = "store write path (SQLite WAL, fsync per commit)";
  report.Latency(g, "fdatasync 4 KiB", fs, "us");
  report.Latency(g, "one committed transaction", commit, "us");
  report.Value(g, "64 writers, group commit", grouped, "transactions/s", "higher",
               std::to_string(gc_commits) + " commits");
  report.Value(g, "64 writers, one fsync per transaction", single, "transactions/s", "higher");
  return 0;
}
