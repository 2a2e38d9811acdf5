// Reports a function error for every invocation; with {"file": PATH} in the event it first
// appends a line to PATH, so a test can count the attempts.
#include <fstream>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  for (;;) {
    auto inv = rt.Next();
    auto file = durafn::test_functions::JsonString(inv.body, "file");
    if (!file.empty()) std::ofstream(file, std::ios::app) << inv.request_id << "\n";
    rt.Fail(inv.request_id, "TestError", "failed on purpose");
  }
}
