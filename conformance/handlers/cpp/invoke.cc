// Chained-invoke requirements (5-x) and the targets they call. The targets are durable
// functions (their executions give ChainedInvokeStarted its DurableExecutionArn), so the
// callers qualify them with $LATEST.
#include <algorithm>
#include <cctype>
#include <string>

#include "registry.h"

namespace {

using durafn::DurableContext;
using durafn::StepContext;
using nlohmann::json;

// The deployed, qualified name of a durable target.
std::string Target(std::string_view id) {
  return conformance::function_name(id) + ":$LATEST";
}

// Just under the 1 MiB limit of an asynchronous invocation's payload, JSON overhead included.
constexpr std::size_t kLargePayloadChars = 1'000'000;

}  // namespace

// Target: returns its event unchanged.
CONFORMANCE_DURABLE("invoke-echo",
                    [](const json& event, DurableContext&) -> json { return event; });

// Target: always fails.
CONFORMANCE_DURABLE("invoke-fail", [](const json&, DurableContext&) -> json {
  throw durafn::Error("TargetError", "the invoke target failed on purpose");
});

// Target: returns the length of the string in the event's `data`.
CONFORMANCE_DURABLE("invoke-size", [](const json& event, DurableContext&) -> json {
  return json{{"length", event.at("data").get<std::string>().size()}};
});

// 5.1: invokes the echo target with the input; returns its result.
CONFORMANCE_DURABLE("5-1", [](const json& event, DurableContext& ctx) -> json {
  return ctx.invoke("", Target("invoke-echo"), event);
});

// 5.2: an invoke named by the input's `name`, with its `payload`.
CONFORMANCE_DURABLE("5-2", [](const json& event, DurableContext& ctx) -> json {
  const std::string name = event.at("name");
  return ctx.invoke(name, Target("invoke-echo"), event.at("payload"));
});

// 5.3: the echo target returns the nested input object as it is.
CONFORMANCE_DURABLE("5-3", [](const json& event, DurableContext& ctx) -> json {
  return ctx.invoke("", Target("invoke-echo"), event);
});

// 5.4: invokes the echo target with null.
CONFORMANCE_DURABLE("5-4", [](const json&, DurableContext& ctx) -> json {
  return ctx.invoke("", Target("invoke-echo"), nullptr);
});

// 5.6: the target fails; the handler catches the InvokeError and returns a fallback.
CONFORMANCE_DURABLE("5-6", [](const json&, DurableContext& ctx) -> json {
  try {
    return ctx.invoke("", Target("invoke-fail"), json::object());
  } catch (const durafn::InvokeError& e) {
    return json{{"fallback", true}, {"error", e.what()}};
  }
});

// 5.7: a payload near the invocation size limit; the target returns its length.
CONFORMANCE_DURABLE("5-7", [](const json&, DurableContext& ctx) -> json {
  json payload{{"data", std::string(kLargePayloadChars, 'x')}};
  return ctx.invoke("", Target("invoke-size"), payload);
});

// 5.8: an invoke with the input's `tenantId`, passing its `payload`.
CONFORMANCE_DURABLE("5-8", [](const json& event, DurableContext& ctx) -> json {
  durafn::InvokeConfig config;
  config.tenant_id = event.at("tenantId").get<std::string>();
  return ctx.invoke("", Target("invoke-echo"), event.at("payload"), config);
});

// 5.9: an invoke, then a wait; the replay after the wait takes the cached invoke result.
CONFORMANCE_DURABLE("5-9", [](const json&, DurableContext& ctx) -> json {
  json result = ctx.invoke("", Target("invoke-echo"), "cached");
  ctx.wait(durafn::seconds(1));
  return result;
});

// 5.11: a step, then an invoke of the step's result.
CONFORMANCE_DURABLE("5-11", [](const json&, DurableContext& ctx) -> json {
  json value = ctx.step_json("", [](StepContext&) { return json{{"from", "step"}}; });
  return ctx.invoke("", Target("invoke-echo"), value);
});

// 5.12: an invoke, then a step that processes its result.
CONFORMANCE_DURABLE("5-12", [](const json&, DurableContext& ctx) -> json {
  json result = ctx.invoke("", Target("invoke-echo"), json{{"from", "invoke"}});
  return ctx.step_json("", [&](StepContext&) { return json{{"processed", result}}; });
});

// 5.13: an invoke inside a child context, which returns its result.
CONFORMANCE_DURABLE("5-13", [](const json&, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [](DurableContext& child) {
    return child.invoke("", Target("invoke-echo"), "from child");
  });
});

// 5.14: two invokes in sequence (of two different targets).
CONFORMANCE_DURABLE("5-14", [](const json&, DurableContext& ctx) -> json {
  json first = ctx.invoke("", Target("invoke-echo"), "first");
  json second = ctx.invoke("", Target("invoke-size"), json{{"data", "second"}});
  return {first, second};
});

// 5.16: a result serdes that upper-cases the result text it reads.
CONFORMANCE_DURABLE("5-16", [](const json& event, DurableContext& ctx) -> json {
  durafn::Serdes upper{[](const json& v) -> std::optional<std::string> { return v.dump(); },
                       [](const std::optional<std::string>& text) -> json {
                         std::string s = text.value_or("");
                         std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
                           return static_cast<char>(std::toupper(c));
                         });
                         return s;
                       }};
  durafn::InvokeConfig config;
  config.result_serdes = upper;
  return ctx.invoke("", Target("invoke-echo"), event, config);
});
