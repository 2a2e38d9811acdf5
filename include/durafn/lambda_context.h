// LambdaContext: what the Runtime API says about the current invocation.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace durafn {

struct LambdaContext {
  std::string request_id;            // Lambda-Runtime-Aws-Request-Id
  std::string invoked_function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  int64_t deadline_ms = 0;           // Lambda-Runtime-Deadline-Ms (epoch ms)
  std::string trace_id;              // Lambda-Runtime-Trace-Id

  // Milliseconds left until the deadline (0 once passed).
  int64_t remaining_time_ms() const;
};

}  // namespace durafn
