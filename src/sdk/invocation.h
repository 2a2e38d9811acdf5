// One durable invocation, independent of the Runtime API: envelope in, output out. The run
// loop wraps it; replay tests and benchmarks call it directly.
#pragma once

#include <nlohmann/json.hpp>

#include "durafn/lambda_context.h"
#include "durafn/runtime.h"
#include "protocol/envelope.h"
#include "sdk/durable_client.h"

namespace durafn::sdk {

// Thrown when the invocation must end with a function error (so the service retries it):
// an invocation-level checkpoint failure, or an event that is not a durable envelope.
class InvocationError : public std::runtime_error {
 public:
  InvocationError(std::string type, const std::string& message)
      : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

// Largest output Result returned inline; larger results are checkpointed (6 MiB - 50 bytes).
inline constexpr std::size_t kMaxInlineResultBytes = 6 * 1024 * 1024 - 50;

// Decodes `event` (a durable invocation envelope; timestamps in ms or ISO-8601), loads the
// remaining state pages, runs `handler` and returns the invocation output. Throws
// InvocationError as described above.
protocol::InvocationOutput RunDurableInvocation(const nlohmann::json& event,
                                                const DurableHandler& handler,
                                                DurableClient& client, const LambdaContext& lambda);

}  // namespace durafn::sdk
