// The CloudWatch-Logs-compatible API over real HTTP: first an HttpServer serving a real
// LogStore (the test appends the lines a worker would print), then the real `durafn serve`
// reading a logs.db that the test writes to.
#include "api/logs_api.h"

#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/http_client.h"
#include "api/http_server.h"
#include "support/server_process.h"

namespace durafn::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kGroup = "/aws/lambda/orders";
constexpr const char* kStreamA = "2026/11/28/[1]aaaa";
constexpr const char* kStreamB = "2026/11/28/[1]bbbb";

fs::path TempDir(std::string_view kind) {
  fs::path dir = fs::temp_directory_path() /
                 ("durafn-" + std::string(kind) + "-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A CloudWatch Logs call as the AWS SDK makes it.
struct LogsCall {
  int status = 0;
  std::string error_type;  // X-Amzn-ErrorType
  json body;
};

LogsCall CallLogs(HttpClient& client, std::string_view operation, const json& body) {
  Headers headers{{"X-Amz-Target", "Logs_20140328." + std::string(operation)},
                  {"Content-Type", "application/x-amz-json-1.1"}};
  auto r = client.Send("POST", "/", headers, body.dump());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_EQ(r->headers.Get("Content-Type").value_or(""), "application/x-amz-json-1.1");
  return {r->status, std::string(r->headers.Get("X-Amzn-ErrorType").value_or("")),
          json::parse(r->body, nullptr, false)};
}

std::vector<std::string> Messages(const json& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.push_back(e.at("message"));
  return out;
}

using Strings = std::vector<std::string>;

class LogsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("logs-api");
    auto store = hosting::LogStore::Open((dir_ / "logs.db").string(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Router router;
    RegisterLogsRoutes(router, *store_, {.identity = {"aws", "eu-west-1", "111122223333"}});
    server_ = std::make_unique<HttpServer>(HttpServerOptions{}, std::move(router));
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();  // before the store it queries
    store_.reset();
    fs::remove_all(dir_);
  }

  void Add(const char* stream, int64_t ts, std::string message, std::string request_id = "",
           std::string arn = "", std::string group = kGroup) {
    store_->Append(
        {std::move(group), stream, ts, std::move(message), std::move(request_id), std::move(arn)});
  }

  LogsCall Call(std::string_view operation, const json& body) {
    return CallLogs(*client_, operation, body);
  }

  // FilterLogEvents on kGroup with `extra` members; expects success.
  Strings Filter(json extra) {
    extra["logGroupName"] = kGroup;
    auto r = Call("FilterLogEvents", extra);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.status == 200 ? Messages(r.body["events"]) : Strings{};
  }

  void ExpectError(std::string_view operation, const json& body, std::string_view type) {
    auto r = Call(operation, body);
    EXPECT_EQ(r.status, 400) << body.dump();
    EXPECT_EQ(r.error_type, type) << body.dump();
    EXPECT_EQ(r.body.value("__type", ""), type) << body.dump();
    EXPECT_FALSE(r.body.value("message", "").empty()) << body.dump();
  }

  fs::path dir_;
  std::unique_ptr<hosting::LogStore> store_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(LogsApiTest, FilterLogEventsHasCloudWatchsShape) {
  Add(kStreamA, 1000, "START RequestId: r1 Version: 1", "r1");
  Add(kStreamB, 1001, "hello");
  store_->Flush();
  auto r = Call("FilterLogEvents", {{"logGroupName", kGroup}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["events"].size(), 2u);
  const json& e = r.body["events"][0];
  EXPECT_EQ(e["logStreamName"], kStreamA);
  EXPECT_EQ(e["timestamp"], 1000);
  EXPECT_EQ(e["message"], "START RequestId: r1 Version: 1");
  EXPECT_TRUE(e["ingestionTime"].is_number_integer());
  EXPECT_TRUE(e["eventId"].is_string());
  EXPECT_NE(r.body["events"][1]["eventId"], e["eventId"]);
  EXPECT_EQ(r.body["searchedLogStreams"].size(), 2u);
  EXPECT_FALSE(r.body.contains("nextToken"));  // everything was returned
}

TEST_F(LogsApiTest, FilterLogEventsPaginatesWithNextToken) {
  for (int i = 0; i < 25; ++i)
    Add(i % 2 ? kStreamA : kStreamB, i, "line " + std::to_string(i));
  store_->Flush();
  json request = {{"logGroupName", kGroup}, {"limit", 10}};
  Strings all;
  int pages = 0;
  while (true) {
    auto r = Call("FilterLogEvents", request);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    ASSERT_LE(r.body["events"].size(), 10u);
    for (auto& m : Messages(r.body["events"]))
      all.push_back(m);
    ++pages;
    if (!r.body.contains("nextToken")) break;
    ASSERT_LT(pages, 10);
    request["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(all.front(), "line 0");
  EXPECT_EQ(all.back(), "line 24");
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 25u);
}

TEST_F(LogsApiTest, FilterLogEventsFilters) {
  Add(kStreamA, 10, R"({"level":"ERROR","msg":"card declined"})", "r1", "arn:e1");
  Add(kStreamB, 20, "WARN slow downstream", "r2", "arn:e1");
  Add(kStreamA, 30, "ERROR connection reset", "r3", "arn:e2");
  Add(kStreamB, 40, R"({"level":"INFO","msg":"ok"})", "r4");
  store_->Flush();
  EXPECT_EQ(Filter({{"filterPattern", R"({ $.level = "ERROR" })"}}),
            (Strings{R"({"level":"ERROR","msg":"card declined"})"}));
  EXPECT_EQ(Filter({{"filterPattern", "?WARN ?reset"}}),
            (Strings{"WARN slow downstream", "ERROR connection reset"}));
  EXPECT_EQ(Filter({{"filterPattern", "\"connection reset\" -WARN"}}),
            (Strings{"ERROR connection reset"}));
  EXPECT_EQ(Filter({{"logStreamNames", {kStreamB}}}).size(), 2u);
  EXPECT_EQ(Filter({{"logStreamNamePrefix", "2026/11/28/[1]a"}}).size(), 2u);
  // startTime and endTime are both inclusive in FilterLogEvents.
  EXPECT_EQ(Filter({{"startTime", 20}, {"endTime", 30}}).size(), 2u);
  EXPECT_EQ(Filter({{"requestId", "r2"}}), (Strings{"WARN slow downstream"}));
  EXPECT_EQ(Filter({{"durableExecutionArn", "arn:e1"}}).size(), 2u);
  auto r = Call("FilterLogEvents",
                {{"logGroupIdentifier",
                  "arn:aws:logs:eu-west-1:111122223333:log-group:" + std::string(kGroup) + ":*"}});
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["events"].size(), 4u);
}

TEST_F(LogsApiTest, FollowingWithAfterEventIdSeesOnlyNewLines) {
  Add(kStreamA, 1, "first");
  store_->Flush();
  auto r = Call("FilterLogEvents", {{"logGroupName", kGroup}});
  ASSERT_EQ(r.status, 200);
  std::string last = r.body["events"].back()["eventId"];
  EXPECT_EQ(Filter({{"afterEventId", last}}), Strings{});
  Add(kStreamB, 2, "second");
  Add(kStreamA, 3, "third");
  store_->Flush();
  EXPECT_EQ(Filter({{"afterEventId", last}}), (Strings{"second", "third"}));
}

TEST_F(LogsApiTest, GetLogEventsPagesForwardAndBackward) {
  for (int i = 0; i < 5; ++i)
    Add(kStreamA, 100 + i, "a" + std::to_string(i));
  Add(kStreamB, 200, "b0");
  store_->Flush();
  // Without a token and startFromHead, the newest events come back (in time order).
  auto r =
      Call("GetLogEvents", {{"logGroupName", kGroup}, {"logStreamName", kStreamA}, {"limit", 2}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(Messages(r.body["events"]), (Strings{"a3", "a4"}));
  EXPECT_TRUE(r.body["events"][0].contains("ingestionTime"));
  EXPECT_FALSE(r.body["events"][0].contains("logStreamName"));
  // Backward from there.
  r = Call("GetLogEvents", {{"logGroupName", kGroup},
                            {"logStreamName", kStreamA},
                            {"limit", 2},
                            {"nextToken", r.body["nextBackwardToken"]}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(Messages(r.body["events"]), (Strings{"a1", "a2"}));

  // From the head, forward, until the same token comes back (how SDK paginators stop).
  json request = {
      {"logGroupName", kGroup}, {"logStreamName", kStreamA}, {"limit", 2}, {"startFromHead", true}};
  Strings all;
  for (int i = 0; i < 10; ++i) {
    r = Call("GetLogEvents", request);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    for (auto& m : Messages(r.body["events"]))
      all.push_back(m);
    if (request.contains("nextToken") && request["nextToken"] == r.body["nextForwardToken"]) break;
    request["nextToken"] = r.body["nextForwardToken"];
  }
  EXPECT_EQ(all, (Strings{"a0", "a1", "a2", "a3", "a4"}));
  // A forward token is also how a follower sees new lines.
  Add(kStreamA, 105, "a5");
  store_->Flush();
  r = Call("GetLogEvents", request);
  EXPECT_EQ(Messages(r.body["events"]), (Strings{"a5"}));

  ExpectError("GetLogEvents", {{"logGroupName", kGroup}, {"logStreamName", "nope"}},
              "ResourceNotFoundException");
  ExpectError("GetLogEvents", {{"logGroupName", kGroup}}, "InvalidParameterException");
  ExpectError("GetLogEvents",
              {{"logGroupName", kGroup}, {"logStreamName", kStreamA}, {"nextToken", "x/1"}},
              "InvalidParameterException");
}

TEST_F(LogsApiTest, DescribeLogGroupsListsAndPages) {
  Add(kStreamA, 5, "12345");
  Add(kStreamA, 5, "x", "", "", "/aws/lambda/billing");
  Add(kStreamA, 5, "x", "", "", "/custom/other");
  store_->Flush();
  auto r = Call("DescribeLogGroups", {{"logGroupNamePrefix", "/aws/lambda/"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["logGroups"].size(), 2u);
  const json& g = r.body["logGroups"][1];
  EXPECT_EQ(g["logGroupName"], kGroup);
  EXPECT_EQ(g["storedBytes"], 5 + hosting::kLogEventOverheadBytes);
  EXPECT_EQ(g["logGroupArn"],
            "arn:aws:logs:eu-west-1:111122223333:log-group:" + std::string(kGroup));
  EXPECT_EQ(g["arn"], g["logGroupArn"].get<std::string>() + ":*");
  EXPECT_TRUE(g["creationTime"].is_number_integer());

  r = Call("DescribeLogGroups", {{"logGroupNamePattern", "BILL"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["logGroups"].size(), 1u);
  EXPECT_EQ(r.body["logGroups"][0]["logGroupName"], "/aws/lambda/billing");

  Strings names;
  json request = {{"limit", 2}};
  for (int i = 0; i < 5; ++i) {
    r = Call("DescribeLogGroups", request);
    ASSERT_EQ(r.status, 200);
    for (const auto& lg : r.body["logGroups"])
      names.push_back(lg["logGroupName"]);
    if (!r.body.contains("nextToken")) break;
    request["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(names, (Strings{"/aws/lambda/billing", kGroup, "/custom/other"}));
  ExpectError("DescribeLogGroups", {{"limit", 51}}, "InvalidParameterException");
}

TEST_F(LogsApiTest, DescribeLogStreamsOrdersAndPages) {
  Add(kStreamA, 300, "late");
  Add(kStreamB, 100, "early");
  Add("2026/11/27/[2]zzzz", 200, "middle");
  store_->Flush();
  auto r = Call("DescribeLogStreams",
                {{"logGroupName", kGroup}, {"orderBy", "LastEventTime"}, {"descending", true}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  ASSERT_EQ(r.body["logStreams"].size(), 3u);
  EXPECT_EQ(r.body["logStreams"][0]["logStreamName"], kStreamA);
  EXPECT_EQ(r.body["logStreams"][0]["lastEventTimestamp"], 300);
  EXPECT_EQ(r.body["logStreams"][0]["firstEventTimestamp"], 300);
  EXPECT_EQ(r.body["logStreams"][0]["storedBytes"], 4 + hosting::kLogEventOverheadBytes);
  EXPECT_EQ(r.body["logStreams"][2]["logStreamName"], kStreamB);

  Strings names;
  json request = {{"logGroupName", kGroup}, {"limit", 1}};
  for (int i = 0; i < 5; ++i) {
    r = Call("DescribeLogStreams", request);
    ASSERT_EQ(r.status, 200);
    for (const auto& s : r.body["logStreams"])
      names.push_back(s["logStreamName"]);
    if (!r.body.contains("nextToken")) break;
    request["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(names, (Strings{"2026/11/27/[2]zzzz", kStreamA, kStreamB}));
  r = Call("DescribeLogStreams", {{"logGroupName", kGroup}, {"logStreamNamePrefix", "2026/11/28"}});
  EXPECT_EQ(r.body["logStreams"].size(), 2u);
  ExpectError(
      "DescribeLogStreams",
      {{"logGroupName", kGroup}, {"orderBy", "LastEventTime"}, {"logStreamNamePrefix", "a"}},
      "InvalidParameterException");
  ExpectError("DescribeLogStreams", {{"logGroupName", kGroup}, {"orderBy", "Size"}},
              "InvalidParameterException");
  ExpectError("DescribeLogStreams", {{"logGroupName", "/nope"}}, "ResourceNotFoundException");
}

TEST_F(LogsApiTest, BadRequestsGetCloudWatchErrorsAndTheServerStaysUp) {
  Add(kStreamA, 1, "x");
  store_->Flush();
  ExpectError("FilterLogEvents", {{"logGroupName", "/aws/lambda/missing"}},
              "ResourceNotFoundException");
  ExpectError("FilterLogEvents", json::object(), "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"logGroupIdentifier", kGroup}},
              "InvalidParameterException");
  ExpectError(
      "FilterLogEvents",
      {{"logGroupName", kGroup}, {"logStreamNames", {kStreamA}}, {"logStreamNamePrefix", "x"}},
      "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"filterPattern", "{ $.a = }"}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"filterPattern", "[ip, user]"}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents",
              {{"logGroupName", kGroup}, {"filterPattern", std::string(1025, 'a')}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"limit", 0}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"limit", 10001}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"startTime", "yesterday"}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", kGroup}, {"nextToken", "garbage"}},
              "InvalidParameterException");
  ExpectError("FilterLogEvents", {{"logGroupName", 7}}, "InvalidParameterException");
  ExpectError("PutLogEvents", json::object(), "UnknownOperationException");

  Headers no_target{{"Content-Type", "application/x-amz-json-1.1"}};
  auto raw = client_->Send("POST", "/", no_target, "{}");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 400);
  EXPECT_EQ(raw->headers.Get("X-Amzn-ErrorType").value_or(""), "UnknownOperationException");
  Headers target{{"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
  raw = client_->Send("POST", "/", target, "{not json");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 400);
  EXPECT_EQ(raw->headers.Get("X-Amzn-ErrorType").value_or(""), "SerializationException");

  EXPECT_EQ(Filter(json::object()), Strings{"x"});  // still serving
}

// The real server: `durafn serve` opens logs.db in its data dir and answers the Logs API.
// Nothing in the server produces log lines yet, so the test writes them into that file
// through a LogStore of its own (SQLite lets the two processes share it).
TEST(LogsApiServerTest, DurafnServeAnswersFromItsDataDir) {
  fs::path dir = TempDir("logs-serve");
  testing::ServerProcess server(DURAFN_BINARY, dir);
  server.Start();
  HttpClient client("127.0.0.1", server.port());
  auto r = CallLogs(client, "DescribeLogGroups", json::object());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["logGroups"], json::array());
  ASSERT_TRUE(fs::exists(dir / "logs.db"));
  {
    auto writer = hosting::LogStore::Open((dir / "logs.db").string(), {});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (int i = 0; i < 30; ++i) {
      (*writer)->Append({kGroup, kStreamA, 1000 + i,
                         R"({"level":")" + std::string(i % 3 ? "INFO" : "ERROR") + R"(","i":)" +
                             std::to_string(i) + "}",
                         "req-" + std::to_string(i), ""});
    }
    (*writer)->Flush();
  }
  r = CallLogs(client, "FilterLogEvents",
               {{"logGroupName", kGroup}, {"filterPattern", R"({ $.level = "ERROR" })"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["events"].size(), 10u);
  r = CallLogs(client, "FilterLogEvents", {{"logGroupName", kGroup}, {"requestId", "req-7"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["events"].size(), 1u);
  EXPECT_EQ(r.body["events"][0]["message"], R"({"level":"INFO","i":7})");
  r = CallLogs(client, "DescribeLogStreams", {{"logGroupName", kGroup}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["logStreams"][0]["logStreamName"], kStreamA);
  // The server's own log store reports what it wrote and dropped.
  auto metrics = client.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("durafn_log_records_dropped_total 0\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("durafn_log_records_written_total "), std::string::npos);
  // The Lambda API is still routed as before.
  auto functions = client.Send("GET", "/2015-03-31/functions");
  ASSERT_TRUE(functions.ok());
  EXPECT_EQ(functions->status, 200);
  server.Kill(SIGTERM);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace durafn::api
