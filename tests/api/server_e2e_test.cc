// The server end to end over real HTTP: the real `durafn serve` process with a real SQLite
// data dir, the test playing the function's worker through the Runtime API.
#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server_e2e_fixture.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(ServerE2E, WaitSuspendsAndResumesWithTheRecordedHistory) {
  DeployDurable("Orders");
  auto worker = Worker("Orders:prod");
  std::string arn = StartAsync("Orders:prod", {{"orderId", "ORD-1"}});
  ASSERT_THAT(arn, StartsWith("arn:aws:lambda:us-east-1:123456789012:function:Orders:1/"
                              "durable-execution/"));

  auto first = Next(*worker);
  const auto& ops = first.envelope.initial_execution_state.operations;
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].type, protocol::OperationType::kExecution);
  EXPECT_EQ(ops[0].execution_details->input_payload, R"({"orderId":"ORD-1"})");
  EXPECT_EQ(ops[0].id, arn.substr(arn.rfind('/') + 1));

  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"START","Name":"enrich-order"},
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"SUCCEED","Name":"enrich-order","Payload":"{\"ok\":true}"},
      {"Id":"c81e728d9d4c2f63","Type":"WAIT","SubType":"Wait","Action":"START","WaitOptions":{"WaitSeconds":1}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  json ck = Body(r);
  ASSERT_TRUE(ck.contains("CheckpointToken"));
  EXPECT_NE(ck["CheckpointToken"], first.envelope.checkpoint_token);
  // The old token is stale now.
  auto stale = Checkpoint(arn, first.envelope.checkpoint_token, json::array());
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(stale.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  EXPECT_THAT(Body(stale)["message"].get<std::string>(), StartsWith("Invalid Checkpoint Token"));
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});

  auto t0 = std::chrono::steady_clock::now();
  auto second = Next(*worker);  // arrives when the wait is over
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
  const auto& ops2 = second.envelope.initial_execution_state.operations;
  ASSERT_EQ(ops2.size(), 3u);
  EXPECT_EQ(ops2[1].status, protocol::OperationStatus::kSucceeded);
  EXPECT_EQ(ops2[2].status, protocol::OperationStatus::kSucceeded);
  ASSERT_TRUE(second.envelope.updated_operation_ids.has_value());
  EXPECT_THAT(*second.envelope.updated_operation_ids, ElementsAre("c81e728d9d4c2f63"));
  Respond(*worker, second.request_id, {{"Status", "SUCCEEDED"}, {"Result", R"({"done":1})"}});

  json exec = WaitForStatus(arn, "SUCCEEDED");
  EXPECT_EQ(exec["Result"], R"({"done":1})");
  EXPECT_EQ(exec["Version"], "1");
  EXPECT_THAT(HistoryTypes(arn), ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded",
                                             "WaitStarted", "InvocationCompleted", "WaitSucceeded",
                                             "InvocationCompleted", "ExecutionSucceeded"));
  // Newest first in pages of three, following NextMarker.
  const std::string history = "/2025-12-01/durable-executions/" + PercentEncode(arn) + "/history";
  std::vector<std::string> reversed;
  std::string marker;
  for (int page = 0; page < 5; ++page) {
    auto h = Call("GET", history + "?ReverseOrder=true&MaxItems=3" +
                             (marker.empty() ? "" : "&Marker=" + PercentEncode(marker)));
    ASSERT_EQ(h.status, 200) << h.body;
    json b = Body(h);
    EXPECT_LE(b["Events"].size(), 3u);
    for (const auto& e : b["Events"])
      reversed.push_back(e["EventType"]);
    if (!b.contains("NextMarker")) break;
    marker = b["NextMarker"];
  }
  EXPECT_THAT(reversed, ElementsAre("ExecutionSucceeded", "InvocationCompleted", "WaitSucceeded",
                                    "InvocationCompleted", "WaitStarted", "StepSucceeded",
                                    "StepStarted", "ExecutionStarted"));
  // Without execution data the payloads go, the rest of each event stays.
  json full = Body(Call("GET", history));
  json bare = Body(Call("GET", history + "?IncludeExecutionData=false"));
  ASSERT_EQ(full["Events"].size(), 8u);
  ASSERT_EQ(bare["Events"].size(), 8u);
  EXPECT_EQ(full["Events"][0]["ExecutionStartedDetails"]["Input"]["Payload"],
            R"({"orderId":"ORD-1"})");
  EXPECT_FALSE(bare["Events"][0]["ExecutionStartedDetails"]["Input"].contains("Payload"));
  EXPECT_EQ(full["Events"][2]["StepSucceededDetails"]["Result"]["Payload"], R"({"ok":true})");
  EXPECT_FALSE(bare["Events"][2]["StepSucceededDetails"]["Result"].contains("Payload"));
  EXPECT_EQ(bare["Events"][2]["Name"], "enrich-order");
  EXPECT_EQ(Call("GET", history + "?IncludeExecutionData=maybe").status, 400);
  auto list = Call("GET", "/2025-12-01/functions/Orders/durable-executions?Statuses=SUCCEEDED");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list)["DurableExecutions"].size(), 1u);
  EXPECT_EQ(Body(list)["DurableExecutions"][0]["DurableExecutionArn"], arn);

  // Prometheus page: counts, the gauge per status and the histograms reflect this run.
  auto m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers.Get("Content-Type").value_or(""), "text/plain; version=0.0.4");
  EXPECT_THAT(m.body, HasSubstr("\ndurafn_checkpoints_total 1\n"));  // the stale one is refused
  EXPECT_THAT(m.body, HasSubstr("\ndurafn_checkpoint_seconds_count 1\n"));
  EXPECT_THAT(m.body, HasSubstr("\ndurafn_executions{status=\"SUCCEEDED\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("\ndurafn_executions{status=\"RUNNING\"} 0\n"));
  EXPECT_THAT(m.body, HasSubstr("durafn_store_commit_batch_size_bucket{le=\"+Inf\"} "));
}

