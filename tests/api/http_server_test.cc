// The server end to end: a real HttpServer on 127.0.0.1, an ephemeral port, real sockets.
#include "api/http_server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pthread.h>

#include "api/http_client.h"
#include "api/raw_socket.h"
#include "api/responses.h"
#include "api/uri.h"

namespace durafn::api {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::RawSocket;

constexpr std::string_view kArn =
    "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/id";
constexpr std::string_view kCheckpointPattern =
    "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint";

// What the server handed a handler, echoed back as JSON.
nlohmann::json Describe(const Request& r) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : r.labels)
    labels[k] = v;
  nlohmann::json query = nlohmann::json::array();
  for (const auto& [k, v] : r.query)
    query.push_back({k, v});
  return {{"method", r.method},
          {"path", r.path},
          {"labels", labels},
          {"query", query},
          {"body", r.body},
          {"request_id", r.request_id},
          {"content_type", std::string(r.headers.Get("content-type").value_or(""))}};
}

nlohmann::json Json(const Response& r) {
  return nlohmann::json::parse(r.body);
}

// Polls `condition` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

long long MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

class HttpServerTest : public ::testing::Test {
 protected:
  ~HttpServerTest() override {
    if (server_) server_->Stop();
    std::lock_guard lock(mu_);
    for (auto& worker : workers_)
      worker.join();
  }

  void StartServer(HttpServerOptions options = {}) {
    options.on_error = [this](std::string_view what) {
      std::lock_guard lock(mu_);
      errors_.emplace_back(what);
    };
    auto echo = [](Request r, Responder responder) { responder.Send(JsonResponse(Describe(r))); };
    Router router;
    router.Add("POST", kCheckpointPattern, echo);
    router.Add("GET", "/2025-12-01/durable-executions/{DurableExecutionArn}", echo);
    router.Add("GET", "/2025-12-01/functions/{FunctionName}/durable-executions", echo);
    router.Add("POST", "/2015-03-31/functions/{FunctionName}/invocations",
               [](Request r, Responder responder) {
                 responder.Send(JsonResponse({{"size", r.body.size()}}));
               });
    router.Add("POST", "/small", echo, {.max_body_bytes = 1024});
    router.Add("GET", "/async", [this](Request, Responder responder) {
      AnswerLater(50ms, std::move(responder), [] { return JsonResponse({{"from", "worker"}}); });
    });
    router.Add("GET", "/slow", [this](Request, Responder responder) {
      ++dispatched_;
      AnswerLater(300ms, std::move(responder), [] { return JsonResponse({{"slow", true}}); });
    });
    router.Add("GET", "/hold", [this](Request, Responder responder) {
      std::lock_guard lock(mu_);
      held_.push_back(std::move(responder));
    });
    router.Add("GET", "/framed", [](Request, Responder responder) {
      Response r;
      r.status = 202;
      r.headers = {{"X-Amz-Function-Error", "Unhandled"},
                   {"Content-Length", "999"},  // framing is the server's: these are dropped
                   {"Connection", "upgrade"},
                   {"Transfer-Encoding", "chunked"}};
      r.body = "abc";
      responder.Send(std::move(r));
    });
    router.Add("GET", "/nocontent", [](Request, Responder responder) {
      Response r;
      r.status = 204;
      r.body = "must not be sent";
      responder.Send(std::move(r));
    });
    // Stands in for a handler that takes long: a large body waits (up to 5 s) until a small
    // one has been handled. Both answer with the name of the thread they ran on.
    router.Add("POST", "/gate", [this](Request r, Responder responder) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      bool released = true;
      if (r.body.size() > 1024) {
        std::unique_lock lock(mu_);
        ++gate_waiting_;
        released = gate_cv_.wait_for(lock, 5s, [this] { return gate_open_; });
      } else {
        std::lock_guard lock(mu_);
        gate_open_ = true;
        gate_cv_.notify_all();
      }
      responder.Send(JsonResponse({{"thread", name}, {"released", released}}));
    });
    router.Add("GET", "/drop", [](Request, Responder) {});
    router.Add("GET", "/throw", [](Request, Responder) { throw std::runtime_error("boom"); });
    router.Add("GET", "/big", [](Request, Responder responder) {
      responder.Send(BytesResponse(std::string(8 << 20, 'x')));
    });
    server_ = std::make_unique<HttpServer>(std::move(options), std::move(router));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  // Answers from a worker thread after `delay`, as the store or a long-poll will.
  void AnswerLater(std::chrono::milliseconds delay, Responder responder,
                   std::function<Response()> make) {
    std::lock_guard lock(mu_);
    workers_.emplace_back([delay, make, r = std::move(responder)]() mutable {
      std::this_thread::sleep_for(delay);
      r.Send(make());
    });
  }

