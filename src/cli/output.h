// How commands print: JSON as the server sent it, or aligned tables for people.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace durafn::cli {

// Pretty-printed JSON and a newline.
void PrintJson(const nlohmann::json& value, std::ostream& out);

// Columns padded to their widest cell; the last column is not padded. Cells are one line
// (newlines and tabs become spaces).
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void AddRow(std::vector<std::string> cells);
  void Print(std::ostream& out) const;
  std::size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Key/value lines ("Key: value") for one object's scalar members, in the object's order;
// nested objects are shown as compact JSON.
void PrintFields(const nlohmann::json& object, std::ostream& out);

// A timestamp as the server sends it (epoch seconds, maybe fractional, or ISO-8601 text)
// as ISO-8601 UTC with milliseconds; "" for null or absent.
std::string FormatTime(const nlohmann::json& value);

// A JSON value as one cell: strings without quotes, others compact.
std::string Cell(const nlohmann::json& value);

// `s` cut to `max` characters with "..." when longer.
std::string Truncate(const std::string& s, std::size_t max);

}  // namespace durafn::cli
