// Points in time as the protocol carries them, and the three encodings it uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace durafn::protocol {

// Milliseconds since the Unix epoch, UTC. Millisecond precision is what every producer in
// the protocol uses (Lambda's envelope is in ms; REST seconds carry three decimals).
struct Timestamp {
  int64_t ms = 0;

  static Timestamp FromMillis(int64_t ms) { return Timestamp{ms}; }
  static Timestamp FromSeconds(int64_t s) { return Timestamp{s * 1000}; }
  auto operator<=>(const Timestamp&) const = default;
};

// How a transport writes timestamps (protocol.md §0.3):
//   kEpochSeconds: REST JSON bodies, a number of seconds with up to 3 decimals;
//   kEpochMillis:  the invocation envelope, an integer of milliseconds;
//   kIso8601:      query strings, and the recorded traces ("2026-11-28T01:39:10.330Z").
// Decoders accept an ISO-8601 string in every format; numbers are read in the given unit.
enum class TimeFormat { kEpochSeconds, kEpochMillis, kIso8601 };

// "YYYY-MM-DDTHH:MM:SS.mmmZ", always with three decimals (as JavaScript's toISOString).
std::string FormatIso8601(Timestamp t);

// Parses RFC 3339 date-times: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
// Fractions beyond milliseconds are truncated. nullopt when malformed or out of range.
std::optional<Timestamp> ParseIso8601(std::string_view text);

// Epoch seconds as the REST API writes them: a JSON number with up to 3 decimals.
double ToEpochSeconds(Timestamp t);

}  // namespace durafn::protocol
