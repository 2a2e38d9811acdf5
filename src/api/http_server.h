// The HTTP/1.1 server every durafn API is served from (Lambda REST, Runtime API, health).
//
// Threading: `io_threads` threads run all socket I/O, each with an event loop of its own;
// accepted connections are dealt to them in turn, and each is serialized on its own strand.
// Route handlers are called on those threads (or, for large bodies, on offload threads; see
// HttpServerOptions), so a handler MUST NOT block: work that waits (store commits,
// long-polls, synchronous Invoke) is posted elsewhere and answered later through the
// Responder, from any thread. A connection reads no further request until its current one is
// answered (no pipelining), and has no read timeout while a handler holds the response,
// because long-polls legitimately take up to 15 minutes.
//
// Robustness: header and body sizes are bounded (body per route), idle and slow clients are
// timed out, peers that vanish mid-request or mid-response only end their own connection,
// and connections beyond `max_connections` are closed on accept. The server writes no logs;
// `on_error` may observe unexpected conditions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/router.h"
#include "protocol/result.h"

namespace durafn::api {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 0;          // 0 = an ephemeral port, see HttpServer::port()
  int io_threads = 2;
  // Requests whose body is larger than offload_body_bytes have their handler run on one of
  // `offload_threads` threads instead of their connection's I/O thread, whose other
  // connections would wait meanwhile (decoding a 6 MiB JSON body takes tens of ms). 0
  // threads: every handler runs on its I/O thread.
  std::size_t offload_body_bytes = 64 * 1024;
  int offload_threads = 2;
  // Accepted connections beyond this are closed at once (file descriptors and buffers are
  // finite; a client that sees the close retries later).
  std::size_t max_connections = 10'000;
  // Request line plus header fields. AWS SDK requests carry a few KiB of headers (SigV4,
  // user agent, X-Amz-Client-Context up to 3.5 KiB); larger heads are refused with 413.
  std::size_t max_header_bytes = 32 * 1024;
  // An open connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{60'000};
  // From a request's first byte until its body is complete.
  std::chrono::milliseconds request_timeout{30'000};
  // Writing one response (a slow reader of a 6 MiB response gets this long).
  std::chrono::milliseconds write_timeout{60'000};
  // After refusing a request whose body was not read (413, malformed HTTP), the server stops
  // sending and discards what the client still sends for up to this long, so that the
  // client reads the error instead of a connection reset.
  std::chrono::milliseconds linger_timeout{2'000};
  // How long Stop() lets requests in progress finish before closing their connections.
  std::chrono::milliseconds stop_grace{5'000};
  // Called for unexpected conditions (handler exceptions, accept failures) from I/O
  // threads, possibly concurrently: must be thread-safe and must not block. Null = silent.
  std::function<void(std::string_view)> on_error;
};

class HttpServer {
 public:
  // `router` is fixed for the server's lifetime.
  HttpServer(HttpServerOptions options, Router router);
  // Stops the server if it is running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on host:port and starts the I/O threads. Call once. Unavailable when
  // the address cannot be bound.
  Status Start();

  // The bound port (the ephemeral one when options.port was 0); 0 before Start().
  std::uint16_t port() const;

  // Graceful stop: stops accepting, closes idle connections at once, lets requests in
  // progress be answered (with Connection: close) for up to options.stop_grace, answers
  // those still unanswered with 500 ServiceException (the server is shutting down), then
  // closes every connection and joins the I/O threads. Responders still outstanding
  // afterwards send into the void. Idempotent. Must not be called from a handler.
  void Stop();

  // Open connections (for tests and metrics).
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace durafn::api
