#include "requirement.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace conformance::runner {
namespace {

using nlohmann::json;

json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  // Quoted (or otherwise tagged) scalars are strings as written.
  if (node.Tag() != "?") return s;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // Numbers: the whole scalar must read as one.
  char* end = nullptr;
  errno = 0;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (end && *end == '\0' && errno == 0 && (std::isdigit(s[0]) || s[0] == '-' || s[0] == '+')) {
    return static_cast<int64_t>(i);
  }
  end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && (std::isdigit(s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.')) {
    return d;
  }
  return s;
}

json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node)
        out.push_back(NodeToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node)
        out[kv.first.as<std::string>()] = NodeToJson(kv.second);
      return out;
    }
  }
  return nullptr;
}

// "1-11" -> {1, 11} for ordering; non-numeric parts sort after.
std::vector<long> IdKey(const std::string& id) {
  std::vector<long> key;
  std::stringstream in(id);
  std::string part;
  while (std::getline(in, part, '-')) {
    char* end = nullptr;
    long v = std::strtol(part.c_str(), &end, 10);
    key.push_back(end && *end == '\0' && !part.empty() ? v : 1'000'000);
  }
  return key;
}

std::string GenerateString(std::size_t n, std::mt19937_64& rng) {
  static constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlnum) - 2);
  std::string out(n, 'x');
  for (auto& c : out)
    c = kAlnum[pick(rng)];
  return out;
}

std::string ReplaceAll(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) {
    const std::string token = "${" + name + "}";
    for (std::size_t pos = s.find(token); pos != std::string::npos;
         pos = s.find(token, pos + value.size())) {
      s.replace(pos, token.size(), value);
    }
  }
  return s;
}

// Adds the numeric values of the duration-like members found in `v`; sets `unknown` when
// one of them is not a number.
void SumDurations(const json& v, double& total, bool& unknown) {
  static const char* kKeys[] = {"Duration", "NextAttemptDelaySeconds", "Timeout",
                                "HeartbeatTimeout"};
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      // A wait's end repeats the duration its start gave.
      if (key == "WaitSucceededDetails" || key == "WaitCancelledDetails") continue;
      if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys) &&
          !value.is_object()) {
        if (value.is_number()) {
          total += value.get<double>();
        } else {
          unknown = true;
        }
      } else {
        SumDurations(value, total, unknown);
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v)
      SumDurations(item, total, unknown);
  }
}

}  // namespace

json YamlToJson(const std::string& yaml_text) {
  try {
    return NodeToJson(YAML::Load(yaml_text));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("invalid YAML: ") + e.what());
  }
}

Requirement LoadRequirement(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = YamlToJson(text.str());
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  if (!doc.is_object()) throw std::runtime_error(file.string() + ": expected a mapping");
  Requirement r;
  r.file = file;
  r.id = file.stem().string();
  r.suite = file.parent_path().filename().string();
  r.description = doc.value("description", std::string());
  r.async = doc.value("AsyncInvoke", false) == true;
  r.optional = doc.contains("optional") && doc["optional"] == true;
  if (doc.contains("Variables") && doc["Variables"].is_object()) r.variables = doc["Variables"];
  if (doc.contains("Input")) r.input = doc["Input"];
  if (doc.contains("ExpectedResult") && !doc["ExpectedResult"].is_null()) {
    r.expected_result = doc["ExpectedResult"];
  }
  if (doc.contains("ExpectedExecutionHistory")) {
    r.expected_history = doc["ExpectedExecutionHistory"];
    if (!r.expected_history.is_array()) {
      throw std::runtime_error(file.string() + ": ExpectedExecutionHistory must be a list");
    }
  }
  if (doc.contains("CallbackActions") && doc["CallbackActions"].is_array()) {
    r.callback_actions = doc["CallbackActions"];
  }
  if (doc.contains("ExpectedLogs") && doc["ExpectedLogs"].is_array()) {
    r.expected_logs = doc["ExpectedLogs"];
  }
  if (!r.expected_result && r.expected_history.empty()) {
    throw std::runtime_error(file.string() +
                             ": neither ExpectedResult nor ExpectedExecutionHistory");
  }
  return r;
}

std::vector<Requirement> LoadRequirements(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw std::runtime_error("requirements folder not found: " + dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::vector<Requirement> out;
  for (const auto& f : files)
    out.push_back(LoadRequirement(f));
  std::sort(out.begin(), out.end(), [](const Requirement& a, const Requirement& b) {
    auto ka = IdKey(a.id), kb = IdKey(b.id);
    if (ka != kb) return ka < kb;
    return a.file < b.file;
  });
  return out;
}

std::map<std::string, std::string> ResolveVariables(const json& variables, std::mt19937_64& rng) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : variables.items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    std::string resolved;
    for (std::size_t i = 0; i < text.size();) {
      if (text.compare(i, 10, "${GEN_STR:") == 0) {
        auto close = text.find('}', i);
        if (close != std::string::npos) {
          std::size_t n = std::strtoul(text.substr(i + 10, close - i - 10).c_str(), nullptr, 10);
          resolved += GenerateString(std::min<std::size_t>(n, 1 << 20), rng);
          i = close + 1;
          continue;
        }
      }
      resolved += text[i++];
    }
    out[name] = ReplaceAll(resolved, out);
  }
  return out;
}

json Substitute(const json& value, const std::map<std::string, std::string>& vars) {
  if (value.is_string()) return ReplaceAll(value.get<std::string>(), vars);
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value)
      out.push_back(Substitute(item, vars));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items())
      out[key] = Substitute(item, vars);
    return out;
  }
  return value;
}

std::optional<double> EstimatedSeconds(const Requirement& r) {
  double total = 0;
  bool unknown = false;
  SumDurations(r.expected_history, total, unknown);
  double longest_delay = 0;
  for (const auto& a : r.callback_actions) {
    if (a.contains("Delay") && a["Delay"].is_number()) {
      longest_delay = std::max(longest_delay, a["Delay"].get<double>());
    }
  }
  if (unknown) return std::nullopt;
  return total + longest_delay;
}

}  // namespace conformance::runner
