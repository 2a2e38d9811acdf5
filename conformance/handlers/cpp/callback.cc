// Callback requirements (4-x): create_callback with names, timeouts, heartbeat timeouts,
// custom serdes, failures (caught and not) and several callbacks at once. The callbacks are
// completed, or left to time out, by the test harness.
#include <string>

#include "registry.h"

namespace {

using durafn::CallbackConfig;
using durafn::DurableContext;
using durafn::StepContext;
using nlohmann::json;

CallbackConfig WithTimeout(durafn::Duration d) {
  CallbackConfig c;
  c.timeout = d;
  return c;
}

CallbackConfig WithHeartbeatTimeout(durafn::Duration d) {
  CallbackConfig c;
  c.heartbeat_timeout = d;
  return c;
}

}  // namespace

// 4.1: a callback named by the input; returns its result.
CONFORMANCE_DURABLE("4-1", [](const json& event, DurableContext& ctx) -> json {
  return ctx.create_callback(event.get<std::string>()).get();
});

// 4.2: a callback named "approval".
CONFORMANCE_DURABLE("4-2", [](const json&, DurableContext& ctx) -> json {
  return ctx.create_callback("approval").get();
});

// 4.3: a 5 s timeout and no answer: CallbackTimeoutError fails the execution.
CONFORMANCE_DURABLE("4-3", [](const json& event, DurableContext& ctx) -> json {
  return ctx.create_callback(event.get<std::string>(), WithTimeout(durafn::seconds(5))).get();
});

// 4.4: a 5 s heartbeat timeout and no heartbeat: the callback times out.
CONFORMANCE_DURABLE("4-4", [](const json& event, DurableContext& ctx) -> json {
  return ctx.create_callback(event.get<std::string>(), WithHeartbeatTimeout(durafn::seconds(5)))
      .get();
});

// 4.6: the callback is failed externally; the error is not caught.
CONFORMANCE_DURABLE("4-6", [](const json& event, DurableContext& ctx) -> json {
  return ctx.create_callback(event.get<std::string>()).get();
});

// 4.7: a callback, then a step, then its result (failed externally, not caught).
CONFORMANCE_DURABLE("4-7", [](const json& event, DurableContext& ctx) -> json {
  auto cb = ctx.create_callback(event.get<std::string>());
  ctx.step_json("", [&](StepContext&) { return json(cb.callback_id()); });
  return cb.get();
});

// 4.8: a callback with a 5 s timeout, then a step, then its result (times out).
CONFORMANCE_DURABLE("4-8", [](const json& event, DurableContext& ctx) -> json {
  auto cb = ctx.create_callback(event.get<std::string>(), WithTimeout(durafn::seconds(5)));
  ctx.step_json("", [&](StepContext&) { return json(cb.callback_id()); });
  return cb.get();
});

// 4.9: a callback, a 5 s wait (the callback succeeds meanwhile), then its result.
CONFORMANCE_DURABLE("4-9", [](const json& event, DurableContext& ctx) -> json {
  auto cb = ctx.create_callback(event.get<std::string>());
  ctx.wait(durafn::seconds(5));
  return cb.get();
});

// 4.11: a callback with a 3 s timeout, a 6 s wait, then its result: it timed out during
// the wait, so the execution fails.
CONFORMANCE_DURABLE("4-11", [](const json& event, DurableContext& ctx) -> json {
  auto cb = ctx.create_callback(event.get<std::string>(), WithTimeout(durafn::seconds(3)));
  ctx.wait(durafn::seconds(6));
  return cb.get();
});

// 4.12: the callback's result, then a 2 s wait, then that result.
CONFORMANCE_DURABLE("4-12", [](const json& event, DurableContext& ctx) -> json {
  json result = ctx.create_callback(event.get<std::string>()).get();
  ctx.wait(durafn::seconds(2));
  return result;
});

// 4.13: the callback fails; the handler catches it, waits 2 s and returns a message.
CONFORMANCE_DURABLE("4-13", [](const json& event, DurableContext& ctx) -> json {
  std::string message;
  try {
    ctx.create_callback(event.get<std::string>()).get();
    message = "callback succeeded";
  } catch (const durafn::CallbackError& e) {
    message = std::string("callback failed: ") + e.what();
  }
  ctx.wait(durafn::seconds(2));
  return message;
});

// 4.14: the callback times out after 3 s; the handler catches it, waits 2 s and returns.
CONFORMANCE_DURABLE("4-14", [](const json& event, DurableContext& ctx) -> json {
  std::string message;
  try {
    ctx.create_callback(event.get<std::string>(), WithTimeout(durafn::seconds(3))).get();
    message = "callback succeeded";
  } catch (const durafn::CallbackTimeoutError& e) {
    message = std::string("callback timed out: ") + e.what();
  }
  ctx.wait(durafn::seconds(2));
  return message;
});

// 4.16: a deserializer that reads the result as a number; returns it and its double.
CONFORMANCE_DURABLE("4-16", [](const json& event, DurableContext& ctx) -> json {
  durafn::Serdes numeric{[](const json& v) -> std::optional<std::string> { return v.dump(); },
                         [](const std::optional<std::string>& text) -> json {
                           if (!text) return nullptr;
                           // The text is a JSON number, or a JSON string holding one.
                           json v = json::parse(*text);
                           if (v.is_string()) v = json::parse(v.get<std::string>());
                           if (!v.is_number())
                             throw std::invalid_argument("callback result is not a number");
                           return v;
                         }};
  CallbackConfig config;
  config.serdes = numeric;
  json count = ctx.create_callback(event.get<std::string>(), config).get();
  json doubled =
      count.is_number_integer() ? json(count.get<int64_t>() * 2) : json(count.get<double>() * 2);
  return {{"count", count}, {"doubled", doubled}};
});

// 4.17: callback A, its result, then callback B, its result.
CONFORMANCE_DURABLE("4-17", [](const json& event, DurableContext& ctx) -> json {
  json a = ctx.create_callback(event.at(0).get<std::string>()).get();
  json b = ctx.create_callback(event.at(1).get<std::string>()).get();
  return {a, b};
});

// 4.18: callbacks A and B, then A's result, then B's.
CONFORMANCE_DURABLE("4-18", [](const json& event, DurableContext& ctx) -> json {
  auto a = ctx.create_callback(event.at(0).get<std::string>());
  auto b = ctx.create_callback(event.at(1).get<std::string>());
  json ra = a.get();
  json rb = b.get();
  return {ra, rb};
});

// 4.19: callbacks A and B, then B's result, then A's.
CONFORMANCE_DURABLE("4-19", [](const json& event, DurableContext& ctx) -> json {
  auto a = ctx.create_callback(event.at(0).get<std::string>());
  auto b = ctx.create_callback(event.at(1).get<std::string>());
  json rb = b.get();
  json ra = a.get();
  return {ra, rb};
});
