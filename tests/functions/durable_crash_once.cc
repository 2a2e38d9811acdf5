// A minimal durable worker: the first invocation ever (no file at $CRASH_MARKER yet) creates
// the marker and aborts; later ones answer {"Status":"SUCCEEDED"} with the execution's input.
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  const char* marker = std::getenv("CRASH_MARKER");
  for (;;) {
    auto inv = rt.Next();
    if (marker && !std::ifstream(marker)) {
      std::ofstream(marker) << "crashed\n";
      std::abort();
    }
    auto envelope = nlohmann::json::parse(inv.body, nullptr, false);
    std::string input = "null";
    if (envelope.is_object()) {
      for (const auto& op : envelope["InitialExecutionState"]["Operations"]) {
        if (op.value("Type", "") == "EXECUTION") {
          input = op["ExecutionDetails"].value("InputPayload", "null");
        }
      }
    }
    nlohmann::json out = {{"Status", "SUCCEEDED"}, {"Result", input}};
    rt.Respond(inv.request_id, out.dump());
  }
}
