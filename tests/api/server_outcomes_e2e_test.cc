// Outcomes the server decides on its own clock, end to end over real HTTP with the test as
// the worker: a step retried after its delay, callbacks that fail, time out or stop
// heartbeating, chained targets that fail or time out, and an execution past its timeout.
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server_e2e_fixture.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using protocol::OperationStatus;
using ::testing::ElementsAre;
using ::testing::StartsWith;

using Ms = std::chrono::milliseconds;

int64_t WallMs() {
  return std::chrono::duration_cast<Ms>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
// A REST timestamp (epoch seconds, fractional) in milliseconds.
int64_t EpochMs(const json& seconds) {
  return static_cast<int64_t>(seconds.get<double>() * 1000 + 0.5);
}

const protocol::Operation* Find(const std::vector<protocol::Operation>& ops, std::string_view id) {
  for (const auto& op : ops) {
    if (op.id == id) return &op;
  }
  return nullptr;
}

// Operation `id` in a checkpoint response's NewExecutionState, or null.
json OperationOf(const json& checkpoint_response, std::string_view id) {
  const json state = checkpoint_response.value("NewExecutionState", json::object());
  for (const auto& op : state.value("Operations", json::array())) {
    if (op.value("Id", "") == id) return op;
  }
  return nullptr;
}

constexpr char kStep[] = "c4ca4238a0b92382";

TEST_F(ServerE2E, AStepRetriedAfterItsDelayRunsInTheNextInvocation) {
  DeployDurable("Flaky");
  auto worker = Worker("Flaky:prod");
  std::string arn = StartAsync("Flaky:prod", json::object());
  auto first = Next(*worker);
  auto started = Checkpoint(arn, first.envelope.checkpoint_token,
                            json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP",
                              "SubType":"Step","Action":"START","Name":"charge"}])"));
  ASSERT_EQ(started.status, 200) << started.body;
  const int64_t retried_at = WallMs();
  auto retry = Checkpoint(arn, Body(started)["CheckpointToken"],
                          json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP",
                            "SubType":"Step","Action":"RETRY","Name":"charge",
                            "Error":{"ErrorType":"PaymentError","ErrorMessage":"declined"},
                            "StepOptions":{"NextAttemptDelaySeconds":1}}])"));
  const int64_t answered_at = WallMs();
  ASSERT_EQ(retry.status, 200) << retry.body;
  json pending = OperationOf(Body(retry), kStep);
  ASSERT_FALSE(pending.is_null()) << retry.body;
  EXPECT_EQ(pending["Status"], "PENDING");
  EXPECT_EQ(pending["StepDetails"]["Attempt"], 1);
  EXPECT_EQ(pending["StepDetails"]["Error"]["ErrorType"], "PaymentError");
  // The next attempt is due a second after the server took the RETRY (1 ms for rounding).
  const int64_t due = EpochMs(pending["StepDetails"]["NextAttemptTimestamp"]);
  EXPECT_GE(due, retried_at + 1000 - 1);
  EXPECT_LE(due, answered_at + 1000 + 1);
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});

  // The delay passes with no invocation running; then the step is READY for its next attempt.
  auto second = Next(*worker);
  EXPECT_GE(WallMs(), due - 1);
  const protocol::Operation* ready =
      Find(second.envelope.initial_execution_state.operations, kStep);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, OperationStatus::kReady);
  EXPECT_EQ(ready->step_details->attempt, 1);
  EXPECT_FALSE(ready->step_details->next_attempt_timestamp.has_value());
  auto again = Checkpoint(arn, second.envelope.checkpoint_token,
                          json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP",
                            "SubType":"Step","Action":"START","Name":"charge"},
                            {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step",
                             "Action":"SUCCEED","Name":"charge","Payload":"\"paid\""}])"));
  ASSERT_EQ(again.status, 200) << again.body;
  Respond(*worker, second.request_id, {{"Status", "SUCCEEDED"}, {"Result", "\"paid\""}});

  EXPECT_EQ(WaitForStatus(arn, "SUCCEEDED")["Result"], "\"paid\"");
  EXPECT_THAT(HistoryTypes(arn), ElementsAre("ExecutionStarted", "StepStarted", "StepFailed",
                                             "InvocationCompleted", "StepStarted", "StepSucceeded",
                                             "InvocationCompleted", "ExecutionSucceeded"));
  json events = HistoryEvents(arn);
  json failed = EventOf(events, "StepFailed", kStep);
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["StepFailedDetails"]["Error"]["Payload"]["ErrorType"], "PaymentError");
  EXPECT_EQ(failed["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"], 1);
  EXPECT_EQ(failed["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"], 1);
  json succeeded = EventOf(events, "StepSucceeded", kStep);
  ASSERT_FALSE(succeeded.is_null());
  EXPECT_EQ(succeeded["StepSucceededDetails"]["RetryDetails"]["CurrentAttempt"], 2);
}

