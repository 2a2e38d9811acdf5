// parallel() and map(): items run as child contexts on a bounded set of threads, with AWS's
// completion rules (protocol.md §8.10).
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "durafn/batch_result.h"
#include "durafn/durable_context.h"
#include "protocol/operation_id.h"
#include "sdk/context_impl.h"

namespace durafn {

namespace {

nlohmann::json ErrorToJson(const ErrorInfo& e) {
  nlohmann::json j = {{"ErrorType", e.type}, {"ErrorMessage", e.message}};
  if (e.data) j["ErrorData"] = *e.data;
  if (e.cause) j["Cause"] = ErrorToJson(*e.cause);
  return j;
}

ErrorInfo ErrorFromJson(const nlohmann::json& j) {
  ErrorInfo e;
  e.type = j.value("ErrorType", "");
  e.message = j.value("ErrorMessage", "");
  if (j.contains("ErrorData") && j["ErrorData"].is_string())
    e.data = j["ErrorData"].get<std::string>();
  if (j.contains("Cause") && j["Cause"].is_object()) {
    e.cause = std::make_shared<const ErrorInfo>(ErrorFromJson(j["Cause"]));
  }
  return e;
}

const char* StatusName(BatchItemStatus s) {
  switch (s) {
    case BatchItemStatus::kSucceeded:
      return "SUCCEEDED";
    case BatchItemStatus::kFailed:
      return "FAILED";
    case BatchItemStatus::kStarted:
      return "STARTED";
  }
  return "STARTED";
}

}  // namespace

int BatchResult::success_count() const {
  return static_cast<int>(std::count_if(all.begin(), all.end(), [](const BatchItem& i) {
    return i.status == BatchItemStatus::kSucceeded;
  }));
}
int BatchResult::failure_count() const {
  return static_cast<int>(std::count_if(all.begin(), all.end(), [](const BatchItem& i) {
    return i.status == BatchItemStatus::kFailed;
  }));
}
int BatchResult::started_count() const {
  return static_cast<int>(std::count_if(all.begin(), all.end(), [](const BatchItem& i) {
    return i.status == BatchItemStatus::kStarted;
  }));
}

std::vector<nlohmann::json> BatchResult::results() const {
  std::vector<nlohmann::json> out;
  for (const auto& i : all) {
    if (i.status == BatchItemStatus::kSucceeded) out.push_back(i.result);
  }
  return out;
}

void BatchResult::throw_if_error() const {
  for (const auto& i : all) {
    if (i.status == BatchItemStatus::kFailed && i.error) {
      throw BatchError(i.error->message, i.error->data,
                       std::make_shared<const ErrorInfo>(*i.error));
    }
  }
}

std::string BatchResult::completion_reason_string() const {
  switch (completion_reason) {
    case CompletionReason::kAllCompleted:
      return "ALL_COMPLETED";
    case CompletionReason::kMinSuccessfulReached:
      return "MIN_SUCCESSFUL_REACHED";
    case CompletionReason::kFailureToleranceExceeded:
      return "FAILURE_TOLERANCE_EXCEEDED";
  }
  return "ALL_COMPLETED";
}

nlohmann::json BatchResult::to_json() const {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : all) {
    nlohmann::json j = {{"index", i.index}, {"status", StatusName(i.status)}};
    if (i.status == BatchItemStatus::kSucceeded && !i.result.is_null()) j["result"] = i.result;
    if (i.error) j["error"] = ErrorToJson(*i.error);
    items.push_back(std::move(j));
  }
  return {{"all", std::move(items)}, {"completionReason", completion_reason_string()}};
}

