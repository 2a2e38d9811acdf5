// A small synchronous HTTP/1.1 client with one keep-alive connection: for tests now and the
// CLI later. Not thread-safe: use one client per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "protocol/result.h"

namespace durafn::api {

class HttpClient {
 public:
  // Longest wait for one request, when the caller does not say.
  static constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
  // Larger response bodies are an error (Lambda's largest are about 6 MiB).
  static constexpr std::size_t kMaxResponseBodyBytes = 64 * 1024 * 1024;

  // Talks to host:port; `host` is a name or address. Connects lazily.
  HttpClient(std::string host, std::uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and waits for its response, at most `timeout` in all (connecting
  // included). `target` is sent as given: percent-encode labels with PercentEncode().
  // Host and Content-Length are set automatically. Reuses the open connection; if the
  // server had closed it meanwhile (idle timeout), reconnects and retries once. Any HTTP
  // status is a successful result; Unavailable means no response (refused, reset, timed
  // out, malformed).
  Result<Response> Send(std::string_view method, std::string_view target,
                        const Headers& headers = {}, std::string_view body = {},
                        std::chrono::milliseconds timeout = kDefaultTimeout);

  // Closes the connection (the next Send opens a new one).
  void Close();

  // TCP connections opened so far; lets tests check that keep-alive reuses one.
  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace durafn::api