  HttpClient Client() { return HttpClient("127.0.0.1", server_->port()); }

  std::size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> dispatched_{0};
  std::mutex mu_;
  std::vector<std::thread> workers_;  // guarded by mu_
  std::vector<Responder> held_;       // guarded by mu_
  std::vector<std::string> errors_;   // guarded by mu_
  std::condition_variable gate_cv_;
  bool gate_open_ = false;  // guarded by mu_
  int gate_waiting_ = 0;    // guarded by mu_
};

TEST_F(HttpServerTest, RoutesArnLabelsWithEncodedSlashesAndColons) {
  StartServer();
  HttpClient client = Client();
  auto r =
      client.Send("POST", "/2025-12-01/durable-executions/" + PercentEncode(kArn) + "/checkpoint",
                  {{"Content-Type", "application/json"}}, R"({"CheckpointToken":"t"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  auto body = Json(*r);
  EXPECT_EQ(body["labels"]["DurableExecutionArn"], kArn);
  EXPECT_EQ(body["method"], "POST");
  EXPECT_EQ(body["body"], R"({"CheckpointToken":"t"})");
  EXPECT_EQ(body["content_type"], "application/json");
  auto id = r->headers.Get("x-amzn-requestid");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, body["request_id"]);

  // Lower-case escapes, and the shorter route with the same label.
  std::string lower =
      "arn%3aaws%3alambda%3aus-east-1%3a123456789012%3afunction%3af%3a1"
      "%2fdurable-execution%2fn%2fid";
  auto g = client.Send("GET", "/2025-12-01/durable-executions/" + lower);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(Json(*g)["labels"]["DurableExecutionArn"], kArn);
}

TEST_F(HttpServerTest, DecodesQueryIntoAMultimap) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("GET",
                       "/2025-12-01/functions/my-fn/durable-executions?Statuses=RUNNING"
                       "&Statuses=FAILED&DurableExecutionName=a+b%2Bc"
                       "&StartedAfter=2025-01-01T00%3A00%3A00Z&MaxItems=10");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = Json(*r);
  EXPECT_EQ(body["labels"]["FunctionName"], "my-fn");
  EXPECT_EQ(body["query"], nlohmann::json::parse(R"([
      ["DurableExecutionName", "a b+c"], ["MaxItems", "10"],
      ["StartedAfter", "2025-01-01T00:00:00Z"],
      ["Statuses", "RUNNING"], ["Statuses", "FAILED"]])"));
}

TEST_F(HttpServerTest, UnknownPathIs404UnknownOperation) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("GET", "/2025-12-01/nothing-here");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "UnknownOperationException");
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  EXPECT_TRUE(r->headers.Has("X-Amzn-RequestId"));
  EXPECT_EQ(Json(*r)["__type"], "UnknownOperationException");

  // A small body is read and discarded, keeping the connection...
  auto small = client.Send("POST", "/nope", {}, std::string(100, 'b'));
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->status, 404);
  EXPECT_EQ(client.connections_opened(), 1u);
  // ... a large one is not worth reading: same answer, then the connection closes.
  auto large = client.Send("POST", "/nope", {}, std::string(1 << 20, 'b'));
  ASSERT_TRUE(large.ok()) << large.status().ToString();
  EXPECT_EQ(large->status, 404);
  EXPECT_EQ(large->headers.Get("Connection"), "close");
  auto after = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, WrongMethodIs404WithAClearMessage) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("DELETE",
                       "/2025-12-01/durable-executions/" + PercentEncode(kArn) + "/checkpoint");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "UnknownOperationException");
  std::string message = Json(*r)["message"];
  EXPECT_NE(message.find("Method DELETE is not allowed on " + std::string(kCheckpointPattern)),
            std::string::npos)
      << message;
}