// With no idle execution allowed in memory, every suspension drops the execution from the
// cache: the wait's timer, the callback and the worker's next invocation all find it again in
// the store, and the history is the same as with the cache.
TEST_F(ServerE2E, IdleExecutionsLeaveMemoryAndResumeFromTheStore) {
  server_->Kill(SIGTERM);
  server_->set_extra_args({"--max-idle-cached-executions", "0"});
  Restart();
  DeployDurable("Idlers");
  auto worker = Worker("Idlers:prod");
  std::string arn = StartAsync("Idlers:prod", {{"n", 1}});
  auto first = Next(*worker);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"START","Name":"one"},
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"SUCCEED","Name":"one","Payload":"1"},
      {"Id":"c81e728d9d4c2f63","Type":"WAIT","SubType":"Wait","Action":"START","WaitOptions":{"WaitSeconds":1}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});

  auto second = Next(*worker);  // the timer fired on a state loaded from the store
  ASSERT_EQ(second.envelope.initial_execution_state.operations.size(), 3u);
  EXPECT_EQ(second.envelope.initial_execution_state.operations[2].status,
            protocol::OperationStatus::kSucceeded);
  r = Checkpoint(arn, second.envelope.checkpoint_token, json::parse(R"([
      {"Id":"eccbc87e4b5ce2fe","Type":"CALLBACK","SubType":"Callback","Action":"START","Name":"approval"}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string callback_id;
  const json response = Body(r);
  for (const auto& op : response["NewExecutionState"]["Operations"]) {
    if (op["Id"] == "eccbc87e4b5ce2fe") callback_id = op["CallbackDetails"]["CallbackId"];
  }
  ASSERT_FALSE(callback_id.empty()) << r.body;
  Respond(*worker, second.request_id, {{"Status", "PENDING"}});

  auto sent = client_->Send(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(callback_id) + "/succeed",
      {{"Content-Type", "application/octet-stream"}}, R"("yes")");
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->status, 200) << sent->body;
  auto third = Next(*worker);
  ASSERT_EQ(third.envelope.initial_execution_state.operations.size(), 4u);
  EXPECT_EQ(third.envelope.initial_execution_state.operations[3].callback_details->result,
            R"("yes")");
  Respond(*worker, third.request_id, {{"Status", "SUCCEEDED"}, {"Result", "3"}});

  json exec = WaitForStatus(arn, "SUCCEEDED");
  EXPECT_EQ(exec["Result"], "3");
  EXPECT_THAT(
      HistoryTypes(arn),
      ElementsAre("ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                  "InvocationCompleted", "WaitSucceeded", "CallbackStarted", "InvocationCompleted",
                  "CallbackSucceeded", "InvocationCompleted", "ExecutionSucceeded"));
  auto m = Call("GET", "/metrics");
  const std::string evictions = "\ndurafn_execution_cache_idle_evictions_total ";
  auto at = m.body.find(evictions);
  ASSERT_NE(at, std::string::npos) << m.body;
  // At least: suspended on the wait, and ended (the callback may come before the second
  // suspension is saved).
  EXPECT_GE(std::stod(m.body.substr(at + evictions.size())), 2) << m.body;
  EXPECT_THAT(m.body, HasSubstr("\ndurafn_executions_cached 0\n"));
  // A checkpoint for an execution that is not in memory is served by loading it (here: the
  // ended invocation's token is refused, as it is for a cached execution).
  r = Checkpoint(arn, third.envelope.checkpoint_token, json::parse("[]"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  // The gauge is updated once the task that loaded it has returned, just after it answered.
  const std::string loaded = "\ndurafn_executions_cached 1\n";
  for (int i = 0; i < 200 && Call("GET", "/metrics").body.find(loaded) == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_THAT(Call("GET", "/metrics").body, HasSubstr(loaded)) << "loaded to answer it";
}

TEST_F(ServerE2E, OverdueTimersAllFireThroughAFullStoreQueue) {
  DeployDurable("Sleepers");
  auto worker = Worker("Sleepers:prod");
  constexpr int kExecutions = 30;
  std::set<std::string> arns;
  for (int i = 0; i < kExecutions; ++i) {
    std::string arn = StartAsync("Sleepers:prod", {{"n", i}});
    arns.insert(arn);
    auto first = Next(*worker);
    auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
        {"Id":"c4ca4238a0b92382","Type":"WAIT","SubType":"Wait","Action":"START","WaitOptions":{"WaitSeconds":1}}])"));
    ASSERT_EQ(r.status, 200) << r.body;
    Respond(*worker, first.request_id, {{"Status", "PENDING"}});
  }
  // Every wait is over while the server is down, so all fire together at the restart, through
  // a write queue of two: most firings and invocation starts are refused at first.
  server_->Kill(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  server_->set_extra_args({"--max-queued-writes", "2"});
  Restart();
  worker = Worker("Sleepers:prod");
  std::set<std::string> resumed;
  for (int i = 0; i < kExecutions; ++i) {
    auto again = Next(*worker);
    ASSERT_FALSE(again.request_id.empty()) << "only " << resumed.size() << " resumed";
    resumed.insert(again.envelope.durable_execution_arn);
    Respond(*worker, again.request_id, {{"Status", "SUCCEEDED"}, {"Result", "1"}});
  }
  EXPECT_EQ(resumed, arns);
  auto m = Call("GET", "/metrics");
  const std::string metric = "\ndurafn_store_rejected_total ";
  auto at = m.body.find(metric);
  ASSERT_NE(at, std::string::npos) << m.body;
  EXPECT_GT(std::stod(m.body.substr(at + metric.size())), 0)
      << "the queue was never full: the test did not test the retry";
  const std::string retries = "\ndurafn_background_retries_total ";
  at = m.body.find(retries);
  ASSERT_NE(at, std::string::npos) << m.body;
  EXPECT_GT(std::stod(m.body.substr(at + retries.size())), 0) << m.body;
}

TEST_F(ServerE2E, SyncInvokeWaitsForACallbackCompletedByAnotherClient) {
  DeployDurable("Approvals");
  auto worker = Worker("Approvals:prod");
  auto sync = std::async(std::launch::async, [port = server_->port()] {
    HttpClient c("127.0.0.1", port);
    return c.Send("POST", "/2015-03-31/functions/Approvals/invocations?Qualifier=prod", {},
                  R"({"amount":5})", std::chrono::seconds(30));
  });
  auto first = Next(*worker);
  std::string arn = first.envelope.durable_execution_arn;
  auto r =
      Checkpoint(arn, first.envelope.checkpoint_token,
                 json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"CALLBACK","SubType":"Callback",
                        "Action":"START","Name":"approval","CallbackOptions":{"TimeoutSeconds":60}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string callback_id =
      Body(r)["NewExecutionState"]["Operations"][0]["CallbackDetails"]["CallbackId"];
  Respond(*worker, first.request_id, {{"Status", "PENDING"}});

  auto bad = Call("POST", "/2025-12-01/durable-execution-callbacks/" +
                              PercentEncode("bm90LWEtY2FsbGJhY2s=") + "/succeed");
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto ok = client_->Send(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(callback_id) + "/succeed",
      {{"Content-Type", "application/octet-stream"}}, R"({"approved":true})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto again = client_->Send(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(callback_id) + "/succeed",
      {}, "{}");
  EXPECT_EQ(again->status, 400) << again->body;

  auto second = Next(*worker);
  const auto& cb = second.envelope.initial_execution_state.operations[1];
  EXPECT_EQ(cb.callback_details->result, R"({"approved":true})");
  Respond(*worker, second.request_id,
          {{"Status", "SUCCEEDED"}, {"Result", *cb.callback_details->result}});

  auto response = sync.get();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"approved":true})");
  EXPECT_EQ(response->headers.Get("X-Amz-Durable-Execution-Arn").value_or(""), arn);
  EXPECT_FALSE(response->headers.Has("X-Amz-Function-Error"));
}

TEST_F(ServerE2E, DurableFunctionsMustBeInvokedQualified) {
  DeployDurable("Orders");
  auto r = Call("POST", "/2015-03-31/functions/Orders/invocations", json::object());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  EXPECT_THAT(Body(r)["message"].get<std::string>(),
              HasSubstr("You cannot invoke a durable function using an unqualified ARN"));
  r = Call("POST", "/2015-03-31/functions/Missing:prod/invocations", json::object());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "ResourceNotFoundException");
}