TEST_F(ServerE2E, CallbacksThatFailOrTimeOutResumeTheExecutionWithTheirError) {
  DeployDurable("Approvals");
  auto worker = Worker("Approvals:prod");
  std::string arn = StartAsync("Approvals:prod", json::object());
  auto first = Next(*worker);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"a87ff679a2f3e71d","Type":"CALLBACK","SubType":"Callback","Action":"START",
       "Name":"rejected","CallbackOptions":{"TimeoutSeconds":60}},
      {"Id":"e4da3b7fbbce2345","Type":"CALLBACK","SubType":"Callback","Action":"START",
       "Name":"unanswered","CallbackOptions":{"TimeoutSeconds":1}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string rejected =
      OperationOf(Body(r), "a87ff679a2f3e71d")["CallbackDetails"]["CallbackId"];
  const std::string unanswered =
      OperationOf(Body(r), "e4da3b7fbbce2345")["CallbackDetails"]["CallbackId"];
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});

  auto sent =
      Call("POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(rejected) + "/fail",
           {{"ErrorType", "Rejected"}, {"ErrorMessage", "over budget"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  // A callback completes once: a second answer is refused.
  auto twice = Call(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(rejected) + "/succeed");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(twice.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");

  auto closed = ResumeUntilClosed(*worker, {"a87ff679a2f3e71d", "e4da3b7fbbce2345"}, 4);
  ASSERT_EQ(closed.operations.size(), 2u);
  const auto& failed = closed.operations["a87ff679a2f3e71d"];
  EXPECT_EQ(failed.status, OperationStatus::kFailed);
  ASSERT_TRUE(failed.callback_details->error.has_value());
  EXPECT_EQ(failed.callback_details->error->error_type, "Rejected");
  EXPECT_EQ(failed.callback_details->error->error_message, "over budget");
  const auto& timed_out = closed.operations["e4da3b7fbbce2345"];
  EXPECT_EQ(timed_out.status, OperationStatus::kTimedOut);
  ASSERT_TRUE(timed_out.callback_details->error.has_value());
  EXPECT_EQ(timed_out.callback_details->error->error_type, "Callback.Timeout");

  // An answer after the timeout is refused as AWS does.
  auto late = Call(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(unanswered) + "/succeed");
  EXPECT_EQ(late.status, 400) << late.body;
  EXPECT_EQ(late.headers.Get("X-Amzn-ErrorType").value_or(""), "CallbackTimeoutException");
  Respond(*worker, closed.invocation.request_id, {{"Status", "SUCCEEDED"}, {"Result", "1"}});

  WaitForStatus(arn, "SUCCEEDED");
  json events = HistoryEvents(arn);
  json failed_event = EventOf(events, "CallbackFailed", "a87ff679a2f3e71d");
  ASSERT_FALSE(failed_event.is_null()) << events.dump();
  EXPECT_EQ(failed_event["CallbackFailedDetails"]["Error"]["Payload"]["ErrorType"], "Rejected");
  json started = EventOf(events, "CallbackStarted", "e4da3b7fbbce2345");
  json timeout = EventOf(events, "CallbackTimedOut", "e4da3b7fbbce2345");
  ASSERT_FALSE(started.is_null());
  ASSERT_FALSE(timeout.is_null()) << events.dump();
  EXPECT_EQ(timeout["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"],
            "Callback.Timeout");
  EXPECT_GE(EpochMs(timeout["EventTimestamp"]) - EpochMs(started["EventTimestamp"]), 1000);
}

TEST_F(ServerE2E, HeartbeatsKeepACallbackAliveUntilTheyStop) {
  DeployDurable("Approvals");
  auto worker = Worker("Approvals:prod");
  std::string arn = StartAsync("Approvals:prod", json::object());
  auto first = Next(*worker);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"1679091c5a880faf","Type":"CALLBACK","SubType":"Callback","Action":"START",
       "Name":"long-job","CallbackOptions":{"TimeoutSeconds":60,"HeartbeatTimeoutSeconds":3}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id = OperationOf(Body(r), "1679091c5a880faf")["CallbackDetails"]["CallbackId"];
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});
  const std::string heartbeat =
      "/2025-12-01/durable-execution-callbacks/" + PercentEncode(id) + "/heartbeat";

  // Beats every second for four seconds: past the first three-second deadline, with two
  // seconds to spare for each beat.
  int64_t last_beat = 0;
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(Ms(1000));
    last_beat = WallMs();
    auto beat = Call("POST", heartbeat);
    ASSERT_EQ(beat.status, 200) << "beat " << i << ": " << beat.body;
  }
  // Then silence: the callback times out three seconds after the last beat.
  auto closed = ResumeUntilClosed(*worker, {"1679091c5a880faf"}, 3);
  ASSERT_EQ(closed.operations.size(), 1u);
  const auto& op = closed.operations["1679091c5a880faf"];
  EXPECT_EQ(op.status, OperationStatus::kTimedOut);
  ASSERT_TRUE(op.callback_details->error.has_value());
  EXPECT_EQ(op.callback_details->error->error_type, "Callback.Heartbeat");
  auto after = Call("POST", heartbeat);
  EXPECT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(after.headers.Get("X-Amzn-ErrorType").value_or(""), "CallbackTimeoutException");
  Respond(*worker, closed.invocation.request_id, {{"Status", "SUCCEEDED"}, {"Result", "1"}});

  WaitForStatus(arn, "SUCCEEDED");
  json events = HistoryEvents(arn);
  json timeout = EventOf(events, "CallbackTimedOut", "1679091c5a880faf");
  ASSERT_FALSE(timeout.is_null()) << events.dump();
  // Not before the last beat's deadline (without beats it would have come at the first).
  EXPECT_GE(EpochMs(timeout["EventTimestamp"]), last_beat + 3000);
  json started = EventOf(events, "CallbackStarted", "1679091c5a880faf");
  ASSERT_FALSE(started.is_null());
  EXPECT_EQ(started["CallbackStartedDetails"]["HeartbeatTimeout"], 3);
}