BatchResult BatchResult::from_json(const nlohmann::json& j) {
  BatchResult r;
  if (!j.is_object()) return r;
  std::string reason = j.value("completionReason", "ALL_COMPLETED");
  if (reason == "MIN_SUCCESSFUL_REACHED")
    r.completion_reason = CompletionReason::kMinSuccessfulReached;
  if (reason == "FAILURE_TOLERANCE_EXCEEDED") {
    r.completion_reason = CompletionReason::kFailureToleranceExceeded;
  }
  if (j.contains("all")) {
    for (const auto& e : j["all"]) {
      BatchItem item;
      item.index = e.value("index", 0);
      std::string s = e.value("status", "STARTED");
      item.status = s == "SUCCEEDED" ? BatchItemStatus::kSucceeded
                    : s == "FAILED"  ? BatchItemStatus::kFailed
                                     : BatchItemStatus::kStarted;
      if (e.contains("result")) item.result = e["result"];
      if (e.contains("error")) item.error = ErrorFromJson(e["error"]);
      r.all.push_back(std::move(item));
    }
  }
  return r;
}

namespace sdk {

namespace {

struct BatchSpec {
  std::string_view outer_sub_type;
  std::string_view item_sub_type;
  int count = 0;
  std::function<std::string(int)> item_name;
  std::function<nlohmann::json(DurableContext&, int)> item_fn;
  std::optional<int> max_concurrency;
  CompletionConfig completion;
  Nesting nesting = Nesting::kNested;
  std::optional<Serdes> item_serdes;
  std::optional<Serdes> serdes;
};

// AWS's rules: with no completion criterion at all the batch stops at the first failure; once
// any is set (min_successful included), only the tolerances stop it.
bool ToleranceExceeded(const CompletionConfig& cc, int failures, int total) {
  if (!cc.min_successful && !cc.tolerated_failure_count && !cc.tolerated_failure_percentage) {
    return failures > 0;
  }
  if (cc.tolerated_failure_count && failures > *cc.tolerated_failure_count) return true;
  if (cc.tolerated_failure_percentage && total > 0 &&
      static_cast<double>(failures) * 100.0 / total > *cc.tolerated_failure_percentage) {
    return true;
  }
  return false;
}

BatchResult RunItems(ContextImpl& outer, const BatchSpec& spec) {
  const int n = spec.count;
  std::mutex mu;
  int next = 0, successes = 0, failures = 0;
  bool any_suspended = false;
  std::exception_ptr control;  // a Suspend-like signal other than suspension (fatal errors)
  std::vector<std::optional<BatchItem>> items(n);
  auto done = [&] {
    return ToleranceExceeded(spec.completion, failures, n) ||
           (spec.completion.min_successful && successes >= *spec.completion.min_successful);
  };
  auto worker = [&] {
    for (;;) {
      int i;
      {
        std::lock_guard lock(mu);
        if (next >= n || done() || control) return;
        i = next++;
        items[i] = BatchItem{i, BatchItemStatus::kStarted, nullptr, std::nullopt};
      }
      ContextImpl::OpRef ref{protocol::OperationPath(outer.path, static_cast<uint64_t>(i) + 1), {}};
      ref.id = protocol::HashOperationId(ref.path);
      auto flag = std::make_shared<std::atomic<bool>>(false);
      std::string name = spec.item_name(i);
      BatchItem result{i, BatchItemStatus::kStarted, nullptr, std::nullopt};
      bool suspended = false;
      std::exception_ptr signal;
      ChildContextConfig item_config;
      item_config.serdes = spec.item_serdes;
      try {
        result.result = RunChildContext(
            outer, ref, name, spec.item_sub_type,
            [&](DurableContext& c) { return spec.item_fn(c, i); }, item_config,
            /*rethrow_original=*/false, flag, spec.nesting == Nesting::kFlat);
        result.status = BatchItemStatus::kSucceeded;
      } catch (const Suspend&) {
        suspended = true;
      } catch (const ChildContextError& e) {
        result.status = BatchItemStatus::kFailed;
        result.error = e.info();
      } catch (...) {
        signal = std::current_exception();
      }
      std::lock_guard lock(mu);
      if (signal) {
        if (!control) control = signal;
        return;
      }
      if (suspended) {
        any_suspended = true;
        continue;
      }
      items[i] = std::move(result);
      if (items[i]->status == BatchItemStatus::kSucceeded) ++successes;
      if (items[i]->status == BatchItemStatus::kFailed) ++failures;
    }
  };
  int threads = std::min(n, spec.max_concurrency.value_or(n));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  if (threads > 0) worker();
  for (auto& t : pool)
    t.join();
  outer.counter = static_cast<uint64_t>(n);
  if (control) std::rethrow_exception(control);
  bool complete = done() || (successes + failures == n);
  if (!complete) {
    (void)any_suspended;
    outer.SuspendNow();
  }
  BatchResult r;
  for (auto& it : items) {
    if (it) r.all.push_back(std::move(*it));
  }
  if (ToleranceExceeded(spec.completion, failures, n)) {
    r.completion_reason = CompletionReason::kFailureToleranceExceeded;
  } else if (successes + failures == n) {
    r.completion_reason = CompletionReason::kAllCompleted;
  } else {
    r.completion_reason = CompletionReason::kMinSuccessfulReached;
  }
  return r;
}

BatchResult RunBatch(ContextImpl& c, std::string_view name, const BatchSpec& spec) {
  c.ThrowIfSuspended();
  if (spec.max_concurrency && *spec.max_concurrency <= 0) {
    throw ValidationError("Invalid maxConcurrency: " + std::to_string(*spec.max_concurrency) +
                          " (must be a positive integer)");
  }
  auto ref = c.NextOp();
  ChildContextConfig cfg;
  cfg.serdes = spec.serdes;
  const std::string type =
      spec.outer_sub_type == protocol::subtype::kMap ? "MapResult" : "ParallelResult";
  cfg.summary_generator = [type](const nlohmann::json& v) {
    BatchResult r = BatchResult::from_json(v);
    nlohmann::json s = {{"type", type},
                        {"totalCount", r.total_count()},
                        {"successCount", r.success_count()},
                        {"failureCount", r.failure_count()},
                        {"completionReason", r.completion_reason_string()},
                        {"status", r.status()}};
    if (type == "ParallelResult") s["startedCount"] = r.started_count();
    return s.dump();
  };
  nlohmann::json v = RunChildContext(
      c, ref, name, spec.outer_sub_type,
      [&](DurableContext& outer) { return RunItems(*outer.impl(), spec).to_json(); }, cfg,
      /*rethrow_original=*/true);
  return BatchResult::from_json(v);
}

}  // namespace

}  // namespace sdk