TEST_F(HttpServerTest, MalformedPercentEncodingIs400) {
  StartServer();
  HttpClient client = Client();
  for (std::string target :
       {"/2025-12-01/durable-executions/arn%3Gx", "/2025-12-01/durable-executions/arn%3",
        "/2025-12-01/functions/f/durable-executions?Statuses=%ZZ"}) {
    auto r = client.Send("GET", target);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "InvalidParameterValueException") << target;
  }
}

TEST_F(HttpServerTest, OversizedBodyIs413AndTheServerKeepsServing) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("POST", "/2015-03-31/functions/f/invocations", {},
                       std::string(kDefaultMaxBodyBytes + 1, 'a'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->headers.Get("x-amzn-ErrorType"), "RequestTooLargeException");
  EXPECT_EQ(Json(*r)["__type"], "RequestTooLargeException");
  EXPECT_TRUE(r->headers.Has("X-Amzn-RequestId"));

  // Exactly the limit is fine.
  auto at_limit = client.Send("POST", "/2015-03-31/functions/f/invocations", {},
                              std::string(kDefaultMaxBodyBytes, 'a'));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(Json(*at_limit)["size"], kDefaultMaxBodyBytes);

  // Per-route limits.
  auto over = client.Send("POST", "/small", {}, std::string(1025, 's'));
  ASSERT_TRUE(over.ok()) << over.status().ToString();
  EXPECT_EQ(over->status, 413);
  auto fits = client.Send("POST", "/small", {}, std::string(1024, 's'));
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->status, 200);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheRouteLimitIs413) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  ASSERT_TRUE(
      s.Write("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              "800\r\n" +
              std::string(0x800, 'c') + "\r\n0\r\n\r\n"));
  bool closed = false;
  std::string got = s.Read(5s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 413")) << got;
  EXPECT_NE(got.find("RequestTooLargeException"), std::string::npos) << got;
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, OversizedHeadersAre413) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("GET", "/2025-12-01/durable-executions/x",
                       {{"X-Big", std::string(40 * 1024, 'h')}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "RequestTooLargeException");
  auto after = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, MalformedHttpIs400AndClosesTheConnection) {
  StartServer();
  for (std::string garbage : {std::string("THIS IS NOT HTTP\r\n\r\n"),
                              std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                              std::string("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n")}) {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(s.Write(garbage));
    bool closed = false;
    std::string got = s.Read(5s, &closed);
    EXPECT_TRUE(got.starts_with("HTTP/1.1 400")) << got;
    EXPECT_NE(got.find("InvalidRequestContentException"), std::string::npos) << got;
    EXPECT_TRUE(closed) << "the connection must be closed after a malformed request";
  }
  HttpClient client = Client();
  auto r = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ClientDisconnectingMidBodyDoesNotHurtTheServer) {
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(
        s.Write("POST /2025-12-01/durable-executions/x/checkpoint HTTP/1.1\r\n"
                "Host: t\r\nContent-Length: 1000\r\n\r\n0123456789"));
    ASSERT_TRUE(WaitFor([&] { return server_->connection_count() == 1; }));
  }
  EXPECT_TRUE(WaitFor([&] { return server_->connection_count() == 0; }))
      << "the half-received request must release its connection";
  HttpClient client = Client();
  auto r = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(dispatched_.load(), 0);
}