TEST_F(ServerE2E, FailedAndTimedOutChainedTargetsCloseTheOperationWithTheirError) {
  DeployDurable("Caller");
  DeployDurable("Child");
  DeployDurable("Sleeper", /*execution_timeout=*/1);
  ASSERT_NO_FATAL_FAILURE(DeployPlain("Enricher"));
  auto caller = Worker("Caller:prod");
  auto child = Worker("Child:prod");
  auto sleeper = Worker("Sleeper:prod");
  auto enricher = Worker("Enricher");
  std::string arn = StartAsync("Caller:prod", json::object());
  auto first = Next(*caller);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"8f14e45fceea167a","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"durable","Payload":"{}","ChainedInvokeOptions":{"FunctionName":"Child:prod"}},
      {"Id":"c9f0f895fb98ab91","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"plain","Payload":"{}","ChainedInvokeOptions":{"FunctionName":"Enricher"}},
      {"Id":"45c48cce2e2d7fbd","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"slow","Payload":"{}","ChainedInvokeOptions":{"FunctionName":"Sleeper:prod"}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  Respond(*caller, first.request_id, {{"Status", "PENDING"}});

  // The durable child fails its execution.
  auto c = Next(*child);
  Respond(*child, c.request_id,
          {{"Status", "FAILED"},
           {"Error", {{"ErrorType", "OutOfStock"}, {"ErrorMessage", "no more widgets"}}}});
  // The plain target reports a function error through the Runtime API.
  auto p = enricher->Send("GET", "/2018-06-01/runtime/invocation/next", {}, "",
                          std::chrono::seconds(30));
  ASSERT_TRUE(p.ok());
  std::string rid(p->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or(""));
  auto error = enricher->Send("POST", "/2018-06-01/runtime/invocation/" + rid + "/error",
                              {{"Lambda-Runtime-Function-Error-Type", "Unhandled"}},
                              R"({"errorType":"EnrichError","errorMessage":"bad address"})");
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->status, 202) << error->body;
  // The sleeper waits longer than its one-second execution timeout.
  auto s = Next(*sleeper);
  std::string sleeper_arn = s.envelope.durable_execution_arn;
  ASSERT_EQ(Checkpoint(sleeper_arn, s.envelope.checkpoint_token,
                       json::parse(R"([{"Id":"d3d9446802a44259","Type":"WAIT","Action":"START",
                         "WaitOptions":{"WaitSeconds":60}}])"))
                .status,
            200);
  Respond(*sleeper, s.request_id, {{"Status", "PENDING"}});

  auto closed =
      ResumeUntilClosed(*caller, {"8f14e45fceea167a", "c9f0f895fb98ab91", "45c48cce2e2d7fbd"}, 5);
  ASSERT_EQ(closed.operations.size(), 3u);
  const auto& durable = closed.operations["8f14e45fceea167a"];
  EXPECT_EQ(durable.status, OperationStatus::kFailed);
  ASSERT_TRUE(durable.chained_invoke_details->error.has_value());
  EXPECT_EQ(durable.chained_invoke_details->error->error_type, "OutOfStock");
  EXPECT_EQ(durable.chained_invoke_details->error->error_message, "no more widgets");
  const auto& plain = closed.operations["c9f0f895fb98ab91"];
  EXPECT_EQ(plain.status, OperationStatus::kFailed);
  ASSERT_TRUE(plain.chained_invoke_details->error.has_value());
  EXPECT_EQ(plain.chained_invoke_details->error->error_type, "EnrichError");
  EXPECT_EQ(plain.chained_invoke_details->error->error_message, "bad address");
  const auto& slow = closed.operations["45c48cce2e2d7fbd"];
  EXPECT_EQ(slow.status, OperationStatus::kTimedOut);
  EXPECT_EQ(WaitForStatus(sleeper_arn, "TIMED_OUT")["Error"]["ErrorType"], "Execution.Timeout");
  Respond(*caller, closed.invocation.request_id, {{"Status", "SUCCEEDED"}, {"Result", "1"}});

  WaitForStatus(arn, "SUCCEEDED");
  json events = HistoryEvents(arn);
  EXPECT_FALSE(EventOf(events, "ChainedInvokeFailed", "8f14e45fceea167a").is_null());
  EXPECT_FALSE(EventOf(events, "ChainedInvokeFailed", "c9f0f895fb98ab91").is_null());
  EXPECT_FALSE(EventOf(events, "ChainedInvokeTimedOut", "45c48cce2e2d7fbd").is_null())
      << events.dump();
}

