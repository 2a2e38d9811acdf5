#include "cli/output.h"

#include <cmath>
#include <ostream>

#include "protocol/timestamp.h"

namespace durafn::cli {

using nlohmann::json;

void PrintJson(const json& value, std::ostream& out) {
  out << value.dump(2) << "\n";
}

namespace {
std::string OneLine(std::string s) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
}
}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells)
    c = OneLine(std::move(c));
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i)
    width[i] = headers_[i].size();
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    out << s << "\n";
  };
  line(headers_);
  for (const auto& r : rows_)
    line(r);
}

void PrintFields(const json& object, std::ostream& out) {
  if (!object.is_object()) {
    out << Cell(object) << "\n";
    return;
  }
  std::size_t width = 0;
  for (const auto& [k, v] : object.items())
    width = std::max(width, k.size());
  for (const auto& [k, v] : object.items()) {
    std::string value =
        k.find("Timestamp") != std::string::npos || k == "LastModified" ? FormatTime(v) : Cell(v);
    if (value.empty()) value = Cell(v);
    out << k << ":" << std::string(width - k.size() + 2, ' ') << OneLine(value) << "\n";
  }
}

std::string FormatTime(const json& value) {
  if (value.is_number()) {
    double seconds = value.get<double>();
    return protocol::FormatIso8601(
        protocol::Timestamp{static_cast<int64_t>(std::llround(seconds * 1000.0))});
  }
  if (value.is_string()) return value.get<std::string>();
  return "";
}

std::string Cell(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string Truncate(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  if (max < 4) return s.substr(0, max);
  return s.substr(0, max - 3) + "...";
}

}  // namespace durafn::cli
