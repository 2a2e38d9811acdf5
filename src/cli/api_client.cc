#include "cli/api_client.h"

#include <charconv>

#include "api/uri.h"
#include "cli/cli.h"

namespace durafn::cli {

using nlohmann::json;

bool Endpoint::loopback() const {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

Endpoint ParseEndpoint(std::string_view text) {
  std::string_view rest = text;
  if (rest.rfind("https://", 0) == 0) {
    throw CliError("endpoint '" + std::string(text) + "': https is not supported, use http://");
  }
  if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
  while (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    throw CliError("endpoint '" + std::string(text) + "' must look like http://HOST:PORT");
  }
  Endpoint e;
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || rest.back() == ']') {
    e.host = std::string(rest);
    e.port = 80;
    return e;
  }
  e.host = std::string(rest.substr(0, colon));
  auto port_text = rest.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535 ||
      e.host.empty()) {
    throw CliError("endpoint '" + std::string(text) + "' has an invalid host or port");
  }
  e.port = static_cast<std::uint16_t>(port);
  return e;
}

std::string ErrorType(const api::Response& r) {
  if (auto t = r.headers.Get("x-amzn-ErrorType")) {
    std::string type(*t);
    // Lambda may append ":http://..." details to the type.
    if (auto c = type.find(':'); c != std::string::npos) type.resize(c);
    return type;
  }
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("__type") && j["__type"].is_string()) {
      std::string t = j["__type"];
      if (auto h = t.rfind('#'); h != std::string::npos) t = t.substr(h + 1);
      return t;
    }
    if (j.contains("Type") && j["Type"].is_string()) return j["Type"];
  }
  return "";
}

std::string ErrorLine(const api::Response& r) {
  std::string type = ErrorType(r);
  std::string message;
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    for (const char* key : {"message", "Message", "errorMessage"}) {
      if (j.contains(key) && j[key].is_string()) {
        message = j[key];
        break;
      }
    }
  }
  if (message.empty()) message = r.body.substr(0, 200);
  for (auto& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (type.empty()) type = "HTTP " + std::to_string(r.status);
  return message.empty() ? type : type + ": " + message;
}

ApiClient::ApiClient(const std::string& endpoint)
    : text_(endpoint),
      endpoint_(ParseEndpoint(endpoint)),
      http_(std::make_unique<api::HttpClient>(endpoint_.host, endpoint_.port)) {}

api::Response ApiClient::SendRaw(std::string_view method, std::string_view target,
                                 std::string_view body, api::Headers headers,
                                 std::chrono::milliseconds timeout) {
  auto r = http_->Send(method, target, headers, body, timeout);
  if (!r.ok()) {
    throw CliError("cannot reach the durafn server at " + text_ + ": " + r.status().message() +
                   " (is `durafn serve` running? set --endpoint or DURAFN_ENDPOINT)");
  }
  return std::move(*r);
}

api::Response ApiClient::Send(std::string_view method, std::string_view target, const json& body,
                              api::Headers headers, std::chrono::milliseconds timeout) {
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    if (!headers.Has("Content-Type")) headers.Set("Content-Type", "application/json");
  }
  return SendRaw(method, target, text, std::move(headers), timeout);
}

json ApiClient::Call(std::string_view method, std::string_view target, const json& body,
                     api::Headers headers) {
  auto r = Send(method, target, body, std::move(headers));
  if (r.status < 200 || r.status >= 300) throw CliError(ErrorLine(r));
  if (r.body.empty()) return json::object();
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw CliError("the server sent a response that is not JSON");
  return j;
}

std::string Encode(std::string_view component) {
  return api::PercentEncode(component);
}

}  // namespace durafn::cli
