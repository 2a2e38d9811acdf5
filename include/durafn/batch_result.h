// The outcome of parallel() and map(): one entry per started item, in index order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "durafn/errors.h"

namespace durafn {

enum class BatchItemStatus { kSucceeded, kFailed, kStarted };
enum class CompletionReason { kAllCompleted, kMinSuccessfulReached, kFailureToleranceExceeded };

struct BatchItem {
  int index = 0;
  BatchItemStatus status = BatchItemStatus::kStarted;
  nlohmann::json result;           // kSucceeded
  std::optional<ErrorInfo> error;  // kFailed (a ChildContextError wrapping the cause)
};

struct BatchResult {
  std::vector<BatchItem> all;
  CompletionReason completion_reason = CompletionReason::kAllCompleted;

  // SUCCEEDED unless some item failed.
  bool succeeded() const { return failure_count() == 0; }
  int success_count() const;
  int failure_count() const;
  int started_count() const;  // started but not finished (abandoned by an early stop)
  int total_count() const { return static_cast<int>(all.size()); }
  // Results of the succeeded items, in index order.
  std::vector<nlohmann::json> results() const;
  // Throws BatchError carrying the first failed item's error; no-op when none failed.
  void throw_if_error() const;
  // "SUCCEEDED" / "FAILED", as AWS's BatchResult.status.
  std::string status() const { return succeeded() ? "SUCCEEDED" : "FAILED"; }
  // "ALL_COMPLETED" / "MIN_SUCCESSFUL_REACHED" / "FAILURE_TOLERANCE_EXCEEDED".
  std::string completion_reason_string() const;

  // The checkpointed form ({"all": [...], "completionReason": ...}) and back.
  nlohmann::json to_json() const;
  static BatchResult from_json(const nlohmann::json& j);
};

}  // namespace durafn
