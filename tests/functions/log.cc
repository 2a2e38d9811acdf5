// Prints a plain line on stdout and a JSON line on stderr per invocation.
#include <iostream>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  std::cout << "cold start line" << std::endl;
  for (;;) {
    auto inv = rt.Next();
    std::cout << "plain line for " << inv.request_id << std::endl;
    std::cerr << R"({"level":"INFO","message":"json line"})" << std::endl;
    rt.Respond(inv.request_id, "\"logged\"");
  }
}
