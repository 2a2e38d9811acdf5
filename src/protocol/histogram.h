// A fixed-bucket histogram that many threads record into without locks, rendered in
// Prometheus' text format. Lives beside Status as a dependency-free utility every layer may use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace durafn::protocol {

class Histogram {
 public:
  // Upper bounds of the buckets, ascending; an implicit +Inf bucket follows.
  static constexpr std::size_t kMaxBuckets = 16;

  // `bounds` must be ascending and hold at most kMaxBuckets values.
  template <std::size_t N>
  explicit Histogram(const double (&bounds)[N]) : size_(N) {
    static_assert(N <= kMaxBuckets);
    for (std::size_t i = 0; i < N; ++i)
      bounds_[i] = bounds[i];
  }

  // Records one value (in the histogram's unit: seconds for latencies).
  void Observe(double value) {
    std::size_t i = 0;
    while (i < size_ && value > bounds_[i])
      ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    // Sum in microunits so it stays an integer atomic.
    sum_micro_.fetch_add(static_cast<int64_t>(value * 1e6), std::memory_order_relaxed);
  }

  uint64_t count() const {
    uint64_t n = 0;
    for (std::size_t i = 0; i <= size_; ++i)
      n += counts_[i].load(std::memory_order_relaxed);
    return n;
  }

  // Writes `# TYPE name histogram` and its _bucket (cumulative), _sum and _count lines.
  void Render(std::ostream& out, std::string_view name, std::string_view help) const {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      cumulative += counts_[i].load(std::memory_order_relaxed);
      out << name << "_bucket{le=\"" << bounds_[i] << "\"} " << cumulative << '\n';
    }
    cumulative += counts_[size_].load(std::memory_order_relaxed);
    out << name << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
    out << name << "_sum " << static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6
        << '\n';
    out << name << "_count " << cumulative << '\n';
  }

 private:
  std::array<double, kMaxBuckets> bounds_{};
  std::size_t size_;
  std::array<std::atomic<uint64_t>, kMaxBuckets + 1> counts_{};
  std::atomic<int64_t> sum_micro_{0};
};

// Bucket bounds for latencies in seconds, 100 us to 10 s.
inline constexpr double kLatencyBuckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                             0.025,  0.05,    0.1,    0.25,  1,      2.5,   10};
// Bucket bounds for batch sizes (transactions per commit).
inline constexpr double kBatchBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

}  // namespace durafn::protocol