TEST_F(HttpServerTest, ClientDisconnectingMidResponseDoesNotHurtTheServer) {
  StartServer();
  {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    ASSERT_TRUE(s.Write("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
    bool closed = false;
    std::string got = s.Read(5s, &closed, /*max_bytes=*/4096);
    ASSERT_TRUE(got.starts_with("HTTP/1.1 200")) << got.substr(0, 100);
    // Closing with 8 MiB unread resets the connection under the server's write.
  }
  EXPECT_TRUE(WaitFor([&] { return server_->connection_count() == 0; }));
  HttpClient client = Client();
  auto r = client.Send("GET", "/big");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 8u << 20);
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnectionFor100Requests) {
  StartServer();
  HttpClient client = Client();
  std::set<std::string> request_ids;
  for (int i = 0; i < 100; ++i) {
    auto r = client.Send("GET", "/2025-12-01/durable-executions/e" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(Json(*r)["labels"]["DurableExecutionArn"], "e" + std::to_string(i));
    request_ids.emplace(r->headers.Get("X-Amzn-RequestId").value_or(""));
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server_->connection_count(), 1u);
  EXPECT_EQ(request_ids.size(), 100u);
  EXPECT_FALSE(request_ids.contains(""));
}

TEST_F(HttpServerTest, ResponderAnswersFromAnotherThreadLater) {
  StartServer();
  HttpClient client = Client();
  const auto start = Clock::now();
  auto r = client.Send("GET", "/async");
  const auto elapsed = MillisSince(start);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json(*r)["from"], "worker");
  EXPECT_GE(elapsed, 50);
  EXPECT_TRUE(r->headers.Has("X-Amzn-RequestId"));
  // The connection stays usable.
  auto again = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(HttpServerTest, HeldResponsesDoNotBlockOtherRequests) {
  HttpServerOptions options;
  options.io_threads = 1;  // even with one I/O thread
  StartServer(options);
  auto held_call = std::async(std::launch::async, [this] {
    HttpClient c = Client();
    return c.Send("GET", "/hold");
  });
  ASSERT_TRUE(WaitFor([&] { return held() == 1; }));
  HttpClient other = Client();
  for (int i = 0; i < 10; ++i) {
    auto r = other.Send("GET", "/2025-12-01/durable-executions/x");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(held_call.wait_for(0ms), std::future_status::timeout);
  {
    std::lock_guard lock(mu_);
    held_[0].Send(JsonResponse({{"released", true}}, 201));
  }
  auto r = held_call.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
}

TEST_F(HttpServerTest, LargeBodiesAreHandledOffTheIoThread) {
  HttpServerOptions options;
  options.io_threads = 1;  // both connections share the one event loop
  options.offload_threads = 1;
  options.offload_body_bytes = 1024;
  StartServer(options);
  auto large = std::async(std::launch::async, [this] {
    HttpClient c = Client();
    return c.Send("POST", "/gate", {}, std::string(4096, 'x'));
  });
  // The large request's handler is running (and waiting) before the small one is sent.
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu_);
    return gate_waiting_ == 1;
  }));
  HttpClient other = Client();
  const auto start = Clock::now();
  auto small = other.Send("POST", "/gate", {}, "{}");
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_LT(MillisSince(start), 4000) << "the small request waited for the large one";
  EXPECT_EQ(Json(*small)["thread"], "http-io");
  auto r = large.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json(*r)["thread"], "http-offload");
  EXPECT_EQ(Json(*r)["released"], true);
}

TEST_F(HttpServerTest, WithoutOffloadThreadsLargeBodiesAreHandledOnTheIoThread) {
  HttpServerOptions options;
  options.offload_threads = 0;
  options.offload_body_bytes = 1024;
  StartServer(options);
  {
    std::lock_guard lock(mu_);
    gate_open_ = true;
  }
  auto r = Client().Send("POST", "/gate", {}, std::string(4096, 'x'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Json(*r)["thread"], "http-io");
}

TEST_F(HttpServerTest, DroppedResponderAnswers500ServiceException) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("GET", "/drop");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "ServiceException");
  EXPECT_EQ(Json(*r)["__type"], "ServiceException");
  auto again = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(HttpServerTest, ThrowingHandlerAnswers500AndIsReported) {
  StartServer();
  HttpClient client = Client();
  auto r = client.Send("GET", "/throw");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->headers.Get("X-Amzn-ErrorType"), "ServiceException");
  std::lock_guard lock(mu_);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("boom"), std::string::npos) << errors_[0];
}

