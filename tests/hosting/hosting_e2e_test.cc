// Worker hosting end to end: the server (in this process, so the test can set its hosting
// options) over real HTTP, functions deployed through the API as zip and as folder, and real
// worker processes speaking the Runtime API.
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/http_client.h"
#include "api/server.h"
#include "api/uri.h"
#include "hosting/test_package.h"
#include "protocol/json_codec.h"
#include "support/in_process_server.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class HostingE2E : public testing::InProcessServerTest {
 protected:
  HostingE2E() : InProcessServerTest("durafn-hosting") {}
  void SetUp() override {
    InProcessServerTest::SetUp();
    options_.event_retry_delay_1 = std::chrono::milliseconds(100);
    options_.event_retry_delay_2 = std::chrono::milliseconds(200);
  }

  json ZipCode(const std::string& fn) {
    return {{"ZipFile", testing::Base64(testing::FunctionZip(dir_ / "pkg.zip", fn))}};
  }
  json FolderCode(const std::string& fn) {
    return {{"DirectoryPath", testing::FunctionFolder(dir_, fn).string()}};
  }
  Response Create(const std::string& name, const json& code, json extra = json::object()) {
    json body = {{"FunctionName", name},
                 {"Runtime", "provided.al2023"},
                 {"Handler", "handler"},
                 {"Role", "arn:aws:iam::123456789012:role/x"},
                 {"Code", code}};
    body.update(extra);
    auto r = Call("POST", "/2015-03-31/functions", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r;
  }
  Response Invoke(const std::string& function, const json& payload, Headers headers = {},
                  HttpClient* client = nullptr) {
    return Call("POST", "/2015-03-31/functions/" + function + "/invocations", payload, headers,
                client);
  }
  json Workers() { return Body(Call("GET", "/durafn/workers"))["Workers"]; }
  // Polls until the server lists `n` workers, all busy (within 4 s).
  bool WaitForBusyWorkers(std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      json w = Workers();
      std::size_t busy = 0;
      for (const auto& x : w)
        busy += x["State"] == "busy";
      if (w.size() == n && busy == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(HostingE2E, ZipFunctionColdStartsThenIsReusedWarm) {
  StartServer();
  auto created =
      Create("Info", ZipCode("info"),
             {{"MemorySize", 256}, {"Environment", {{"Variables", {{"GREETING", "hi"}}}}}});
  EXPECT_FALSE(Body(created)["CodeSha256"].get<std::string>().empty());

  auto first = Invoke("Info", json::object());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_FALSE(first.headers.Get("X-Amz-Function-Error"));
  EXPECT_EQ(first.headers.Get("X-Amz-Executed-Version").value_or(""), "$LATEST");
  json info = Body(first);
  // The caller and the function see the same request id, as on Lambda.
  EXPECT_EQ(info["request_id"], std::string(first.headers.Get("x-amzn-RequestId").value_or("")));
  int pid = info["pid"];
  const json& env = info["env"];
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "Info");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
  EXPECT_EQ(env["_HANDLER"], "handler");
  EXPECT_EQ(env["GREETING"], "hi");
  EXPECT_EQ(env["TZ"], ":UTC");
  EXPECT_EQ(env["AWS_REGION"], "us-east-1");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/Info");
  EXPECT_EQ(env["AWS_ENDPOINT_URL_LAMBDA"], "http://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_THAT(env["AWS_LAMBDA_RUNTIME_API"].get<std::string>(), StartsWith("127.0.0.1:"));
  EXPECT_TRUE(env.contains("AWS_ACCESS_KEY_ID"));
  // The code runs from the server's own copy, named by its content.
  std::string root = env["LAMBDA_TASK_ROOT"];
  EXPECT_EQ(info["cwd"], root);
  EXPECT_THAT(root, StartsWith((dir_ / "data" / "code").string()));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(root) / "bootstrap"));

  auto second = Invoke("Info", json::object());
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Body(second)["pid"], pid) << "a warm worker is reused";
  json workers = Workers();
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0]["Pid"], pid);
  // Lambda's stream name: YYYY/MM/DD/[$LATEST]<32 hex>.
  std::string stream = workers[0]["LogStreamName"];
  EXPECT_EQ(stream, env["AWS_LAMBDA_LOG_STREAM_NAME"]);
  EXPECT_THAT(stream, HasSubstr("/[$LATEST]"));
  EXPECT_EQ(stream.size(), 10 + 1 + 9 + 32);
}

