// The subset of CloudWatch Logs' filter pattern syntax that durafn understands, compiled once
// per query and then matched against each log message.
//
// Supported (matching is case-sensitive, as in CloudWatch):
//   (empty)                 every message matches.
//   ERROR timeout           term patterns: every plain term must occur in the message
//                           (a substring match).
//   "connection reset"      a quoted phrase is one term, spaces included (\" and \\ escape).
//   ERROR -retry            a term prefixed with '-' must not occur.
//   ?ERROR ?WARN            terms prefixed with '?' are alternatives: at least one of them
//                           must occur (on top of the plain and '-' terms, if any).
//   { $.level = "ERROR" }   JSON patterns, for messages that are JSON objects: comparisons of
//                           a selector ($.a.b, $.a[0].b) with "strings" (a '*' in the string
//                           is a wildcard), numbers, true, false or null, using = != < <= > >=
//                           (ordering operators compare numbers only), and `$.x EXISTS` /
//                           `$.x NOT EXISTS`; joined with && and || (&& binds tighter) and
//                           grouped with parentheses. A message that is not a JSON object
//                           never matches a JSON pattern.
// Not supported (rejected with an error, never silently ignored): space-delimited patterns
// ([w1, w2 = ...]), regular expressions (%...%), IS TRUE / IS FALSE / IS NULL forms.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/result.h"

namespace durafn::hosting {

// CloudWatch's own limit on the length of a filter pattern.
inline constexpr std::size_t kMaxFilterPatternBytes = 1024;

class LogFilterPattern {
 public:
  // Compiles `pattern`. InvalidArgument, with the reason, when it is longer than
  // kMaxFilterPatternBytes, malformed, or uses syntax outside the subset above.
  static Result<LogFilterPattern> Parse(std::string_view pattern);

  LogFilterPattern(LogFilterPattern&&) noexcept;
  LogFilterPattern& operator=(LogFilterPattern&&) noexcept;
  ~LogFilterPattern();

  // True when every message matches (an empty pattern).
  bool matches_all() const;
  // True for a JSON pattern: callers then pass the parsed message to Matches.
  bool is_json() const;

  // Whether `message` matches. `parsed` is the message parsed as JSON when it is a JSON
  // object, or null otherwise (lets callers parse once, or not at all for term patterns).
  bool Matches(std::string_view message, const nlohmann::json* parsed) const;

 private:
  struct Impl;
  explicit LogFilterPattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace durafn::hosting
