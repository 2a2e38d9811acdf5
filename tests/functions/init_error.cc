// Fails its initialization: reports it through /init/error and exits.
#include "runtime_client.h"

int main() {
  durafn::test_functions::RuntimeClient rt;
  rt.InitError("InitFailed", "the configuration could not be loaded");
  return 1;
}
