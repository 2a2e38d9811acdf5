// The SDK's own rules that the recorded traces do not pin down: retry and wait strategy
// arithmetic, replay-aware logging, a swallowed suspension, non-determinism detection,
// checkpoint error classification, batch results, and one keep-alive connection.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "api/http_server.h"
#include "durafn/durafn.h"
#include "protocol/operation_id.h"
#include "sdk/durable_client.h"
#include "sdk/http_connection.h"
#include "sdk/invocation.h"

namespace durafn {
namespace {

using nlohmann::json;

TEST(RetryStrategy, ExponentialBackoffWithoutJitter) {
  RetryConfig rc;
  rc.max_attempts = 5;
  rc.initial_delay = seconds(2);
  rc.max_delay = seconds(10);
  rc.backoff_rate = 3;
  rc.jitter = Jitter::kNone;
  auto s = create_retry_strategy(rc);
  ErrorInfo e{"Error", "x", {}, {}};
  EXPECT_EQ(s(e, 1).delay, seconds(2));
  EXPECT_EQ(s(e, 2).delay, seconds(6));
  EXPECT_EQ(s(e, 3).delay, seconds(10));  // capped
  EXPECT_TRUE(s(e, 4).should_retry);
  EXPECT_FALSE(s(e, 5).should_retry);  // attempts exhausted
}

TEST(RetryStrategy, JitterStaysInRangeAndAtLeastOneSecond) {
  RetryConfig rc;
  rc.max_attempts = 100;
  rc.initial_delay = seconds(10);
  rc.jitter = Jitter::kHalf;
  auto half = create_retry_strategy(rc);
  rc.jitter = Jitter::kFull;
  auto full = create_retry_strategy(rc);
  ErrorInfo e{"Error", "x", {}, {}};
  for (int i = 0; i < 200; ++i) {
    auto h = half(e, 1).delay.total_seconds();
    EXPECT_GE(h, 5);
    EXPECT_LE(h, 10);
    auto f = full(e, 1).delay.total_seconds();
    EXPECT_GE(f, 1);
    EXPECT_LE(f, 10);
  }
}

TEST(RetryStrategy, RetryableErrorFilters) {
  RetryConfig rc;
  rc.jitter = Jitter::kNone;
  rc.retryable_error_types = {"TransientError"};
  rc.retryable_errors = {"timeout"};
  auto s = create_retry_strategy(rc);
  EXPECT_TRUE(s({"TransientError", "boom", {}, {}}, 1).should_retry);
  EXPECT_TRUE(s({"Error", "read timeout", {}, {}}, 1).should_retry);
  EXPECT_FALSE(s({"Error", "boom", {}, {}}, 1).should_retry);
}

TEST(RetryStrategy, DefaultsMatchAws) {
  auto s = retry_presets::standard();
  ErrorInfo e{"Error", "x", {}, {}};
  for (int i = 0; i < 50; ++i)
    EXPECT_LE(s(e, 1).delay.total_seconds(), 5);
  EXPECT_TRUE(s(e, 5).should_retry);
  EXPECT_FALSE(s(e, 6).should_retry);
  EXPECT_FALSE(retry_presets::no_retry()(e, 1).should_retry);
}

TEST(WaitStrategy, StopsOrThrowsAfterMaxAttempts) {
  auto s = create_wait_strategy(WaitStrategyConfig{
      .should_continue_polling = [](const json& st) { return st.get<int>() < 10; },
      .max_attempts = 3,
      .initial_delay = seconds(1),
      .max_delay = seconds(60),
      .backoff_rate = 2,
      .jitter = Jitter::kNone});
  EXPECT_FALSE(s(10, 1).should_continue);
  EXPECT_EQ(s(1, 2).delay, seconds(2));
  EXPECT_THROW(s(1, 3), WaitForConditionError);
}

TEST(Duration, Units) {
  EXPECT_EQ(minutes(2).total_seconds(), 120);
  EXPECT_EQ(hours(1).total_seconds(), 3600);
  EXPECT_EQ(days(1).total_seconds(), 86400);
}

TEST(Errors, TypesFollowClassNames) {
  struct InventoryError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  auto info = [](auto e) { return ErrorInfoFromException(std::make_exception_ptr(e)); };
  EXPECT_EQ(info(InventoryError("x")).type, "InventoryError");
  EXPECT_EQ(info(std::runtime_error("x")).type, "Error");
  EXPECT_EQ(info(StepError("x")).type, "StepError");
  EXPECT_EQ(info(Error("Custom", "m", "d")).data, "d");
  EXPECT_THROW(ThrowDurableError({"CallbackTimeoutError", "t", {}, {}}), CallbackTimeoutError);
  EXPECT_THROW(ThrowDurableError({"Whatever", "t", {}, {}}), StepError);
}

TEST(CheckpointErrors, ClassifiedAsAwsDoes) {
  EXPECT_TRUE(
      sdk::ServiceError(400, "InvalidParameterValueException", "Invalid Checkpoint Token: stale")
          .invocation_level());
  EXPECT_FALSE(sdk::ServiceError(400, "InvalidParameterValueException", "Invalid parent")
                   .invocation_level());
  EXPECT_TRUE(sdk::ServiceError(429, "TooManyRequestsException", "slow").invocation_level());
  EXPECT_TRUE(sdk::ServiceError(500, "ServiceException", "x").invocation_level());
  EXPECT_TRUE(sdk::ServiceError(0, "NetworkError", "x").invocation_level());
}

// A backend in memory: acknowledges every checkpoint and records it.
class RecordingBackend : public sdk::DurableClient {
 public:
  protocol::CheckpointDurableExecutionResponse Checkpoint(
      const std::string&, const std::string& token,
      const std::vector<protocol::OperationUpdate>& updates) override {
    batches.push_back(updates);
    protocol::CheckpointDurableExecutionResponse r;
    r.checkpoint_token = token + "+";
    return r;
  }
  protocol::GetDurableExecutionStateResponse GetState(const std::string&, const std::string&,
                                                      const std::string&) override {
    return {};
  }
  std::vector<std::vector<protocol::OperationUpdate>> batches;
};

json Envelope(json extra_ops = json::array()) {
  json ops = json::array({{{"Id", "e"},
                           {"Type", "EXECUTION"},
                           {"Status", "STARTED"},
                           {"StartTimestamp", 0},
                           {"ExecutionDetails", {{"InputPayload", "{\"k\":1}"}}}}});
  for (auto& o : extra_ops)
    ops.push_back(o);
  return {{"DurableExecutionArn", "arn:aws:lambda:r:1:function:f:1/durable-execution/n/e"},
          {"CheckpointToken", "t"},
          {"InitialExecutionState", {{"Operations", ops}, {"NextMarker", ""}}}};
}

json CompletedStep(const std::string& id, const std::string& name, const std::string& result) {
  return {{"Id", id},
          {"Name", name},
          {"Type", "STEP"},
          {"SubType", "Step"},
          {"Status", "SUCCEEDED"},
          {"StartTimestamp", 0},
          {"StepDetails", {{"Attempt", 1}, {"Result", result}}}};
}

TEST(Invocation, SwallowedSuspensionFailsClearly) {
  RecordingBackend backend;
  auto out = sdk::RunDurableInvocation(Envelope(),
                                       [](const json&, DurableContext& ctx) -> json {
                                         try {
                                           ctx.wait(seconds(5));
                                         } catch (...) {
                                           // wrong: swallows the SDK's suspension
                                         }
                                         return "done";
                                       },
                                       backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kFailed);
  EXPECT_EQ(out.error->error_type, "SuspensionSwallowedError");
  ASSERT_EQ(backend.batches.size(), 1u);  // the WAIT START still went out
}

TEST(Invocation, ReplayReturnsStoredResultsWithoutRunningBodies) {
  RecordingBackend backend;
  int ran = 0;
  auto out = sdk::RunDurableInvocation(Envelope({CompletedStep("c4ca4238a0b92382", "a", "41")}),
                                       [&](const json& event, DurableContext& ctx) -> json {
                                         int a = ctx.step("a", [&](StepContext&) { return ++ran; });
                                         return a + event["k"].get<int>();
                                       },
                                       backend, {});
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(out.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(out.result, "42");
  EXPECT_TRUE(backend.batches.empty());
}

TEST(Invocation, StepWithCustomSerdesReturnsTheValueReadBack) {
  RecordingBackend backend;
  StepConfig config;
  config.serdes = Serdes{[](const json& v) -> std::optional<std::string> {
                           std::string s = v.get<std::string>();
                           for (auto& ch : s)
                             ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                           return json(s).dump();
                         },
                         [](const std::optional<std::string>& text) -> json {
                           return text ? json::parse(*text) : json();
                         }};
  auto out =
      sdk::RunDurableInvocation(Envelope(),
                                [&](const json&, DurableContext& ctx) -> json {
                                  return ctx.step_json(
                                      "s", [](StepContext&) { return json("hello"); }, config);
                                },
                                backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kSucceeded);
  // The first run returns what a replay would: the serialized value read back.
  EXPECT_EQ(out.result, "\"HELLO\"");
}

TEST(Invocation, NonDeterminismFailsEvenIfCaught) {
  RecordingBackend backend;
  auto out = sdk::RunDurableInvocation(Envelope({CompletedStep("c4ca4238a0b92382", "a", "1")}),
                                       [&](const json&, DurableContext& ctx) -> json {
                                         try {
                                           ctx.step("b", [](StepContext&) { return 2; });
                                         } catch (const std::exception&) {
                                         }
                                         return "ignored";
                                       },
                                       backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kFailed);
  EXPECT_EQ(out.error->error_type, "NonDeterministicExecutionError");
}

TEST(Invocation, NotAnEnvelopeIsAnInvocationError) {
  RecordingBackend backend;
  EXPECT_THROW(
      sdk::RunDurableInvocation(json{{"orderId", 1}},
                                [](const json&, DurableContext&) { return json(); }, backend, {}),
      sdk::InvocationError);
}

TEST(Invocation, InvalidMaxConcurrencyFailsBeforeAnyCheckpoint) {
  RecordingBackend backend;
  auto out = sdk::RunDurableInvocation(
      Envelope(),
      [](const json&, DurableContext& ctx) -> json {
        ParallelConfig cfg;
        cfg.max_concurrency = 0;
        ctx.parallel("p", {{"a", [](DurableContext&) { return json(1); }}}, cfg);
        return nullptr;
      },
      backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kFailed);
  EXPECT_EQ(out.error->error_type, "ValidationError");
  EXPECT_TRUE(backend.batches.empty());
}

TEST(Invocation, MinSuccessfulStopsEarly) {
  RecordingBackend backend;
  std::atomic<int> started{0};
  BatchResult result;
  auto out = sdk::RunDurableInvocation(Envelope(),
                                       [&](const json&, DurableContext& ctx) -> json {
                                         MapConfig cfg;
                                         cfg.max_concurrency = 1;
                                         cfg.completion_config.min_successful = 2;
                                         result = ctx.map(
                                             "m", {1, 2, 3, 4},
                                             [&](DurableContext&, const json& item, int) {
                                               ++started;
                                               return item;
                                             },
                                             cfg);
                                         return nullptr;
                                       },
                                       backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(result.success_count(), 2);
  EXPECT_EQ(result.completion_reason, CompletionReason::kMinSuccessfulReached);
}

TEST(Invocation, FailFastWithoutToleranceAndThrowIfError) {
  RecordingBackend backend;
  BatchResult result;
  sdk::RunDurableInvocation(Envelope(),
                            [&](const json&, DurableContext& ctx) -> json {
                              MapConfig cfg;
                              cfg.max_concurrency = 1;
                              result = ctx.map(
                                  "m", {1, 2, 3},
                                  [](DurableContext&, const json& item, int) -> json {
                                    if (item == 1) throw std::runtime_error("first fails");
                                    return item;
                                  },
                                  cfg);
                              return nullptr;
                            },
                            backend, {});
  EXPECT_EQ(result.total_count(), 1);
  EXPECT_EQ(result.completion_reason, CompletionReason::kFailureToleranceExceeded);
  EXPECT_THROW(result.throw_if_error(), BatchError);
  EXPECT_EQ(BatchResult::from_json(result.to_json()).to_json(), result.to_json());
}

// Once any completion criterion is set (min_successful alone included), a failure no longer
// stops the batch: only a configured tolerance does.
TEST(Invocation, MinSuccessfulAloneDoesNotFailFast) {
  RecordingBackend backend;
  BatchResult result;
  sdk::RunDurableInvocation(Envelope(),
                            [&](const json&, DurableContext& ctx) -> json {
                              MapConfig cfg;
                              cfg.max_concurrency = 1;
                              cfg.completion_config.min_successful = 3;
                              result = ctx.map(
                                  "m", {1, 2, 3},
                                  [](DurableContext&, const json& item, int) -> json {
                                    if (item == 2) throw std::runtime_error("second fails");
                                    return item;
                                  },
                                  cfg);
                              return nullptr;
                            },
                            backend, {});
  EXPECT_EQ(result.total_count(), 3);
  EXPECT_EQ(result.success_count(), 2);
  EXPECT_EQ(result.failure_count(), 1);
  EXPECT_EQ(result.completion_reason, CompletionReason::kAllCompleted);
}

std::vector<protocol::OperationUpdate> AllUpdates(const RecordingBackend& backend) {
  std::vector<protocol::OperationUpdate> all;
  for (const auto& b : backend.batches)
    all.insert(all.end(), b.begin(), b.end());
  return all;
}

// FLAT nesting: no MapIteration contexts are checkpointed, and the items' steps name the Map
// context as their parent (each item keeps its own ids).
TEST(Invocation, FlatNestingCheckpointsNoItemContexts) {
  RecordingBackend backend;
  json out_result;
  auto out =
      sdk::RunDurableInvocation(Envelope(),
                                [&](const json&, DurableContext& ctx) -> json {
                                  MapConfig cfg;
                                  cfg.max_concurrency = 1;
                                  cfg.nesting = Nesting::kFlat;
                                  BatchResult r = ctx.map(
                                      "flat", {"a", "b"},
                                      [](DurableContext& c, const json& item, int) {
                                        return c.step_json({}, [&](StepContext&) { return item; });
                                      },
                                      cfg);
                                  return json(r.results());
                                },
                                backend, {});
  ASSERT_EQ(out.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(out.result, R"(["a","b"])");
  auto updates = AllUpdates(backend);
  std::string map_id;
  std::vector<std::string> step_ids;
  for (const auto& u : updates) {
    EXPECT_NE(u.sub_type.value_or(""), protocol::subtype::kMapIteration);
    if (u.sub_type.value_or("") == protocol::subtype::kMap) map_id = u.id;
  }
  ASSERT_FALSE(map_id.empty());
  for (const auto& u : updates) {
    if (u.type != protocol::OperationType::kStep) continue;
    EXPECT_EQ(u.parent_id.value_or(""), map_id);
    if (u.action == protocol::OperationAction::kSucceed) step_ids.push_back(u.id);
  }
  ASSERT_EQ(step_ids.size(), 2u);
  EXPECT_NE(step_ids[0], step_ids[1]);
}

Serdes Prefixing(std::string prefix) {
  return Serdes{[prefix](const json& v) -> std::optional<std::string> { return prefix + v.dump(); },
                [prefix](const std::optional<std::string>& text) -> json {
                  EXPECT_TRUE(text && text->rfind(prefix, 0) == 0);
                  return json::parse(text->substr(prefix.size()));
                }};
}

// item_serdes writes each item's payload and serdes the whole batch's; a replay reads the
// batch back through serdes.
TEST(Invocation, MapItemAndBatchSerdes) {
  RecordingBackend backend;
  auto handler = [](const json&, DurableContext& ctx) -> json {
    MapConfig cfg;
    cfg.max_concurrency = 1;
    cfg.item_serdes = Prefixing("item:");
    cfg.serdes = Prefixing("batch:");
    BatchResult r = ctx.map(
        "m", {1, 2}, [](DurableContext&, const json& item, int) { return item; }, cfg);
    return json(r.results());
  };
  auto out = sdk::RunDurableInvocation(Envelope(), handler, backend, {});
  ASSERT_EQ(out.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(out.result, "[1,2]");
  std::vector<std::string> item_payloads;
  std::optional<std::string> batch_payload;
  for (const auto& u : AllUpdates(backend)) {
    if (u.action != protocol::OperationAction::kSucceed) continue;
    if (u.sub_type.value_or("") == protocol::subtype::kMapIteration) {
      item_payloads.push_back(u.payload.value_or(""));
    }
    if (u.sub_type.value_or("") == protocol::subtype::kMap) batch_payload = u.payload;
  }
  EXPECT_EQ(item_payloads, (std::vector<std::string>{"item:1", "item:2"}));
  ASSERT_TRUE(batch_payload);
  ASSERT_EQ(batch_payload->rfind("batch:", 0), 0u);

  RecordingBackend replay_backend;
  json stored = {{"Id", "c4ca4238a0b92382"},
                 {"Name", "m"},
                 {"Type", "CONTEXT"},
                 {"SubType", "Map"},
                 {"Status", "SUCCEEDED"},
                 {"StartTimestamp", 0},
                 {"ContextDetails", {{"Result", *batch_payload}}}};
  auto replayed = sdk::RunDurableInvocation(Envelope({stored}), handler, replay_backend, {});
  ASSERT_EQ(replayed.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(replayed.result, "[1,2]");
  EXPECT_TRUE(replay_backend.batches.empty());
}

TEST(Logging, ReplayedRecordsAreSuppressedStepRecordsCarryContext) {
  std::vector<json> records;
  configure_logging(
      LoggingConfig{[&](const json& r) { records.push_back(r); }, LogLevel::kDebug, true});
  RecordingBackend backend;
  LambdaContext lc;
  lc.request_id = "req-1";
  sdk::RunDurableInvocation(
      Envelope({CompletedStep("c4ca4238a0b92382", "a", "1")}),
      [&](const json&, DurableContext& ctx) -> json {
        ctx.logger().info("before a");  // replaying: suppressed
        ctx.step("a", [](StepContext&) { return 1; });
        ctx.step("b", [](StepContext& s) {
          s.logger().warn("in b", {{"k", 1}});
          return 2;
        });
        ctx.logger().info("after b");  // new work: logged
        return nullptr;
      },
      backend, lc);
  configure_logging(LoggingConfig{});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["message"], "in b");
  EXPECT_EQ(records[0]["level"], "WARN");
  EXPECT_EQ(records[0]["operationName"], "b");
  EXPECT_EQ(records[0]["operationId"], "c81e728d9d4c2f63");
  EXPECT_EQ(records[0]["attempt"], 1);
  EXPECT_EQ(records[0]["requestId"], "req-1");
  EXPECT_EQ(records[0]["k"], 1);
  EXPECT_EQ(records[1]["message"], "after b");
  EXPECT_TRUE(records[1].contains("executionArn"));
}

TEST(HttpConnection, ReusesOneKeepAliveConnection) {
  api::Router router;
  router.Add("GET", "/ping", [](api::Request, api::Responder res) {
    api::Response r;
    r.body = "pong";
    res(std::move(r));
  });
  api::HttpServer server(api::HttpServerOptions{}, std::move(router));
  ASSERT_TRUE(server.Start().ok());
  sdk::HttpConnection conn(
      *sdk::Endpoint::Parse("http://127.0.0.1:" + std::to_string(server.port())));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(conn.Send("GET", "/ping").body, "pong");
  EXPECT_EQ(conn.connections_opened(), 1);
  server.Stop();
}

TEST(HttpConnection, EndpointParsing) {
  EXPECT_EQ(sdk::Endpoint::Parse("127.0.0.1:9001")->port, "9001");
  EXPECT_EQ(sdk::Endpoint::Parse("http://localhost:8080/x")->host, "localhost");
  EXPECT_FALSE(sdk::Endpoint::Parse("https://lambda.us-east-1.amazonaws.com").has_value());
  EXPECT_EQ(sdk::PercentEncode("a:b/c"), "a%3Ab%2Fc");
}

}  // namespace
}  // namespace durafn

namespace durafn {
namespace {

struct Order {
  std::string id;
};
void from_json(const nlohmann::json& j, Order& o) {
  o.id = j.at("orderId").get<std::string>();
}

// Without AWS_LAMBDA_RUNTIME_API the loops refuse to start (and the typed overload compiles).
TEST(Runtime, RefusesToStartWithoutRuntimeApi) {
  ::unsetenv("AWS_LAMBDA_RUNTIME_API");
  std::function<int(const Order&, DurableContext&)> typed = [](const Order& o, DurableContext&) {
    return static_cast<int>(o.id.size());
  };
  EXPECT_EQ(run(typed), 2);
  EXPECT_EQ(run_plain([](const nlohmann::json& e, const LambdaContext&) { return e; }), 2);
}

}  // namespace
}  // namespace durafn

namespace durafn {
namespace {

// A backend whose checkpoints always fail with `error`.
class FailingBackend : public sdk::DurableClient {
 public:
  explicit FailingBackend(sdk::ServiceError error) : error_(std::move(error)) {}
  protocol::CheckpointDurableExecutionResponse Checkpoint(
      const std::string&, const std::string&,
      const std::vector<protocol::OperationUpdate>&) override {
    throw error_;
  }
  protocol::GetDurableExecutionStateResponse GetState(const std::string&, const std::string&,
                                                      const std::string&) override {
    throw error_;
  }

 private:
  sdk::ServiceError error_;
};

json OneStepHandler(const json&, DurableContext& ctx) {
  return ctx.step("s", [](StepContext&) { return 1; });
}

TEST(Invocation, StaleTokenEndsTheInvocationWithAFunctionError) {
  FailingBackend backend(
      sdk::ServiceError(400, "InvalidParameterValueException", "Invalid Checkpoint Token: old"));
  json env = {
      {"DurableExecutionArn", "arn:aws:lambda:r:1:function:f:1/durable-execution/n/e"},
      {"CheckpointToken", "t"},
      {"InitialExecutionState",
       {{"Operations",
         {{{"Id", "e"}, {"Type", "EXECUTION"}, {"Status", "STARTED"}, {"StartTimestamp", 0}}}}}}};
  EXPECT_THROW(sdk::RunDurableInvocation(env, OneStepHandler, backend, {}), sdk::InvocationError);
}

TEST(Invocation, OtherClientErrorsFailTheExecution) {
  FailingBackend backend(
      sdk::ServiceError(400, "InvalidParameterValueException", "Invalid parent"));
  json env = {
      {"DurableExecutionArn", "arn:aws:lambda:r:1:function:f:1/durable-execution/n/e"},
      {"CheckpointToken", "t"},
      {"InitialExecutionState",
       {{"Operations",
         {{{"Id", "e"}, {"Type", "EXECUTION"}, {"Status", "STARTED"}, {"StartTimestamp", 0}}}}}}};
  auto out = sdk::RunDurableInvocation(env, OneStepHandler, backend, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kFailed);
  EXPECT_EQ(out.error->error_type, "InvalidParameterValueException");
  EXPECT_EQ(out.error->error_message, "Invalid parent");
}

}  // namespace
}  // namespace durafn

namespace durafn {
namespace {

// A FLAT map resumed after one item suspended: the items re-run, but their operations replay
// from their own checkpoints, so the finished step's body does not run again.
TEST(Invocation, FlatNestingResumesFromItemOperations) {
  std::atomic<int> ran{0};
  auto handler = [&](const json&, DurableContext& ctx) -> json {
    MapConfig cfg;
    cfg.max_concurrency = 1;
    cfg.nesting = Nesting::kFlat;
    BatchResult r = ctx.map(
        "flat", {"a", "b"},
        [&](DurableContext& c, const json& item, int index) -> json {
          if (index == 0) {
            return c.step_json({}, [&](StepContext&) {
              ++ran;
              return item;
            });
          }
          c.wait(seconds(1));
          return item;
        },
        cfg);
    return json(r.results());
  };
  RecordingBackend first;
  auto out = sdk::RunDurableInvocation(Envelope(), handler, first, {});
  EXPECT_EQ(out.status, protocol::InvocationStatus::kPending);
  EXPECT_EQ(ran.load(), 1);

  const std::string map_path = protocol::OperationPath("", 1);
  const std::string map_id = protocol::HashOperationId(map_path);
  auto inner = [&](int item) {
    return protocol::HashOperationId(
        protocol::OperationPath(protocol::OperationPath(map_path, item + 1), 1));
  };
  json map_op = {{"Id", map_id},     {"Name", "flat"},      {"Type", "CONTEXT"},
                 {"SubType", "Map"}, {"Status", "STARTED"}, {"StartTimestamp", 0}};
  json step = CompletedStep(inner(0), "", "\"a\"");
  step.erase("Name");
  step["ParentId"] = map_id;
  json wait = {{"Id", inner(1)},    {"ParentId", map_id},    {"Type", "WAIT"},
               {"SubType", "Wait"}, {"Status", "SUCCEEDED"}, {"StartTimestamp", 0}};
  RecordingBackend second;
  auto resumed = sdk::RunDurableInvocation(Envelope({map_op, step, wait}), handler, second, {});
  ASSERT_EQ(resumed.status, protocol::InvocationStatus::kSucceeded);
  EXPECT_EQ(resumed.result, R"(["a","b"])");
  EXPECT_EQ(ran.load(), 1);
  auto updates = AllUpdates(second);
  ASSERT_EQ(updates.size(), 1u);  // only the Map context's SUCCEED
  EXPECT_EQ(updates[0].id, map_id);
  EXPECT_EQ(updates[0].action, protocol::OperationAction::kSucceed);
}

}  // namespace
}  // namespace durafn
