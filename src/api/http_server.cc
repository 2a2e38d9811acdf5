#include "api/http_server.h"

#include <array>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/beast.h"
#include "api/request_id.h"
#include "api/responses.h"
#include "protocol/thread_name.h"

namespace durafn::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using protocol::ApiError;
using protocol::ErrorCode;

// Bytes read at a time while waiting for a request to begin, and while lingering.
constexpr std::size_t kReadChunkBytes = 16 * 1024;
// A request that gets an error anyway (no such route) has its body read and discarded, to
// keep the connection, only up to this size; a larger one is refused and the connection
// closed.
constexpr std::size_t kMaxDiscardedBodyBytes = 64 * 1024;
// Lingering discards at most this much (besides options.linger_timeout) before closing.
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
// After the stop grace period, how long answering the requests still in progress may take.
constexpr std::chrono::milliseconds kUnfinishedAnswerTime{1'000};
// Back-off after a failed accept (e.g. out of file descriptors), instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

class Session;

// What the server and its connections share. Connections hold it by shared_ptr because the
// last of them may be destroyed while the io_context is torn down.
struct ServerState {
  ServerState(HttpServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {}

  void ReportError(std::string_view what) const {
    if (options.on_error) options.on_error(what);
  }

  const HttpServerOptions options;
  const Router router;
  // Runs the handlers of requests with large bodies (see HttpServerOptions::offload_body_bytes);
  // null when there are no offload threads.
  net::io_context* offload = nullptr;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};  // Session objects alive

  std::mutex mu;
  std::condition_variable all_closed;  // notified when `sessions` becomes empty
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;  // guarded by mu
  std::uint64_t next_session_id = 0;                                   // guarded by mu
};

// Links one request's Responder to its connection. While a handler works no I/O is pending
// on the connection, so the exchange is what keeps it alive; Stop() cuts the link so that
// responses arriving after the server is gone are dropped instead of touching a dead
// io_context.
class Exchange final : public ResponseSink {
 public:
  explicit Exchange(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  void Deliver(Response response) override;
  void Detach();

 private:
  std::mutex mu_;
  std::shared_ptr<Session> session_;  // guarded by mu_; null once delivered or detached
};

// Reports protocol violations by the client (as opposed to it going away or timing out).
bool IsMalformedHttp(beast::error_code ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::need_buffer;
}

// One TCP connection. Every member function but the constructor, destructor, Register()
// and CutOff() runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerState> state, tcp::socket socket)
      : state_(std::move(state)), stream_(std::move(socket)) {
    state_->connections.fetch_add(1);
  }

  ~Session() {
    {
      std::lock_guard lock(state_->mu);
      state_->sessions.erase(id_);
      if (state_->sessions.empty()) state_->all_closed.notify_all();
    }
    state_->connections.fetch_sub(1);
  }

  // Makes the connection visible to Stop(). Called once, before Begin().
  void Register() {
    std::lock_guard lock(state_->mu);
    id_ = ++state_->next_session_id;
    state_->sessions.emplace(id_, weak_from_this());
  }

  void Begin() {
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);  // small responses, no Nagle
    WaitForRequest();
  }

  // The server is stopping: drop the connection if no request is in progress.
  void OnServerStopping() {
    if (phase_ == Phase::kIdle || phase_ == Phase::kLingering) Close();
  }

  // The handler's response (via Exchange).
  void TakeHandlerResponse(Response response) {
    exchange_.reset();
    if (phase_ != Phase::kHandling) return;  // closed meanwhile
    Write(std::move(response), keep_alive_ ? After::kKeepAlive : After::kClose);
  }

  // Stop(), once the grace period is over: a request whose handler has not answered gets
  // `response` instead, and the handler's answer, if it comes, is dropped.
  void AnswerUnfinished(Response response) {
    if (phase_ != Phase::kHandling) return;
    if (auto exchange = exchange_.lock()) exchange->Detach();
    exchange_.reset();
    Write(std::move(response), After::kClose);
  }

  // Stop(), once no I/O thread runs any more: unlink a pending responder and close.
  void CutOff() {
    if (auto exchange = exchange_.lock()) exchange->Detach();
    Close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };
  // What to do once a response is written.
  enum class After { kKeepAlive, kClose, kLinger };

  template <class F>
  auto Bind(F f) {
    return beast::bind_front_handler(f, shared_from_this());
  }

  void WaitForRequest() {
    match_.reset();
    if (state_->stopping) return Close();
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) return ReadHeader();  // the next request already arrived
    // Waiting for the first byte separately gives idle connections their own (longer)
    // timeout, distinct from the time a started request may take.
    stream_.expires_after(state_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes), Bind(&Session::OnFirstBytes));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec || phase_ == Phase::kClosed) return Close();  // timeout, peer gone, or stop
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    request_id_ = NewRequestId();
    version_ = 11;
    keep_alive_ = false;
    stream_.expires_after(state_->options.request_timeout);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(boost::none);  // decided per route once the head is known
    http::async_read_header(stream_, buffer_, *parser_, Bind(&Session::OnHeader));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    const auto& head = parser_->get();
    version_ = head.version();
    keep_alive_ = head.keep_alive();
    match_ = state_->router.Resolve(head.method_string(), head.target());
    const std::uint64_t limit = match_->ok() ? match_->max_body_bytes : kMaxDiscardedBodyBytes;
    const bool expects_continue = EqualsIgnoreCase(head[http::field::expect], "100-continue");
    const auto length = parser_->content_length();
    if (!match_->ok() && (expects_continue || (length && *length > limit))) {
      // Not worth receiving a body only to refuse the request.
      return Write(ErrorResponse(*match_->error), After::kLinger);
    }
    if (length && *length > limit) return Write(BodyTooLarge(*match_), After::kLinger);
    parser_->body_limit(limit);  // still applies to chunked bodies
    if (parser_->is_done()) return OnBody({}, 0);
    if (expects_continue) {
      // The client waits for this before sending the body (curl and some SDKs do so for
      // large uploads).
      continue_.emplace(http::status::continue_, version_);
      return http::async_write(stream_, *continue_, Bind(&Session::OnContinueWritten));
    }
    ReadBody();
  }

  void OnContinueWritten(beast::error_code ec, std::size_t) {
    continue_.reset();
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    ReadBody();
  }

  void ReadBody() { http::async_read(stream_, buffer_, *parser_, Bind(&Session::OnBody)); }

  void OnBody(beast::error_code ec, std::size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    if (!match_->ok()) {
      return Write(ErrorResponse(*match_->error), keep_alive_ ? After::kKeepAlive : After::kClose);
    }
    Dispatch();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return Write(ErrorResponse({ErrorCode::kRequestTooLarge,
                                  "The request line and headers must not exceed " +
                                      std::to_string(state_->options.max_header_bytes) + " bytes"}),
                   After::kLinger);
    }
    if (ec == http::error::body_limit) {
      assert(match_.has_value());
      if (!match_->ok()) return Write(ErrorResponse(*match_->error), After::kLinger);
      return Write(BodyTooLarge(*match_), After::kLinger);
    }
    if (IsMalformedHttp(ec)) {
      return Write(ErrorResponse({ErrorCode::kInvalidRequestContent,
                                  "Malformed HTTP request: " + ec.message()}),
                   After::kLinger);
    }
    Close();  // the peer went away, was too slow, or the server is stopping
  }

  static Response BodyTooLarge(const RouteMatch& match) {
    if (match.on_body_too_large) return (*match.on_body_too_large)(match.labels);
    return ErrorResponse(
        {ErrorCode::kRequestTooLarge, "Request must be smaller than " +
                                          std::to_string(match.max_body_bytes + 1) +
                                          " bytes for this operation"});
  }

  void Dispatch() {
    assert(match_ && match_->ok() && parser_ && parser_->is_done());
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    RouteMatch match = std::move(*match_);
    match_.reset();

    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.path = std::move(match.path);
    request.labels = std::move(match.labels);
    request.query = std::move(match.query);
    for (const auto& field : message) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.request_id = request_id_;

    phase_ = Phase::kHandling;
    stream_.expires_never();  // a handler may hold the response for minutes (long-polls)
    auto exchange = std::make_shared<Exchange>(shared_from_this());
    exchange_ = exchange;
    Responder responder(std::move(exchange));
    if (state_->offload && request.body.size() > state_->options.offload_body_bytes) {
      // Decoding and applying a large body takes long enough to hold up the other
      // connections of this event loop.
      net::post(*state_->offload,
                [state = state_, handler = match.handler, pattern = std::move(match.pattern),
                 request = std::move(request), responder = std::move(responder)]() mutable {
                  RunHandler(*state, *handler, pattern, std::move(request), std::move(responder));
                });
      return;
    }
    RunHandler(*state_, *match.handler, match.pattern, std::move(request), std::move(responder));
  }

  static void RunHandler(const ServerState& state, const Handler& handler,
                         const std::string& pattern, Request request, Responder responder) {
    try {
      // If the handler throws, its Responder argument is destroyed and answers 500.
      handler(std::move(request), std::move(responder));
    } catch (const std::exception& e) {
      state.ReportError("handler of " + pattern + " threw: " + e.what());
    } catch (...) {
      state.ReportError("handler of " + pattern + " threw a non-exception");
    }
  }

  void Write(Response response, After after) {
    assert(phase_ == Phase::kReading || phase_ == Phase::kHandling);
    assert(!request_id_.empty());
    if (response.status < 100 || response.status > 599) {
      response = ErrorResponse(
          {ErrorCode::kService, "Handler produced status " + std::to_string(response.status)});
    }
    StampRequestId(response, request_id_);
    if (after == After::kKeepAlive && state_->stopping) after = After::kClose;
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (bodiless) response.body.clear();  // these statuses cannot carry a body

    // The head is serialized by hand into one buffer and written together with the body:
    // Beast's generic serializer cost several per cent of the server's CPU on small
    // responses.
    head_.clear();
    head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(response.status);
    head_ += ' ';
    head_ += http::obsolete_reason(static_cast<http::status>(response.status));
    head_ += "\r\n";
    for (const auto& [name, value] : response.headers) {
      // Framing is the server's business, not the handler's.
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
          EqualsIgnoreCase(name, "Transfer-Encoding")) {
        continue;
      }
      assert(value.find_first_of("\r\n") == std::string::npos && "header value with CR or LF");
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    if (!bodiless) {
      head_ += "Content-Length: ";
      head_ += std::to_string(response.body.size());
      head_ += "\r\n";
    }
    const bool keep_alive = after == After::kKeepAlive;
    if (version_ == 10 && keep_alive) head_ += "Connection: keep-alive\r\n";
    if (version_ != 10 && !keep_alive) head_ += "Connection: close\r\n";
    head_ += "\r\n";
    body_ = std::move(response.body);

    phase_ = Phase::kWriting;
    after_ = after;
    stream_.expires_after(state_->options.write_timeout);
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(stream_, buffers, Bind(&Session::OnWrite));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    body_.clear();
    body_.shrink_to_fit();  // a 6 MiB response must not stay allocated on an idle connection
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    switch (after_) {
      case After::kKeepAlive:
        return WaitForRequest();
      case After::kClose:
        return Close();
      case After::kLinger:
        return Linger();
    }
  }

  // Closing a socket with unread input makes the kernel send a reset, which can destroy the
  // error response before the client reads it. So: stop sending, discard input for a
  // while, then close.
  void Linger() {
    phase_ = Phase::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.consume(buffer_.size());
    lingered_bytes_ = 0;
    stream_.expires_after(state_->options.linger_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes), Bind(&Session::OnLingerRead));
  }

  void OnLingerRead(beast::error_code ec, std::size_t n) {
    if (phase_ == Phase::kClosed) return;
    lingered_bytes_ += n;
    if (ec || lingered_bytes_ > kMaxLingerBytes) return Close();
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes), Bind(&Session::OnLingerRead));
  }

  // Idempotent. Pending operations complete with operation_aborted and release the session.
  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  const std::shared_ptr<ServerState> state_;
  std::uint64_t id_ = 0;  // key in state_->sessions; 0 until registered
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<RouteMatch> match_;  // of the request being read
  std::optional<http::response<http::empty_body>> continue_;
  std::string head_;                  // of the response being written
  std::string body_;                  // of the response being written
  std::weak_ptr<Exchange> exchange_;  // while a handler works
  std::string request_id_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  Phase phase_ = Phase::kIdle;
  After after_ = After::kClose;
  std::size_t lingered_bytes_ = 0;
};

