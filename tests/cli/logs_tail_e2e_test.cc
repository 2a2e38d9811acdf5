// `durafn logs tail` on CloudWatch Logs' wire protocol (FilterLogEvents, JSON 1.1). The
// server's log API is a separate component; here a small in-process endpoint that speaks
// the same protocol records what the CLI sends and answers with scripted pages.
#include <chrono>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/http_server.h"
#include "api/responses.h"
#include "cli_runner.h"

namespace durafn::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LogsTail : public ::testing::Test {
 protected:
  // Answers each FilterLogEvents call with `respond(call_index, request_body)`.
  void Serve(std::function<api::Response(int, const json&)> respond) {
    api::Router router;
    router.Add("POST", "/", [this, respond](api::Request req, api::Responder res) {
      std::lock_guard lock(mu_);
      json body = json::parse(req.body, nullptr, false);
      requests_.push_back(body);
      targets_.emplace_back(req.headers.Get("X-Amz-Target").value_or(""));
      content_types_.emplace_back(req.headers.Get("Content-Type").value_or(""));
      res.Send(respond(static_cast<int>(requests_.size()) - 1, body));
    });
    server_ = std::make_unique<api::HttpServer>(api::HttpServerOptions{}, std::move(router));
    ASSERT_TRUE(server_->Start().ok());
    endpoint_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  testing::CliResult Run(std::vector<std::string> args, int timeout_seconds = 0) {
    args.insert(args.begin(), {"--endpoint", endpoint_});
    if (timeout_seconds == 0)
      return testing::RunCli(DURAFN_BINARY, args, {{"DURAFN_ENDPOINT", ""}});
    args.insert(args.begin(), {std::to_string(timeout_seconds), DURAFN_BINARY});
    return testing::RunCli("/usr/bin/timeout", args, {{"DURAFN_ENDPOINT", ""}});
  }
  static json Event(const std::string& id, int64_t ts, const std::string& message) {
    return {{"logStreamName", "2026/11/28/[1]abc"},
            {"timestamp", ts},
            {"message", message},
            {"eventId", id},
            {"ingestionTime", ts}};
  }

  std::mutex mu_;
  std::vector<json> requests_;
  std::vector<std::string> targets_, content_types_;
  std::unique_ptr<api::HttpServer> server_;
  std::string endpoint_;
};

TEST_F(LogsTail, ReadsEveryPageOnceWithTheRequestAwsSends) {
  int64_t t0 = NowMs() - 1000;
  Serve([t0](int call, const json&) {
    if (call == 0) {
      return api::JsonResponse(
          {{"events",
            {Event("e1", t0, "START RequestId: 1\n"), Event("e2", t0 + 1, "{\"level\":\"INFO\"}")}},
           {"nextToken", "page-2"}});
    }
    // The second page repeats e2: it must not be printed twice.
    return api::JsonResponse(
        {{"events", {Event("e2", t0 + 1, "{\"level\":\"INFO\"}"), Event("e3", t0 + 2, "END")}}});
  });
  int64_t before = NowMs();
  auto r = Run({"logs", "tail", "DurableOrderProcessor", "--since", "10m", "--filter", "INFO"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  for (std::size_t p = 0, n; (n = r.out.find('\n', p)) != std::string::npos; p = n + 1)
    lines.push_back(r.out.substr(p, n - p));
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr(" 2026/11/28/[1]abc START RequestId: 1"));
  EXPECT_THAT(lines[1], HasSubstr(R"({"level":"INFO"})"));
  EXPECT_THAT(lines[2], HasSubstr("END"));
  EXPECT_THAT(lines[0], StartsWith("20"));  // an ISO-8601 time first

  std::lock_guard lock(mu_);
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(targets_[0], "Logs_20140328.FilterLogEvents");
  EXPECT_EQ(content_types_[0], "application/x-amz-json-1.1");
  const json& q = requests_[0];
  EXPECT_EQ(q["logGroupName"], "/aws/lambda/DurableOrderProcessor");
  EXPECT_EQ(q["filterPattern"], "INFO");
  EXPECT_FALSE(q.contains("nextToken"));
  int64_t start = q["startTime"];
  EXPECT_GE(start, before - 600'000 - 1000);
  EXPECT_LE(start, NowMs() - 600'000 + 1000);
  EXPECT_EQ(requests_[1]["nextToken"], "page-2");
}

TEST_F(LogsTail, JsonOutputIsOneEventPerLine) {
  Serve([](int, const json&) {
    return api::JsonResponse({{"events", {Event("e1", NowMs(), "hello")}}});
  });
  auto r = Run({"--output", "json", "logs", "tail", "F"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json e = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(e["eventId"], "e1");
  EXPECT_EQ(e["message"], "hello");
}

TEST_F(LogsTail, FollowPollsAndPrintsOnlyNewEvents) {
  int64_t t0 = NowMs();
  Serve([t0](int call, const json&) {
    // Every poll answers everything so far; one new event per poll.
    json events = json::array();
    for (int i = 0; i <= call; ++i)
      events.push_back(Event("e" + std::to_string(i), t0 + i, "line " + std::to_string(i)));
    return api::JsonResponse({{"events", events}});
  });
  auto r = Run({"logs", "tail", "F", "--follow"}, 3);
  EXPECT_EQ(r.exit_code, 124) << "follow runs until stopped; " << r.err;
  std::lock_guard lock(mu_);
  ASSERT_GE(requests_.size(), 2u);
  // Each event once, in order.
  // (The last poll may have been answered just as the tool was stopped.)
  auto lines = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_GE(lines, static_cast<long>(requests_.size()) - 1) << r.out;
  EXPECT_LE(lines, static_cast<long>(requests_.size())) << r.out;
  for (std::size_t i = 0; i < requests_.size() - 1; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    EXPECT_NE(r.out.find(line), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(line), r.out.rfind(line)) << r.out;
  }
  // Later polls start near the newest event seen, not at --since again.
  EXPECT_GE(requests_.back()["startTime"].get<int64_t>(), t0 - 5000);
}

TEST_F(LogsTail, ServerErrorIsOneLine) {
  Serve([](int, const json&) {
    api::Response r = api::JsonResponse({{"__type", "ResourceNotFoundException"},
                                         {"message", "The specified log group does not exist."}},
                                        400);
    r.headers.Set("x-amzn-ErrorType", "ResourceNotFoundException");
    return r;
  });
  auto r = Run({"logs", "tail", "Ghost"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "durafn: ResourceNotFoundException: The specified log group does not exist.\n");
}

}  // namespace
}  // namespace durafn::cli