TEST_F(ServerE2E, AnExecutionPastItsTimeoutIsTimedOutMidInvocation) {
  DeployDurable("Short", /*execution_timeout=*/1, /*timeout=*/30);
  auto worker = Worker("Short:prod");
  std::string arn = StartAsync("Short:prod", json::object());
  auto inv = Next(*worker);
  auto r = Checkpoint(arn, inv.envelope.checkpoint_token,
                      json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP","Action":"START"}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  // The invocation is still running when the execution's second is up.
  json exec = WaitForStatus(arn, "TIMED_OUT");
  EXPECT_EQ(exec["Error"]["ErrorType"], "Execution.Timeout");
  EXPECT_GE(EpochMs(exec["EndTimestamp"]) - EpochMs(exec["StartTimestamp"]), 1000);
  // The running invocation's token is dead, and its late answer changes nothing but being
  // recorded as the invocation's end.
  auto late = Checkpoint(arn, Body(r)["CheckpointToken"],
                         json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP",
                           "Action":"SUCCEED","Payload":"1"}])"));
  EXPECT_EQ(late.status, 400) << late.body;
  EXPECT_THAT(Body(late)["message"].get<std::string>(), StartsWith("Invalid Checkpoint Token"));
  auto answered =
      worker->Send("POST", "/2018-06-01/runtime/invocation/" + inv.request_id + "/response", {},
                   R"({"Status":"SUCCEEDED","Result":"1"})");
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(WaitForStatus(arn, "TIMED_OUT")["Error"]["ErrorType"], "Execution.Timeout");
  json events = HistoryEvents(arn);
  json timed_out = nullptr;
  for (const auto& e : events) {
    std::string type = e.value("EventType", "");
    EXPECT_NE(type, "ExecutionSucceeded");
    EXPECT_NE(type, "StepSucceeded");
    if (type == "ExecutionTimedOut") timed_out = e;
  }
  ASSERT_FALSE(timed_out.is_null()) << events.dump();
  EXPECT_EQ(timed_out["ExecutionTimedOutDetails"]["Error"]["Payload"]["ErrorType"],
            "Execution.Timeout");
}

}  // namespace
}  // namespace durafn::api
