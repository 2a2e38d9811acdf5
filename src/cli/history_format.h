// A durable execution's history as a readable table: event id, time, type, name, details.
#pragma once

#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

namespace durafn::cli {

// The one-line summary of an event's *Details member: payloads, errors, wait times,
// callback ids ("" when it has none).
std::string EventDetails(const nlohmann::json& event);

// Prints `events` as table rows (with the header line first when `header`).
void PrintHistoryRows(const nlohmann::json& events, bool header, std::ostream& out);

}  // namespace durafn::cli
