#include "sdk/http_connection.h"

#include <cctype>
#include <stdexcept>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace durafn::sdk {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

std::string HttpResult::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::optional<Endpoint> Endpoint::Parse(std::string_view text) {
  if (text.starts_with("https://")) return std::nullopt;
  if (text.starts_with("http://")) text.remove_prefix(7);
  if (auto slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
  if (text.empty()) return std::nullopt;
  Endpoint e;
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(']') == std::string_view::npos) {
    e.host = std::string(text.substr(0, colon));
    e.port = std::string(text.substr(colon + 1));
  } else {
    e.host = std::string(text);
  }
  if (e.host.empty() || e.port.empty()) return std::nullopt;
  return e;
}

struct HttpConnection::Impl {
  Endpoint endpoint;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int opened = 0;

  void Connect(std::chrono::milliseconds timeout) {
    asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(endpoint.host, endpoint.port);
    stream.emplace(io);
    if (timeout.count() > 0) stream->expires_after(timeout);
    stream->connect(results);
    stream->socket().set_option(asio::ip::tcp::no_delay(true));
    buffer.clear();
    ++opened;
  }

  HttpResult Exchange(const http::request<http::string_body>& req,
                      std::chrono::milliseconds timeout) {
    if (timeout.count() > 0) {
      stream->expires_after(timeout);
    } else {
      stream->expires_never();
    }
    http::write(*stream, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    parser.header_limit(64 * 1024);
    http::read(*stream, buffer, parser);
    auto& res = parser.get();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

HttpConnection::HttpConnection(Endpoint endpoint) : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
}

HttpConnection::~HttpConnection() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  }
}

int HttpConnection::connections_opened() const {
  return impl_->opened;
}

HttpResult HttpConnection::Send(std::string_view method, std::string_view target,
                                std::string_view body,
                                const std::map<std::string, std::string>& headers,
                                std::chrono::milliseconds timeout) {
  http::request<http::string_body> req;
  req.method_string(std::string(method));
  req.target(std::string(target));
  req.version(11);
  req.set(http::field::host, impl_->endpoint.host + ":" + impl_->endpoint.port);
  req.set(http::field::user_agent, "durafn-sdk-cpp");
  for (const auto& [k, v] : headers)
    req.set(k, v);
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();
  // A kept-alive connection may have been closed by the peer while idle: the first failure
  // on a reused connection earns one retry on a fresh one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    try {
      if (!reused) impl_->Connect(timeout);
      return impl_->Exchange(req, timeout);
    } catch (const std::exception& e) {
      impl_->stream.reset();
      if (!reused || attempt == 1) {
        throw std::runtime_error("HTTP " + std::string(method) + " " + impl_->endpoint.host + ":" +
                                 impl_->endpoint.port + std::string(target) +
                                 " failed: " + e.what());
      }
    }
  }
  throw std::runtime_error("unreachable");
}

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace durafn::sdk
