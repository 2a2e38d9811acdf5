// Handlers of the step suite (1-x): one step or a few, with names, retries, serdes and
// at-most-once semantics.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "durafn/durafn.h"
#include "registry.h"

namespace {

using durafn::DurableContext;
using durafn::StepConfig;
using durafn::StepContext;
using nlohmann::json;

std::string Greeting(const json& event) {
  return "Hello, " + (event.is_string() ? event.get<std::string>() : event.dump()) + "!";
}

// Every string inside `v`, upper-cased.
json Uppercase(json v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
  }
  if (v.is_array() || v.is_object()) {
    for (auto& item : v)
      item = Uppercase(item);
  }
  return v;
}

durafn::RetryStrategy FixedRetry(int max_attempts, int delay_seconds, double backoff = 1.0) {
  durafn::RetryConfig c;
  c.max_attempts = max_attempts;
  c.initial_delay = durafn::seconds(delay_seconds);
  c.max_delay = durafn::minutes(5);
  c.backoff_rate = backoff;
  c.jitter = durafn::Jitter::kNone;
  return durafn::create_retry_strategy(c);
}

// Ends the worker process the way a crashing Lambda does: no /response, no /error.
[[noreturn]] void Crash() {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(1);
}

}  // namespace

CONFORMANCE_DURABLE("1-1", [](const json& event, DurableContext& ctx) -> json {
  return ctx.step([&](StepContext&) { return Greeting(event); });
});

CONFORMANCE_DURABLE("1-2", [](const json& event, DurableContext& ctx) -> json {
  return ctx.step("custom_step_name", [&](StepContext&) { return Greeting(event); });
});

CONFORMANCE_DURABLE("1-3", [](const json&, DurableContext& ctx) -> json {
  std::string first = ctx.step([](StepContext&) { return std::string("first"); });
  return ctx.step([&](StepContext&) { return first + "_second"; });
});

CONFORMANCE_DURABLE("1-4", [](const json& event, DurableContext& ctx) -> json {
  return ctx.step([&](StepContext&) {
    json tags = event.value("tags", json::array());
    return json{{"user", {{"name", event.value("name", "")}, {"tags", tags}}},
                {"count", tags.size()}};
  });
});

CONFORMANCE_DURABLE("1-6", [](const json& event, DurableContext& ctx) -> json {
  StepConfig config;
  config.serdes = durafn::Serdes{
      [](const json& v) -> std::optional<std::string> { return Uppercase(v).dump(); },
      [](const std::optional<std::string>& text) -> json {
        return text ? json::parse(*text) : json();
      }};
  return ctx.step_json(
      "", [&](StepContext&) { return event; }, config);
});

CONFORMANCE_DURABLE("1-7", [](const json& event, DurableContext& ctx) -> json {
  std::string input = event.is_string() ? event.get<std::string>() : event.dump();
  return ctx.step([&](StepContext& s) {
    s.logger().info("Greeting step started for: " + input);
    std::string greeting = Greeting(event);
    s.logger().info("Greeting step completed with: " + greeting);
    return greeting;
  });
});

CONFORMANCE_DURABLE("1-8", [](const json&, DurableContext& ctx) -> json {
  std::string value = ctx.step([](StepContext&) { return std::string("computed"); });
  ctx.wait(durafn::seconds(2));
  return value;
});

CONFORMANCE_DURABLE("1-9", [](const json&, DurableContext& ctx) -> json {
  std::string value = ctx.step([](StepContext& s) {
    s.logger().info("step executed");
    return std::string("cached_value");
  });
  ctx.wait(durafn::seconds(1));
  return value;
});

CONFORMANCE_DURABLE("1-11", [](const json&, DurableContext& ctx) -> json {
  return ctx.step(
      [](StepContext& s) {
        if (s.attempt() == 1) throw std::runtime_error("Transient failure on first attempt");
        return std::string("Operation succeeded");
      },
      StepConfig::with_retry(FixedRetry(3, 1)));
});

CONFORMANCE_DURABLE("1-12", [](const json&, DurableContext& ctx) -> json {
  return ctx.step([](StepContext&) -> std::string { throw std::runtime_error("Always fails"); },
                  StepConfig::with_retry(FixedRetry(4, 1)));
});

CONFORMANCE_DURABLE("1-13", [](const json&, DurableContext& ctx) -> json {
  // No strategy: the SDK's default (6 attempts, 5 s, x2, full jitter).
  return ctx.step([](StepContext& s) {
    if (s.attempt() < 3) {
      throw std::runtime_error("Failure on attempt " + std::to_string(s.attempt()));
    }
    return json{{"attempts", s.attempt()}};
  });
});

CONFORMANCE_DURABLE("1-14", [](const json&, DurableContext& ctx) -> json {
  // The attempt number comes from the checkpointed step state, so no external store is needed
  // to count attempts across invocations.
  return ctx.step(
      [](StepContext& s) {
        if (s.attempt() < 3) {
          throw std::runtime_error("Failure on attempt " + std::to_string(s.attempt()));
        }
        return json{{"attempts", s.attempt()}};
      },
      StepConfig::with_retry(FixedRetry(5, 2, 3.0)));
});

CONFORMANCE_DURABLE("1-16", [](const json&, DurableContext& ctx) -> json {
  durafn::RetryStrategy no_retry_on_transient = [](const durafn::ErrorInfo& error, int attempts) {
    durafn::RetryDecision d;
    d.should_retry = error.type != "TransientError" && attempts < 3;
    return d;
  };
  return ctx.step(
      [](StepContext&) -> std::string {
        throw durafn::Error("TransientError", "A transient error the strategy does not retry");
      },
      StepConfig::with_retry(no_retry_on_transient));
});

CONFORMANCE_DURABLE("1-17", [](const json& event, DurableContext& ctx) -> json {
  std::string input = event.is_string() ? event.get<std::string>() : event.dump();
  return ctx.step(
      "at_most_once_flaky_step",
      [&](StepContext& s) -> std::string {
        s.logger().info("Running step for input " + input);
        Crash();
      },
      StepConfig::at_most_once(durafn::retry_presets::no_retry()));
});

CONFORMANCE_DURABLE("1-18", [](const json& event, DurableContext& ctx) -> json {
  std::string input = event.is_string() ? event.get<std::string>() : event.dump();
  return ctx.step(
      [&](StepContext& s) -> std::string {
        s.logger().info("Running step for input " + input);
        if (s.attempt() == 1) Crash();
        return "succeeded on second attempt";
      },
      StepConfig::at_most_once(FixedRetry(3, 1)));
});

CONFORMANCE_DURABLE("1-19", [](const json&, DurableContext& ctx) -> json {
  return ctx.step([](StepContext&) -> std::string { throw std::runtime_error("Step failed"); },
                  StepConfig::with_retry(durafn::retry_presets::no_retry()));
});
