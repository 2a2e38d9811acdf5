// Machine-readable benchmark results: every bench binary accepts `--json FILE` and writes
// its rows there; scripts/bench_report.py merges the files into one table and one JSON file.
//
// A row is one measurement: {group, name, system, unit, better, value | p50/p99/max/n, note}.
// `better` says which direction is good ("lower" for latencies and costs, "higher" for rates),
// so the report can compute durafn/peer ratios without knowing the rows.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace durafn::bench {

// The p-quantile (0..1) of `v` by nearest rank below; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

class Report {
 public:
  // `bench`: the binary's short name; `argv`: scanned for `--json FILE`.
  Report(std::string bench, int argc, char** argv) : bench_(std::move(bench)) {
    for (int i = 1; i + 1 < argc; ++i) {
      if (std::strcmp(argv[i], "--json") == 0) path_ = argv[i + 1];
    }
  }
  ~Report() { Write(); }
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

  // A distribution: p50, p99, max and the sample count (lower is better).
  void Latency(const std::string& group, const std::string& name, const std::vector<double>& v,
               const std::string& unit, const std::string& note = "") {
    nlohmann::json row = Base(group, name, unit, "lower", note);
    row["p50"] = Percentile(v, 0.5);
    row["p99"] = Percentile(v, 0.99);
    row["max"] = Percentile(v, 1.0);
    row["n"] = v.size();
    rows_.push_back(std::move(row));
  }
  // One number; `better` is "lower", "higher" or "" (informational).
  void Value(const std::string& group, const std::string& name, double value,
             const std::string& unit, const std::string& better, const std::string& note = "") {
    nlohmann::json row = Base(group, name, unit, better, note);
    row["value"] = value;
    rows_.push_back(std::move(row));
  }
  // Rows added from now on are figures of `system` ("durafn" unless set; peers' names
  // otherwise, e.g. "restate").
  void SetSystem(std::string system) { system_ = std::move(system); }
  // Writes the rows (once; also done by the destructor).
  void Write() {
    if (path_.empty() || written_) return;
    written_ = true;
    std::ofstream out(path_);
    out << nlohmann::json{{"bench", bench_}, {"rows", rows_}}.dump(1) << "\n";
    if (!out) std::fprintf(stderr, "%s: cannot write %s\n", bench_.c_str(), path_.c_str());
  }

 private:
  nlohmann::json Base(const std::string& group, const std::string& name, const std::string& unit,
                      const std::string& better, const std::string& note) const {
    nlohmann::json row = {{"bench", bench_},   {"group", group}, {"name", name},
                          {"system", system_}, {"unit", unit},   {"better", better}};
    if (!note.empty()) row["note"] = note;
    return row;
  }

  std::string bench_;
  std::string path_;
  std::string system_ = "durafn";
  bool written_ = false;
  std::vector<nlohmann::json> rows_;
};

}  // namespace durafn::bench
