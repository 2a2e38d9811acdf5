// The one place where a function's runtime becomes the command line of its worker.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hosting/function_config.h"
#include "hosting/runtime_files.h"
#include "protocol/result.h"

namespace durafn::hosting {

// Why a runtime cannot start a worker, in Lambda's terms (the Invoke's function error).
struct RuntimeUnavailable {
  std::string error_type;  // e.g. Runtime.InvalidEntrypoint
  std::string message;
};

// The runtimes the registry accepts (see FunctionRegistry::Options::runtimes).
const std::vector<std::string>& SupportedRuntimes();

// The argv that starts a worker of `config` from its code folder `task_root`, or why it
// cannot: provided* runs the executable `bootstrap` of the code folder; nodejs* runs
// `node <runtimes>/nodejs/bootstrap.mjs` (Unavailable when node or that file is missing).
struct WorkerCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // what the runtime adds to the worker's environment
  std::optional<RuntimeUnavailable> unavailable;
};
WorkerCommand CommandFor(const FunctionConfig& config, const std::string& task_root,
                         const RuntimeFiles& files);

}  // namespace durafn::hosting