TEST_F(HostingE2E, FolderFunctionEchoesAndRunsFromACopy) {
  StartServer();
  auto code = FolderCode("echo");
  auto created = Body(Create("Echo", code));
  auto again = Body(Create("Echo2", code));
  EXPECT_EQ(created["CodeSha256"], again["CodeSha256"]) << "same folder, same digest";
  // Changing the user's folder afterwards changes nothing that runs.
  std::filesystem::remove(std::filesystem::path(code["DirectoryPath"]) / "bootstrap");
  auto r = Invoke("Echo", {{"hello", "world"}, {"n", 7}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), json({{"hello", "world"}, {"n", 7}}));
  auto dry = Invoke("Echo", json::object(), {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(dry.status, 204);
  EXPECT_EQ(Invoke("Missing", json::object()).status, 404);
}

TEST_F(HostingE2E, ZipEntriesEscapingTheFolderAreRejected) {
  StartServer();
  auto reject = [&](std::vector<testing::ZipEntry> entries) {
    std::string zip = testing::MakeZip(dir_ / "evil.zip", entries);
    auto r = Call("POST", "/2015-03-31/functions",
                  {{"FunctionName", "Evil"},
                   {"Runtime", "provided.al2023"},
                   {"Role", "arn:aws:iam::123456789012:role/x"},
                   {"Code", {{"ZipFile", testing::Base64(zip)}}}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  };
  reject({{"bootstrap", "x", S_IFREG | 0755}, {"../escaped", "x"}});
  reject({{"a/../../escaped", "x"}});
  reject({{"/etc/escaped", "x"}});
  reject({{"link", "/etc/passwd", S_IFLNK | 0777}});
  reject({{"dir/link", "../../outside", S_IFLNK | 0777}});
  EXPECT_FALSE(std::filesystem::exists(dir_ / "escaped"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data" / "escaped"));
  // Not a zip at all.
  auto r = Call("POST", "/2015-03-31/functions",
                {{"FunctionName", "Junk"},
                 {"Runtime", "provided.al2023"},
                 {"Role", "arn:aws:iam::123456789012:role/x"},
                 {"Code", {{"ZipFile", testing::Base64("not a zip")}}}});
  EXPECT_EQ(r.status, 400);
  // A link that stays inside is fine, and the executable bit survives.
  std::string zip = testing::MakeZip(
      dir_ / "ok.zip",
      {{"bin/real", testing::ReadAll(testing::TestFunction("echo")), S_IFREG | 0755},
       {"bootstrap", "bin/real", S_IFLNK | 0777}});
  Create("Linked", {{"ZipFile", testing::Base64(zip)}});
  auto echo = Invoke("Linked", {{"k", 1}});
  EXPECT_EQ(Body(echo), json({{"k", 1}}));
}

TEST_F(HostingE2E, TimeoutKillsTheWorker) {
  StartServer();
  Create("Sleepy", ZipCode("sleep"), {{"Timeout", 1}});
  auto start = std::chrono::steady_clock::now();
  auto r = Invoke("Sleepy", {{"ms", 5000}});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  json e = Body(r);
  EXPECT_EQ(e["errorType"], "Sandbox.Timedout");
  EXPECT_THAT(e["errorMessage"].get<std::string>(), HasSubstr("Task timed out after 1.00 seconds"));
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  // A fresh worker serves the next one.
  auto ok = Invoke("Sleepy", {{"ms", 1}});
  EXPECT_EQ(Body(ok), "slept");
}

TEST_F(HostingE2E, CrashInitErrorAndMemoryLimitAreReportedAsLambdaDoes) {
  StartServer();
  // Room above the crash's own peak memory (larger under AddressSanitizer), so the crash is
  // not taken for running out of memory.
  Create("Crash", ZipCode("crash"), {{"MemorySize", 1024}});
  auto r = Invoke("Crash", json::object());
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "Runtime.ExitError") << r.body;
  EXPECT_THAT(Body(r)["errorMessage"].get<std::string>(),
              HasSubstr("Runtime exited with error: signal: aborted"));

  Create("BadInit", FolderCode("init_error"));
  r = Invoke("BadInit", json::object());
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "InitFailed") << r.body;
  EXPECT_EQ(Body(r)["errorMessage"], "the configuration could not be loaded");

  Create("Hungry", ZipCode("alloc"), {{"MemorySize", 128}, {"Timeout", 30}});
  r = Invoke("Hungry", json::object());
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "Runtime.OutOfMemory") << r.body;

  Create("Failing", ZipCode("fail"));
  r = Invoke("Failing", json::object());
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "TestError");
  EXPECT_EQ(Body(r)["errorMessage"], "failed on purpose");
  EXPECT_EQ(Body(r)["stackTrace"], json::array({"at test_function"}));

  // A Node.js runtime whose bootstrap is not found (none next to this test binary) fails
  // cleanly.
  Create("Node", ZipCode("echo"), {{"Runtime", "nodejs22.x"}});
  r = Invoke("Node", json::object());
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "Runtime.Unavailable") << r.body;
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(HostingE2E, AnOversizedResponseFailsTheInvocationAtOnce) {
  StartServer();
  Create("Big", ZipCode("big"), {{"Timeout", 30}});
  auto start = std::chrono::steady_clock::now();
  auto r = Invoke("Big", {{"bytes", 6'291'556}});  // two quotes over the limit
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled");
  EXPECT_EQ(Body(r)["errorType"], "Function.ResponseSizeTooLarge") << r.body;
  EXPECT_THAT(Body(r)["errorMessage"].get<std::string>(), HasSubstr("6291556 bytes"));
  // Answered when the response arrived, not when the 30 s timeout ran out.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // Just under the limit is delivered whole.
  r = Invoke("Big", {{"bytes", 6'291'554}});
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.Get("X-Amz-Function-Error").has_value());
  EXPECT_EQ(r.body.size(), 6'291'556u);
}

TEST_F(HostingE2E, ReservedConcurrencyLimitsWorkersAndZeroThrottles) {
  StartServer();
  Create("Limited", ZipCode("info"));
  auto put = Call("PUT", "/2017-10-31/functions/Limited/concurrency",
                  {{"ReservedConcurrentExecutions", 0}});
  ASSERT_EQ(put.status, 200) << put.body;
  auto r = Invoke("Limited", json::object());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "TooManyRequestsException");

  Call("PUT", "/2017-10-31/functions/Limited/concurrency", {{"ReservedConcurrentExecutions", 1}});
  std::vector<std::future<Response>> calls;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 4; ++i)
    clients.push_back(std::make_unique<HttpClient>("127.0.0.1", server_->port()));
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return Invoke("Limited", json::object(), {}, clients[i].get());
    }));
  }
  std::set<int> pids;
  for (auto& c : calls) {
    auto resp = c.get();
    ASSERT_EQ(resp.status, 200) << resp.body;
    pids.insert(Body(resp)["pid"].get<int>());
  }
  EXPECT_EQ(pids.size(), 1u) << "one worker at a time under ReservedConcurrentExecutions 1";

  // The idle $LATEST worker holds the only slot; a version's invocation replaces it.
  ASSERT_EQ(Call("POST", "/2015-03-31/functions/Limited/versions", json::object()).status, 201);
  auto start = std::chrono::steady_clock::now();
  auto v1 = Invoke("Limited:1", json::object());
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(v1.headers.Get("X-Amz-Executed-Version").value_or(""), "1");
  EXPECT_EQ(pids.count(Body(v1)["pid"].get<int>()), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(Workers().size(), 1u);
}

