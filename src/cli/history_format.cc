#include "cli/history_format.h"

#include <cstdio>
#include <ostream>

#include "cli/output.h"

namespace durafn::cli {

using nlohmann::json;

namespace {

constexpr std::size_t kDetailsWidth = 100;

void Summarize(const std::string& prefix, const json& v, std::string& out) {
  auto add = [&](const std::string& text) {
    if (!out.empty()) out += " ";
    out += text;
  };
  if (v.is_object()) {
    // Payload wrappers ({"Payload": "...", "Truncated": false}) and errors read better flat.
    if (v.contains("Payload") && v["Payload"].is_object())
      return Summarize(prefix, v["Payload"], out);
    if (v.contains("Payload")) {
      if (Cell(v["Payload"]).empty()) return;
      std::string text = prefix + "=" + Cell(v["Payload"]);
      if (v.value("Truncated", false)) text += " (truncated)";
      return add(text);
    }
    if (v.contains("ErrorType") || v.contains("ErrorMessage")) {
      std::string type = Cell(v.value("ErrorType", json("")));
      std::string message = Cell(v.value("ErrorMessage", json("")));
      return add(prefix + "=" + (type.empty() ? message : type + ": " + message));
    }
    for (const auto& [k, x] : v.items()) {
      if (k == "Truncated") continue;
      Summarize(prefix.empty() ? k : prefix + "." + k, x, out);
    }
    return;
  }
  if (v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty())) return;
  std::string value = prefix.find("Timestamp") != std::string::npos ? FormatTime(v) : Cell(v);
  add(prefix + "=" + value);
}

}  // namespace

std::string EventDetails(const json& event) {
  std::string out;
  for (const auto& [k, v] : event.items()) {
    if (k.size() > 7 && k.compare(k.size() - 7, 7, "Details") == 0 && v.is_object()) {
      for (const auto& [dk, dv] : v.items())
        Summarize(dk, dv, out);
    }
  }
  // One row per event: pretty-printed payloads fold into one line.
  std::string folded;
  for (char c : out) {
    bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (space && (folded.empty() || folded.back() == ' ')) continue;
    folded += space ? ' ' : c;
  }
  return Truncate(folded, kDetailsWidth);
}

void PrintHistoryRows(const json& events, bool header, std::ostream& out) {
  char line[512];
  if (header) {
    std::snprintf(line, sizeof line, "%-5s %-24s %-22s %-20s %s", "ID", "TIME", "TYPE", "NAME",
                  "DETAILS");
    out << line << "\n";
  }
  for (const auto& e : events) {
    std::string name = Cell(e.value("Name", json()));
    std::snprintf(line, sizeof line, "%-5s %-24s %-22s %-20s ",
                  Cell(e.value("EventId", json())).c_str(),
                  FormatTime(e.value("EventTimestamp", json())).c_str(),
                  Cell(e.value("EventType", json())).c_str(), Truncate(name, 20).c_str());
    std::string row = std::string(line) + EventDetails(e);
    while (!row.empty() && row.back() == ' ')
      row.pop_back();
    out << row << "\n";
  }
}

}  // namespace durafn::cli