TEST_F(ServerE2E, ExecutionNamesAreIdempotent) {
  DeployDurable("Orders");
  auto start = [&](const json& payload) {
    return Call("POST", "/2015-03-31/functions/Orders:prod/invocations", payload,
                {{"X-Amz-Invocation-Type", "Event"}, {"X-Amz-Durable-Execution-Name", "order-7"}});
  };
  auto a = start({{"n", 1}});
  auto b = start({{"n", 1}});
  ASSERT_EQ(a.status, 202);
  ASSERT_EQ(b.status, 202);
  EXPECT_EQ(a.headers.Get("X-Amz-Durable-Execution-Arn"),
            b.headers.Get("X-Amz-Durable-Execution-Arn"));
  auto c = start({{"n", 2}});
  EXPECT_EQ(c.status, 409);
  EXPECT_EQ(c.headers.Get("X-Amzn-ErrorType").value_or(""),
            "DurableExecutionAlreadyStartedException");
}

TEST_F(ServerE2E, BadInputGetsAwsErrorsAndTheServerKeepsServing) {
  DeployDurable("Orders");
  std::string arn = StartAsync("Orders:prod", json::object());
  std::string path = "/2025-12-01/durable-executions/" + PercentEncode(arn);
  auto r = client_->Send("POST", path + "/checkpoint", {}, "{not json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidRequestContentException");
  r = client_->Send(
      "POST", path + "/checkpoint", {},
      R"({"CheckpointToken":"x","Updates":[{"Id":"a","Type":"TIMER","Action":"START"}]})");
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("Updates[0].Type: unknown OperationType 'TIMER'"));
  r = client_->Send("POST", path + "/checkpoint", {}, R"({"CheckpointToken":5,"Updates":[]})");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidRequestContentException");
  EXPECT_THAT(r->body, HasSubstr("CheckpointToken: expected string, got integer"));
  r = client_->Send("POST", "/2025-12-01/durable-execution-callbacks/nope/succeed", {}, "1");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  EXPECT_THAT(r->body, HasSubstr("Invalid callback id"));
  r = client_->Send("GET", "/2025-12-01/durable-executions/not-an-arn");
  EXPECT_EQ(r->status, 400);
  r = client_->Send(
      "GET",
      "/2025-12-01/durable-executions/" +
          PercentEncode(
              "arn:aws:lambda:us-east-1:123456789012:function:Orders:1/durable-execution/x/y"));
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType").value_or(""), "ResourceNotFoundException");
  r = client_->Send("DELETE", path);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType").value_or(""), "UnknownOperationException");
  r = client_->Send("POST", "/2015-03-31/functions/Orders:prod/invocations",
                    {{"X-Amz-Invocation-Type", "Event"}}, std::string(2 * 1024 * 1024, ' '));
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(ServerE2E, StopClosesTheExecutionAndInvalidatesItsToken) {
  DeployDurable("Orders");
  auto worker = Worker("Orders:prod");
  std::string arn = StartAsync("Orders:prod", json::object());
  auto inv = Next(*worker);
  auto r = Call("POST", "/2025-12-01/durable-executions/" + PercentEncode(arn) + "/stop",
                {{"ErrorType", "Cancelled"}, {"ErrorMessage", "operator request"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Body(r).contains("StopTimestamp"));
  json exec = WaitForStatus(arn, "STOPPED");
  EXPECT_EQ(exec["Error"]["ErrorMessage"], "operator request");
  auto ck = Checkpoint(arn, inv.envelope.checkpoint_token, json::array());
  EXPECT_EQ(ck.status, 400);
  EXPECT_THAT(Body(ck)["message"].get<std::string>(), StartsWith("Invalid Checkpoint Token"));
}

// kill -9 while one execution waits on a timer, one is mid-invocation and one waits on a
// callback: after a restart on the same data dir all finish, and no acknowledged checkpoint
// is lost.
TEST_F(ServerE2E, CrashRecoveryLosesNothingAcknowledged) {
  DeployDurable("Orders");
  auto worker = Worker("Orders:prod");
  std::string waiting = StartAsync("Orders:prod", {{"k", "waiting"}});
  auto a = Next(*worker);
  ASSERT_EQ(Checkpoint(waiting, a.envelope.checkpoint_token,
                       json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP","Action":"START"},
                         {"Id":"c4ca4238a0b92382","Type":"STEP","Action":"SUCCEED","Payload":"1"},
                         {"Id":"c81e728d9d4c2f63","Type":"WAIT","Action":"START","WaitOptions":{"WaitSeconds":2}}])"))
                .status,
            200);
  Respond(*worker, a.request_id, {{"Status", "PENDING"}});
  std::string running = StartAsync("Orders:prod", {{"k", "running"}});
  auto b = Next(*worker);
  ASSERT_EQ(Checkpoint(running, b.envelope.checkpoint_token,
                       json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP","Action":"START"},
                         {"Id":"c4ca4238a0b92382","Type":"STEP","Action":"SUCCEED","Payload":"7"}])"))
                .status,
            200);

  std::string approving = StartAsync("Orders:prod", {{"k", "approving"}});
  auto c = Next(*worker);
  auto cb = Checkpoint(approving, c.envelope.checkpoint_token,
                       json::parse(R"([{"Id":"c4ca4238a0b92382","Type":"STEP","Action":"START"},
                         {"Id":"c4ca4238a0b92382","Type":"STEP","Action":"SUCCEED","Payload":"3"},
                         {"Id":"c81e728d9d4c2f63","Type":"CALLBACK","Action":"START",
                          "CallbackOptions":{"TimeoutSeconds":600}}])"));
  ASSERT_EQ(cb.status, 200) << cb.body;
  std::string callback_id;
  const json cb_body = Body(cb);
  for (const auto& op : cb_body["NewExecutionState"]["Operations"]) {
    if (op["Type"] == "CALLBACK") callback_id = op["CallbackDetails"]["CallbackId"];
  }
  ASSERT_FALSE(callback_id.empty()) << cb.body;
  Respond(*worker, c.request_id, {{"Status", "PENDING"}});

  Restart();  // kill -9, then start again on the same data dir
  worker = Worker("Orders:prod");
  // The callback issued before the crash is still valid.
  auto sent = Call(
      "POST", "/2025-12-01/durable-execution-callbacks/" + PercentEncode(callback_id) + "/succeed");
  ASSERT_EQ(sent.status, 200) << sent.body;
  std::map<std::string, bool> done;
  for (int i = 0; i < 3; ++i) {
    auto inv = Next(*worker);
    std::string arn = inv.envelope.durable_execution_arn;
    const auto& ops = inv.envelope.initial_execution_state.operations;
    // The acknowledged step is there with its result: it will not run again.
    ASSERT_GE(ops.size(), 2u) << arn;
    EXPECT_EQ(ops[1].status, protocol::OperationStatus::kSucceeded);
    Respond(*worker, inv.request_id,
            {{"Status", "SUCCEEDED"}, {"Result", *ops[1].step_details->result}});
    done[arn] = true;
  }
  EXPECT_TRUE(done[waiting] && done[running] && done[approving]);
  EXPECT_EQ(WaitForStatus(waiting, "SUCCEEDED")["Result"], "1");
  EXPECT_EQ(WaitForStatus(running, "SUCCEEDED")["Result"], "7");
  EXPECT_EQ(WaitForStatus(approving, "SUCCEEDED")["Result"], "3");
  EXPECT_THAT(HistoryTypes(approving), ::testing::Contains("CallbackSucceeded"));
  // The interrupted invocation is on record as failed.
  HistoryTypes(running);  // EventIds still consecutive after the crash
  bool failed_invocation = false;
  for (const auto& e : HistoryEvents(running)) {
    if (e["EventType"] == "InvocationCompleted" &&
        e["InvocationCompletedDetails"].contains("Error")) {
      failed_invocation = true;
    }
  }
  EXPECT_TRUE(failed_invocation);
}

