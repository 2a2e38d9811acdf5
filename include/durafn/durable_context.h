// DurableContext: the handle a durable handler uses to run durable operations. Every
// operation is identified by its position in the handler (the n-th call in its context), so
// the handler must call them in the same order on every replay.
//
// Suspension: when an operation cannot complete in this invocation (a wait, a retry delay, a
// callback or invoke not answered yet) the SDK unwinds the handler with an internal signal
// that is not a std::exception. A `catch (...)` in user code MUST rethrow it (`throw;`);
// a handler that swallows it is detected and the invocation fails with a clear error.
//
// Thread safety: one DurableContext belongs to one thread; parallel()/map() hand each branch
// its own child context.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "durafn/batch_result.h"
#include "durafn/config.h"
#include "durafn/duration.h"
#include "durafn/errors.h"
#include "durafn/lambda_context.h"
#include "durafn/logger.h"

namespace durafn {

namespace sdk {
struct ContextImpl;
}

// What a step body receives.
class StepContext {
 public:
  StepContext(Logger logger, int attempt) : logger_(std::move(logger)), attempt_(attempt) {}
  // A logger stamped with the step's operation id, name and attempt (logs on every attempt).
  const Logger& logger() const { return logger_; }
  // 1 for the first attempt, 2 for the first retry, ...
  int attempt() const { return attempt_; }

 private:
  Logger logger_;
  int attempt_;
};

class DurableContext;

// A created callback: hand callback_id() to the external system, then get() the result.
class CallbackHandle {
 public:
  CallbackHandle(std::shared_ptr<sdk::ContextImpl> ctx, std::string op_id, std::string callback_id,
                 Serdes serdes)
      : ctx_(std::move(ctx)),
        op_id_(std::move(op_id)),
        callback_id_(std::move(callback_id)),
        serdes_(std::move(serdes)) {}
  // The id external systems pass to SendDurableExecutionCallbackSuccess/Failure/Heartbeat.
  const std::string& callback_id() const { return callback_id_; }
  // The result (deserialized with the callback's serdes; pass-through by default: a JSON
  // string holding the raw text). Suspends while the callback is pending; throws
  // CallbackExternalError / CallbackTimeoutError when it failed or timed out.
  nlohmann::json get() const;

 private:
  std::shared_ptr<sdk::ContextImpl> ctx_;
  std::string op_id_;
  std::string callback_id_;
  Serdes serdes_;
};

// One branch of parallel(): an optional name and its function.
struct ParallelBranch {
  std::string name;  // "" -> "parallel-branch-<i>"
  std::function<nlohmann::json(DurableContext&)> func;
};

class DurableContext {
 public:
  using StepFn = std::function<nlohmann::json(StepContext&)>;
  using ChildFn = std::function<nlohmann::json(DurableContext&)>;

  explicit DurableContext(std::shared_ptr<sdk::ContextImpl> impl) : impl_(std::move(impl)) {}

  // Runs `fn` at most once per successful attempt and checkpoints its JSON result; on
  // replay returns the stored result without running it. Failures are retried through
  // `config.retry_strategy` (RETRY + suspension); the final failure throws StepError.
  nlohmann::json step_json(std::string_view name, const StepFn& fn, const StepConfig& config = {});

  // Typed form: `fn(StepContext&)` may return any type convertible with nlohmann's
  // to_json/from_json, or void (no Payload is checkpointed).
  template <class F, class R = std::invoke_result_t<F&, StepContext&>>
  R step(std::string_view name, F&& fn, const StepConfig& config = {}) {
    if constexpr (std::is_void_v<R>) {
      step_json(
          name,
          [&](StepContext& s) {
            fn(s);
            return nlohmann::json(nlohmann::json::value_t::discarded);
          },
          config);
    } else {
      return step_json(
                 name, [&](StepContext& s) { return nlohmann::json(fn(s)); }, config)
          .template get<R>();
    }
  }
  // Unnamed step.
  template <class F, class = std::enable_if_t<std::is_invocable_v<F&, StepContext&>>>
  auto step(F&& fn, const StepConfig& config = {}) {
    return step(std::string_view{}, std::forward<F>(fn), config);
  }

  // Suspends the execution for `duration` (at least 1 s) without holding the worker.
  void wait(Duration duration) { wait({}, duration); }
  void wait(std::string_view name, Duration duration);

  // Creates a callback (durable before it returns, so the id is valid).
  CallbackHandle create_callback(std::string_view name, const CallbackConfig& config = {});

  // A child context (SubType WaitForCallback) holding a callback and a step that runs
  // `submitter(callback_id, step_context)`; returns the callback's result.
  nlohmann::json wait_for_callback(
      std::string_view name,
      const std::function<void(const std::string& callback_id, StepContext&)>& submitter,
      const WaitForCallbackConfig& config = {});

  // Invokes another function through the service (CHAINED_INVOKE) and returns its result;
  // throws InvokeError when it failed, timed out or was stopped. `function_name` should be
  // qualified (a version or alias) when the target is durable.
  nlohmann::json invoke(std::string_view name, std::string_view function_name,
                        const nlohmann::json& payload, const InvokeConfig& config = {});

  // Runs `fn` in a child context (its own operation namespace); checkpoints its result.
  // Throws ChildContextError when `fn` throws.
  nlohmann::json run_in_child_context(std::string_view name, const ChildFn& fn,
                                      const ChildContextConfig& config = {});

  // Runs branches concurrently (threads), at most config.max_concurrency at once, and
  // stops early per config.completion_config. Failed branches are reported in the result.
  BatchResult parallel(std::string_view name, const std::vector<ParallelBranch>& branches,
                       const ParallelConfig& config = {});

  // Runs fn(ctx, item, index) for each item concurrently, like parallel().
  BatchResult map(
      std::string_view name, const std::vector<nlohmann::json>& items,
      const std::function<nlohmann::json(DurableContext&, const nlohmann::json&, int)>& fn,
      const MapConfig& config = {});

  // Polls `check(state, step_context)` until the wait strategy stops; between polls the
  // execution suspends. Returns the final state.
  nlohmann::json wait_for_condition(
      std::string_view name,
      const std::function<nlohmann::json(const nlohmann::json& state, StepContext&)>& check,
      const WaitForConditionConfig& config);

  // Logger stamped with the execution and this context; suppressed while replaying.
  Logger logger() const;

  // True while the handler is replaying operations completed in earlier invocations.
  bool is_replaying() const;

  // The durable execution's ARN.
  const std::string& execution_arn() const;

  // The current invocation's Lambda context (request id, function ARN, deadline).
  const LambdaContext& lambda_context() const;

  const std::shared_ptr<sdk::ContextImpl>& impl() const { return impl_; }

 private:
  std::shared_ptr<sdk::ContextImpl> impl_;
};

}  // namespace durafn
