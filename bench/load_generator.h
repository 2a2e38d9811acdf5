// A closed-loop HTTP load generator: `concurrency` clients, each with one keep-alive
// connection, send requests back to back until `count` requests were sent in all or
// `max_duration` passed, whichever comes first: it always stops by itself (requests still
// open then are abandoned and counted as failed). Used by
// workflow_bench against durafn and, through the `loadgen` binary, against the peers, so
// both sides are measured by the same code.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http_client.h"

namespace durafn::bench {

struct LoadSpec {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string method = "POST";
  // Request `i` (0-based, over all clients) goes to target(i) with body(i).
  std::function<std::string(long)> target;
  std::function<std::string(long)> body;
  api::Headers headers;
  int concurrency = 1;
  long count = 1;
  std::chrono::milliseconds max_duration{std::chrono::seconds(60)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  // A response counts as a success iff this returns true (default: status 200).
  std::function<bool(const api::Response&)> ok;
};

struct LoadResult {
  std::vector<double> latency_ms;  // of successful requests
  long succeeded = 0;
  long failed = 0;
  double seconds = 0;  // first request sent .. last response received
  double per_second() const { return seconds > 0 ? static_cast<double>(succeeded) / seconds : 0; }
  std::string first_error;  // what the first failure looked like
};

inline LoadResult RunLoad(const LoadSpec& spec) {
  using Clock = std::chrono::steady_clock;
  LoadResult result;
  std::mutex mu;
  std::atomic<long> next{0};
  const auto t0 = Clock::now();
  const auto deadline = t0 + spec.max_duration;
  std::vector<std::thread> clients;
  for (int c = 0; c < spec.concurrency; ++c) {
    clients.emplace_back([&] {
      api::HttpClient client(spec.host, spec.port);
      std::vector<double> mine;
      long failed = 0;
      std::string error;
      for (long i = next++; i < spec.count && Clock::now() < deadline; i = next++) {
        auto s = Clock::now();
        // A request still open at the deadline is given up (and counted as failed), so a
        // stalled system cannot hold the run past `max_duration` plus a second.
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - s) +
                    std::chrono::seconds(1);
        auto r = client.Send(spec.method, spec.target(i), spec.headers,
                             spec.body ? spec.body(i) : std::string(),
                             std::min(spec.request_timeout, left));
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
        bool good = r.ok() && (spec.ok ? spec.ok(*r) : r->status == 200);
        if (good) {
          mine.push_back(ms);
        } else {
          ++failed;
          if (error.empty()) {
            error = r.ok() ? "status " + std::to_string(r->status) + ": " + r->body.substr(0, 300)
                           : r.status().ToString();
          }
        }
      }
      std::lock_guard lock(mu);
      result.latency_ms.insert(result.latency_ms.end(), mine.begin(), mine.end());
      result.succeeded += static_cast<long>(mine.size());
      result.failed += failed;
      if (result.first_error.empty()) result.first_error = error;
    });
  }
  for (auto& t : clients)
    t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace durafn::bench