BatchResult DurableContext::parallel(std::string_view name,
                                     const std::vector<ParallelBranch>& branches,
                                     const ParallelConfig& config) {
  sdk::BatchSpec spec;
  spec.outer_sub_type = protocol::subtype::kParallel;
  spec.item_sub_type = protocol::subtype::kParallelBranch;
  spec.count = static_cast<int>(branches.size());
  spec.item_name = [&](int i) {
    return branches[i].name.empty() ? "parallel-branch-" + std::to_string(i) : branches[i].name;
  };
  spec.item_fn = [&](DurableContext& c, int i) { return branches[i].func(c); };
  spec.max_concurrency = config.max_concurrency;
  spec.completion = config.completion_config;
  spec.nesting = config.nesting;
  spec.item_serdes = config.item_serdes;
  spec.serdes = config.serdes;
  return sdk::RunBatch(*impl_, name, spec);
}

BatchResult DurableContext::map(
    std::string_view name, const std::vector<nlohmann::json>& items,
    const std::function<nlohmann::json(DurableContext&, const nlohmann::json&, int)>& fn,
    const MapConfig& config) {
  sdk::BatchSpec spec;
  spec.outer_sub_type = protocol::subtype::kMap;
  spec.item_sub_type = protocol::subtype::kMapIteration;
  spec.count = static_cast<int>(items.size());
  spec.item_name = [&](int i) {
    return config.item_namer ? config.item_namer(items[i], i) : "map-item-" + std::to_string(i);
  };
  spec.item_fn = [&](DurableContext& c, int i) { return fn(c, items[i], i); };
  spec.max_concurrency = config.max_concurrency;
  spec.completion = config.completion_config;
  spec.nesting = config.nesting;
  spec.item_serdes = config.item_serdes;
  spec.serdes = config.serdes;
  return sdk::RunBatch(*impl_, name, spec);
}

}  // namespace durafn