// A worker that takes an invocation and never answers: past the function's timeout the
// invocation fails as Sandbox.Timedout and the execution is invoked again.
TEST_F(ServerE2E, AnUnansweredInvocationTimesOutAndIsRetried) {
  DeployDurable("Slow", 300, 1);
  auto worker = Worker("Slow:prod");
  std::string arn = StartAsync("Slow:prod", json::object());
  auto first = Next(*worker);  // and never respond
  auto second = Next(*worker);
  EXPECT_NE(second.request_id, first.request_id);
  Respond(*worker, second.request_id, {{"Status", "SUCCEEDED"}, {"Result", "1"}});
  auto late =
      worker->Send("POST", "/2018-06-01/runtime/invocation/" + first.request_id + "/response", {},
                   R"({"Status":"SUCCEEDED"})");
  EXPECT_EQ(late->status, 400);
  WaitForStatus(arn, "SUCCEEDED");
  std::string first_error;
  for (const auto& e : HistoryEvents(arn)) {
    if (e["EventType"] == "InvocationCompleted" &&
        e["InvocationCompletedDetails"].contains("Error")) {
      first_error = e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"];
      break;
    }
  }
  EXPECT_EQ(first_error, "Sandbox.Timedout");
}

TEST_F(ServerE2E, ChainedInvokeOfDurableAndPlainTargets) {
  DeployDurable("Caller");
  DeployDurable("Child");
  ASSERT_NO_FATAL_FAILURE(DeployPlain("Enricher"));
  auto caller = Worker("Caller:prod");
  auto child = Worker("Child:prod");
  auto enricher = Worker("Enricher");
  std::string arn = StartAsync("Caller:prod", json::object());
  auto first = Next(*caller);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"c4ca4238a0b92382","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"to-child","Payload":"{\"x\":1}","ChainedInvokeOptions":{"FunctionName":"Child:prod"}},
      {"Id":"c81e728d9d4c2f63","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"to-plain","Payload":"{\"y\":2}","ChainedInvokeOptions":{"FunctionName":"Enricher"}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  Respond(*caller, first.request_id, {{"Status", "PENDING"}});

  // The durable child runs as its own execution, with the START payload as input.
  auto c = Next(*child);
  EXPECT_EQ(c.envelope.initial_execution_state.operations[0].execution_details->input_payload,
            R"({"x":1})");
  Respond(*child, c.request_id, {{"Status", "SUCCEEDED"}, {"Result", R"("from-child")"}});
  // The plain target gets the payload itself; its response is the result.
  auto p = enricher->Send("GET", "/2018-06-01/runtime/invocation/next", {}, "",
                          std::chrono::seconds(30));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->body, R"({"y":2})");
  EXPECT_EQ(p->headers.Get("Lambda-Runtime-Invoked-Function-Arn").value_or(""),
            "arn:aws:lambda:us-east-1:123456789012:function:Enricher");
  std::string rid(p->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or(""));
  ASSERT_EQ(enricher
                ->Send("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", {},
                       R"({"enriched":true})")
                ->status,
            202);

  // The caller resumes once both are done (one invocation may see the first completion).
  auto closed = ResumeUntilClosed(*caller, {"c4ca4238a0b92382", "c81e728d9d4c2f63"}, 3);
  ASSERT_EQ(closed.operations.size(), 2u);
  const auto& to_child = closed.operations["c4ca4238a0b92382"];
  const auto& to_plain = closed.operations["c81e728d9d4c2f63"];
  EXPECT_EQ(to_child.status, protocol::OperationStatus::kSucceeded);
  EXPECT_EQ(to_child.chained_invoke_details->result, R"("from-child")");
  EXPECT_EQ(to_plain.status, protocol::OperationStatus::kSucceeded);
  EXPECT_EQ(to_plain.chained_invoke_details->result, R"({"enriched":true})");
  Respond(*caller, closed.invocation.request_id, {{"Status", "SUCCEEDED"}, {"Result", "\"ok\""}});
  WaitForStatus(arn, "SUCCEEDED");
  const json history = HistoryEvents(arn);
  bool started_with_target = false;
  int succeeded = 0;
  for (const auto& e : history) {
    if (e["EventType"] == "ChainedInvokeStarted" && e["Name"] == "to-child") {
      started_with_target = e["ChainedInvokeStartedDetails"].value("ExecutedVersion", "") == "1" &&
                            e["ChainedInvokeStartedDetails"].contains("DurableExecutionArn");
    }
    succeeded += e["EventType"] == "ChainedInvokeSucceeded";
  }
  EXPECT_TRUE(started_with_target) << history.dump();
  EXPECT_EQ(succeeded, 2);
}

// Lambda hands a function the ARN it was invoked by (context.invokedFunctionArn): qualified by
// the alias or version the caller named, whichever version runs.
TEST_F(ServerE2E, APlainFunctionSeesTheArnItWasInvokedBy) {
  ASSERT_NO_FATAL_FAILURE(DeployPlain("Plain"));
  ASSERT_EQ(Call("POST", "/2015-03-31/functions/Plain/versions", json::object()).status, 201);
  ASSERT_EQ(Call("POST", "/2015-03-31/functions/Plain/aliases",
                 {{"Name", "live"}, {"FunctionVersion", "1"}})
                .status,
            201);
  auto worker = Worker("Plain:1");
  const std::string base = "arn:aws:lambda:us-east-1:123456789012:function:Plain";
  for (const auto& [target, expected] :
       std::vector<std::pair<std::string, std::string>>{{"Plain:live", base + ":live"},
                                                        {"Plain:1", base + ":1"},
                                                        {base + ":live", base + ":live"}}) {
    auto r = Call("POST", "/2015-03-31/functions/" + PercentEncode(target) + "/invocations",
                  json{{"to", target}}, {{"X-Amz-Invocation-Type", "Event"}});
    ASSERT_EQ(r.status, 202) << r.body;
    auto next = worker->Send("GET", "/2018-06-01/runtime/invocation/next", {}, "",
                             std::chrono::seconds(30));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->body, json({{"to", target}}).dump());
    EXPECT_EQ(next->headers.Get("Lambda-Runtime-Invoked-Function-Arn").value_or(""), expected)
        << target;
    std::string rid(next->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or(""));
    ASSERT_EQ(worker->Send("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", {}, "{}")
                  ->status,
              202);
  }
}

