// Skip-time mode end to end: the real server (`durafn serve --skip-time`), a real durable
// function (the SDK test worker, run by hosting as the function's bootstrap) that waits an
// hour. With the per-invoke opt-in it ends at once and says it skipped time; without it the
// wait is real; a server without the flag refuses the opt-in.
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "api/http_client.h"
#include "api/uri.h"
#include "support/server_process.h"

namespace durafn {
namespace {

using nlohmann::json;

class SkipTimeE2E : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args) {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-skip-time-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "code");
    std::filesystem::copy_file(DURAFN_SDK_WORKER, dir_ / "code" / "bootstrap");
    server_ = std::make_unique<testing::ServerProcess>(DURAFN_BINARY, dir_ / "data", args);
    server_->Start();
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
    json fn = {{"FunctionName", "Hour"},
               {"Timeout", 30},
               {"Runtime", "provided.al2023"},
               {"Handler", "bootstrap"},
               {"Role", "arn:aws:iam::123456789012:role/x"},
               {"Code", {{"DirectoryPath", (dir_ / "code").string()}}},
               {"DurableConfig", {{"ExecutionTimeout", timeout_seconds_}}}};
    auto r = Call("POST", "/2015-03-31/functions", fn.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  api::Response Call(const std::string& method, const std::string& target,
                     const std::string& body = "", api::Headers headers = {}) {
    auto r = client_->Send(method, target, headers, body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : api::Response{};
  }

  api::Response Invoke(bool skip_time) {
    api::Headers h{{"X-Amz-Invocation-Type", "Event"}};
    if (skip_time) h.Set("X-Durafn-Skip-Time", "true");
    return Call("POST", "/2015-03-31/functions/Hour/invocations?Qualifier=%24LATEST",
                json{{"scenario", "wait-hour"}}.dump(), h);
  }

  json Get(const std::string& arn) {
    return json::parse(
        Call("GET", "/2025-12-01/durable-executions/" + api::PercentEncode(arn)).body);
  }

  // The execution once closed, or its last state after `limit`.
  json WaitClosed(const std::string& arn, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    json j;
    do {
      j = Get(arn);
      if (j.value("Status", "") != "RUNNING") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    return j;
  }

  json History(const std::string& arn) {
    auto r = Call("GET", "/2025-12-01/durable-executions/" + api::PercentEncode(arn) + "/history");
    return json::parse(r.body)["Events"];
  }
  json Event(const std::string& arn, const std::string& type) {
    for (const auto& e : History(arn))
      if (e["EventType"] == type) return e;
    return nullptr;
  }

  int timeout_seconds_ = 7200;
  std::filesystem::path dir_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(SkipTimeE2E, AnHourLongWaitEndsAtOnceAndTheExecutionSaysItSkippedTime) {
  Start({"--skip-time"});
  auto r = Invoke(true);
  ASSERT_EQ(r.status, 202) << r.body;
  std::string arn(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  auto began = std::chrono::steady_clock::now();
  json e = WaitClosed(arn, std::chrono::seconds(60));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(30));
  ASSERT_EQ(e["Status"], "SUCCEEDED") << e.dump();
  EXPECT_EQ(json::parse(e["Result"].get<std::string>()), "woke");
  ASSERT_TRUE(e.contains("TimeSkipping")) << e.dump();
  EXPECT_EQ(e["TimeSkipping"]["Enabled"], true);
  // Nearly the whole hour was skipped (the rest passed in real time before the skip).
  EXPECT_GT(e["TimeSkipping"]["SkippedMilliseconds"].get<int64_t>(), 3'500'000);
  EXPECT_LE(e["TimeSkipping"]["SkippedMilliseconds"].get<int64_t>(), 3'600'000);
  // The history is on the execution's clock: the wait lasted its hour.
  json started = Event(arn, "WaitStarted"), succeeded = Event(arn, "WaitSucceeded");
  ASSERT_FALSE(started.is_null()) << History(arn).dump();
  ASSERT_FALSE(succeeded.is_null()) << History(arn).dump();
  EXPECT_EQ(started["WaitStartedDetails"]["Duration"], 3600);
  EXPECT_GE(succeeded["EventTimestamp"].get<double>() - started["EventTimestamp"].get<double>(),
            3600.0);
  EXPECT_GE(e["EndTimestamp"].get<double>() - e["StartTimestamp"].get<double>(), 3600.0);
}

TEST_F(SkipTimeE2E, WithoutTheOptInTheWaitIsReal) {
  Start({"--skip-time"});
  auto r = Invoke(false);
  ASSERT_EQ(r.status, 202) << r.body;
  std::string arn(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  // The wait has started (the first invocation ended), and the execution keeps waiting.
  for (int i = 0; i < 600 && Event(arn, "WaitStarted").is_null(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_FALSE(Event(arn, "WaitStarted").is_null()) << History(arn).dump();
  json e = WaitClosed(arn, std::chrono::seconds(2));
  EXPECT_EQ(e["Status"], "RUNNING") << e.dump();
  EXPECT_FALSE(e.contains("TimeSkipping")) << e.dump();
  EXPECT_TRUE(Event(arn, "WaitSucceeded").is_null());
}

TEST_F(SkipTimeE2E, TheExecutionTimeoutStillComesFirstWhenItIsEarlier) {
  timeout_seconds_ = 600;  // ten minutes: the hour-long wait never ends
  Start({"--skip-time"});
  auto r = Invoke(true);
  ASSERT_EQ(r.status, 202) << r.body;
  std::string arn(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  json e = WaitClosed(arn, std::chrono::seconds(60));
  EXPECT_EQ(e["Status"], "TIMED_OUT") << e.dump();
  EXPECT_TRUE(Event(arn, "WaitSucceeded").is_null());
  EXPECT_LE(e["TimeSkipping"]["SkippedMilliseconds"].get<int64_t>(), 600'000);
}

TEST_F(SkipTimeE2E, AServerWithoutTheFlagRefusesTheOptIn) {
  Start({});
  auto r = Invoke(true);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.headers.Get("X-Amzn-ErrorType").value_or(""), "InvalidParameterValueException");
  EXPECT_NE(r.body.find("--skip-time"), std::string::npos) << r.body;
  // Still serving: the same invoke without the opt-in starts an execution.
  EXPECT_EQ(Invoke(false).status, 202);
}

}  // namespace
}  // namespace durafn
