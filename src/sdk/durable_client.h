// DurableClient: the two durable-execution API calls an SDK makes during an invocation
// (CheckpointDurableExecution, GetDurableExecutionState). An interface so that replay can be
// measured without a network; HttpDurableClient is the real one.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/api_shapes.h"
#include "sdk/http_connection.h"

namespace durafn::sdk {

// An error answer of the durable API, or a transport failure (status 0).
class ServiceError : public std::runtime_error {
 public:
  ServiceError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  // Invocation-level errors (stale token, throttling, 5xx, transport) end the invocation
  // with a function error so the service retries it; the others fail the execution
  // (AWS's SDK classification, protocol.md §5.1).
  bool invocation_level() const;

 private:
  int status_;
  std::string code_;
};

class DurableClient {
 public:
  virtual ~DurableClient() = default;
  // Throws ServiceError.
  virtual protocol::CheckpointDurableExecutionResponse Checkpoint(
      const std::string& arn, const std::string& token,
      const std::vector<protocol::OperationUpdate>& updates) = 0;
  // Throws ServiceError.
  virtual protocol::GetDurableExecutionStateResponse GetState(const std::string& arn,
                                                              const std::string& token,
                                                              const std::string& marker) = 0;
};

// Speaks the REST API over one keep-alive connection (AWS_ENDPOINT_URL_LAMBDA).
class HttpDurableClient : public DurableClient {
 public:
  explicit HttpDurableClient(Endpoint endpoint) : conn_(std::move(endpoint)) {}
  protocol::CheckpointDurableExecutionResponse Checkpoint(
      const std::string& arn, const std::string& token,
      const std::vector<protocol::OperationUpdate>& updates) override;
  protocol::GetDurableExecutionStateResponse GetState(const std::string& arn,
                                                      const std::string& token,
                                                      const std::string& marker) override;
  HttpConnection& connection() { return conn_; }

 private:
  HttpConnection conn_;
};

// A random RFC 4122 version-4 UUID (the ClientToken AWS's clients send).
std::string RandomUuid();

}  // namespace durafn::sdk
