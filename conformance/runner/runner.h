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

struct RunnerOptions {
  std::string endpoint = "http://127.0.0.1:9001";
  std::string function_binary;  // the conformance function (its --list names the handlers)
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
};

// Runs `binary --list`. Throws std::runtime_error when it cannot.
Handlers ListHandlers(const std::string& binary);

// Creates (or updates) function conformance-<id> for every handler, with DurableConfig for
// the durable ones. Throws std::runtime_error naming what failed.
void DeployHandlers(const RunnerOptions& options, const Handlers& handlers);

// Runs one requirement to its verdict. Thread-safe (each call uses its own connection).
Outcome RunRequirement(const RunnerOptions& options, const Handlers& handlers,
                       const Requirement& requirement);

// Whether `r` runs with skipped time under `options`, and why (for the report).
bool UsesSkipTime(const RunnerOptions& options, const Requirement& r);

}  // namespace conformance::runner
