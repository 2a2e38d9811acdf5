// The function the SDK end-to-end tests deploy: one durable handler whose behaviour is picked
// by the event's "scenario" member, served through durafn::run (or durafn::run_plain with
// --plain) exactly as a deployed bootstrap would be.
#include <cstring>
#include <stdexcept>
#include <string>

#include "durafn/durafn.h"

namespace {

using nlohmann::json;

struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct OrderRejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

durafn::RetryStrategy Quick(int attempts) {
  durafn::RetryConfig rc;
  rc.max_attempts = attempts;
  rc.initial_delay = durafn::seconds(1);
  rc.jitter = durafn::Jitter::kNone;
  return durafn::create_retry_strategy(rc);
}

json Handle(const json& event, durafn::DurableContext& ctx) {
  const std::string scenario = event.value("scenario", "");
  if (scenario == "step") {
    int v = ctx.step("double", [&](durafn::StepContext&) { return event.value("n", 0) * 2; });
    return {{"doubled", v}};
  }
  if (scenario == "retry") {
    json r = ctx.step(
        "flaky",
        [](durafn::StepContext& s) -> json {
          if (s.attempt() < 2) throw TransientError("attempt " + std::to_string(s.attempt()));
          return {{"attempt", s.attempt()}};
        },
        durafn::StepConfig::with_retry(Quick(3)));
    return r;
  }
  if (scenario == "retry-exhausted") {
    ctx.step(
        "hopeless",
        [](durafn::StepContext& s) -> json {
          throw TransientError("still failing on attempt " + std::to_string(s.attempt()));
        },
        durafn::StepConfig::with_retry(Quick(2)));
    return "unreachable";
  }
  if (scenario == "step-throws") {
    ctx.step(
        "charge", [](durafn::StepContext&) -> json { throw OrderRejected("card declined"); },
        durafn::StepConfig::with_retry(durafn::retry_presets::no_retry()));
    return "unreachable";
  }
  if (scenario == "handler-throws") {
    throw OrderRejected("order is invalid");
  }
  if (scenario == "wait") {
    ctx.wait("pause", durafn::seconds(1));
    return ctx.step("after", [](durafn::StepContext&) { return std::string("woke"); });
  }
  if (scenario == "wait-hour") {
    ctx.wait("long", durafn::hours(1));
    return ctx.step("after", [](durafn::StepContext&) { return std::string("woke"); });
  }
  if (scenario == "callback") {
    durafn::CallbackConfig cc;
    cc.timeout = durafn::minutes(5);
    auto cb = ctx.create_callback("approval", cc);
    ctx.step("notify", [&](durafn::StepContext&) { return cb.callback_id().size(); });
    json answer = cb.get();
    return {{"approval", json::parse(answer.get<std::string>())}};
  }
  if (scenario == "wait-for-callback") {
    durafn::WaitForCallbackConfig cfg;
    cfg.timeout = durafn::minutes(5);
    cfg.serdes = durafn::json_serdes();
    json v = ctx.wait_for_callback(
        "external", [](const std::string&, durafn::StepContext& s) { s.logger().info("sent"); },
        cfg);
    return {{"answer", v}};
  }
  if (scenario == "child") {
    json r = ctx.run_in_child_context("batch", [](durafn::DurableContext& c) {
      int a = c.step("inner", [](durafn::StepContext&) { return 3; });
      c.wait(durafn::seconds(1));
      return json{{"inner", a}};
    });
    return {{"child", r}};
  }
  if (scenario == "nondeterministic") {
    // A step name that changes between invocations: the replay must be rejected.
    std::string name = ctx.is_replaying() ? "second-name" : "first-name";
    ctx.step(name, [](durafn::StepContext&) { return 1; });
    ctx.wait(durafn::seconds(1));
    return "unreachable";
  }
  if (scenario == "parallel") {
    std::vector<durafn::ParallelBranch> branches = {
        {"sleeper",
         [](durafn::DurableContext& c) {
           c.wait(durafn::seconds(1));
           return c.step("after-sleep", [](durafn::StepContext&) { return json("slept"); });
         }},
        {"worker", [](durafn::DurableContext& c) {
           return c.step("work", [](durafn::StepContext&) { return json("worked"); });
         }}};
    durafn::ParallelConfig cfg;
    cfg.max_concurrency = 2;
    auto res = ctx.parallel("fan-out", branches, cfg);
    return {{"status", res.status()}, {"results", res.results()}};
  }
  if (scenario == "map") {
    std::vector<json> items = {1, 2, 3};
    durafn::MapConfig cfg;
    cfg.completion_config.tolerated_failure_count = 1;
    auto res = ctx.map(
        "squares", items,
        [](durafn::DurableContext& c, const json& item, int) -> json {
          int v = item.get<int>();
          if (v == 2) c.wait(durafn::seconds(1));
          return c.step(
              "square",
              [&](durafn::StepContext&) -> json {
                if (v == 3) throw OrderRejected("three is rejected");
                return v * v;
              },
              durafn::StepConfig::with_retry(durafn::retry_presets::no_retry()));
        },
        cfg);
    return {{"status", res.status()},
            {"results", res.results()},
            {"failures", res.failure_count()},
            {"reason", res.completion_reason_string()}};
  }
  if (scenario == "invoke") {
    json r = ctx.invoke("call-enricher", event.value("target", ""), {{"orderId", "O-1"}});
    return {{"enriched", r}};
  }
  if (scenario == "wait-for-condition") {
    durafn::WaitForConditionConfig cfg;
    cfg.initial_state = 0;
    cfg.wait_strategy = durafn::create_wait_strategy(durafn::WaitStrategyConfig{
        .should_continue_polling = [](const json& s) { return s.get<int>() < 2; },
        .max_attempts = 5,
        .initial_delay = durafn::seconds(1),
        .max_delay = durafn::seconds(1),
        .backoff_rate = 1.0,
        .jitter = durafn::Jitter::kNone});
    return ctx.wait_for_condition(
        "poll", [](const json& s, durafn::StepContext&) { return s.get<int>() + 1; }, cfg);
  }
  throw std::invalid_argument("unknown scenario '" + scenario + "'");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--plain") == 0) {
    return durafn::run_plain([](const json& event, const durafn::LambdaContext& lc) {
      return json{{"orderId", event.value("orderId", "")},
                  {"enrichedBy", "plain"},
                  {"hasRequestId", !lc.request_id.empty()}};
    });
  }
  return durafn::run(Handle);
}
