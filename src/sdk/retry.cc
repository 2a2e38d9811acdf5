#include "durafn/retry.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace durafn {

namespace {

double Random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Backoff for the n-th attempt (1-based), jittered and rounded like AWS's JS SDK.
Duration Backoff(Duration initial, Duration max, double rate, Jitter jitter, int attempts_made) {
  double d = static_cast<double>(initial.total_seconds()) *
             std::pow(rate, static_cast<double>(std::max(0, attempts_made - 1)));
  d = std::min(d, static_cast<double>(max.total_seconds()));
  switch (jitter) {
    case Jitter::kNone:
      break;
    case Jitter::kFull:
      d = Random01() * d;
      break;
    case Jitter::kHalf:
      d = d / 2 + Random01() * d / 2;
      break;
  }
  return Duration::seconds(std::max<int64_t>(1, std::llround(d)));
}

}  // namespace

RetryStrategy create_retry_strategy(const RetryConfig& config) {
  return [config](const ErrorInfo& error, int attempts_made) -> RetryDecision {
    if (attempts_made >= config.max_attempts) return {false, {}};
    bool filtered = !config.retryable_errors.empty() || !config.retryable_error_types.empty() ||
                    config.is_retryable;
    if (filtered) {
      bool ok = false;
      for (const auto& s : config.retryable_errors) {
        if (error.message.find(s) != std::string::npos) ok = true;
      }
      for (const auto& t : config.retryable_error_types) {
        if (error.type == t) ok = true;
      }
      if (config.is_retryable && config.is_retryable(error)) ok = true;
      if (!ok) return {false, {}};
    }
    return {true, Backoff(config.initial_delay, config.max_delay, config.backoff_rate,
                          config.jitter, attempts_made)};
  };
}

namespace retry_presets {

RetryStrategy standard() {
  static const RetryStrategy kStrategy =
      create_retry_strategy(RetryConfig{.max_attempts = 6,
                                        .initial_delay = Duration::seconds(5),
                                        .max_delay = Duration::seconds(60),
                                        .backoff_rate = 2.0,
                                        .jitter = Jitter::kFull,
                                        .retryable_errors = {},
                                        .retryable_error_types = {},
                                        .is_retryable = {}});
  return kStrategy;
}

RetryStrategy no_retry() {
  return [](const ErrorInfo&, int) { return RetryDecision{false, {}}; };
}

}  // namespace retry_presets

WaitStrategy create_wait_strategy(const WaitStrategyConfig& config) {
  return [config](const nlohmann::json& state, int attempt) -> WaitDecision {
    if (!config.should_continue_polling(state)) return {false, {}};
    if (attempt >= config.max_attempts) {
      throw WaitForConditionError("waitForCondition exceeded maximum attempts (" +
                                  std::to_string(config.max_attempts) + ")");
    }
    return {true, Backoff(config.initial_delay, config.max_delay, config.backoff_rate,
                          config.jitter, attempt)};
  };
}

}  // namespace durafn
