// The Node.js runtime end to end: the server in this process over real HTTP, functions from
// tests/functions/nodejs deployed as folders with the nodejs20.x / nodejs22.x runtimes, and
// real `node` workers running runtimes/nodejs/bootstrap.mjs.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/http_client.h"
#include "api/server.h"
#include "hosting/runtime_files.h"
#include "protocol/json_codec.h"
#include "support/in_process_server.h"

namespace durafn::api {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class NodejsE2E : public testing::InProcessServerTest {
 protected:
  NodejsE2E() : InProcessServerTest("durafn-nodejs") {}
  void SetUp() override {
    if (hosting::LocateRuntimeFiles().node.empty()) GTEST_SKIP() << "node is not installed";
    InProcessServerTest::SetUp();
    options_.runtimes_dir = DURAFN_RUNTIMES_DIR;
    StartServer();
  }

  // Deploys tests/functions/nodejs/<folder> as `name` with `handler`.
  void Create(const std::string& name, const std::string& folder, const std::string& handler,
              json extra = json::object()) {
    json body = {
        {"FunctionName", name},
        {"Runtime", "nodejs20.x"},
        {"Handler", handler},
        {"Role", "arn:aws:iam::123456789012:role/x"},
        {"Code",
         {{"DirectoryPath", (std::filesystem::path(DURAFN_NODEJS_FUNCTIONS) / folder).string()}}}};
    body.update(extra);
    auto r = Call("POST", "/2015-03-31/functions", body);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  Response Invoke(const std::string& function, const json& payload) {
    return Call("POST", "/2015-03-31/functions/" + function + "/invocations", payload);
  }
  // A function error as Lambda's Node.js runtimes report it.
  json FunctionError(const Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.Get("X-Amz-Function-Error").value_or(""), "Unhandled") << r.body;
    json e = Body(r);
    EXPECT_TRUE(e.is_object() && e.contains("errorType") && e.contains("errorMessage")) << r.body;
    return e;
  }
};

TEST_F(NodejsE2E, EsmAsyncHandlerSeesLambdasContext) {
  Create("Esm", "esm", "handlers.context", {{"MemorySize", 192}, {"Timeout", 7}});
  auto r = Invoke("Esm", {{"order", 1}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.headers.Get("X-Amz-Function-Error")) << r.body;
  json c = Body(r);
  EXPECT_EQ(c["event"], json({{"order", 1}}));
  EXPECT_EQ(c["functionName"], "Esm");
  EXPECT_EQ(c["functionVersion"], "$LATEST");
  // Invoked by its bare name: the unqualified ARN, as Lambda reports it.
  EXPECT_EQ(c["invokedFunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:Esm");
  EXPECT_EQ(c["memoryLimitInMB"], "192");
  EXPECT_EQ(c["logGroupName"], "/aws/lambda/Esm");
  EXPECT_THAT(c["logStreamName"].get<std::string>(), HasSubstr("/[$LATEST]"));
  EXPECT_EQ(c["awsRequestId"].get<std::string>().size(), 36u);
  EXPECT_GT(c["remainingTimeMs"].get<int64_t>(), 0);
  EXPECT_LE(c["remainingTimeMs"].get<int64_t>(), 7000);
  EXPECT_EQ(c["callbackWaitsForEmptyEventLoop"], true);
  EXPECT_EQ(c["executionEnv"], "AWS_Lambda_nodejs20.x");
  EXPECT_THAT(c["nodeVersion"].get<std::string>(), StartsWith("v"));

  // The same worker serves the next invocation, with its own request id.
  auto again = Body(Invoke("Esm", json::object()));
  EXPECT_EQ(again["pid"], c["pid"]);
  EXPECT_EQ(again["invocations"], 2);
  EXPECT_NE(again["awsRequestId"], c["awsRequestId"]);
}

TEST_F(NodejsE2E, NestedExportsAndModulePackagesInSubfolders) {
  Create("Nested", "esm", "handlers.nested.deeper.handler", {{"Runtime", "nodejs22.x"}});
  EXPECT_EQ(Body(Invoke("Nested", json::object())), "nested export");
  Create("Pkg", "module-pkg", "lib/app.handler");
  EXPECT_EQ(Body(Invoke("Pkg", {{"n", 21}})), json({{"module", true}, {"value", 42}}));
}

TEST_F(NodejsE2E, CjsCallbackHandlers) {
  Create("Cjs", "cjs", "index.handler");
  auto r = Body(Invoke("Cjs", {{"a", "b"}}));
  EXPECT_EQ(r["echoed"], json({{"a", "b"}}));
  EXPECT_EQ(r["requestId"].get<std::string>().size(), 36u);

  Create("Legacy", "cjs", "index.legacySucceed");
  EXPECT_EQ(Body(Invoke("Legacy", json::object())), json({{"legacy", true}}));

  Create("CbError", "cjs", "index.callbackError");
  json e = FunctionError(Invoke("CbError", json::object()));
  EXPECT_EQ(e["errorType"], "RangeError");
  EXPECT_EQ(e["errorMessage"], "quantity out of range");
  EXPECT_THAT(e["trace"], Contains("RangeError: quantity out of range"));

  Create("Throws", "cjs", "index.throwsSync");
  e = FunctionError(Invoke("Throws", json::object()));
  EXPECT_EQ(e["errorType"], "Error");
  EXPECT_EQ(e["errorMessage"], "thrown before any callback");
}

TEST_F(NodejsE2E, CallbackWaitsForTheEmptyEventLoopUnlessToldNotTo) {
  Create("Pending", "cjs", "index.pendingTimer", {{"Timeout", 20}});
  auto waited = dir_ / "waited";
  auto r = Invoke("Pending", {{"marker", waited.string()}, {"delayMs", 300}});
  EXPECT_EQ(Body(r), "answered") << r.body;
  EXPECT_TRUE(std::filesystem::exists(waited)) << "the response waited for the pending timer";

  auto not_waited = dir_ / "not-waited";
  r = Invoke("Pending", {{"marker", not_waited.string()}, {"delayMs", 5000}, {"dontWait", true}});
  EXPECT_EQ(Body(r), "answered") << r.body;
  EXPECT_FALSE(std::filesystem::exists(not_waited)) << "the response did not wait for the timer";
}

TEST_F(NodejsE2E, HandlerErrorsAreReportedAsLambdaDoes) {
  Create("Fails", "esm", "handlers.fails");
  json e = FunctionError(Invoke("Fails", json::object()));
  EXPECT_EQ(e["errorType"], "TypeError");
  EXPECT_EQ(e["errorMessage"], "the order has no items");
  ASSERT_TRUE(e["trace"].is_array());
  EXPECT_EQ(e["trace"][0], "TypeError: the order has no items");
  EXPECT_THAT(e["trace"][1].get<std::string>(), HasSubstr("handlers.mjs"));

  Create("Refuses", "esm", "handlers.rejectsWithString");
  e = FunctionError(Invoke("Refuses", json::object()));
  EXPECT_EQ(e["errorType"], "string");
  EXPECT_EQ(e["errorMessage"], "plain refusal");

  // An unhandled rejection ends the invocation and the worker; the next one gets a new worker.
  Create("Unhandled", "esm", "handlers.unhandled");
  e = FunctionError(Invoke("Unhandled", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.UnhandledPromiseRejection");
  EXPECT_EQ(e["errorMessage"], "Error: nobody awaited this");
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(NodejsE2E, InitErrorsAreReportedAsLambdaDoes) {
  Create("NoModule", "esm", "missing.handler");
  json e = FunctionError(Invoke("NoModule", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.ImportModuleError");
  EXPECT_THAT(e["errorMessage"].get<std::string>(),
              StartsWith("Error: Cannot find module 'missing'"));
  ASSERT_TRUE(e["trace"].is_array());
  EXPECT_THAT(e["trace"][0].get<std::string>(), StartsWith("Runtime.ImportModuleError: Error:"));

  Create("NoExport", "esm", "handlers.nope");
  e = FunctionError(Invoke("NoExport", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.HandlerNotFound");
  EXPECT_EQ(e["errorMessage"], "handlers.nope is undefined or not exported");

  Create("NotFunction", "esm", "handlers.notAFunction");
  e = FunctionError(Invoke("NotFunction", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.HandlerNotFound");

  Create("BadName", "esm", "handlers");
  e = FunctionError(Invoke("BadName", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.MalformedHandlerName");

  Create("Syntax", "broken", "syntax.handler");
  e = FunctionError(Invoke("Syntax", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.UserCodeSyntaxError");
  EXPECT_THAT(e["errorMessage"].get<std::string>(), StartsWith("SyntaxError: "));

  Create("NoPackage", "broken", "missing-package.handler");
  e = FunctionError(Invoke("NoPackage", json::object()));
  EXPECT_EQ(e["errorType"], "Runtime.ImportModuleError");
  EXPECT_THAT(e["errorMessage"].get<std::string>(), HasSubstr("no-such-package-anywhere"));

  Create("InitThrows", "broken", "throws-at-init.handler");
  e = FunctionError(Invoke("InitThrows", json::object()));
  EXPECT_EQ(e["errorType"], "ConfigError");
  EXPECT_EQ(e["errorMessage"], "the configuration could not be loaded");
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(NodejsE2E, TimeoutKillsTheNodeWorker) {
  Create("Slow", "esm", "handlers.sleeps", {{"Timeout", 1}});
  json e = FunctionError(Invoke("Slow", {{"ms", 5000}}));
  EXPECT_EQ(e["errorType"], "Sandbox.Timedout");
  EXPECT_THAT(e["errorMessage"].get<std::string>(), HasSubstr("Task timed out after 1.00 seconds"));
  auto ok = Invoke("Slow", {{"ms", 1}});
  EXPECT_EQ(Body(ok), "slept") << ok.body;
}

TEST_F(NodejsE2E, ConsoleWritesLambdasLogFormat) {
  Create("Logs", "esm", "handlers.logs");
  auto r = Invoke("Logs", {{"k", 1}});
  ASSERT_EQ(Body(r)["event"], json({{"k", 1}})) << r.body;
  std::string request_id = Body(r)["requestId"];
  // Log lines reach the log store asynchronously.
  std::vector<std::string> messages;
  for (int i = 0; i < 100; ++i) {
    auto logs = client_->Send("POST", "/",
                              {{"X-Amz-Target", "Logs_20140328.FilterLogEvents"},
                               {"Content-Type", "application/x-amz-json-1.1"}},
                              json({{"logGroupName", "/aws/lambda/Logs"}}).dump());
    ASSERT_TRUE(logs.ok());
    messages.clear();
    json body = Body(*logs);
    for (const auto& e : body["events"])
      messages.push_back(e["message"]);
    bool done = false;
    for (const auto& m : messages)
      done = done || m.starts_with("REPORT");
    if (done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto find = [&](const std::string& needle) -> std::string {
    for (const auto& m : messages) {
      if (m.find(needle) != std::string::npos) return m;
    }
    return "";
  };
  // "<ISO time>\t<request id>\t<LEVEL>\t<message>", one event for a multi-line message.
  std::string info = find("first line");
  EXPECT_THAT(info, HasSubstr("\t" + request_id + "\tINFO\tfirst line\rsecond line"))
      << ::testing::PrintToString(messages);
  EXPECT_THAT(info, ::testing::MatchesRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\t]*Z\t.*"));
  EXPECT_THAT(find("an error 42"), HasSubstr("\tERROR\tan error 42"));
}

}  // namespace
}  // namespace durafn::api
