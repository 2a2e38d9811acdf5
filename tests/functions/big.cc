// Responds with a JSON string of {"bytes": N} characters, to test the response size limit.
#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  for (;;) {
    auto inv = rt.Next();
    auto n = durafn::test_functions::JsonInt(inv.body, "bytes", 0);
    rt.Respond(inv.request_id, "\"" + std::string(static_cast<std::size_t>(n), 'x') + "\"");
  }
}
