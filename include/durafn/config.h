// Per-operation configuration of the durable context's operations.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "durafn/duration.h"
#include "durafn/retry.h"
#include "durafn/serdes.h"

namespace durafn {

// AtLeastOncePerRetry (default): START is not awaited; an interrupted attempt is re-run.
// AtMostOncePerRetry: START is made durable before the body runs; an interrupted attempt
// counts as failed (StepInterruptedError) and goes through the retry strategy.
enum class StepSemantics { kAtLeastOncePerRetry, kAtMostOncePerRetry };

struct StepConfig {
  RetryStrategy retry_strategy;  // null: retry_presets::standard()
  StepSemantics semantics = StepSemantics::kAtLeastOncePerRetry;
  std::optional<Serdes> serdes;  // null: JSON

  // Shorthands for the common cases.
  static StepConfig with_retry(RetryStrategy strategy) {
    StepConfig c;
    c.retry_strategy = std::move(strategy);
    return c;
  }
  static StepConfig at_most_once(RetryStrategy strategy = {}) {
    StepConfig c;
    c.retry_strategy = std::move(strategy);
    c.semantics = StepSemantics::kAtMostOncePerRetry;
    return c;
  }
};

struct CallbackConfig {
  std::optional<Duration> timeout;            // absent: no timeout
  std::optional<Duration> heartbeat_timeout;  // absent: no heartbeat timeout
  std::optional<Serdes> serdes;               // null: pass-through (the raw result string)
};

struct WaitForCallbackConfig {
  std::optional<Duration> timeout;
  std::optional<Duration> heartbeat_timeout;
  RetryStrategy retry_strategy;  // of the submitter step; null: standard
  std::optional<Serdes> serdes;  // of the result; null: pass-through
};

struct InvokeConfig {
  std::optional<std::string> tenant_id;
  std::optional<Serdes> payload_serdes;  // null: JSON
  std::optional<Serdes> result_serdes;   // null: JSON
};

struct ChildContextConfig {
  std::optional<Serdes> serdes;  // null: JSON
  // Payload to checkpoint instead of the value when it exceeds 256 KiB (null: "").
  std::function<std::string(const nlohmann::json&)> summary_generator;
};

struct CompletionConfig {
  std::optional<int> min_successful;
  std::optional<int> tolerated_failure_count;
  std::optional<double> tolerated_failure_percentage;
};

// How parallel/map items appear in the history. kNested: each item is its own child context
// (SubType ParallelBranch / MapIteration). kFlat: items run in virtual contexts that are never
// checkpointed, so the operations inside an item are direct children of the Parallel/Map
// context (items are re-run on replay; their operations replay from their own checkpoints).
enum class Nesting { kNested, kFlat };

struct ParallelConfig {
  std::optional<int> max_concurrency;  // absent: all at once; must be > 0
  CompletionConfig completion_config;
  Nesting nesting = Nesting::kNested;
  std::optional<Serdes> item_serdes;  // of each branch's result; null: JSON
  std::optional<Serdes> serdes;       // of the whole batch result (BatchResult::to_json form)
};

struct MapConfig {
  std::optional<int> max_concurrency;
  CompletionConfig completion_config;
  // Name of item i (default "map-item-<i>").
  std::function<std::string(const nlohmann::json& item, int index)> item_namer;
  Nesting nesting = Nesting::kNested;
  std::optional<Serdes> item_serdes;  // of each item's result; null: JSON
  std::optional<Serdes> serdes;       // of the whole batch result (BatchResult::to_json form)
};

struct WaitForConditionConfig {
  nlohmann::json initial_state;
  WaitStrategy wait_strategy;    // required
  std::optional<Serdes> serdes;  // of the state; null: JSON
};

}  // namespace durafn
