// Returns what a worker sees: its pid, working directory, Lambda environment and request id.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  for (;;) {
    auto inv = rt.Next();
    nlohmann::json env = nlohmann::json::object();
    for (const char* k :
         {"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_REGION",
          "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_LOG_GROUP_NAME",
          "AWS_LAMBDA_LOG_STREAM_NAME", "TZ", "LANG", "PATH", "GREETING"}) {
      if (const char* v = std::getenv(k)) env[k] = v;
    }
    char cwd[4096] = {0};
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
    nlohmann::json out = {{"pid", static_cast<int>(getpid())},
                          {"cwd", cwd},
                          {"env", env},
                          {"request_id", inv.request_id}};
    rt.Respond(inv.request_id, out.dump());
  }
}
