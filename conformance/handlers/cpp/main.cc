// The conformance function: serves the handler its _HANDLER names. `--list` prints every
// registered id (durable ones as "durable ID", plain ones as "plain ID", requirements declared
// not implemented as "not-implemented ID REASON"), one per line.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "registry.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& id : conformance::durable_ids())
      std::printf("durable %s\n", id.c_str());
    for (const auto& id : conformance::plain_ids())
      std::printf("plain %s\n", id.c_str());
    for (const auto& [id, reason] : conformance::not_implemented())
      std::printf("not-implemented %s %s\n", id.c_str(), reason.c_str());
    return 0;
  }
  const char* name = std::getenv("_HANDLER");
  const std::string id = name ? name : "";
  if (const auto* handler = conformance::find_durable(id)) return durafn::run(*handler);
  if (const auto* handler = conformance::find_plain(id)) return durafn::run_plain(*handler);
  // Exiting before /next makes hosting report an init failure naming the missing id.
  std::fprintf(stderr, "conformance: no handler registered for \"%s\"\n", id.c_str());
  return 2;
}
