// Sleeps {"ms": N} milliseconds, then answers "slept".
#include <chrono>
#include <thread>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  for (;;) {
    auto inv = rt.Next();
    auto ms = durafn::test_functions::JsonInt(inv.body, "ms", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    rt.Respond(inv.request_id, "\"slept\"");
  }
}
