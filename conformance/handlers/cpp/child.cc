// Child-context requirements (3-x): run_in_child_context with steps, waits, retries, nesting,
// custom serdes and results too large to checkpoint.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "registry.h"

namespace {

using durafn::DurableContext;
using durafn::StepContext;
using nlohmann::json;

// Retries after a one-second fixed delay, at most `attempts` attempts in all.
durafn::RetryStrategy FixedRetry(int attempts) {
  durafn::RetryConfig c;
  c.max_attempts = attempts;
  c.initial_delay = durafn::seconds(1);
  c.max_delay = durafn::seconds(1);
  c.backoff_rate = 1.0;
  c.jitter = durafn::Jitter::kNone;
  return durafn::create_retry_strategy(c);
}

// The logs of these requirements must show replays too (AWS's "replay logging enabled").
void LogDuringReplay() {
  durafn::LoggingConfig c;
  c.suppress_during_replay = false;
  durafn::configure_logging(std::move(c));
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// True on the first call for `key` (the execution ARN), false on the next, which forgets
// the key again: a marker file outlives the crashed process, so each execution's step
// crashes exactly once and leaves nothing behind.
bool FirstRunOf(const std::string& key) {
  auto path = std::filesystem::temp_directory_path() /
              ("durafn-conformance-crash-" + std::to_string(std::hash<std::string>{}(key)));
  std::error_code ec;
  if (std::filesystem::remove(path, ec)) return false;
  std::ofstream(path) << key;
  return true;
}

}  // namespace

// 3.1: a child context holding one step that returns the input.
CONFORMANCE_DURABLE("3-1", [](const json& event, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json("", [&](StepContext&) { return event; });
  });
});

// 3.2: a child context named by the input's `name`; its step returns `value`.
CONFORMANCE_DURABLE("3-2", [](const json& event, DurableContext& ctx) -> json {
  const std::string name = event.at("name");
  return ctx.run_in_child_context(name, [&](DurableContext& child) {
    return child.step_json("", [&](StepContext&) { return event.at("value"); });
  });
});

// 3.3: two sequential steps in a child; the second returns the first's result unchanged.
CONFORMANCE_DURABLE("3-3", [](const json& event, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    json first = child.step_json("", [&](StepContext&) { return event; });
    return child.step_json("", [&](StepContext&) { return first; });
  });
});

// 3.4: the child's step throws with no retry; the ChildContextError fails the execution.
CONFORMANCE_DURABLE("3-4", [](const json&, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json(
        "", [](StepContext&) -> json { throw std::runtime_error("step failed inside child"); },
        durafn::StepConfig::with_retry(durafn::retry_presets::no_retry()));
  });
});

// 3.6: an outer child with a step and an inner child (with its own step).
CONFORMANCE_DURABLE("3-6", [](const json& event, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("outer", [&](DurableContext& outer) {
    outer.step_json("", [&](StepContext&) { return event; });
    return outer.run_in_child_context("inner", [&](DurableContext& inner) {
      return inner.step_json("", [&](StepContext&) { return event; });
    });
  });
});

// 3.7: the child's step fails on attempt 1 and returns the input on attempt 2.
CONFORMANCE_DURABLE("3-7", [](const json& event, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json(
        "",
        [&](StepContext& s) -> json {
          if (s.attempt() == 1) throw std::runtime_error("first attempt fails");
          return event;
        },
        durafn::StepConfig::with_retry(FixedRetry(2)));
  });
});

// 3.8: the child's step always fails; after 2 attempts the child fails.
CONFORMANCE_DURABLE("3-8", [](const json&, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json(
        "",
        [](StepContext& s) -> json {
          throw std::runtime_error("attempt " + std::to_string(s.attempt()) + " fails");
        },
        durafn::StepConfig::with_retry(FixedRetry(2)));
  });
});

