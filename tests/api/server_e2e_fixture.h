// The fixture of the server's end-to-end tests: the real `durafn serve` process with a real
// SQLite data dir, the test playing the function's worker through the Runtime API.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "api/http_client.h"
#include "api/uri.h"
#include "protocol/json_codec.h"
#include "support/server_process.h"

namespace durafn::api {

class ServerE2E : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<testing::ServerProcess>(DURAFN_BINARY, dir_);
    server_->Start();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Restart() {
    server_->Restart();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  Response Call(std::string_view method, std::string_view target, const json& body = nullptr,
                Headers headers = {}) {
    auto r = client_->Send(method, target, headers, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Response{};
  }
  static json Body(const Response& r) { return json::parse(r.body, nullptr, false); }

  // A durable function with version 1 and alias prod.
  void DeployDurable(const std::string& name, int execution_timeout = 300, int timeout = 3) {
    auto r = Call("POST", "/2015-03-31/functions",
                  {{"FunctionName", name},
                   {"Timeout", timeout},
                   {"Runtime", "provided.al2023"},
                   {"Handler", "bootstrap"},
                   {"Role", "arn:aws:iam::123456789012:role/x"},
                   {"Code", {{"ZipFile", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}},
                   {"DurableConfig", {{"ExecutionTimeout", execution_timeout}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/2015-03-31/functions/" + name + "/versions", json::object());
    ASSERT_EQ(r.status, 201) << r.body;
    r = Call("POST", "/2015-03-31/functions/" + name + "/aliases",
             {{"Name", "prod"}, {"FunctionVersion", "1"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A plain (not durable) function, unpublished, so invoked as $LATEST.
  void DeployPlain(const std::string& name) {
    auto r = Call("POST", "/2015-03-31/functions",
                  {{"FunctionName", name}, {"Runtime", "provided.al2023"}, {"Handler", "x"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A worker's Runtime API client for `function` (name:qualifier).
  std::unique_ptr<HttpClient> Worker(const std::string& function) {
    auto r = Call("POST", "/durafn/runtime-endpoints", {{"FunctionName", function}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string endpoint = Body(r)["RuntimeApi"];
    auto colon = endpoint.rfind(':');
    return std::make_unique<HttpClient>(
        endpoint.substr(0, colon), static_cast<uint16_t>(std::stoi(endpoint.substr(colon + 1))));
  }

  struct Invocation {
    std::string request_id;
    protocol::InvocationEnvelope envelope;
  };
  static Invocation Next(HttpClient& worker) {
    auto r =
        worker.Send("GET", "/2018-06-01/runtime/invocation/next", {}, "", std::chrono::seconds(30));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    auto env = protocol::DecodeText<protocol::InvocationEnvelope>(
        r->body, protocol::TimeFormat::kEpochMillis);
    EXPECT_TRUE(env.ok()) << env.status().ToString() << " " << r->body;
    return {std::string(r->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or("")), *env};
  }
  static void Respond(HttpClient& worker, const std::string& request_id, const json& output) {
    auto r = worker.Send("POST", "/2018-06-01/runtime/invocation/" + request_id + "/response", {},
                         output.dump());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 202) << r->body;
  }
  Response Checkpoint(const std::string& arn, const std::string& token, const json& updates) {
    return Call("POST", "/2025-12-01/durable-executions/" + PercentEncode(arn) + "/checkpoint",
                {{"CheckpointToken", token}, {"Updates", updates}});
  }
  json WaitForStatus(const std::string& arn, const std::string& status) {
    for (int i = 0; i < 200; ++i) {
      auto r = Call("GET", "/2025-12-01/durable-executions/" + PercentEncode(arn));
      json j = Body(r);
      if (j.value("Status", "") == status) return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "execution never reached " << status;
    return {};
  }
  // The execution's history, oldest first (one page: these tests make short histories).
  json HistoryEvents(const std::string& arn) {
    auto r = Call("GET", "/2025-12-01/durable-executions/" + PercentEncode(arn) +
                             "/history?IncludeExecutionData=true");
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = Body(r);
    EXPECT_TRUE(body.contains("Events")) << r.body;
    EXPECT_FALSE(body.contains("NextMarker")) << "the history did not fit one page";
    return body.value("Events", json::array());
  }
  // The event types of the execution's history, checking that EventIds run 1, 2, 3...
  std::vector<std::string> HistoryTypes(const std::string& arn) {
    std::vector<std::string> types;
    int64_t expected_id = 1;
    for (const auto& e : HistoryEvents(arn)) {
      types.push_back(e["EventType"]);
      EXPECT_EQ(e["EventId"], expected_id++);
    }
    return types;
  }
  // The first event of `type` about operation `id`, or null.
  static json EventOf(const json& events, std::string_view type, std::string_view id) {
    for (const auto& e : events) {
      if (e.value("EventType", "") == type && e.value("Id", "") == id) return e;
    }
    return nullptr;
  }
  std::string StartAsync(const std::string& function, const json& payload) {
    auto r = Call("POST", "/2015-03-31/functions/" + function + "/invocations", payload,
                  {{"X-Amz-Invocation-Type", "Event"}});
    EXPECT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.headers.Get("X-Amz-Executed-Version").value_or(""), "1");
    return std::string(r.headers.Get("X-Amz-Durable-Execution-Arn").value_or(""));
  }

  // Answers `worker`'s invocations PENDING (taking at most `max_invocations`) until one
  // whose envelope shows every operation in `ids` closed (no longer STARTED). Returns those
  // operations and that invocation, unanswered; empty operations if it never came.
  struct Closed {
    std::map<std::string, protocol::Operation> operations;
    Invocation invocation;
  };
  Closed ResumeUntilClosed(HttpClient& worker, const std::vector<std::string>& ids,
                           int max_invocations) {
    for (int i = 0; i < max_invocations; ++i) {
      Closed out{{}, Next(worker)};
      for (const auto& op : out.invocation.envelope.initial_execution_state.operations) {
        bool wanted = std::find(ids.begin(), ids.end(), op.id) != ids.end();
        if (wanted && op.status != protocol::OperationStatus::kStarted) {
          out.operations[op.id] = op;
        }
      }
      if (out.operations.size() == ids.size()) return out;
      Respond(worker, out.invocation.request_id, {{"Status", "PENDING"}});
    }
    ADD_FAILURE() << "the operations did not close within " << max_invocations << " invocations";
    return {};
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace durafn::api
