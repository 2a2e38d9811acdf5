// The SDK end to end: the real `durafn serve`, a durable function deployed through the API,
// and the SDK's own worker binary serving it through the Runtime API, as on Lambda.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/http_client.h"
#include "api/uri.h"
#include "support/server_process.h"

namespace durafn {
namespace {

using nlohmann::json;

// A worker process (the test function's bootstrap) bound to one Runtime API endpoint.
class WorkerProcess {
 public:
  WorkerProcess(const std::string& runtime_api, const std::string& lambda_endpoint, bool plain,
                std::string bin = DURAFN_SDK_WORKER) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
      env_strings.emplace_back(*e);
    env_strings.push_back("AWS_LAMBDA_RUNTIME_API=" + runtime_api);
    env_strings.push_back("AWS_ENDPOINT_URL_LAMBDA=" + lambda_endpoint);
    std::vector<char*> envp;
    for (auto& s : env_strings)
      envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string flag = "--plain";
    std::vector<char*> argv = {bin.data()};
    if (plain) argv.push_back(flag.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, bin.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) {
      throw std::runtime_error("cannot spawn " + bin);
    }
  }
  ~WorkerProcess() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
};

class SdkE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-sdk-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<testing::ServerProcess>(DURAFN_BINARY, dir_);
    server_->Start();
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
    Deploy("Sdk", true);
    worker_ = StartWorker("Sdk", false);
  }
  void TearDown() override {
    workers_.clear();
    worker_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  api::Response Call(std::string_view method, std::string_view target, const std::string& body = "",
                     api::Headers headers = {}) {
    auto r = client_->Send(method, target, headers, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : api::Response{};
  }
  static json Body(const api::Response& r) { return json::parse(r.body, nullptr, false); }

  void Deploy(const std::string& name, bool durable) {
    json fn = {{"FunctionName", name},
               {"Timeout", 30},
               {"Runtime", "provided.al2023"},
               {"Handler", "bootstrap"},
               {"Role", "arn:aws:iam::123456789012:role/x"},
               {"Code", {{"ZipFile", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}}};
    if (durable) fn["DurableConfig"] = {{"ExecutionTimeout", 300}};
    auto r = Call("POST", "/2015-03-31/functions", fn.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/2015-03-31/functions/" + name + "/versions", "{}");
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/2015-03-31/functions/" + name + "/aliases",
             json{{"Name", "prod"}, {"FunctionVersion", "1"}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }

  std::unique_ptr<WorkerProcess> StartWorker(const std::string& name, bool plain,
                                             const std::string& bin = DURAFN_SDK_WORKER) {
    auto r = Call("POST", "/durafn/runtime-endpoints",
                  json{{"FunctionName", name}, {"Qualifier", "prod"}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    std::string runtime_api = Body(r)["RuntimeApi"];
    return std::make_unique<WorkerProcess>(
        runtime_api, "http://127.0.0.1:" + std::to_string(server_->port()), plain, bin);
  }

  std::string Start(const json& payload, const std::string& function = "Sdk:prod") {
    auto r = Call("POST", "/2015-03-31/functions/" + function + "/invocations", payload.dump(),
                  {{"X-Amz-Invocation-Type", "Event"}});
    EXPECT_EQ(r.status, 202) << r.body;
    return std::string(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  }

  json WaitClosed(const std::string& arn) {
    for (int i = 0; i < 400; ++i) {
      json j = Body(Call("GET", "/2025-12-01/durable-executions/" + api::PercentEncode(arn)));
      std::string s = j.value("Status", "");
      if (!s.empty() && s != "RUNNING") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "execution " << arn << " never closed";
    return {};
  }

  json History(const std::string& arn) {
    auto r = Call("GET", "/2025-12-01/durable-executions/" + api::PercentEncode(arn) + "/history");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["Events"];
  }
  // Event types, without InvocationCompleted (their number depends on timing).
  std::vector<std::string> Types(const std::string& arn) {
    std::vector<std::string> out;
    for (const auto& e : History(arn)) {
      if (e["EventType"] != "InvocationCompleted") out.push_back(e["EventType"]);
    }
    return out;
  }
  json FindEvent(const std::string& arn, const std::string& type) {
    for (int i = 0; i < 200; ++i) {
      for (const auto& e : History(arn)) {
        if (e["EventType"] == type) return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no " << type << " event";
    return {};
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
  std::unique_ptr<WorkerProcess> worker_;
  std::vector<std::unique_ptr<WorkerProcess>> workers_;
};

using Strings = std::vector<std::string>;

TEST_F(SdkE2E, StepSucceeds) {
  std::string arn = Start({{"scenario", "step"}, {"n", 21}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")), (json{{"doubled", 42}}));
  EXPECT_EQ(Types(arn),
            (Strings{"ExecutionStarted", "StepStarted", "StepSucceeded", "ExecutionSucceeded"}));
  json h = History(arn);
  EXPECT_EQ(h[1]["Name"], "double");
  EXPECT_EQ(h[1]["Id"], "c4ca4238a0b92382");
  EXPECT_EQ(h[1]["SubType"], "Step");
}

TEST_F(SdkE2E, StepRetriesThroughSuspension) {
  std::string arn = Start({{"scenario", "retry"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")), (json{{"attempt", 2}}));
  EXPECT_EQ(Types(arn), (Strings{"ExecutionStarted", "StepStarted", "StepFailed", "StepStarted",
                                 "StepSucceeded", "ExecutionSucceeded"}));
  json failed = FindEvent(arn, "StepFailed");
  EXPECT_EQ(failed["StepFailedDetails"]["Error"]["Payload"]["ErrorType"], "TransientError");
  EXPECT_EQ(failed["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"], 1);
}

TEST_F(SdkE2E, RetryExhaustionFailsTheExecutionWithStepError) {
  std::string arn = Start({{"scenario", "retry-exhausted"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "FAILED") << e.dump();
  EXPECT_EQ(e["Error"]["ErrorType"], "StepError");
  EXPECT_EQ(e["Error"]["ErrorMessage"], "still failing on attempt 2");
  EXPECT_EQ(Types(arn), (Strings{"ExecutionStarted", "StepStarted", "StepFailed", "StepStarted",
                                 "StepFailed", "ExecutionFailed"}));
}

TEST_F(SdkE2E, StepExceptionWithoutRetry) {
  std::string arn = Start({{"scenario", "step-throws"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "FAILED");
  EXPECT_EQ(e["Error"]["ErrorType"], "StepError");
  EXPECT_EQ(e["Error"]["ErrorMessage"], "card declined");
  json failed = FindEvent(arn, "StepFailed");
  EXPECT_EQ(failed["StepFailedDetails"]["Error"]["Payload"]["ErrorType"], "OrderRejected");
}

TEST_F(SdkE2E, HandlerException) {
  std::string arn = Start({{"scenario", "handler-throws"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "FAILED");
  EXPECT_EQ(e["Error"]["ErrorType"], "OrderRejected");
  EXPECT_EQ(e["Error"]["ErrorMessage"], "order is invalid");
}

TEST_F(SdkE2E, WaitSuspendsAndResumes) {
  std::string arn = Start({{"scenario", "wait"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(e["Result"], "\"woke\"");
  EXPECT_EQ(Types(arn), (Strings{"ExecutionStarted", "WaitStarted", "WaitSucceeded", "StepStarted",
                                 "StepSucceeded", "ExecutionSucceeded"}));
  EXPECT_EQ(FindEvent(arn, "WaitStarted")["WaitStartedDetails"]["Duration"], 1);
}

TEST_F(SdkE2E, CallbackCompletedBySendDurableExecutionCallbackSuccess) {
  std::string arn = Start({{"scenario", "callback"}});
  json started = FindEvent(arn, "CallbackStarted");
  std::string id = started["CallbackStartedDetails"]["CallbackId"];
  EXPECT_EQ(started["Name"], "approval");
  auto r =
      Call("POST", "/2025-12-01/durable-execution-callbacks/" + api::PercentEncode(id) + "/succeed",
           R"({"approved":true})", {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(r.status, 200) << r.body;
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")), (json{{"approval", {{"approved", true}}}}));
}

TEST_F(SdkE2E, WaitForCallbackFailedBySendDurableExecutionCallbackFailure) {
  std::string arn = Start({{"scenario", "wait-for-callback"}});
  json started = FindEvent(arn, "CallbackStarted");
  std::string id = started["CallbackStartedDetails"]["CallbackId"];
  auto r =
      Call("POST", "/2025-12-01/durable-execution-callbacks/" + api::PercentEncode(id) + "/fail",
           json{{"ErrorType", "Rejected"}, {"ErrorMessage", "manager said no"}, {"ErrorData", "{}"}}
               .dump());
  EXPECT_EQ(r.status, 200) << r.body;
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "FAILED") << e.dump();
  EXPECT_EQ(e["Error"]["ErrorType"], "CallbackExternalError");
  EXPECT_EQ(e["Error"]["ErrorMessage"], "manager said no");
  EXPECT_EQ(Types(arn),
            (Strings{"ExecutionStarted", "ContextStarted", "CallbackStarted", "StepStarted",
                     "StepSucceeded", "CallbackFailed", "ContextFailed", "ExecutionFailed"}));
}

TEST_F(SdkE2E, ChildContextAcrossInvocations) {
  std::string arn = Start({{"scenario", "child"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")), (json{{"child", {{"inner", 3}}}}));
  EXPECT_EQ(Types(arn),
            (Strings{"ExecutionStarted", "ContextStarted", "StepStarted", "StepSucceeded",
                     "WaitStarted", "WaitSucceeded", "ContextSucceeded", "ExecutionSucceeded"}));
  json h = History(arn);
  EXPECT_EQ(h[2]["ParentId"], "c4ca4238a0b92382");  // the step inside the context
  EXPECT_EQ(h[2]["Id"], "ea66c06c1e1c05fa");
}

TEST_F(SdkE2E, NonDeterminismFailsTheExecution) {
  std::string arn = Start({{"scenario", "nondeterministic"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "FAILED") << e.dump();
  EXPECT_EQ(e["Error"]["ErrorType"], "NonDeterministicExecutionError");
  EXPECT_NE(e["Error"]["ErrorMessage"].get<std::string>().find("first-name"), std::string::npos);
}

TEST_F(SdkE2E, ParallelWithASuspendingBranch) {
  std::string arn = Start({{"scenario", "parallel"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")),
            (json{{"status", "SUCCEEDED"}, {"results", {"slept", "worked"}}}));
  int branch_successes = 0;
  for (const auto& ev : History(arn)) {
    if (ev["EventType"] == "ContextSucceeded" && ev["SubType"] == "ParallelBranch")
      ++branch_successes;
  }
  EXPECT_EQ(branch_successes, 2);
}

TEST_F(SdkE2E, MapWithSuspendingAndFailingItems) {
  std::string arn = Start({{"scenario", "map"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e.value("Result", "null")), (json{{"status", "FAILED"},
                                                          {"results", {1, 4}},
                                                          {"failures", 1},
                                                          {"reason", "ALL_COMPLETED"}}));
}

TEST_F(SdkE2E, WaitForConditionPolls) {
  std::string arn = Start({{"scenario", "wait-for-condition"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(e["Result"], "2");
}

TEST_F(SdkE2E, ChainedInvokeOfAPlainFunction) {
  Deploy("Enricher", false);
  workers_.push_back(StartWorker("Enricher", true));
  std::string arn = Start({{"scenario", "invoke"}, {"target", "Enricher:prod"}});
  json e = WaitClosed(arn);
  EXPECT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(
      json::parse(e.value("Result", "null")),
      (json{{"enriched", {{"orderId", "O-1"}, {"enrichedBy", "plain"}, {"hasRequestId", true}}}}));
}

// The order-processing sample's two binaries, deployed and served as on Lambda.
class OrderSampleE2E : public SdkE2E {
 protected:
  void SetUp() override {
    SdkE2E::SetUp();
    Deploy("OrderProcessor", true);
    Deploy("OrderEnricher", false);
    workers_.push_back(StartWorker("OrderProcessor", false, DURAFN_EXAMPLE_PROCESSOR));
    workers_.push_back(StartWorker("OrderEnricher", false, DURAFN_EXAMPLE_ENRICHER));
  }
  static void ExpectEnrichment(const json& r, const std::string& order_id) {
    EXPECT_EQ(r["statusCode"], 200) << r.dump();
    EXPECT_EQ(r["orderId"], order_id);
    std::string customer = r["enrichedData"]["customerId"];
    ASSERT_EQ(customer.size(), 9u);
    EXPECT_EQ(customer.substr(0, 5), "CUST-");
    EXPECT_TRUE(std::all_of(customer.begin() + 5, customer.end(), ::isdigit)) << customer;
    EXPECT_TRUE(r["enrichedData"]["timestamp"].is_string());
  }
};

TEST_F(OrderSampleE2E, MissingOrderIdIsAValidationResult) {
  std::string arn = Start({{"nodejsLambdaArn", "OrderEnricher:prod"}}, "OrderProcessor:prod");
  json b = WaitClosed(arn);
  ASSERT_EQ(b["Status"], "SUCCEEDED") << b.dump();
  EXPECT_EQ(json::parse(b.value("Result", "null")),
            (json{{"success", false},
                  {"error", {{"message", "orderId is required"}, {"name", "ValidationError"}}}}));
  EXPECT_EQ(Types(arn), (Strings{"ExecutionStarted", "ExecutionSucceeded"}));
}

// The enricher binary as the target of a chained invoke (served by its own worker).
TEST_F(OrderSampleE2E, EnricherAnswersAChainedInvoke) {
  std::string arn = Start({{"scenario", "invoke"}, {"target", "OrderEnricher:prod"}});
  json e = WaitClosed(arn);
  ASSERT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  ExpectEnrichment(json::parse(e.value("Result", "null"))["enriched"], "O-1");
}

// The whole sample: the enrich-order step calls OrderEnricher with durafn::LambdaClient (a
// synchronous Invoke of a plain function through the server).
TEST_F(OrderSampleE2E, ProcessesAnOrder) {
  auto probe = Call("POST", "/2015-03-31/functions/OrderEnricher:prod/invocations",
                    R"({"orderId":"probe"})");
  if (probe.status == 409 && probe.body.find("worker hosting") != std::string::npos) {
    GTEST_SKIP() << "this server cannot run synchronous Invokes of plain functions yet: "
                 << probe.body;
  }
  std::string arn = Start({{"orderId", "ORD-77"}, {"nodejsLambdaArn", "OrderEnricher:prod"}},
                          "OrderProcessor:prod");
  json e = WaitClosed(arn);
  ASSERT_EQ(e["Status"], "SUCCEEDED") << e.dump() << History(arn).dump();
  json r = json::parse(e.value("Result", "null"));
  EXPECT_EQ(r["success"], true);
  EXPECT_EQ(r["orderId"], "ORD-77");
  EXPECT_EQ(r["message"], "Order processed successfully with durable execution");
  ExpectEnrichment(r["enrichmentResult"], "ORD-77");
  EXPECT_EQ(r["finalResult"]["status"], "COMPLETED");
  EXPECT_EQ(r["finalResult"]["message"], "Order finalized successfully");
  EXPECT_EQ(r["finalResult"]["enrichedData"], r["enrichmentResult"]["enrichedData"]);
  EXPECT_TRUE(r.contains("processedAt"));
  EXPECT_EQ(Types(arn),
            (Strings{"ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted",
                     "WaitSucceeded", "StepStarted", "StepSucceeded", "ExecutionSucceeded"}));
}

// `waitSeconds: 0` (what the benchmarks send) skips the durable wait: one invocation, no WAIT.
TEST_F(OrderSampleE2E, WaitSecondsZeroSkipsTheWait) {
  std::string arn =
      Start({{"orderId", "ORD-78"}, {"nodejsLambdaArn", "OrderEnricher:prod"}, {"waitSeconds", 0}},
            "OrderProcessor:prod");
  json e = WaitClosed(arn);
  ASSERT_EQ(e["Status"], "SUCCEEDED") << e.dump() << History(arn).dump();
  json r = json::parse(e.value("Result", "null"));
  EXPECT_EQ(r["orderId"], "ORD-78");
  EXPECT_EQ(r["finalResult"]["status"], "COMPLETED");
  EXPECT_EQ(Types(arn), (Strings{"ExecutionStarted", "StepStarted", "StepSucceeded", "StepStarted",
                                 "StepSucceeded", "ExecutionSucceeded"}));
}

}  // namespace
}  // namespace durafn