// A server stopping while a synchronous invocation runs lets it finish within the grace
// period; one still running then is answered with a service error, not a dropped connection.
TEST_F(HostingE2E, StoppingTheServerAnswersInvocationsStillRunning) {
  options_.stop_grace = std::chrono::milliseconds(1500);
  StartServer();
  Create("Slow", ZipCode("sleep"), {{"Timeout", 30}});
  HttpClient a("127.0.0.1", server_->port()), b("127.0.0.1", server_->port());
  Invoke("Slow", {{"ms", 1}}, {}, &a);  // one warm worker; the two calls below need two
  auto quick = std::async(std::launch::async, [&] {
    return Invoke("Slow", {{"ms", 300}}, {}, &a);
  });
  auto stuck = std::async(std::launch::async, [&] {
    return Invoke("Slow", {{"ms", 20000}}, {}, &b);
  });
  ASSERT_TRUE(WaitForBusyWorkers(2)) << Workers().dump();
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  Response finished = quick.get();
  EXPECT_EQ(finished.status, 200) << finished.body;
  EXPECT_EQ(Body(finished), "slept");
  Response cut = stuck.get();
  EXPECT_EQ(cut.status, 500) << cut.body;
  EXPECT_EQ(cut.headers.Get("X-Amzn-ErrorType").value_or(""), "ServiceException");
  EXPECT_THAT(cut.body, HasSubstr("shutting down"));
}