// 3.9: a child with a step, then a wait; the replay takes the child's cached result.
CONFORMANCE_DURABLE("3-9", [](const json& event, DurableContext& ctx) -> json {
  json result = ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json("", [&](StepContext&) { return event; });
  });
  ctx.wait(durafn::seconds(1));
  return result;
});

// 3.11: the child builds a result over 256 KiB from a small step result (ReplayChildren);
// the replay after the wait re-runs the child, which logs the input again.
CONFORMANCE_DURABLE("3-11", [](const json& event, DurableContext& ctx) -> json {
  LogDuringReplay();
  json big = ctx.run_in_child_context("large-result", [&](DurableContext& child) {
    child.logger().info("child context input: " + event.get<std::string>());
    std::string piece = child.step_json("", [](StepContext&) { return json("x"); });
    std::string large;
    large.reserve(300 * 1024);
    while (large.size() < 300 * 1024)
      large += piece;
    return json(large);
  });
  ctx.wait(durafn::seconds(1));
  return json{{"length", big.get<std::string>().size()}};
});

// 3.12: the child's step crashes the process once START is durable; the next invocation
// re-runs the step (no second StepStarted) and the child succeeds.
CONFORMANCE_DURABLE("3-12", [](const json& event, DurableContext& ctx) -> json {
  const std::string arn = ctx.execution_arn();
  return ctx.run_in_child_context("child", [&](DurableContext& child) {
    return child.step_json("", [&](StepContext&) {
      if (FirstRunOf(arn)) {
        // START is queued, not awaited: give the checkpoint queue time to send it.
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::_Exit(1);
      }
      return event;
    });
  });
});

// 3.13: a child holding only a wait, then a step outside it.
CONFORMANCE_DURABLE("3-13", [](const json& event, DurableContext& ctx) -> json {
  ctx.run_in_child_context("child", [&](DurableContext& child) {
    child.wait(durafn::seconds(1));
    return event;
  });
  return ctx.step_json("", [&](StepContext&) { return event; });
});

// 3.14: the child's serdes writes the result upper-cased; the handler returns that
// serialized form.
CONFORMANCE_DURABLE("3-14", [](const json& event, DurableContext& ctx) -> json {
  durafn::Serdes upper{
      [](const json& v) -> std::optional<std::string> { return Upper(v.get<std::string>()); },
      [](const std::optional<std::string>& s) -> json { return s ? json(*s) : json(); }};
  durafn::ChildContextConfig config;
  config.serdes = upper;
  json result = ctx.run_in_child_context(
      "child",
      [&](DurableContext& child) {
        return child.step_json("", [&](StepContext&) { return event; });
      },
      config);
  return *upper.serialize(result);
});

// 3.16: the child returns null without any durable operation.
CONFORMANCE_DURABLE("3-16", [](const json&, DurableContext& ctx) -> json {
  return ctx.run_in_child_context("child", [](DurableContext&) { return json(nullptr); });
});

// 3.17: the child only logs the input and returns it; a wait follows. The replay takes the
// cached result, so the log line appears once although replays log.
CONFORMANCE_DURABLE("3-17", [](const json& event, DurableContext& ctx) -> json {
  LogDuringReplay();
  json result = ctx.run_in_child_context("child", [&](DurableContext& child) {
    child.logger().info("child context input: " + event.get<std::string>());
    return event;
  });
  ctx.wait(durafn::seconds(1));
  return result;
});

// 3.18: a child with a step and a wait, then a step and a wait at the top level.
CONFORMANCE_DURABLE("3-18", [](const json& event, DurableContext& ctx) -> json {
  json result = ctx.run_in_child_context("child", [&](DurableContext& child) {
    json inner = child.step_json("", [&](StepContext&) { return event; });
    child.wait(durafn::seconds(1));
    return inner;
  });
  json outer = ctx.step_json("", [&](StepContext&) { return result; });
  ctx.wait(durafn::seconds(1));
  return outer;
});
