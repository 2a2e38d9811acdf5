// Allocates (and touches) memory without bound on every invocation.
#include <cstring>
#include <vector>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  auto inv = rt.Next();
  std::vector<char*> blocks;
  for (;;) {
    char* p = new char[4 << 20];
    std::memset(p, 1, 4 << 20);
    blocks.push_back(p);
  }
}