// kill -9 while a caller waits on a durable child: after the restart the same child (not a
// second one) finishes and the caller resumes with its result.
TEST_F(ServerE2E, ChainedInvokesInFlightSurviveACrash) {
  DeployDurable("Caller");
  DeployDurable("Child");
  auto caller = Worker("Caller:prod");
  auto child = Worker("Child:prod");
  std::string arn = StartAsync("Caller:prod", json::object());
  auto first = Next(*caller);
  auto r = Checkpoint(arn, first.envelope.checkpoint_token, json::parse(R"([
      {"Id":"c4ca4238a0b92382","Type":"CHAINED_INVOKE","SubType":"ChainedInvoke","Action":"START",
       "Name":"to-child","Payload":"{\"x\":1}","ChainedInvokeOptions":{"FunctionName":"Child:prod"}}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  Respond(*caller, first.request_id, {{"Status", "PENDING"}});
  auto c = Next(*child);  // the child runs, and the server dies under it
  std::string child_arn = c.envelope.durable_execution_arn;

  Restart();
  caller = Worker("Caller:prod");
  child = Worker("Child:prod");
  auto c2 = Next(*child);
  EXPECT_EQ(c2.envelope.durable_execution_arn, child_arn);
  Respond(*child, c2.request_id, {{"Status", "SUCCEEDED"}, {"Result", R"("from-child")"}});

  auto closed = ResumeUntilClosed(*caller, {"c4ca4238a0b92382"}, 3);
  ASSERT_EQ(closed.operations.size(), 1u);
  const auto& to_child = closed.operations["c4ca4238a0b92382"];
  EXPECT_EQ(to_child.status, protocol::OperationStatus::kSucceeded);
  EXPECT_EQ(to_child.chained_invoke_details->result, R"("from-child")");
  Respond(*caller, closed.invocation.request_id, {{"Status", "SUCCEEDED"}, {"Result", "\"ok\""}});
  WaitForStatus(arn, "SUCCEEDED");
  auto children = Body(Call("GET", "/2025-12-01/functions/Child/durable-executions"));
  EXPECT_EQ(children["DurableExecutions"].size(), 1u) << children.dump();
}

}  // namespace
}  // namespace durafn::api