TEST_F(HostingE2E, GlobalCapQueuesAndAFullQueueThrottles) {
  options_.max_workers = 1;
  options_.max_queued_invocations = 1;
  StartServer();
  Create("Slow", ZipCode("sleep"), {{"Timeout", 10}});
  HttpClient a("127.0.0.1", server_->port()), b("127.0.0.1", server_->port());
  auto first = std::async(std::launch::async, [&] {
    return Invoke("Slow", {{"ms", 1500}}, {}, &a);
  });
  ASSERT_TRUE(WaitForBusyWorkers(1)) << Workers().dump();
  auto second = std::async(std::launch::async, [&] { return Invoke("Slow", {{"ms", 1}}, {}, &b); });
  auto queued = [&] {
    return Call("GET", "/metrics").body.find("\ndurafn_invocations_queued 1\n") !=
           std::string::npos;
  };
  for (int i = 0; i < 500 && !queued(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(queued()) << Call("GET", "/metrics").body;
  auto third = Invoke("Slow", {{"ms", 1}});
  EXPECT_EQ(third.status, 429) << third.body;
  EXPECT_EQ(third.headers.Get("X-Amzn-ErrorType").value_or(""), "TooManyRequestsException");
  EXPECT_EQ(Body(first.get()), "slept");
  EXPECT_EQ(Body(second.get()), "slept") << "the queued invocation ran once a worker was free";
  EXPECT_EQ(Workers().size(), 1u);
}

TEST_F(HostingE2E, AnInvocationWaitingTooLongForAWorkerIsThrottled) {
  options_.max_workers = 1;
  options_.max_invocation_queue_wait = std::chrono::milliseconds(300);
  StartServer();
  Create("Slow", ZipCode("sleep"), {{"Timeout", 10}});
  HttpClient a("127.0.0.1", server_->port());
  auto first = std::async(std::launch::async, [&] {
    return Invoke("Slow", {{"ms", 3000}}, {}, &a);
  });
  ASSERT_TRUE(WaitForBusyWorkers(1)) << Workers().dump();
  // The only worker is busy for 3 s: the second waits in the queue, then is throttled.
  auto start = std::chrono::steady_clock::now();
  auto second = Invoke("Slow", {{"ms", 1}});
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_EQ(second.headers.Get("X-Amzn-ErrorType").value_or(""), "TooManyRequestsException");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_EQ(Body(first.get()), "slept");
}

TEST_F(HostingE2E, VersionsKeepTheirCodeAndAliasesMove) {
  StartServer();
  Create("Versioned", ZipCode("info"));
  auto v1 = Call("POST", "/2015-03-31/functions/Versioned/versions", json::object());
  ASSERT_EQ(v1.status, 201);
  Call("POST", "/2015-03-31/functions/Versioned/aliases",
       {{"Name", "prod"}, {"FunctionVersion", "1"}});
  auto updated =
      Call("PUT", "/2015-03-31/functions/Versioned/code",
           {{"DirectoryPath", testing::FunctionFolder(dir_, "echo").string()}, {"Publish", true}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Body(updated)["Version"], "2");
  EXPECT_NE(Body(updated)["CodeSha256"], Body(v1)["CodeSha256"]);

  json payload = {{"probe", 1}};
  auto old_code = Invoke("Versioned:1", payload);
  EXPECT_TRUE(Body(old_code).contains("pid")) << "version 1 still runs the info code";
  EXPECT_EQ(old_code.headers.Get("X-Amz-Executed-Version").value_or(""), "1");
  EXPECT_EQ(Body(Invoke("Versioned", payload)), payload) << "$LATEST runs the new code";
  auto prod = Invoke("Versioned:prod", payload);
  EXPECT_TRUE(Body(prod).contains("pid"));
  EXPECT_EQ(prod.headers.Get("X-Amz-Executed-Version").value_or(""), "1");
  Call("PUT", "/2015-03-31/functions/Versioned/aliases/prod", {{"FunctionVersion", "2"}});
  prod = Invoke("Versioned", payload, {}, nullptr);
  prod = Call("POST", "/2015-03-31/functions/Versioned/invocations?Qualifier=prod", payload);
  EXPECT_EQ(Body(prod), payload) << "the alias now serves version 2";
  EXPECT_EQ(prod.headers.Get("X-Amz-Executed-Version").value_or(""), "2");
}

TEST_F(HostingE2E, EventInvocationsRunAndAreRetried) {
  StartServer();
  Create("Flaky", ZipCode("fail"));
  auto marker = dir_ / "attempts.txt";
  auto r = Invoke("Flaky", {{"file", marker.string()}}, {{"X-Amz-Invocation-Type", "Event"}});
  ASSERT_EQ(r.status, 202) << r.body;
  auto read_ids = [&] {
    std::ifstream in(marker);
    std::vector<std::string> ids;
    std::string l;
    while (std::getline(in, l))
      ids.push_back(l);
    return ids;
  };
  for (int i = 0; i < 200 && read_ids().size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // One run and two retries, all under the request id the 202 carried.
  std::string accepted_id(r.headers.Get("x-amzn-RequestId").value_or(""));
  ASSERT_FALSE(accepted_id.empty());
  EXPECT_THAT(read_ids(), ::testing::ElementsAre(accepted_id, accepted_id, accepted_id));
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "data" / "events"));
}

TEST_F(HostingE2E, QueuedEventInvocationsSurviveARestart) {
  options_.event_retry_delay_1 = std::chrono::hours(1);  // the retry is pending at the restart
  StartServer();
  Create("Flaky", ZipCode("fail"));
  auto marker = dir_ / "attempts.txt";
  ASSERT_EQ(
      Invoke("Flaky", {{"file", marker.string()}}, {{"X-Amz-Invocation-Type", "Event"}}).status,
      202);
  for (int i = 0; i < 200 && !std::filesystem::exists(marker); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(std::filesystem::is_empty(dir_ / "data" / "events"));
  client_.reset();
  server_.reset();
  // Restarted with short delays; the stored retry is still due in an hour.
  options_.event_retry_delay_1 = std::chrono::milliseconds(100);
  StartServer();
  EXPECT_FALSE(std::filesystem::is_empty(dir_ / "data" / "events"))
      << "the pending retry was kept across the restart";
}

TEST_F(HostingE2E, DurableInvocationsRunOnSpawnedWorkersAndACrashIsRetried) {
  StartServer();
  auto marker = dir_ / "crashed-once";
  Create("Durable", ZipCode("durable_crash_once"),
         {{"DurableConfig", {{"ExecutionTimeout", 300}}},
          {"Environment", {{"Variables", {{"CRASH_MARKER", marker.string()}}}}}});
  ASSERT_EQ(Call("POST", "/2015-03-31/functions/Durable/versions", json::object()).status, 201);
  auto r = Invoke("Durable:1", {{"order", 42}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.headers.Get("X-Amz-Function-Error")) << r.body;
  EXPECT_EQ(Body(r), json({{"order", 42}}));
  EXPECT_TRUE(std::filesystem::exists(marker)) << "the first invocation crashed";
  std::string arn(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  auto history =
      Body(Call("GET", "/2025-12-01/durable-executions/" + PercentEncode(arn) + "/history"));
  int completed = 0;
  for (const auto& e : history["Events"]) {
    if (e["EventType"] == "InvocationCompleted") ++completed;
  }
  EXPECT_EQ(completed, 2) << history.dump();
}

}  // namespace
}  // namespace durafn::api