void Exchange::Deliver(Response response) {
  // Posting under the lock orders every delivery before or after Detach(): once Stop()
  // detached, no session reference can escape to a thread that outlives the io_context.
  std::lock_guard lock(mu_);
  if (!session_) return;
  auto executor = session_->executor();
  net::post(executor, [session = std::move(session_), response = std::move(response)]() mutable {
    session->TakeHandlerResponse(std::move(response));
  });
}

void Exchange::Detach() {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    session = std::move(session_);
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions options, Router router)
      : state(std::make_shared<ServerState>(std::move(options), std::move(router))),
        iocs(MakeLoops(state->options.io_threads)),
        acceptor(net::make_strand(*iocs.front())),
        retry_timer(acceptor.get_executor()) {
    if (state->options.offload_threads > 0) state->offload = &offload;
  }

  // One event loop per thread rather than one loop run by all threads: a shared loop hands
  // each completion from the thread that polled it to another, several wake-ups per request
  // (about 50 us of a checkpoint's round trip on a 2-core VM). A connection stays on the
  // loop it was dealt.
  static std::vector<std::unique_ptr<net::io_context>> MakeLoops(int threads) {
    std::vector<std::unique_ptr<net::io_context>> loops;
    for (int i = 0; i < std::max(1, threads); ++i)
      loops.push_back(std::make_unique<net::io_context>(1));
    return loops;
  }

  void Accept() {
    net::io_context& loop = *iocs[next_loop++ % iocs.size()];
    acceptor.async_accept(net::make_strand(loop), [this](beast::error_code ec, tcp::socket s) {
      OnAccept(ec, std::move(s));
    });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      state->ReportError("accept failed: " + ec.message());
      retry_timer.expires_after(kAcceptRetryDelay);
      retry_timer.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) Accept();
      });
      return;
    }
    if (state->stopping || state->connections.load() >= state->options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // refused: stopping, or over the connection limit
    } else {
      auto session = std::make_shared<Session>(state, std::move(socket));
      session->Register();
      net::post(session->executor(), [session] { session->Begin(); });
    }
    Accept();
  }

  // Runs an I/O loop, or the offload loop, until it is stopped.
  void RunIo(net::io_context& ioc) {
    // A handler exception escaping run() leaves the io_context usable; keep serving.
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        state->ReportError(std::string("exception on an I/O thread: ") + e.what());
      }
    }
  }

  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::shared_ptr<Session>> live;
    std::lock_guard lock(state->mu);
    for (auto& [id, weak] : state->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }

  std::shared_ptr<ServerState> state;
  std::vector<std::unique_ptr<net::io_context>> iocs;  // one per I/O thread
  std::size_t next_loop = 0;                           // on the acceptor's strand
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;  // on the acceptor's strand
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  // Declared after `iocs`, so destroyed first: handlers still queued here hold Responders,
  // whose destruction answers on their connection's loop.
  net::io_context offload;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> offload_work;
  std::vector<std::thread> offload_threads;
  std::atomic<std::uint16_t> port{0};
  std::mutex stop_mu;  // serializes Start() and Stop()
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start() {
  Impl& s = *impl_;
  std::lock_guard stop_lock(s.stop_mu);
  assert(!s.started && "Start() is called once");
  if (s.started || s.stopped) return Status::FailedPrecondition("the server was started before");
  s.started = true;
  const HttpServerOptions& o = s.state->options;
  assert(o.io_threads >= 1 && o.max_connections >= 1);

  beast::error_code ec;
  const auto address = net::ip::make_address(o.host, ec);
  if (ec) return Status::InvalidArgument("not an IP address: " + o.host);
  const tcp::endpoint endpoint(address, o.port);
  auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    return Status::Unavailable(std::string(step) + " " + o.host + ":" + std::to_string(o.port) +
                               ": " + ec.message());
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open a socket for");
  s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("cannot set SO_REUSEADDR on");
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  s.port = s.acceptor.local_endpoint(ec).port();

  for (auto& loop : s.iocs)
    s.work.push_back(net::make_work_guard(*loop));
  s.Accept();  // no thread runs yet, so touching the acceptor here is safe
  for (auto& loop : s.iocs)
    s.threads.emplace_back([&s, &loop = *loop] {
      SetThreadName("http-io");
      s.RunIo(loop);
    });
  s.offload_work.emplace(s.offload.get_executor());
  for (int i = 0; i < o.offload_threads; ++i)
    s.offload_threads.emplace_back([&s] {
      SetThreadName("http-offload");
      s.RunIo(s.offload);
    });
  return Status::Ok();
}

