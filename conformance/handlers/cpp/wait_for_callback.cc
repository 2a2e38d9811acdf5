// The wait_for_callback suite (7-x): one handler per requirement. The callbacks are completed
// by the runner (the requirement's CallbackActions) or left to time out.
#include <stdexcept>
#include <string>

#include "durafn/durafn.h"
#include "registry.h"

namespace {

using durafn::DurableContext;
using durafn::StepContext;
using nlohmann::json;

// Most requirements name the operation after the input string.
std::string NameFrom(const json& event) {
  return event.is_string() ? event.get<std::string>() : std::string();
}

// A submitter that hands the id to nobody: the runner finds the callback in the history.
void NoOp(const std::string&, StepContext&) {}

}  // namespace

// 7.1: the payload the external system sends becomes the result.
CONFORMANCE_DURABLE("7-1", [](const json& event, DurableContext& ctx) -> json {
  return ctx.wait_for_callback(NameFrom(event), NoOp);
});

// 7.2: an explicit static name.
CONFORMANCE_DURABLE("7-2", [](const json&, DurableContext& ctx) -> json {
  return ctx.wait_for_callback("approval", NoOp);
});

// 7.3: no name, only an inline submitter.
CONFORMANCE_DURABLE("7-3", [](const json&, DurableContext& ctx) -> json {
  return ctx.wait_for_callback({}, [](const std::string&, StepContext&) {});
});

// 7.4: an external failure the handler does not catch fails the execution.
CONFORMANCE_DURABLE("7-4", [](const json& event, DurableContext& ctx) -> json {
  return ctx.wait_for_callback(NameFrom(event), NoOp);
});

// 7.6: the external failure is caught and the handler recovers.
CONFORMANCE_DURABLE("7-6", [](const json& event, DurableContext& ctx) -> json {
  try {
    return ctx.wait_for_callback(NameFrom(event), NoOp);
  } catch (const std::exception&) {
    return "recovered";
  }
});

// 7.7: a submitter that always throws, with 2 attempts 1 s apart; the failure is not caught.
CONFORMANCE_DURABLE("7-7", [](const json& event, DurableContext& ctx) -> json {
  durafn::WaitForCallbackConfig config;
  durafn::RetryConfig retry;
  retry.max_attempts = 2;
  retry.initial_delay = durafn::seconds(1);
  retry.max_delay = durafn::seconds(1);
  retry.backoff_rate = 1.0;
  retry.jitter = durafn::Jitter::kNone;
  config.retry_strategy = durafn::create_retry_strategy(retry);
  return ctx.wait_for_callback(
      NameFrom(event),
      [](const std::string&, StepContext&) { throw std::runtime_error("submitter failed"); },
      config);
});

// 7.8: wait_for_callback inside a child context named "wrapper".
CONFORMANCE_DURABLE("7-8", [](const json& event, DurableContext& ctx) -> json {
  std::string name = NameFrom(event);
  return ctx.run_in_child_context(
      "wrapper", [&](DurableContext& child) { return child.wait_for_callback(name, NoOp); });
});

// 7.9: two sequential operations, "first" then "second"; returns the second result.
CONFORMANCE_DURABLE("7-9", [](const json&, DurableContext& ctx) -> json {
  ctx.wait_for_callback("first", NoOp);
  return ctx.wait_for_callback("second", NoOp);
});

// 7.11: the payload is parsed as JSON and the handler returns its "status".
CONFORMANCE_DURABLE("7-11", [](const json& event, DurableContext& ctx) -> json {
  durafn::WaitForCallbackConfig config;
  config.serdes = durafn::json_serdes();
  json result = ctx.wait_for_callback(NameFrom(event), NoOp, config);
  return result.at("status");
});

// 7.12: a 5 s heartbeat timeout nobody honours; the timeout is not caught.
CONFORMANCE_DURABLE("7-12", [](const json& event, DurableContext& ctx) -> json {
  durafn::WaitForCallbackConfig config;
  config.heartbeat_timeout = durafn::seconds(5);
  return ctx.wait_for_callback(NameFrom(event), NoOp, config);
});

// 7.13: a 10 s heartbeat timeout; the runner heartbeats, then succeeds the callback.
CONFORMANCE_DURABLE("7-13", [](const json& event, DurableContext& ctx) -> json {
  durafn::WaitForCallbackConfig config;
  config.heartbeat_timeout = durafn::seconds(10);
  return ctx.wait_for_callback(NameFrom(event), NoOp, config);
});

// 7.14: a 3 s timeout; the timeout error is caught.
CONFORMANCE_DURABLE("7-14", [](const json& event, DurableContext& ctx) -> json {
  durafn::WaitForCallbackConfig config;
  config.timeout = durafn::seconds(3);
  try {
    return ctx.wait_for_callback(NameFrom(event), NoOp, config);
  } catch (const std::exception&) {
    return "timed-out-handled";
  }
});
