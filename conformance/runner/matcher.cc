#include "matcher.h"

#include <regex>

namespace conformance::runner {
namespace {

using nlohmann::json;

std::string Show(const json* v) {
  if (!v) return "(absent)";
  std::string s = v->dump();
  if (s.size() > 200) s = s.substr(0, 197) + "...";
  return s;
}

std::optional<std::string> Mismatch(const std::string& path, const json& expected,
                                    const json* actual) {
  return (path.empty() ? std::string("value") : path) + ": expected " + Show(&expected) + ", got " +
         Show(actual);
}

// "${NAME}" -> NAME; "${/re/}" -> "/re/"; otherwise nullopt.
std::optional<std::string> Placeholder(const std::string& s) {
  if (s.size() < 4 || s.rfind("${", 0) != 0 || s.back() != '}') return std::nullopt;
  std::string inner = s.substr(2, s.size() - 3);
  if (inner.empty() || inner.find("${") != std::string::npos) return std::nullopt;
  return inner;
}

bool NumbersEqual(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    return a.get<int64_t>() == b.get<int64_t>();
  }
  return a.get<double>() == b.get<double>();
}

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

}  // namespace

std::optional<std::string> Match(const json& expected, const json* actual, Bindings& bindings,
                                 const std::string& path) {
  if (expected.is_object() && expected.empty()) return std::nullopt;  // don't care
  if (expected.is_string()) {
    const auto& s = expected.get_ref<const std::string&>();
    if (s == "*") {
      if (!actual) return Mismatch(path, expected, actual);
      return std::nullopt;
    }
    if (auto name = Placeholder(s)) {
      if (name->size() >= 2 && name->front() == '/' && name->back() == '/') {
        // Numbers and booleans match by their text (a delay of 3 matches /^[0-5]$/).
        if (!actual || !(actual->is_string() || actual->is_number() || actual->is_boolean())) {
          return Mismatch(path, expected, actual);
        }
        const std::string text = actual->is_string() ? actual->get<std::string>() : actual->dump();
        std::regex re;
        try {
          re = std::regex(name->substr(1, name->size() - 2));
        } catch (const std::regex_error&) {
          return path + ": the requirement's regex " + s + " is invalid";
        }
        if (!std::regex_search(text, re)) {
          return Mismatch(path, expected, actual);
        }
        return std::nullopt;
      }
      if (!actual) return Mismatch(path, expected, actual);
      auto [it, inserted] = bindings.emplace(*name, *actual);
      if (inserted || it->second == *actual) return std::nullopt;
      return path + ": " + s + " was bound to " + Show(&it->second) + ", got " + Show(actual);
    }
  }
  if (!actual) return Mismatch(path, expected, actual);
  if (expected.is_object()) {
    if (!actual->is_object()) return Mismatch(path, expected, actual);
    for (const auto& [key, value] : expected.items()) {
      auto it = actual->find(key);
      const json* member = it == actual->end() ? nullptr : &*it;
      if (auto m = Match(value, member, bindings, Child(path, key))) return m;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!actual->is_array() || actual->size() != expected.size()) {
      return Mismatch(path, expected, actual);
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto m =
              Match(expected[i], &(*actual)[i], bindings, path + "[" + std::to_string(i) + "]"))
        return m;
    }
    return std::nullopt;
  }
  if (expected.is_number() && actual->is_number()) {
    if (NumbersEqual(expected, *actual)) return std::nullopt;
    return Mismatch(path, expected, actual);
  }
  if (expected != *actual) return Mismatch(path, expected, actual);
  return std::nullopt;
}

std::optional<std::string> MatchHistory(const json& expected_events, const json& actual_events,
                                        Bindings& bindings) {
  if (!expected_events.is_array()) return "ExpectedExecutionHistory: expected a list";
  std::map<int64_t, const json*> by_id;
  if (actual_events.is_array()) {
    for (const auto& e : actual_events) {
      auto id = e.find("EventId");
      if (id != e.end() && id->is_number_integer()) by_id[id->get<int64_t>()] = &e;
    }
  }
  for (const auto& expected : expected_events) {
    auto id = expected.find("EventId");
    if (id == expected.end() || !id->is_number_integer()) {
      return "ExpectedExecutionHistory: an event has no integer EventId: " + Show(&expected);
    }
    int64_t event_id = id->get<int64_t>();
    std::string path = "event " + std::to_string(event_id);
    auto it = by_id.find(event_id);
    if (it == by_id.end()) {
      std::string type = expected.value("EventType", std::string("?"));
      return path + ": expected " + type + ", but the history has no event with this EventId";
    }
    if (auto m = Match(expected, it->second, bindings, path)) {
      std::string type = it->second->value("EventType", std::string("?"));
      return *m + " (actual event: " + type + ")";
    }
  }
  return std::nullopt;
}

}  // namespace conformance::runner
