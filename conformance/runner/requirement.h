// One requirement file of the conformance suite, read into JSON values, and the choices the
// runner makes from it (variables, time mode).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace conformance::runner {

struct Requirement {
  std::string id;     // the file name without .yaml ("1-1")
  std::string suite;  // the folder it is in ("step")
  std::filesystem::path file;
  std::string description;
  bool async = false;                                   // AsyncInvoke: true
  bool optional = false;                                // optional: true
  nlohmann::json variables = nlohmann::json::object();  // NAME -> template ("${GEN_STR:8}")
  nlohmann::json input;                                 // null when absent
  std::optional<nlohmann::json> expected_result;        // ExpectedResult
  nlohmann::json expected_history = nlohmann::json::array();
  nlohmann::json callback_actions = nlohmann::json::array();
  nlohmann::json expected_logs = nlohmann::json::array();
};

// A YAML node as JSON: plain scalars become null, booleans and numbers when they read as
// such; quoted scalars stay strings. Throws std::runtime_error on malformed YAML.
nlohmann::json YamlToJson(const std::string& yaml_text);

// Reads one requirement file. Throws std::runtime_error (naming the file) when it cannot be
// read or lacks what every requirement has.
Requirement LoadRequirement(const std::filesystem::path& file);

// Every *.yaml under `dir` (one folder level of suites, or files directly in it), sorted by
// suite then by id numerically ("1-2" before "1-11"). Throws when `dir` is not a folder.
std::vector<Requirement> LoadRequirements(const std::filesystem::path& dir);

// Gives each variable its value: "${GEN_STR:N}" is N random letters and digits; a value that
// names earlier variables has them substituted.
std::map<std::string, std::string> ResolveVariables(const nlohmann::json& variables,
                                                    std::mt19937_64& rng);

// Replaces ${NAME} of every resolved variable in every string of `value`. A string that is
// exactly "${NAME}" becomes the variable's value; other placeholders stay for the matcher.
nlohmann::json Substitute(const nlohmann::json& value,
                          const std::map<std::string, std::string>& vars);

// How long the requirement takes in real time, at least, judging by the durations its
// expected history and callback actions mention (waits, retry delays, callback timeouts,
// action delays); nullopt when one is unknown ('*').
std::optional<double> EstimatedSeconds(const Requirement& r);

}  // namespace conformance::runner
