// wait_for_condition requirements (6-x): polling counters and objects, immediate stops,
// names, initial states, max attempts, failing checks and custom state serdes.
#include <stdexcept>
#include <string>

#include "registry.h"

namespace {

using durafn::DurableContext;
using durafn::StepContext;
using durafn::WaitDecision;
using durafn::WaitForConditionConfig;
using nlohmann::json;

// Polls again after one second while `keep_polling(state)` holds.
durafn::WaitStrategy PollWhile(std::function<bool(const json&)> keep_polling) {
  return [keep_polling](const json& state, int) -> WaitDecision {
    if (keep_polling(state)) return {true, durafn::seconds(1)};
    return {false, durafn::seconds(1)};
  };
}

// The check most requirements use: state + 1.
json Increment(const json& state, StepContext&) {
  return state.get<int64_t>() + 1;
}

// Counts from `initial` to `threshold`, one poll per invocation.
json CountUpTo(DurableContext& ctx, std::string_view name, int64_t initial, int64_t threshold) {
  WaitForConditionConfig config;
  config.initial_state = initial;
  config.wait_strategy = PollWhile([threshold](const json& s) { return s < threshold; });
  return ctx.wait_for_condition(name, Increment, config);
}

}  // namespace

// 6.1: counts from 0 up to the input threshold; returns it.
CONFORMANCE_DURABLE("6-1", [](const json& event, DurableContext& ctx) -> json {
  return CountUpTo(ctx, "", 0, event.get<int64_t>());
});

// 6.2: the initial state 5 already meets the condition (state >= input) on the first check.
CONFORMANCE_DURABLE("6-2", [](const json& event, DurableContext& ctx) -> json {
  const int64_t threshold = event.get<int64_t>();
  WaitForConditionConfig config;
  config.initial_state = 5;
  config.wait_strategy = PollWhile([threshold](const json& s) { return s < threshold; });
  return ctx.wait_for_condition(
      "", [](const json& state, StepContext&) { return state; }, config);
});

// 6.3: named "poll-status", counts from 0 up to the input threshold.
CONFORMANCE_DURABLE("6-3", [](const json& event, DurableContext& ctx) -> json {
  return CountUpTo(ctx, "poll-status", 0, event.get<int64_t>());
});

// 6.4: counts from the initial state 5 up to the input threshold.
CONFORMANCE_DURABLE("6-4", [](const json& event, DurableContext& ctx) -> json {
  return CountUpTo(ctx, "", 5, event.get<int64_t>());
});

// 6.6: the condition is never met; a fixed-delay strategy of 3 attempts gives up on the
// third and the execution fails.
CONFORMANCE_DURABLE("6-6", [](const json& event, DurableContext& ctx) -> json {
  WaitForConditionConfig config;
  config.initial_state = event;
  durafn::WaitStrategyConfig fixed;
  fixed.should_continue_polling = [](const json&) { return true; };
  fixed.max_attempts = 3;
  fixed.initial_delay = durafn::seconds(1);
  fixed.max_delay = durafn::seconds(1);
  fixed.backoff_rate = 1.0;
  fixed.jitter = durafn::Jitter::kNone;
  config.wait_strategy = durafn::create_wait_strategy(fixed);
  return ctx.wait_for_condition("", Increment, config);
});

// 6.7: the check throws on its first run; the error is not caught.
CONFORMANCE_DURABLE("6-7", [](const json&, DurableContext& ctx) -> json {
  WaitForConditionConfig config;
  config.initial_state = 0;
  config.wait_strategy = PollWhile([](const json&) { return true; });
  return ctx.wait_for_condition(
      "", [](const json&, StepContext&) -> json { throw std::runtime_error("check failed"); },
      config);
});

// 6.8: the check throws; the handler catches the error and returns "recovered".
CONFORMANCE_DURABLE("6-8", [](const json&, DurableContext& ctx) -> json {
  WaitForConditionConfig config;
  config.initial_state = 0;
  config.wait_strategy = PollWhile([](const json&) { return true; });
  try {
    return ctx.wait_for_condition(
        "", [](const json&, StepContext&) -> json { throw std::runtime_error("check failed"); },
        config);
  } catch (const std::exception&) {
    return "recovered";
  }
});

// 6.9: an object state {status, attempts}: DONE once attempts reaches 2.
CONFORMANCE_DURABLE("6-9", [](const json&, DurableContext& ctx) -> json {
  WaitForConditionConfig config;
  config.initial_state = {{"status", "PENDING"}, {"attempts", 0}};
  config.wait_strategy = PollWhile([](const json& s) { return s.at("status") == "PENDING"; });
  return ctx.wait_for_condition(
      "",
      [](const json& state, StepContext&) {
        int64_t attempts = state.at("attempts").get<int64_t>() + 1;
        return json{{"status", attempts >= 2 ? "DONE" : "PENDING"}, {"attempts", attempts}};
      },
      config);
});

// 6.11: a string state checkpointed through a custom serdes ("enc:" + text); each check
// appends "x" until the state is "xx".
CONFORMANCE_DURABLE("6-11", [](const json&, DurableContext& ctx) -> json {
  static const std::string kPrefix = "enc:";
  WaitForConditionConfig config;
  config.initial_state = "";
  config.wait_strategy = PollWhile([](const json& s) { return s.get<std::string>().size() < 2; });
  config.serdes = durafn::Serdes{
      [](const json& v) -> std::optional<std::string> { return kPrefix + v.get<std::string>(); },
      [](const std::optional<std::string>& text) -> json {
        if (!text || text->rfind(kPrefix, 0) != 0) {
          throw std::invalid_argument("state was not written by this serdes");
        }
        return text->substr(kPrefix.size());
      }};
  return ctx.wait_for_condition(
      "", [](const json& state, StepContext&) { return json(state.get<std::string>() + "x"); },
      config);
});

// 6.12: counts from 0 up to the input threshold, then a step multiplies the result by 10.
CONFORMANCE_DURABLE("6-12", [](const json& event, DurableContext& ctx) -> json {
  int64_t reached = CountUpTo(ctx, "", 0, event.get<int64_t>()).get<int64_t>();
  return ctx.step_json("", [reached](StepContext&) { return json(reached * 10); });
});

// 6.13: counts from 0 to 2, then from that result to 4.
CONFORMANCE_DURABLE("6-13", [](const json&, DurableContext& ctx) -> json {
  int64_t first = CountUpTo(ctx, "", 0, 2).get<int64_t>();
  return CountUpTo(ctx, "", first, 4);
});
