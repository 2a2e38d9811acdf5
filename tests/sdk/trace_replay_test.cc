// Replays the recorded exchanges of AWS's JS SDK (shared/protocol-traces) against the C++ SDK:
// each invocation gets the recorded envelope, and the checkpoint responses come from the
// recording, so the C++ handler written like the recorded JS one must emit the same updates
// (ids, parent ids, names, types, subtypes, actions, payloads, errors, options) and return
// the same output.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "durafn/durafn.h"
#include "protocol/json_codec.h"
#include "sdk/invocation.h"
#include "support/shared_dir.h"
#include "trace_fake_backend.h"

namespace durafn {
namespace {

using nlohmann::json;

// Error classes named like the recorded JS ones (the SDK records the class name).
struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct PaymentDeclinedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct BadItemError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ValidationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<json> LoadTrace(const std::string& name) {
  auto dir = testing::SharedDir();
  if (!dir) return std::nullopt;
  return testing::ReadJsonFile(*dir / "protocol-traces" / name);
}

// "YYYY-MM-DDTHH:MM:SS[.fff]Z" (std::regex trips a GCC 12 warning under the sanitizers).
bool IsIsoTimestamp(const std::string& s) {
  if (s.size() < 20 || s.back() != 'Z') return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    char c = s[i];
    bool ok = (i == 4 || i == 7)     ? c == '-'
              : i == 10              ? c == 'T'
              : (i == 13 || i == 16) ? c == ':'
              : i == 19              ? c == '.'
                                     : std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

// Wall-clock values written by handler code differ between runs; everything else must match.
json NormalizeValue(json v) {
  if (v.is_string() && IsIsoTimestamp(v.get<std::string>())) return "<timestamp>";
  if (v.is_object() || v.is_array()) {
    for (auto& e : v)
      e = NormalizeValue(e);
  }
  return v;
}

// JSON text payloads compare as values (key order is not significant in JSON).
json NormalizePayload(const json& text) {
  if (!text.is_string()) return text;
  const std::string& s = text.get_ref<const std::string&>();
  if (auto pos = s.find("...[truncated by tracer: "); pos != std::string::npos) {
    return "<" + s.substr(pos + 25, s.find(' ', pos + 25) - pos - 25) + " bytes>";
  }
  if (s.size() > 65536) return "<" + std::to_string(s.size()) + " bytes>";
  auto parsed = json::parse(s, nullptr, false);
  if (parsed.is_discarded()) return text;
  return json{{"json", NormalizeValue(parsed)}};
}

json NormalizeUpdate(const json& u) {
  json out;
  for (const char* key :
       {"Id", "ParentId", "Name", "Type", "SubType", "Action", "StepOptions", "WaitOptions",
        "CallbackOptions", "ChainedInvokeOptions", "ContextOptions"}) {
    if (u.contains(key)) out[key] = u[key];
  }
  if (u.value("Type", "") == "EXECUTION") out.erase("Id");  // derived from the clock
  if (u.contains("Payload")) out["Payload"] = NormalizePayload(u["Payload"]);
  if (u.contains("Error")) {
    for (const char* key : {"ErrorType", "ErrorMessage", "ErrorData"}) {
      if (u["Error"].contains(key)) out["Error"][key] = u["Error"][key];
    }
  }
  return out;
}

json NormalizeOutput(json out) {
  if (out.contains("Result")) out["Result"] = NormalizePayload(out["Result"]);
  return out;
}

struct InvocationCase {
  json envelope;
  json checkpoints;  // [{request, response}]
  json state_calls;
  json output;
};

// Runs one recorded invocation through the C++ SDK and compares what crossed the wire.
void ReplayInvocation(testing::TraceFakeBackend& backend, const InvocationCase& c,
                      const DurableHandler& handler, bool concurrent, const std::string& label) {
  SCOPED_TRACE(label);
  backend.Load(c.envelope["CheckpointToken"], c.checkpoints, c.state_calls);
  sdk::HttpDurableClient client(*sdk::Endpoint::Parse(backend.endpoint()));
  LambdaContext lc;
  lc.request_id = "req-" + label;
  protocol::InvocationOutput out = sdk::RunDurableInvocation(c.envelope, handler, client, lc);
  EXPECT_EQ(backend.errors(), std::vector<std::string>{});
  EXPECT_EQ(backend.state_requests().size(), c.state_calls.size());

  std::vector<json> got = backend.received();
  std::vector<json> want;
  for (const auto& cp : c.checkpoints)
    want.push_back(cp["request"].value("Updates", json::array()));
  if (!concurrent) {
    // Same requests, same updates, same order.
    ASSERT_EQ(got.size(), want.size()) << json(got).dump().substr(0, 2000);
    for (std::size_t i = 0; i < want.size(); ++i) {
      json g = json::array(), w = json::array();
      for (const auto& u : got[i])
        g.push_back(NormalizeUpdate(u));
      for (const auto& u : want[i])
        w.push_back(NormalizeUpdate(u));
      EXPECT_EQ(g, w) << "checkpoint request " << i;
    }
  } else {
    // Threads may group updates differently: the same updates, each parent START before
    // its children's updates.
    std::vector<json> g, w;
    for (const auto& req : got) {
      for (const auto& u : req)
        g.push_back(NormalizeUpdate(u));
    }
    for (const auto& req : want) {
      for (const auto& u : req)
        w.push_back(NormalizeUpdate(u));
    }
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!g[i].contains("ParentId")) continue;
      auto parent_start = std::find_if(g.begin(), g.end(), [&](const json& u) {
        return u["Id"] == g[i]["ParentId"] && u["Action"] == "START";
      });
      if (parent_start != g.end()) {
        EXPECT_LT(parent_start - g.begin(), static_cast<long>(i));
      }
    }
    auto key = [](const json& a, const json& b) { return a.dump() < b.dump(); };
    std::sort(g.begin(), g.end(), key);
    std::sort(w.begin(), w.end(), key);
    EXPECT_EQ(json(g), json(w));
  }
  EXPECT_EQ(NormalizeOutput(protocol::Encode(out)), NormalizeOutput(c.output));
}

void ReplayTrace(const std::string& file, const DurableHandler& handler, bool concurrent = false,
                 const std::string& execution = "root") {
  auto trace = LoadTrace(file);
  if (!trace) GTEST_SKIP() << testing::SharedDirMissingReason();
  testing::TraceFakeBackend backend;
  int n = 0;
  for (const auto& inv : (*trace)["invocations"]) {
    if (inv["execution"] != execution) continue;
    InvocationCase c;
    c.envelope =
        inv.contains("inputAsDeliveredToSdk") ? inv["inputAsDeliveredToSdk"] : inv["input"];
    c.checkpoints = inv["checkpoints"];
    c.state_calls = inv.value("stateCalls", json::array());
    c.output = inv["output"];
    ReplayInvocation(backend, c, handler, concurrent, file + "#" + std::to_string(n++));
  }
  EXPECT_GT(n, 0);
}

json OrderProcessing(const json& event, DurableContext& ctx) {
  if (!event.is_object() || !event.contains("orderId"))
    throw std::runtime_error("orderId is required");
  std::string order_id = event["orderId"];
  json enriched = ctx.step("enrich-order", [&](StepContext&) {
    return json{
        {"statusCode", 200},
        {"orderId", order_id},
        {"enrichedData", {{"customerId", "CUST-0042"}, {"timestamp", "2026-01-01T00:00:00.000Z"}}}};
  });
  ctx.wait(seconds(2));
  json finalized = ctx.step("finalize-order", [&](StepContext&) {
    return json{{"orderId", enriched["orderId"]},
                {"customerId", enriched["enrichedData"]["customerId"]},
                {"status", "COMPLETED"},
                {"finalizedAt", "2026-01-01T00:00:02.000Z"}};
  });
  return {
      {"statusCode", 200}, {"orderId", order_id}, {"enriched", enriched}, {"finalized", finalized}};
}

TEST(TraceReplay, OrderProcessing) {
  ReplayTrace("order-processing.realtime.json", OrderProcessing);
}

TEST(TraceReplay, StatePagination) {
  ReplayTrace("state-pagination.realtime.json", [](const json& event, DurableContext& ctx) {
    std::string id = event["orderId"];
    json enriched = ctx.step("enrich-order", [&](StepContext&) {
      return json{{"statusCode", 200}, {"orderId", id}};
    });
    ctx.wait(seconds(2));
    json finalized = ctx.step("finalize-order", [&](StepContext&) {
      return json{{"orderId", enriched["orderId"]}, {"status", "COMPLETED"}};
    });
    return json{{"statusCode", 200}, {"orderId", id}, {"finalized", finalized}};
  });
}

RetryStrategy ThreeAttempts() {
  RetryConfig rc;
  rc.max_attempts = 3;
  rc.initial_delay = seconds(1);
  rc.jitter = Jitter::kNone;
  return create_retry_strategy(rc);
}

TEST(TraceReplay, StepRetrySuccess) {
  ReplayTrace("step-retry-success.realtime.json", [](const json&, DurableContext& ctx) {
    json r = ctx.step(
        "flaky-call",
        [](StepContext& s) -> json {
          if (s.attempt() < 3) {
            throw TransientError("transient failure on attempt " + std::to_string(s.attempt()));
          }
          return {{"ok", true}, {"attempt", s.attempt()}};
        },
        StepConfig::with_retry(ThreeAttempts()));
    return json{{"result", r}};
  });
}

TEST(TraceReplay, StepRetryExhausted) {
  ReplayTrace("step-retry-exhausted.realtime.json", [](const json&, DurableContext& ctx) {
    ctx.step(
        "always-fails",
        [](StepContext& s) -> json {
          throw PaymentDeclinedError("permanent failure on attempt " + std::to_string(s.attempt()));
        },
        StepConfig::with_retry(ThreeAttempts()));
    return json("unreachable");
  });
}

json CallbackHandler(const json& event, DurableContext& ctx) {
  CallbackConfig cc;
  cc.timeout = seconds(300);
  auto approval = ctx.create_callback("approval", cc);
  std::string id = approval.callback_id();
  ctx.step("send-approval-request", [&](StepContext&) {
    return json{{"sentTo", "approver@example.com"}, {"callbackIdLength", id.size()}};
  });
  json answer = approval.get();
  return {{"orderId", event["orderId"]}, {"approval", json::parse(answer.get<std::string>())}};
}

TEST(TraceReplay, CallbackSuccess) {
  ReplayTrace("callback-success.realtime.json", CallbackHandler);
}

TEST(TraceReplay, CallbackSuccessInflight) {
  ReplayTrace("callback-success-inflight.realtime.json", CallbackHandler);
}

TEST(TraceReplay, CallbackTimeout) {
  ReplayTrace("callback-timeout.realtime.json", [](const json&, DurableContext& ctx) {
    CallbackConfig cc;
    cc.timeout = seconds(1);
    auto approval = ctx.create_callback("approval-timeout", cc);
    try {
      json v = approval.get();
      return json{{"timedOut", false}, {"v", v}};
    } catch (const CallbackTimeoutError& e) {
      return json{{"timedOut", true},
                  {"errorName", e.error_type()},
                  {"errorMessage", e.what()},
                  {"errorType", e.error_type()}};
    }
  });
}

TEST(TraceReplay, WaitForCallbackFailure) {
  ReplayTrace("wait-for-callback-failure.realtime.json", [](const json&, DurableContext& ctx) {
    WaitForCallbackConfig cfg;
    cfg.timeout = seconds(300);
    json result = ctx.wait_for_callback(
        "external-approval",
        [](const std::string& id, StepContext& s) {
          s.logger().info("submitting", {{"callbackIdLength", id.size()}});
        },
        cfg);
    return json{{"result", result}};
  });
}

TEST(TraceReplay, ChainedInvoke) {
  ReplayTrace("chained-invoke.realtime.json", [](const json& event, DurableContext& ctx) {
    json enriched =
        ctx.invoke("enrich-via-invoke", "order-enricher", {{"orderId", event["orderId"]}});
    json done = ctx.step("after-invoke", [](StepContext&) { return json{{"finalized", true}}; });
    return json{{"enriched", enriched}, {"done", done}};
  });
}

TEST(TraceReplay, ChainedInvokeCallee) {
  ReplayTrace(
      "chained-invoke.realtime.json",
      [](const json& event, DurableContext& ctx) {
        json customer = ctx.step("lookup-customer", [](StepContext&) {
          return json{{"customerId", "CUST-0042"}, {"tier", "gold"}};
        });
        return json{{"orderId", event["orderId"]}, {"customer", customer}};
      },
      false, "child-1");
}

TEST(TraceReplay, ChainedInvokePlain) {
  ReplayTrace("chained-invoke-plain.realtime.json", [](const json& event, DurableContext& ctx) {
    json enriched =
        ctx.invoke("enrich-via-invoke", "order-enricher-plain", {{"orderId", event["orderId"]}});
    return json{{"enriched", enriched}};
  });
}

TEST(TraceReplay, ChildContext) {
  ReplayTrace("child-context.realtime.json", [](const json&, DurableContext& ctx) {
    json r = ctx.run_in_child_context("process-batch", [](DurableContext& child) {
      json a = child.step("inner-step", [](StepContext&) { return json{{"processed", 3}}; });
      child.wait("inner-wait", seconds(1));
      return json{{"inner", a}};
    });
    std::string b = ctx.step("after-child", [](StepContext&) { return std::string("done"); });
    return json{{"r", r}, {"b", b}};
  });
}

TEST(TraceReplay, ChildContextLargeResult) {
  ReplayTrace("child-context-large-result.realtime.json",
              [](const json& event, DurableContext& ctx) {
                json report = ctx.run_in_child_context("build-report", [&](DurableContext& child) {
                  json rows = child.step("fetch-rows", [&](StepContext&) {
                    return json{{"count", event["rows"]}};
                  });
                  return json(std::string(rows["count"].get<std::size_t>(), 'r'));
                });
                ctx.wait(seconds(1));
                return ctx.step("after", [&](StepContext&) {
                  return json{{"reportLength", report.get<std::string>().size()}};
                });
              });
}

TEST(TraceReplay, HandlerThrows) {
  ReplayTrace("handler-throws.realtime.json", [](const json&, DurableContext&) -> json {
    throw ValidationError("order payload is invalid");
  });
}

TEST(TraceReplay, StepAtMostOnce) {
  ReplayTrace("step-at-most-once.realtime.json", [](const json& event, DurableContext& ctx) {
    StepConfig once;
    once.semantics = StepSemantics::kAtMostOncePerRetry;
    json charge = ctx.step(
        "charge-card",
        [&](StepContext&) {
          return json{{"chargeId", "CH-1"}, {"amount", event["amount"]}};
        },
        once);
    json receipt = ctx.step("send-receipt", [](StepContext&) { return json{{"sent", true}}; });
    return json{{"charge", charge}, {"receipt", receipt}};
  });
}

TEST(TraceReplay, LargeResult) {
  ReplayTrace("large-result.realtime.json", [](const json& event, DurableContext& ctx) {
    std::string s = ctx.step("small-step", [](StepContext&) { return std::string("ok"); });
    return json(std::string(event["size"].get<std::size_t>(), 'x') + s);
  });
}

TEST(TraceReplay, WaitForCondition) {
  ReplayTrace("wait-for-condition.realtime.json", [](const json&, DurableContext& ctx) {
    WaitForConditionConfig cfg;
    cfg.initial_state = {{"polls", 0}, {"done", false}};
    cfg.wait_strategy = [](const json& state, int) {
      return state["done"].get<bool>() ? WaitDecision{false, {}} : WaitDecision{true, seconds(1)};
    };
    json final_state = ctx.wait_for_condition(
        "poll-job",
        [](const json& state, StepContext&) {
          int polls = state["polls"].get<int>() + 1;
          return json{{"polls", polls}, {"done", polls >= 3}};
        },
        cfg);
    return json{{"final", final_state}};
  });
}

TEST(TraceReplay, Parallel) {
  ReplayTrace(
      "parallel.realtime.json",
      [](const json&, DurableContext& ctx) {
        auto br = [](int n) {
          return ParallelBranch{"branch-" + std::to_string(n), [n](DurableContext& c) {
                                  return c.step("work-" + std::to_string(n), [n](StepContext&) {
                                    return json{{"branch", n}, {"value", n * 10}};
                                  });
                                }};
        };
        ParallelConfig cfg;
        cfg.max_concurrency = 2;
        BatchResult res = ctx.parallel("fan-out", {br(1), br(2), br(3)}, cfg);
        return json{{"status", res.status()},
                    {"completionReason", res.completion_reason_string()},
                    {"successCount", res.success_count()},
                    {"failureCount", res.failure_count()},
                    {"results", res.results()}};
      },
      true);
}

TEST(TraceReplay, MapToleratedFailure) {
  ReplayTrace(
      "map-tolerated-failure.realtime.json",
      [](const json& event, DurableContext& ctx) {
        std::vector<json> items = event["items"];
        MapConfig cfg;
        cfg.completion_config.tolerated_failure_count = 1;
        BatchResult res = ctx.map(
            "process-items", items,
            [](DurableContext& c, const json& item, int index) {
              int v = item.get<int>();
              return c.step(
                  "item-" + std::to_string(v),
                  [&](StepContext&) -> json {
                    if (v == 3) throw BadItemError("item 3 is bad");
                    return {{"item", v}, {"index", index}, {"doubled", v * 2}};
                  },
                  StepConfig::with_retry(retry_presets::no_retry()));
            },
            cfg);
        json all = json::array();
        for (const auto& i : res.all) {
          json e = {{"index", i.index},
                    {"status", i.status == BatchItemStatus::kSucceeded ? "SUCCEEDED" : "FAILED"}};
          if (i.status == BatchItemStatus::kSucceeded) e["result"] = i.result;
          if (i.error) {
            e["error"] = {{"name", i.error->type},
                          {"message", i.error->message},
                          {"errorType", i.error->type}};
          }
          all.push_back(e);
        }
        return json{{"status", res.status()},
                    {"completionReason", res.completion_reason_string()},
                    {"successCount", res.success_count()},
                    {"failureCount", res.failure_count()},
                    {"all", all}};
      },
      true);
}

// The synthetic at-most-once / at-least-once interruption cases.
TEST(TraceReplay, StepInterrupted) {
  auto trace = LoadTrace("step-interrupted-replay.json");
  if (!trace) GTEST_SKIP() << testing::SharedDirMissingReason();
  testing::TraceFakeBackend backend;
  for (const auto& k : (*trace)["cases"]) {
    InvocationCase c;
    c.envelope = k["input"];
    c.checkpoints = json::array();
    for (const auto& call : k["calls"]) {
      if (call["call"] == "CheckpointDurableExecution") c.checkpoints.push_back(call);
    }
    c.state_calls = json::array();
    c.output = k["output"];
    bool once = k["semantics"] == "AT_MOST_ONCE_PER_RETRY";
    int ran = 0;
    ReplayInvocation(
        backend, c,
        [&](const json&, DurableContext& ctx) {
          StepConfig cfg;
          if (once) cfg.semantics = StepSemantics::kAtMostOncePerRetry;
          RetryConfig rc;
          rc.initial_delay = seconds(3);
          rc.jitter = Jitter::kNone;
          cfg.retry_strategy = create_retry_strategy(rc);
          json charge = ctx.step(
              "charge-card",
              [&](StepContext&) {
                ++ran;
                return json{{"chargeId", "CH-1"}};
              },
              cfg);
          return json{{"r", charge}};
        },
        false, k["case"]);
    EXPECT_EQ(ran, k["stepBodyRanInThisInvocation"].get<int>()) << k["case"];
  }
}

}  // namespace
}  // namespace durafn
