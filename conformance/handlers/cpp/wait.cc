// Handlers of the wait suite (2-x): durable waits, named and in sequence.
#include "durafn/durafn.h"
#include "registry.h"

namespace {
using durafn::DurableContext;
using nlohmann::json;
}  // namespace

CONFORMANCE_DURABLE("2-1", [](const json&, DurableContext& ctx) -> json {
  ctx.wait(durafn::seconds(2));
  return nullptr;
});

CONFORMANCE_DURABLE("2-2", [](const json&, DurableContext& ctx) -> json {
  ctx.wait("custom_wait_name", durafn::seconds(2));
  return nullptr;
});

CONFORMANCE_DURABLE("2-3", [](const json&, DurableContext& ctx) -> json {
  ctx.wait("wait-1", durafn::seconds(2));
  ctx.wait("wait-2", durafn::seconds(2));
  return json{{"completedWaits", 2}};
});

CONFORMANCE_DURABLE("2-4", [](const json&, DurableContext& ctx) -> json {
  ctx.wait(durafn::minutes(1));
  return nullptr;
});
