#include "api/http_client.h"

#include <cassert>
#include <optional>

#include "api/beast.h"

namespace durafn::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Errors that mean the server closed a reused connection before reading our request.
bool IsStaleConnection(beast::error_code ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

}  // namespace

struct HttpClient::Impl {
  Impl(std::string h, std::uint16_t p) : host(std::move(h)), port(p) {}

  // Runs one asynchronous operation to completion on the private io_context. Asynchronous
  // operations are used (rather than Beast's blocking ones) because only they honour the
  // stream's deadline.
  template <class Initiate>
  beast::error_code Run(Initiate&& initiate) {
    beast::error_code result;
    bool done = false;
    initiate([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    ioc.run();
    assert(done);
    return result;
  }

  Status Connect(Clock::time_point deadline) {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return Status::Unavailable("cannot resolve " + host + ": " + ec.message());
    stream.emplace(ioc);
    stream->expires_at(deadline);
    ec = Run([&](auto handler) { stream->async_connect(endpoints, std::move(handler)); });
    if (ec) {
      stream.reset();
      return Status::Unavailable("cannot connect to " + Authority() + ": " + ec.message());
    }
    beast::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    buffer.clear();
    ++connections;
    return Status::Ok();
  }

  void Disconnect() {
    if (!stream) return;
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->close();
    stream.reset();
    buffer.clear();
  }

  std::string Authority() const { return host + ":" + std::to_string(port); }

  std::string host;
  std::uint16_t port;
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::size_t connections = 0;
};

HttpClient::HttpClient(std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(host), port)) {}

HttpClient::~HttpClient() {
  impl_->Disconnect();
}

void HttpClient::Close() {
  impl_->Disconnect();
}

std::size_t HttpClient::connections_opened() const {
  return impl_->connections;
}

Result<Response> HttpClient::Send(std::string_view method, std::string_view target,
                                  const Headers& headers, std::string_view body,
                                  std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  const auto deadline = Clock::now() + timeout;

  http::request<http::string_body> request;
  request.version(11);
  request.method_string(method);
  request.target(target);
  request.set(http::field::host, s.Authority());
  for (const auto& [name, value] : headers)
    request.insert(name, value);
  request.body() = std::string(body);
  request.keep_alive(true);
  request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool reused = s.stream.has_value();
    if (!reused) {
      Status connected = s.Connect(deadline);
      if (!connected.ok()) return connected;
    }
    s.stream->expires_at(deadline);
    beast::error_code ec =
        s.Run([&](auto handler) { http::async_write(*s.stream, request, std::move(handler)); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBodyBytes);
    if (!ec) {
      ec = s.Run(
          [&](auto handler) { http::async_read(*s.stream, s.buffer, parser, std::move(handler)); });
    }
    if (!ec) {
      http::response<http::string_body> message = parser.release();
      Response response;
      response.status = static_cast<int>(message.result_int());
      for (const auto& field : message) {
        response.headers.Add(std::string(field.name_string()), std::string(field.value()));
      }
      response.body = std::move(message.body());
      if (!message.keep_alive()) s.Disconnect();
      return response;
    }
    s.Disconnect();
    // A reused connection may have been closed by the server while idle; that is not a
    // failure of this request. A fresh connection failing is.
    if (reused && attempt == 0 && IsStaleConnection(ec)) continue;
    if (ec == beast::error::timeout) {
      return Status::Unavailable("no response from " + s.Authority() + " within " +
                                 std::to_string(timeout.count()) + " ms");
    }
    return Status::Unavailable("request to " + s.Authority() + " failed: " + ec.message());
  }
}

}  // namespace durafn::api
