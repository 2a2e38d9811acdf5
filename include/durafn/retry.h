// Retry strategies for steps and wait strategies for wait_for_condition.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "durafn/duration.h"
#include "durafn/errors.h"

namespace durafn {

enum class Jitter { kNone, kFull, kHalf };

struct RetryDecision {
  bool should_retry = false;
  Duration delay = Duration::seconds(1);  // sent as max(1, delay) seconds
};

// Decides after a failed attempt: `attempts_made` counts attempts so far (1 after the first).
using RetryStrategy = std::function<RetryDecision(const ErrorInfo& error, int attempts_made)>;

struct RetryConfig {
  int max_attempts = 3;
  Duration initial_delay = Duration::seconds(5);
  Duration max_delay = Duration::minutes(5);
  double backoff_rate = 2.0;
  Jitter jitter = Jitter::kFull;
  // An error is retryable when its message contains one of these, or its type is one of
  // retryable_error_types, or `is_retryable` says so; when all three are empty, every error is.
  std::vector<std::string> retryable_errors;
  std::vector<std::string> retryable_error_types;
  std::function<bool(const ErrorInfo&)> is_retryable;
};

// Exponential backoff: delay = min(initial * rate^(attempts_made-1), max), jittered, rounded
// to whole seconds, at least 1; stops once attempts_made >= max_attempts.
RetryStrategy create_retry_strategy(const RetryConfig& config);

namespace retry_presets {
// AWS's default for steps without a strategy: 6 attempts, 5 s, 60 s cap, x2, full jitter.
RetryStrategy standard();
// Exactly one attempt.
RetryStrategy no_retry();
}  // namespace retry_presets

struct WaitDecision {
  bool should_continue = false;
  Duration delay = Duration::seconds(1);
};

// Decides after a wait_for_condition check: continue polling (after delay) or stop.
using WaitStrategy = std::function<WaitDecision(const nlohmann::json& state, int attempt)>;

struct WaitStrategyConfig {
  std::function<bool(const nlohmann::json& state)> should_continue_polling;  // required
  int max_attempts = 60;
  Duration initial_delay = Duration::seconds(5);
  Duration max_delay = Duration::seconds(300);
  double backoff_rate = 1.5;
  Jitter jitter = Jitter::kFull;
};

// AWS's createWaitStrategy: backoff like create_retry_strategy; exceeding max_attempts
// throws WaitForConditionError("waitForCondition exceeded maximum attempts (N)").
WaitStrategy create_wait_strategy(const WaitStrategyConfig& config);

}  // namespace durafn