TEST_F(HttpServerTest, ConcurrentClientsAreAllAnswered) {
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kRequests = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client = Client();
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = client.Send("POST", "/small", {}, body);
        if (r.ok() && r->status == 200 && Json(*r)["body"] == body) ++answered;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(answered.load(), kThreads * kRequests);
  std::printf("[ info ] %d requests from %d threads in %lld ms\n", kThreads * kRequests, kThreads,
              MillisSince(start));
}

TEST_F(HttpServerTest, StopWithIdleKeepAliveConnectionsIsPrompt) {
  HttpServerOptions options;
  options.stop_grace = 10s;  // far longer than Stop() may take here
  StartServer(options);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<HttpClient>("127.0.0.1", server_->port()));
    auto r = clients.back()->Send("GET", "/2025-12-01/durable-executions/x");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  ASSERT_EQ(server_->connection_count(), 5u);
  const auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(MillisSince(start), 1000);
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_FALSE(clients[0]->Send("GET", "/2025-12-01/durable-executions/x", {}, {}, 2s).ok());
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, StopLetsRequestsInProgressFinish) {
  StartServer();
  auto call = std::async(std::launch::async, [this] {
    HttpClient c = Client();
    return c.Send("GET", "/slow");
  });
  ASSERT_TRUE(WaitFor([&] { return dispatched_.load() == 1; }));
  const auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(MillisSince(start), 3000);
  auto r = call.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json(*r)["slow"], true);
  EXPECT_EQ(r->headers.Get("Connection"), "close");
}

