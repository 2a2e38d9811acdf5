// Runs requirements against a durafn server: deploys the conformance function once per
// registered handler, then invokes, drives callbacks, waits, fetches and matches.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report.h"
#include "requirement.h"

namespace conformance::runner {

enum class TimeChoice { kAuto, kReal, kSkip };

// Which handlers run: the C++ conformance function, or the JavaScript handlers
// (conformance/handlers/js, AWS's JavaScript SDK) as nodejs20.x functions.
enum class Language { kCpp, kJs };

struct RunnerOptions {
  std::string endpoint = "http://127.0.0.1:9001";
  std::string function_binary;  // the conformance function (its --list names the handlers)
  Language language = Language::kCpp;
  // kJs: the prepared handler folder (handlers.mjs, list.mjs, node_modules), as
  // scripts/conformance-js.sh BUILD_DIR --prepare-only leaves it in BUILD_DIR/conformance-js.
  std::string js_dir;
  // Handler `id` is deployed as function function_prefix + id.
  std::string function_prefix = "conformance-";
  TimeChoice time = TimeChoice::kAuto;
  // kAuto: requirements expected to take longer than this in real time run with skipped time,
  // unless they have CallbackActions (whose timing is real by nature).
  double real_time_max_seconds = 5;
  // Longest wait for one execution to end, in real time.
  std::chrono::seconds timeout{120};
};

// What the conformance function registers (`--list`).
struct Handlers {
  std::set<std::string> durable, plain;
  std::map<std::string, std::string> not_implemented;  // id -> reason
  // id -> the function's Handler property, when it is not the id itself.
  std::map<std::string, std::string> handler_setting;
};

// Runs `binary --list` (lines "durable|plain ID" or "not-implemented ID REASON"). Throws
// std::runtime_error when it cannot.
Handlers ListHandlers(const std::string& binary);

// Runs `node list.mjs` in the JavaScript handler folder (lines "durable ID HANDLER").
// Throws std::runtime_error when it cannot.
Handlers ListJsHandlers(const std::string& js_dir);

// Creates (or updates) function <function_prefix><id> for every handler, with DurableConfig
// for the durable ones. Throws std::runtime_error naming what failed.
void DeployHandlers(const RunnerOptions& options, const Handlers& handlers);

// Runs one requirement to its verdict. Thread-safe (each call uses its own connection).
Outcome RunRequirement(const RunnerOptions& options, const Handlers& handlers,
                       const Requirement& requirement);

// Whether `r` runs with skipped time under `options`, and why (for the report).
bool UsesSkipTime(const RunnerOptions& options, const Requirement& r);

}  // namespace conformance::runner
