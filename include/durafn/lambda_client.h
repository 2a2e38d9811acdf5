// LambdaClient: plain Lambda Invoke calls (POST /2015-03-31/functions/{name}/invocations) to
// AWS_ENDPOINT_URL_LAMBDA, for use inside steps, as AWS's samples use the AWS SDK. Unsigned:
// meant for durafn's server (or any endpoint that does not require SigV4).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace durafn {

struct InvokeResult {
  int status_code = 0;                        // HTTP status (200 for RequestResponse)
  std::string payload;                        // the raw response body
  std::optional<std::string> function_error;  // X-Amz-Function-Error ("Unhandled"), if any
  std::string executed_version;               // X-Amz-Executed-Version

  // The payload parsed as JSON (null when empty); throws on malformed JSON.
  nlohmann::json json() const;
};

class LambdaClient {
 public:
  // `endpoint`: "http://host:port"; empty: AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL.
  // Throws std::invalid_argument when neither is set or the URL is not http://.
  explicit LambdaClient(std::string endpoint = {});
  ~LambdaClient();
  LambdaClient(LambdaClient&&) noexcept;

  // Synchronous (RequestResponse) invoke of `function_name` (name or ARN, optionally
  // qualified) with `payload`. Throws std::runtime_error on transport failures and for
  // error responses of the service itself (HTTP >= 300), with its error type and message.
  InvokeResult invoke(std::string_view function_name, const nlohmann::json& payload,
                      std::string_view qualifier = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace durafn
