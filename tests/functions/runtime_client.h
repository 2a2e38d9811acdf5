// The Lambda Runtime API as a test function speaks it: a blocking Boost.Beast client over one
// keep-alive connection to AWS_LAMBDA_RUNTIME_API. Deliberately independent of the SDK.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>

// GCC 12 reports a false -Wmaybe-uninitialized inside Beast's parser under -O2 with the
// sanitizers; silenced for these headers only (as src/api/beast.h does).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace durafn::test_functions {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Invocation {
  std::string request_id;
  std::string body;
};

class RuntimeClient {
 public:
  RuntimeClient() {
    const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) {
      std::cerr << "AWS_LAMBDA_RUNTIME_API is not set\n";
      std::exit(2);
    }
    std::string s = api;
    auto colon = s.rfind(':');
    host_ = s.substr(0, colon);
    port_ = s.substr(colon + 1);
  }

  // Waits for the next invocation.
  Invocation Next() {
    auto res = Send(http::verb::get, "/2018-06-01/runtime/invocation/next", "");
    return {std::string(res["Lambda-Runtime-Aws-Request-Id"]), res.body()};
  }
  void Respond(const std::string& request_id, const std::string& body) {
    Send(http::verb::post, "/2018-06-01/runtime/invocation/" + request_id + "/response", body);
  }
  void Fail(const std::string& request_id, const std::string& type, const std::string& message) {
    Send(http::verb::post, "/2018-06-01/runtime/invocation/" + request_id + "/error",
         ErrorJson(type, message));
  }
  void InitError(const std::string& type, const std::string& message) {
    Send(http::verb::post, "/2018-06-01/runtime/init/error", ErrorJson(type, message));
  }

 private:
  static std::string ErrorJson(const std::string& type, const std::string& message) {
    // Test messages carry no characters that need JSON escaping.
    return R"({"errorType":")" + type + R"(","errorMessage":")" + message +
           R"(","stackTrace":["at test_function"]})";
  }

  http::response<http::string_body> Send(http::verb verb, const std::string& target,
                                         const std::string& body) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (!stream_.socket().is_open()) {
          tcp::resolver resolver(io_);
          stream_.connect(resolver.resolve(host_, port_));
          stream_.socket().set_option(tcp::no_delay(true));
        }
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(stream_, req);
        http::response<http::string_body> res;
        http::read(stream_, buffer_, res);
        return res;
      } catch (const std::exception& e) {
        beast::error_code ignored;
        stream_.socket().close(ignored);
        if (attempt >= 1) {
          std::cerr << "runtime API call failed: " << e.what() << "\n";
          std::exit(3);
        }
      }
    }
  }

  std::string host_, port_;
  boost::asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

// Reads a top-level integer member of a flat JSON object ("key": 123); `def` if absent.
inline long long JsonInt(const std::string& json, const std::string& key, long long def) {
  auto at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return def;
  at = json.find(':', at);
  if (at == std::string::npos) return def;
  return std::atoll(json.c_str() + at + 1);
}

// Reads a top-level string member of a flat JSON object ("key": "value"); "" if absent.
inline std::string JsonString(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return "";
  at = json.find('"', json.find(':', at) + 1);
  if (at == std::string::npos) return "";
  auto end = json.find('"', at + 1);
  return json.substr(at + 1, end - at - 1);
}

}  // namespace durafn::test_functions
