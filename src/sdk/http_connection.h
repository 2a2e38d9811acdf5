// One keep-alive HTTP/1.1 connection to one endpoint, used by the SDK for the Runtime API,
// the durable-execution API and plain Invoke calls. Synchronous and not thread-safe: each
// endpoint gets its own connection and callers serialize access.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace durafn::sdk {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The value of header `name` (lower-case), or "" when absent.
  std::string header(std::string_view name) const;
};

// Where an HTTP endpoint lives, parsed from "host:port" or "http://host:port[/...]".
struct Endpoint {
  std::string host;
  std::string port = "80";
  // Parses the forms above; nullopt for https:// (not supported) or malformed text.
  static std::optional<Endpoint> Parse(std::string_view text);
};

class HttpConnection {
 public:
  // Larger response bodies are refused (Lambda's largest payloads are about 6 MiB).
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024 * 1024;

  explicit HttpConnection(Endpoint endpoint);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request on the kept-alive connection (connecting first if needed) and reads
  // the response. A connection the peer closed while idle is reopened and the request sent
  // once more. `timeout` bounds the whole exchange; zero means no limit (the Runtime API's
  // long-poll). Throws std::runtime_error when no response arrives.
  HttpResult Send(std::string_view method, std::string_view target, std::string_view body = {},
                  const std::map<std::string, std::string>& headers = {},
                  std::chrono::milliseconds timeout = std::chrono::milliseconds{60'000});

  // TCP connections opened so far (a keep-alive check for tests).
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes one URI path segment or query value (RFC 3986 unreserved kept as is).
std::string PercentEncode(std::string_view text);

}  // namespace durafn::sdk
