// A plain target used to check the registry end to end: returns its event unchanged.
#include "registry.h"

CONFORMANCE_PLAIN("echo",
                  [](const nlohmann::json& event, const durafn::LambdaContext&) { return event; });
