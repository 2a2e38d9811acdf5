// Returns its event unchanged.
#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  for (;;) {
    auto inv = rt.Next();
    rt.Respond(inv.request_id, inv.body);
  }
}
