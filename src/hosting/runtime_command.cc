#include "hosting/runtime_command.h"

#include <unistd.h>

namespace durafn::hosting {

const std::vector<std::string>& SupportedRuntimes() {
  static const std::vector<std::string> k = {"provided", "provided.al2", "provided.al2023",
                                             "nodejs20.x", "nodejs22.x"};
  return k;
}

WorkerCommand CommandFor(const FunctionConfig& config, const std::string& task_root) {
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
    c.unavailable =
        RuntimeUnavailable{"Runtime.Unavailable", "The runtime " + config.runtime +
                                                      " has no bootstrap on this server yet"};
    return c;
  }
  c.unavailable = RuntimeUnavailable{"Runtime.InvalidRuntime",
                                     "The runtime " + config.runtime + " is not supported"};
  return c;
}

}  // namespace durafn::hosting
