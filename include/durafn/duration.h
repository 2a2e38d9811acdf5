// Duration: whole seconds, the unit of every durable timer (waits, retries, callbacks).
#pragma once

#include <cstdint>

namespace durafn {

class Duration {
 public:
  constexpr Duration() = default;
  // A duration of `s` seconds (negative values are clamped to zero).
  constexpr explicit Duration(int64_t s) : seconds_(s < 0 ? 0 : s) {}

  static constexpr Duration seconds(int64_t n) { return Duration(n); }
  static constexpr Duration minutes(int64_t n) { return Duration(n * 60); }
  static constexpr Duration hours(int64_t n) { return Duration(n * 3600); }
  static constexpr Duration days(int64_t n) { return Duration(n * 86400); }

  // The length in whole seconds, as sent on the wire.
  constexpr int64_t total_seconds() const { return seconds_; }
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(seconds_ + o.seconds_); }

 private:
  int64_t seconds_ = 0;
};

// Shorthands: durafn::seconds(2), durafn::minutes(5), durafn::hours(1), durafn::days(3).
constexpr Duration seconds(int64_t n) {
  return Duration::seconds(n);
}
constexpr Duration minutes(int64_t n) {
  return Duration::minutes(n);
}
constexpr Duration hours(int64_t n) {
  return Duration::hours(n);
}
constexpr Duration days(int64_t n) {
  return Duration::days(n);
}

}  // namespace durafn
