// The CLI's view of a durafn server: one endpoint, JSON in and out, and server errors
// turned into one readable line ("ErrorType: message").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http_client.h"
#include "api/http_message.h"

namespace durafn::cli {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  // True when the server runs on this machine (so it can read our folders directly).
  bool loopback() const;
};

// Parses "http://HOST:PORT" (trailing slash allowed; port defaults to 80). Throws CliError.
Endpoint ParseEndpoint(std::string_view text);

// The one-line error of a non-2xx response: "<x-amzn-ErrorType>: <message>" (falls back to
// the HTTP status and body when the server sent no Lambda-style error).
std::string ErrorLine(const api::Response& response);

// The error type of a non-2xx response ("" if none was sent).
std::string ErrorType(const api::Response& response);

class ApiClient {
 public:
  explicit ApiClient(const std::string& endpoint);

  const Endpoint& endpoint() const { return endpoint_; }

  // Sends a request; `body` (when not null) is sent as JSON. Throws CliError when the
  // server cannot be reached. Any HTTP status is returned.
  api::Response Send(std::string_view method, std::string_view target,
                     const nlohmann::json& body = nullptr, api::Headers headers = {},
                     std::chrono::milliseconds timeout = api::HttpClient::kDefaultTimeout);
  // Like Send, for raw bytes.
  api::Response SendRaw(std::string_view method, std::string_view target, std::string_view body,
                        api::Headers headers = {},
                        std::chrono::milliseconds timeout = api::HttpClient::kDefaultTimeout);

  // Sends and expects 2xx: returns the parsed body ({} when empty). Throws CliError with
  // ErrorLine() otherwise.
  nlohmann::json Call(std::string_view method, std::string_view target,
                      const nlohmann::json& body = nullptr, api::Headers headers = {});

 private:
  std::string text_;
  Endpoint endpoint_;
  std::unique_ptr<api::HttpClient> http_;
};

// Percent-encodes one path segment or query value.
std::string Encode(std::string_view component);

}  // namespace durafn::cli