std::uint16_t HttpServer::port() const {
  return impl_->port.load();
}

std::size_t HttpServer::connection_count() const {
  return impl_->state->connections.load();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  std::lock_guard stop_lock(s.stop_mu);
  if (s.stopped) return;
  s.stopped = true;
  if (!s.started) return;
  for (const auto& thread : s.threads) {
    assert(thread.get_id() != std::this_thread::get_id() && "Stop() called from a handler");
    (void)thread;
  }
  s.state->stopping = true;

  // 1. No new connections; idle ones close now, busy ones after their response.
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    s.retry_timer.cancel();
  });
  for (auto& session : s.LiveSessions()) {
    net::post(session->executor(), [session] { session->OnServerStopping(); });
  }

  // 2. Give requests in progress the grace period to be answered.
  {
    std::unique_lock lock(s.state->mu);
    s.state->all_closed.wait_for(lock, s.state->options.stop_grace,
                                 [&] { return s.state->sessions.empty(); });
  }

  // 3. Requests whose handlers are still at work are answered with an error rather than a
  // dropped connection, which a client could not tell from a network failure.
  bool unfinished = false;
  {
    std::lock_guard lock(s.state->mu);
    unfinished = !s.state->sessions.empty();
  }
  if (unfinished) {
    const Response shutting_down = ErrorResponse(
        {ErrorCode::kService,
         "The server is shutting down and this request did not finish in time; its outcome "
         "is unknown. A durable execution it started resumes when the server is back."});
    for (auto& session : s.LiveSessions()) {
      net::post(session->executor(),
                [session, shutting_down] { session->AnswerUnfinished(shutting_down); });
    }
    std::unique_lock lock(s.state->mu);
    s.state->all_closed.wait_for(lock, kUnfinishedAnswerTime,
                                 [&] { return s.state->sessions.empty(); });
  }

  // 4. Stop the I/O threads, then close what is left. No strand runs concurrently now.
  s.work.clear();
  for (auto& loop : s.iocs)
    loop->stop();
  for (auto& thread : s.threads)
    thread.join();
  s.threads.clear();
  // Handlers are quick (they never block), so what was posted here finishes promptly; the
  // objects they use must not go before them.
  s.offload_work.reset();
  for (auto& thread : s.offload_threads)
    thread.join();
  s.offload_threads.clear();
  for (auto& session : s.LiveSessions())
    session->CutOff();
  beast::error_code ignored;
  s.acceptor.close(ignored);
}

}  // namespace durafn::api
