#include "durafn/lambda_client.h"

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "sdk/http_connection.h"

namespace durafn {

struct LambdaClient::Impl {
  explicit Impl(sdk::Endpoint e) : conn(std::move(e)) {}
  std::mutex mu;  // one connection: calls from several threads take turns
  sdk::HttpConnection conn;
};

nlohmann::json InvokeResult::json() const {
  if (payload.empty()) return nullptr;
  return nlohmann::json::parse(payload);
}

LambdaClient::LambdaClient(std::string endpoint) {
  if (endpoint.empty()) {
    const char* a = std::getenv("AWS_ENDPOINT_URL_LAMBDA");
    const char* b = std::getenv("AWS_ENDPOINT_URL");
    endpoint = a && *a ? a : (b && *b ? b : "");
  }
  auto e = sdk::Endpoint::Parse(endpoint);
  if (!e) {
    throw std::invalid_argument(
        "LambdaClient: no usable endpoint (set AWS_ENDPOINT_URL_LAMBDA "
        "to http://host:port)");
  }
  impl_ = std::make_unique<Impl>(std::move(*e));
}

LambdaClient::~LambdaClient() = default;
LambdaClient::LambdaClient(LambdaClient&&) noexcept = default;

InvokeResult LambdaClient::invoke(std::string_view function_name, const nlohmann::json& payload,
                                  std::string_view qualifier) {
  std::string target =
      "/2015-03-31/functions/" + sdk::PercentEncode(function_name) + "/invocations";
  if (!qualifier.empty()) target += "?Qualifier=" + sdk::PercentEncode(qualifier);
  std::lock_guard lock(impl_->mu);
  sdk::HttpResult r = impl_->conn.Send(
      "POST", target, payload.dump(),
      {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", "RequestResponse"}},
      std::chrono::milliseconds{900'000});
  if (r.status >= 300) {
    std::string type = r.header("x-amzn-errortype");
    throw std::runtime_error("Invoke " + std::string(function_name) + " failed: HTTP " +
                             std::to_string(r.status) + " " + type + ": " + r.body);
  }
  InvokeResult out;
  out.status_code = r.status;
  out.payload = std::move(r.body);
  std::string fe = r.header("x-amz-function-error");
  if (!fe.empty()) out.function_error = fe;
  out.executed_version = r.header("x-amz-executed-version");
  return out;
}

}  // namespace durafn
