#include "hosting/runtime_command.h"

#include <algorithm>

#include <unistd.h>

namespace durafn::hosting {

const std::vector<std::string>& SupportedRuntimes() {
  static const std::vector<std::string> k = {"provided", "provided.al2", "provided.al2023",
                                             "nodejs20.x", "nodejs22.x"};
  return k;
}

WorkerCommand CommandFor(const FunctionConfig& config, const std::string& task_root,
                         const RuntimeFiles& files) {
  WorkerCommand c;
  if (config.runtime.starts_with("provided")) {
    std::string bootstrap = task_root + "/bootstrap";
    if (task_root.empty() || ::access(bootstrap.c_str(), X_OK) != 0) {
      c.unavailable = RuntimeUnavailable{
          "Runtime.InvalidEntrypoint",
          "Couldn't find valid bootstrap(s): [" + task_root + "/bootstrap /opt/bootstrap]"};
      return c;
    }
    c.argv = {bootstrap};
    return c;
  }
  if (config.runtime.starts_with("nodejs")) {
    if (files.node.empty()) {
      c.unavailable = RuntimeUnavailable{
          "Runtime.Unavailable",
          "The runtime " + config.runtime + " needs node, which is not installed on this server"};
      return c;
    }
    if (files.runtimes_dir.empty()) {
      c.unavailable = RuntimeUnavailable{
          "Runtime.Unavailable", "The runtime " + config.runtime +
                                     " has no bootstrap on this server (nodejs/bootstrap.mjs "
                                     "is neither next to the durafn binary nor installed)"};
      return c;
    }
    // V8 collects garbage before its heap reaches the function's memory, as on Lambda, so
    // an ordinary function is not killed for memory V8 would have freed.
    int64_t heap_mb = std::max<int64_t>(32, config.memory_size_mb * 9 / 10);
    c.argv = {files.node, "--max-old-space-size=" + std::to_string(heap_mb),
              files.runtimes_dir + "/nodejs/bootstrap.mjs"};
    c.env = {{"AWS_EXECUTION_ENV", "AWS_Lambda_" + config.runtime},
             {"NODE_PATH", task_root + "/node_modules:" + task_root}};
    return c;
  }
  c.unavailable = RuntimeUnavailable{"Runtime.InvalidRuntime",
                                     "The runtime " + config.runtime + " is not supported"};
  return c;
}

}  // namespace durafn::hosting