TEST_F(HttpServerTest, StopAnswersStuckRequestsWithAServiceError) {
  HttpServerOptions options;
  options.stop_grace = 200ms;
  StartServer(options);
  auto call = std::async(std::launch::async, [this] {
    HttpClient c = Client();
    return c.Send("GET", "/hold", {}, {}, 10s);
  });
  ASSERT_TRUE(WaitFor([&] { return held() == 1; }));
  const auto start = Clock::now();
  server_->Stop();
  const auto elapsed = MillisSince(start);
  EXPECT_GE(elapsed, 150);
  EXPECT_LT(elapsed, 3000);
  auto response = call.get();
  ASSERT_TRUE(response.ok()) << "an answer, not a dropped connection";
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->headers.Get("x-amzn-ErrorType").value_or(""), "ServiceException");
  EXPECT_NE(response->body.find("shutting down"), std::string::npos) << response->body;
  EXPECT_EQ(response->headers.Get("connection").value_or(""), "close");
  server_.reset();
  // Answering after the server is gone is harmless (AddressSanitizer would object).
  std::lock_guard lock(mu_);
  held_[0].Send(JsonResponse({{"late", true}}));
  EXPECT_FALSE(held_[0].pending());
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreRefused) {
  HttpServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  RawSocket a(server_->port());
  RawSocket b(server_->port());
  ASSERT_TRUE(a.connected() && b.connected());
  ASSERT_TRUE(WaitFor([&] { return server_->connection_count() == 2; }));
  RawSocket c(server_->port());
  ASSERT_TRUE(c.connected());  // the kernel accepts; the server closes it at once
  bool closed = false;
  c.Write("GET /2025-12-01/durable-executions/x HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string got = c.Read(3s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, "");
  a.Close();
  ASSERT_TRUE(WaitFor([&] { return server_->connection_count() == 1; }));
  HttpClient client = Client();
  auto r = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, IdleConnectionsTimeOutAndTheClientReconnects) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  StartServer(options);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  const auto start = Clock::now();
  bool closed = false;
  s.Read(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_GE(MillisSince(start), 150);

  HttpClient client = Client();
  ASSERT_TRUE(client.Send("GET", "/2025-12-01/durable-executions/x").ok());
  ASSERT_TRUE(WaitFor([&] { return server_->connection_count() == 0; }));
  auto r = client.Send("GET", "/2025-12-01/durable-executions/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(HttpServerTest, StalledRequestTimesOut) {
  HttpServerOptions options;
  options.request_timeout = 300ms;
  StartServer(options);
  RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  ASSERT_TRUE(s.Write("GET /2025-12-01/durable-executions/x HTTP/1.1\r\nHost: t\r\n"));
  const auto start = Clock::now();
  bool closed = false;
  s.Read(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(MillisSince(start), 2000);
}

TEST_F(HttpServerTest, ExpectContinueIsHonoured) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.connected());
  ASSERT_TRUE(
      s.Write("POST /small HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
              "Content-Length: 5\r\n\r\n"));
  std::string interim = s.ReadUntil("\r\n\r\n", 5s);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(s.Write("hello"));
  std::string response = s.ReadUntil("\"hello\"", 5s);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;

  // A body over the limit is refused before the client sends it.
  RawSocket big(server_->port());
  ASSERT_TRUE(
      big.Write("POST /small HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                "Content-Length: 5000\r\n\r\n"));
  bool closed = false;
  std::string refused = big.Read(5s, &closed);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 413")) << refused;
}

TEST_F(HttpServerTest, ConnectionCloseFromTheClientIsHonoured) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(
      s.Write("GET /2025-12-01/durable-executions/x HTTP/1.1\r\nHost: t\r\n"
              "Connection: close\r\n\r\n"));
  bool closed = false;
  std::string got = s.Read(5s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200")) << got;
  EXPECT_TRUE(closed);
}

// The head is written by hand, so its bytes are checked exactly: status line, the handler's
// headers without its framing ones, Content-Length, and Connection only where HTTP needs it.
TEST_F(HttpServerTest, ResponsesAreFramedByTheServer) {
  StartServer();
  RawSocket s(server_->port());
  ASSERT_TRUE(s.Write("GET /framed HTTP/1.1\r\nHost: t\r\n\r\n"));
  bool closed = false;
  std::string got = s.Read(300ms, &closed);
  const std::string id_header = std::string(kRequestIdHeader) + ": ";
  auto id_at = got.find(id_header);
  ASSERT_NE(id_at, std::string::npos) << got;
  auto id_end = got.find("\r\n", id_at);
  got.erase(id_at, id_end + 2 - id_at);  // random per request
  EXPECT_EQ(got,
            "HTTP/1.1 202 Accepted\r\nX-Amz-Function-Error: Unhandled\r\n"
            "Content-Length: 3\r\n\r\nabc");
  EXPECT_FALSE(closed);

  // The same connection again: a bodiless status has neither body nor Content-Length.
  ASSERT_TRUE(s.Write("GET /nocontent HTTP/1.1\r\nHost: t\r\n\r\n"));
  got = s.Read(300ms, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 204 No Content\r\n")) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\n")) << got;
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  EXPECT_FALSE(closed);

  // HTTP/1.0 keeps the connection only when asked, and then says so.
  RawSocket old(server_->port());
  ASSERT_TRUE(old.Write("GET /framed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  got = old.Read(300ms, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.0 202 Accepted\r\n")) << got;
  EXPECT_NE(got.find("\r\nConnection: keep-alive\r\n"), std::string::npos) << got;
  EXPECT_FALSE(closed);
  RawSocket once(server_->port());
  ASSERT_TRUE(once.Write("GET /framed HTTP/1.0\r\n\r\n"));
  got = once.Read(5s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.0 202 Accepted\r\n")) << got;
  EXPECT_EQ(got.find("Connection"), std::string::npos) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nabc")) << got;
  EXPECT_TRUE(closed);
}

TEST(HttpServer, StartFailsWhenThePortIsTaken) {
  HttpServer first({}, Router());
  ASSERT_TRUE(first.Start().ok());
  HttpServerOptions options;
  options.port = first.port();
  HttpServer second(options, Router());
  Status status = second.Start();
  EXPECT_EQ(status.code(), Status::Code::kUnavailable) << status.ToString();
  HttpServerOptions bad;
  bad.host = "not-an-address";
  EXPECT_EQ(HttpServer(bad, Router()).Start().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace durafn::api
