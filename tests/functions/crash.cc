// Aborts in the middle of every invocation.
#include <cstdlib>

#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  rt.Next();
  std::abort();
}
