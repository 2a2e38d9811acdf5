// Matching an expected value from a requirement file against what the server returned, with
// the rules of the language-neutral conformance suite:
//   '*'          any value (the member must be present);
//   {}           don't care (the member may be absent);
//   ${NAME}      binds to the actual value on first use, then must equal it everywhere;
//   ${/regex/}   the actual string (or number, as text) contains a match of the regex;
//   object       every expected member matches the actual one (extra actual members ignored);
//   array        same length, element by element;
//   anything else equal (numbers compare by value: 2 == 2.0).
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace conformance::runner {

// Values bound by ${NAME} so far; shared by every match of one requirement.
using Bindings = std::map<std::string, nlohmann::json>;

// The first mismatch ("<path>: expected X, got Y"), or nullopt when `actual` matches. `actual`
// null-pointer means the member is absent. `path` prefixes the message.
std::optional<std::string> Match(const nlohmann::json& expected, const nlohmann::json* actual,
                                 Bindings& bindings, const std::string& path);

// Matches the expected events against the actual history: each expected event is compared
// with the actual event that has its EventId; actual events not mentioned are ignored.
std::optional<std::string> MatchHistory(const nlohmann::json& expected_events,
                                        const nlohmann::json& actual_events, Bindings& bindings);

}  // namespace conformance::runner
