#include "durafn/durable_context.h"

#include <algorithm>

#include "protocol/operation_id.h"
#include "sdk/context_impl.h"
#include "sdk/log_fields.h"

namespace durafn {

using protocol::OperationAction;
using protocol::OperationStatus;
using protocol::OperationType;

namespace sdk {

ContextImpl::OpRef ContextImpl::NextOp() {
  ++counter;
  std::string p = protocol::OperationPath(path, counter);
  std::string h = protocol::HashOperationId(p);
  return {std::move(p), std::move(h)};
}

void ContextImpl::SuspendNow() {
  suspended->store(true);
  throw Suspend{};
}

void ContextImpl::ThrowIfSuspended() const {
  if (suspended->load()) throw Suspend{};
}

std::shared_ptr<const protocol::Operation> ContextImpl::Lookup(const std::string& op_id,
                                                               protocol::OperationType type,
                                                               std::string_view name,
                                                               std::string_view sub_type) {
  ThrowIfSuspended();
  auto op = state->Get(op_id);
  if (!op) {
    state->MarkExecuting();
    return op;
  }
  std::string_view stored_name = op->name ? std::string_view(*op->name) : std::string_view();
  std::string_view stored_sub = op->sub_type ? std::string_view(*op->sub_type) : std::string_view();
  if (op->type != type || stored_name != name || stored_sub != sub_type) {
    std::string message = "Non-deterministic execution: operation " + op_id + " was " +
                          std::string(protocol::ToString(op->type)) + " '" +
                          std::string(stored_name) + "' (" + std::string(stored_sub) +
                          ") in an earlier invocation, but the handler now calls " +
                          std::string(protocol::ToString(type)) + " '" + std::string(name) + "' (" +
                          std::string(sub_type) + ") at that position";
    NonDeterministicExecutionError err(message);
    state->SetFatal(err.info());
    throw err;
  }
  if (!protocol::IsTerminal(op->status)) state->MarkExecuting();
  return op;
}

protocol::OperationUpdate ContextImpl::Update(const std::string& op_id, OperationType type,
                                              std::string_view sub_type, std::string_view name,
                                              OperationAction action) const {
  protocol::OperationUpdate u;
  u.id = op_id;
  u.parent_id = id;
  if (!name.empty()) u.name = std::string(name);
  u.type = type;
  if (!sub_type.empty()) u.sub_type = std::string(sub_type);
  u.action = action;
  return u;
}

std::shared_ptr<ContextImpl> ContextImpl::Child(const OpRef& op) const {
  auto c = std::make_shared<ContextImpl>();
  c->state = state;
  c->path = op.path;
  c->id = op.id;
  c->suspended = suspended;
  return c;
}

protocol::ErrorObject ToErrorObject(const ErrorInfo& info) {
  protocol::ErrorObject e;
  e.error_type = info.type;
  e.error_message = info.message;
  e.error_data = info.data;
  return e;
}

ErrorInfo FromErrorObject(const std::optional<protocol::ErrorObject>& e) {
  ErrorInfo info;
  if (!e) return info;
  info.type = e->error_type.value_or("");
  info.message = e->error_message.value_or("");
  info.data = e->error_data;
  return info;
}

namespace {

const Serdes& Or(const std::optional<Serdes>& s, const Serdes& fallback) {
  return s ? *s : fallback;
}

int FinishedAttempts(const protocol::Operation& op) {
  return op.step_details ? static_cast<int>(op.step_details->attempt.value_or(0)) : 0;
}

// A reference, not a copy: results can be large and replay reads every one of them.
const std::optional<std::string>& StepResult(const protocol::Operation& op) {
  static const std::optional<std::string> kNone;
  return op.step_details ? op.step_details->result : kNone;
}

Logger StepLogger(const ContextImpl& c, const std::string& id, std::string_view name, int attempt) {
  auto f = std::make_shared<LogFields>();
  f->state = c.state;
  f->operation_id = id;
  if (!name.empty()) f->operation_name = std::string(name);
  f->attempt = attempt;
  f->replay_aware = false;
  return Logger(std::move(f));
}

// Rethrows the signals that must unwind through every layer untouched.
bool IsControlSignal(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Suspend&) {
    return true;
  } catch (const CheckpointFailure&) {
    return true;
  } catch (const NonDeterministicExecutionError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

nlohmann::json RunChildContext(ContextImpl& parent, const ContextImpl::OpRef& ref,
                               std::string_view name, std::string_view sub_type,
                               const DurableContext::ChildFn& fn, const ChildContextConfig& config,
                               bool rethrow_original,
                               std::shared_ptr<std::atomic<bool>> suspended_flag,
                               bool virtual_context) {
  if (virtual_context) {
    parent.ThrowIfSuspended();
    auto child_impl = parent.Child(ref);
    child_impl->id = parent.id;
    if (suspended_flag) child_impl->suspended = std::move(suspended_flag);
    DurableContext child(child_impl);
    nlohmann::json value;
    try {
      value = fn(child);
    } catch (...) {
      auto e = std::current_exception();
      if (IsControlSignal(e) || rethrow_original) throw;
      ErrorInfo info = ErrorInfoFromException(e);
      throw ChildContextError(info.message, std::nullopt, std::make_shared<const ErrorInfo>(info));
    }
    child_impl->ThrowIfSuspended();
    if (value.is_discarded()) return nullptr;
    return value;
  }
  auto op = parent.Lookup(ref.id, OperationType::kContext, name, sub_type);
  const Serdes& serdes = Or(config.serdes, json_serdes());
  bool rebuild = false;  // re-running a finished ReplayChildren context: checkpoint nothing
  if (op) {
    if (op->status == OperationStatus::kSucceeded) {
      bool replay_children =
          op->context_details && op->context_details->replay_children.value_or(false);
      if (!replay_children) {
        return serdes.deserialize(op->context_details ? op->context_details->result : std::nullopt);
      }
      rebuild = true;
    } else if (protocol::IsTerminal(op->status)) {
      ErrorInfo info =
          FromErrorObject(op->context_details ? op->context_details->error : std::nullopt);
      if (rethrow_original) ThrowDurableError(info);
      throw ChildContextError(info.message, std::nullopt, std::make_shared<const ErrorInfo>(info));
    }
  } else {
    parent.state->Enqueue(
        parent.Update(ref.id, OperationType::kContext, sub_type, name, OperationAction::kStart));
  }
  auto child_impl = parent.Child(ref);
  if (suspended_flag) child_impl->suspended = std::move(suspended_flag);
  DurableContext child(child_impl);
  nlohmann::json value;
  try {
    value = fn(child);
  } catch (...) {
    auto e = std::current_exception();
    if (IsControlSignal(e)) throw;
    ErrorInfo info = ErrorInfoFromException(e);
    if (!rebuild) {
      auto u =
          parent.Update(ref.id, OperationType::kContext, sub_type, name, OperationAction::kFail);
      u.error = ToErrorObject(info);
      parent.state->Enqueue(std::move(u));
    }
    if (rethrow_original) std::rethrow_exception(e);
    throw ChildContextError(info.message, std::nullopt, std::make_shared<const ErrorInfo>(info));
  }
  // The function returned although something inside it suspended (a swallowed signal):
  // keep unwinding rather than closing the context with a half-computed value.
  child_impl->ThrowIfSuspended();
  if (!rebuild) {
    auto u =
        parent.Update(ref.id, OperationType::kContext, sub_type, name, OperationAction::kSucceed);
    auto payload = serdes.serialize(value);
    if (payload && payload->size() > kChildPayloadLimit) {
      u.payload = config.summary_generator ? config.summary_generator(value) : std::string();
      u.context_options = protocol::ContextOptions{true};
    } else {
      u.payload = std::move(payload);
    }
    parent.state->Enqueue(std::move(u));
  }
  if (value.is_discarded()) return nullptr;
  return value;
}

}  // namespace sdk

using sdk::ContextImpl;

nlohmann::json DurableContext::step_json(std::string_view name, const StepFn& fn,
                                         const StepConfig& config) {
  ContextImpl& c = *impl_;
  auto ref = c.NextOp();
  auto op = c.Lookup(ref.id, OperationType::kStep, name, protocol::subtype::kStep);
  const Serdes& serdes = sdk::Or(config.serdes, json_serdes());
  const bool at_most_once = config.semantics == StepSemantics::kAtMostOncePerRetry;
  int attempt = 1;
  bool send_start = true;
  auto update = [&](OperationAction a) {
    return c.Update(ref.id, OperationType::kStep, protocol::subtype::kStep, name, a);
  };
  auto strategy = [&](const ErrorInfo& info, int n) {
    return config.retry_strategy ? config.retry_strategy(info, n)
                                 : retry_presets::standard()(info, n);
  };
  // Records a failed attempt: RETRY and suspend, or FAIL and throw StepError.
  auto fail_attempt = [&](const ErrorInfo& info) -> nlohmann::json {
    RetryDecision d = strategy(info, attempt);
    if (d.should_retry) {
      auto u = update(OperationAction::kRetry);
      u.error = sdk::ToErrorObject(info);
      u.step_options = protocol::StepOptions{std::max<int64_t>(1, d.delay.total_seconds())};
      c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
      c.SuspendNow();
    }
    auto u = update(OperationAction::kFail);
    u.error = sdk::ToErrorObject(info);
    c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
    throw StepError(
        info.message, std::nullopt,
        std::make_shared<const ErrorInfo>(ErrorInfo{"StepError", info.message, {}, {}}));
  };
  if (op) {
    switch (op->status) {
      case OperationStatus::kSucceeded:
        return serdes.deserialize(sdk::StepResult(*op));
      case OperationStatus::kPending:
        c.SuspendNow();
      case OperationStatus::kStarted:
        attempt = sdk::FinishedAttempts(*op) + 1;
        if (at_most_once) {
          return fail_attempt(ErrorInfo{"StepInterruptedError",
                                        "The step execution process was initiated but failed to "
                                        "reach completion due to an interruption.",
                                        {},
                                        {}});
        }
        send_start = false;
        break;
      case OperationStatus::kReady:
        attempt = sdk::FinishedAttempts(*op) + 1;
        break;
      default:
        ThrowDurableError(
            sdk::FromErrorObject(op->step_details ? op->step_details->error : std::nullopt));
    }
  }
  if (send_start) {
    uint64_t seq = c.state->Enqueue(update(OperationAction::kStart));
    if (at_most_once) c.state->WaitCommitted(seq);
  }
  StepContext sc(sdk::StepLogger(c, ref.id, name, attempt), attempt);
  nlohmann::json value;
  std::optional<std::string> payload;
  try {
    value = fn(sc);
    payload = serdes.serialize(value);
  } catch (...) {
    auto e = std::current_exception();
    if (sdk::IsControlSignal(e)) throw;
    return fail_attempt(ErrorInfoFromException(e));
  }
  auto u = update(OperationAction::kSucceed);
  // A custom serdes decides what the step returns, as on replay: the checkpointed value read
  // back, not the body's own (AWS's SDKs do the same; an uppercasing serdes returns "HELLO").
  std::optional<std::string> stored = config.serdes ? payload : std::nullopt;
  u.payload = std::move(payload);
  c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
  if (config.serdes) return config.serdes->deserialize(stored);
  if (value.is_discarded()) return nullptr;
  return value;
}

void DurableContext::wait(std::string_view name, Duration duration) {
  ContextImpl& c = *impl_;
  auto ref = c.NextOp();
  auto op = c.Lookup(ref.id, OperationType::kWait, name, protocol::subtype::kWait);
  if (op) {
    if (protocol::IsTerminal(op->status)) return;
    c.SuspendNow();
  }
  auto u = c.Update(ref.id, OperationType::kWait, protocol::subtype::kWait, name,
                    OperationAction::kStart);
  u.wait_options = protocol::WaitOptions{std::max<int64_t>(1, duration.total_seconds())};
  c.state->Enqueue(std::move(u));
  c.SuspendNow();
}

CallbackHandle DurableContext::create_callback(std::string_view name,
                                               const CallbackConfig& config) {
  ContextImpl& c = *impl_;
  auto ref = c.NextOp();
  auto op = c.Lookup(ref.id, OperationType::kCallback, name, protocol::subtype::kCallback);
  const Serdes& serdes = sdk::Or(config.serdes, passthrough_serdes());
  if (!op) {
    auto u = c.Update(ref.id, OperationType::kCallback, protocol::subtype::kCallback, name,
                      OperationAction::kStart);
    protocol::CallbackOptions opts;
    if (config.timeout) opts.timeout_seconds = config.timeout->total_seconds();
    if (config.heartbeat_timeout) {
      opts.heartbeat_timeout_seconds = config.heartbeat_timeout->total_seconds();
    }
    u.callback_options = opts;
    c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
    op = c.state->Get(ref.id);
  }
  if (!op || !op->callback_details || !op->callback_details->callback_id) {
    throw sdk::CheckpointFailure{sdk::ServiceError(
        502, "ServiceException", "the service returned no CallbackId for callback " + ref.id)};
  }
  return CallbackHandle(impl_, ref.id, *op->callback_details->callback_id, serdes);
}

nlohmann::json CallbackHandle::get() const {
  ctx_->ThrowIfSuspended();
  auto op = ctx_->state->Get(op_id_);
  if (!op) ctx_->SuspendNow();
  switch (op->status) {
    case OperationStatus::kSucceeded:
      return serdes_.deserialize(op->callback_details ? op->callback_details->result
                                                      : std::nullopt);
    case OperationStatus::kFailed: {
      ErrorInfo info =
          sdk::FromErrorObject(op->callback_details ? op->callback_details->error : std::nullopt);
      throw CallbackExternalError(info.message, info.data);
    }
    case OperationStatus::kTimedOut: {
      ErrorInfo info =
          sdk::FromErrorObject(op->callback_details ? op->callback_details->error : std::nullopt);
      throw CallbackTimeoutError(info.message.empty() ? "Callback timed out" : info.message,
                                 info.data);
    }
    case OperationStatus::kCancelled:
    case OperationStatus::kStopped:
      throw CallbackError("Callback was " + std::string(protocol::ToString(op->status)));
    default:
      ctx_->state->MarkExecuting();
      ctx_->SuspendNow();
  }
}

nlohmann::json DurableContext::wait_for_callback(
    std::string_view name,
    const std::function<void(const std::string& callback_id, StepContext&)>& submitter,
    const WaitForCallbackConfig& config) {
  ContextImpl& c = *impl_;
  c.ThrowIfSuspended();
  auto ref = c.NextOp();
  ChildFn body = [&](DurableContext& child) -> nlohmann::json {
    CallbackConfig cb;
    cb.timeout = config.timeout;
    cb.heartbeat_timeout = config.heartbeat_timeout;
    cb.serdes = config.serdes;
    CallbackHandle handle = child.create_callback({}, cb);
    StepConfig sc;
    sc.retry_strategy = config.retry_strategy;
    child.step(
        {}, [&](StepContext& s) { submitter(handle.callback_id(), s); }, sc);
    return handle.get();
  };
  return sdk::RunChildContext(c, ref, name, protocol::subtype::kWaitForCallback, body,
                              ChildContextConfig{}, /*rethrow_original=*/true);
}

nlohmann::json DurableContext::invoke(std::string_view name, std::string_view function_name,
                                      const nlohmann::json& payload, const InvokeConfig& config) {
  ContextImpl& c = *impl_;
  auto ref = c.NextOp();
  auto op =
      c.Lookup(ref.id, OperationType::kChainedInvoke, name, protocol::subtype::kChainedInvoke);
  if (!op) {
    auto u = c.Update(ref.id, OperationType::kChainedInvoke, protocol::subtype::kChainedInvoke,
                      name, OperationAction::kStart);
    u.payload = sdk::Or(config.payload_serdes, json_serdes()).serialize(payload);
    protocol::ChainedInvokeOptions opts;
    opts.function_name = std::string(function_name);
    opts.tenant_id = config.tenant_id;
    u.chained_invoke_options = std::move(opts);
    c.state->Enqueue(std::move(u));
    c.SuspendNow();
  }
  const auto& details = op->chained_invoke_details;
  switch (op->status) {
    case OperationStatus::kSucceeded:
      return sdk::Or(config.result_serdes, json_serdes())
          .deserialize(details ? details->result : std::nullopt);
    case OperationStatus::kFailed:
    case OperationStatus::kTimedOut:
    case OperationStatus::kStopped:
    case OperationStatus::kCancelled: {
      ErrorInfo info = sdk::FromErrorObject(details ? details->error : std::nullopt);
      throw InvokeError(info.message, info.data, std::make_shared<const ErrorInfo>(info));
    }
    default:
      c.SuspendNow();
  }
}

nlohmann::json DurableContext::run_in_child_context(std::string_view name, const ChildFn& fn,
                                                    const ChildContextConfig& config) {
  ContextImpl& c = *impl_;
  c.ThrowIfSuspended();
  auto ref = c.NextOp();
  return sdk::RunChildContext(c, ref, name, protocol::subtype::kRunInChildContext, fn, config,
                              /*rethrow_original=*/false);
}

nlohmann::json DurableContext::wait_for_condition(
    std::string_view name,
    const std::function<nlohmann::json(const nlohmann::json& state, StepContext&)>& check,
    const WaitForConditionConfig& config) {
  ContextImpl& c = *impl_;
  auto ref = c.NextOp();
  auto op = c.Lookup(ref.id, OperationType::kStep, name, protocol::subtype::kWaitForCondition);
  const Serdes& serdes = sdk::Or(config.serdes, json_serdes());
  auto update = [&](OperationAction a) {
    return c.Update(ref.id, OperationType::kStep, protocol::subtype::kWaitForCondition, name, a);
  };
  int attempt = 1;
  nlohmann::json state = config.initial_state;
  bool send_start = true;
  if (op) {
    switch (op->status) {
      case OperationStatus::kSucceeded:
        return serdes.deserialize(sdk::StepResult(*op));
      case OperationStatus::kPending:
        c.SuspendNow();
      case OperationStatus::kStarted:
      case OperationStatus::kReady:
        send_start = op->status == OperationStatus::kReady;
        attempt = sdk::FinishedAttempts(*op) + 1;
        if (const auto& r = sdk::StepResult(*op)) state = serdes.deserialize(r);
        break;
      default:
        ThrowDurableError(
            sdk::FromErrorObject(op->step_details ? op->step_details->error : std::nullopt));
    }
  }
  if (send_start) c.state->Enqueue(update(OperationAction::kStart));
  StepContext sc(sdk::StepLogger(c, ref.id, name, attempt), attempt);
  nlohmann::json next;
  WaitDecision decision;
  try {
    next = check(state, sc);
    if (!config.wait_strategy) throw ValidationError("wait_for_condition needs a wait_strategy");
    decision = config.wait_strategy(next, attempt);
  } catch (...) {
    auto e = std::current_exception();
    if (sdk::IsControlSignal(e)) throw;
    ErrorInfo info = ErrorInfoFromException(e);
    auto u = update(OperationAction::kFail);
    u.error = sdk::ToErrorObject(info);
    c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
    ThrowDurableError(info);
  }
  if (decision.should_continue) {
    auto u = update(OperationAction::kRetry);
    u.payload = serdes.serialize(next);
    u.step_options = protocol::StepOptions{std::max<int64_t>(1, decision.delay.total_seconds())};
    c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
    c.SuspendNow();
  }
  auto u = update(OperationAction::kSucceed);
  u.payload = serdes.serialize(next);
  c.state->WaitCommitted(c.state->Enqueue(std::move(u)));
  return next;
}

Logger DurableContext::logger() const {
  auto f = std::make_shared<LogFields>();
  f->state = impl_->state;
  f->operation_id = impl_->id;
  return Logger(std::move(f));
}

bool DurableContext::is_replaying() const {
  return impl_->state->replaying();
}

const std::string& DurableContext::execution_arn() const {
  return impl_->state->arn();
}

}  // namespace durafn

namespace durafn {

const LambdaContext& DurableContext::lambda_context() const {
  return impl_->state->lambda();
}

}  // namespace durafn
