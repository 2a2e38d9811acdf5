// Test harness for the engine: drives one execution like the shell would, and records its
// whole history and every effect, so tests can assert on them.
#pragma once

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"

namespace durafn::engine {

// Readable effects in gMock failure messages (found by ADL on the variant).
inline void PrintTo(const Effect& effect, std::ostream* os) {
  std::visit(
      [os](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, StartTimer>) {
          *os << "StartTimer{" << static_cast<int>(e.kind) << ", " << e.operation_id << ", "
              << e.due.ms << "}";
        } else if constexpr (std::is_same_v<T, CancelTimer>) {
          *os << "CancelTimer{" << static_cast<int>(e.kind) << ", " << e.operation_id << "}";
        } else if constexpr (std::is_same_v<T, QueueInvocation>) {
          *os << "QueueInvocation{}";
        } else if constexpr (std::is_same_v<T, StartChainedInvoke>) {
          *os << "StartChainedInvoke{" << e.operation_id << ", " << e.function_name << "}";
        } else if constexpr (std::is_same_v<T, StopChainedInvoke>) {
          *os << "StopChainedInvoke{" << e.operation_id << "}";
        } else {
          *os << "ExecutionClosed{" << protocol::ToString(e.status) << "}";
        }
      },
      effect);
}

}  // namespace durafn::engine

namespace durafn::engine::testing {

inline constexpr char kArn[] =
    "arn:aws:lambda:us-east-1:123456789012:function:orders:3/durable-execution/order-42/"
    "6f1c0d7e-1111-2222-3333-444455556666";
inline constexpr char kExecId[] = "6f1c0d7e-1111-2222-3333-444455556666";

// Time `seconds` after a fixed origin.
inline protocol::Timestamp T(double seconds) {
  return protocol::Timestamp{1'764'547'200'000 + static_cast<int64_t>(seconds * 1000)};
}

inline protocol::OperationUpdate U(std::string id, protocol::OperationType type,
                                   protocol::OperationAction action) {
  protocol::OperationUpdate u;
  u.id = std::move(id);
  u.type = type;
  u.action = action;
  return u;
}

inline protocol::ErrorObject Err(std::string type, std::string message = "boom") {
  protocol::ErrorObject e;
  e.error_type = std::move(type);
  e.error_message = std::move(message);
  return e;
}

// Common updates, shaped like the official SDKs send them.
namespace upd {
using protocol::OperationAction;
using protocol::OperationType;
inline protocol::OperationUpdate StepStart(std::string id, std::string sub = "Step") {
  auto u = U(std::move(id), OperationType::kStep, OperationAction::kStart);
  u.sub_type = std::move(sub);
  return u;
}
inline protocol::OperationUpdate StepSucceed(std::string id, std::string payload,
                                             std::string sub = "Step") {
  auto u = U(std::move(id), OperationType::kStep, OperationAction::kSucceed);
  u.sub_type = std::move(sub);
  u.payload = std::move(payload);
  return u;
}
inline protocol::OperationUpdate StepFail(std::string id, protocol::ErrorObject e) {
  auto u = U(std::move(id), OperationType::kStep, OperationAction::kFail);
  u.sub_type = "Step";
  u.error = std::move(e);
  return u;
}
inline protocol::OperationUpdate StepRetry(std::string id, int64_t delay,
                                           std::optional<protocol::ErrorObject> e,
                                           std::optional<std::string> payload = std::nullopt,
                                           std::string sub = "Step") {
  auto u = U(std::move(id), OperationType::kStep, OperationAction::kRetry);
  u.sub_type = std::move(sub);
  u.error = std::move(e);
  u.payload = std::move(payload);
  u.step_options = protocol::StepOptions{delay};
  return u;
}
inline protocol::OperationUpdate WaitStart(std::string id, int64_t seconds) {
  auto u = U(std::move(id), OperationType::kWait, OperationAction::kStart);
  u.sub_type = "Wait";
  u.wait_options = protocol::WaitOptions{seconds};
  return u;
}
inline protocol::OperationUpdate CallbackStart(std::string id, int64_t timeout = 0,
                                               int64_t heartbeat = 0) {
  auto u = U(std::move(id), OperationType::kCallback, OperationAction::kStart);
  u.sub_type = "Callback";
  u.callback_options = protocol::CallbackOptions{timeout, heartbeat};
  return u;
}
inline protocol::OperationUpdate ContextStart(std::string id, std::string sub) {
  auto u = U(std::move(id), OperationType::kContext, OperationAction::kStart);
  u.sub_type = std::move(sub);
  return u;
}
inline protocol::OperationUpdate ContextSucceed(std::string id, std::optional<std::string> payload,
                                                std::string sub) {
  auto u = U(std::move(id), OperationType::kContext, OperationAction::kSucceed);
  u.sub_type = std::move(sub);
  u.payload = std::move(payload);
  return u;
}
inline protocol::OperationUpdate InvokeStart(std::string id, std::string function,
                                             std::optional<std::string> payload) {
  auto u = U(std::move(id), OperationType::kChainedInvoke, OperationAction::kStart);
  u.sub_type = "ChainedInvoke";
  u.payload = std::move(payload);
  u.chained_invoke_options = protocol::ChainedInvokeOptions{std::move(function), {}, {}};
  return u;
}
inline protocol::OperationUpdate ExecSucceed(std::string id, std::string payload) {
  auto u = U(std::move(id), OperationType::kExecution, OperationAction::kSucceed);
  u.payload = std::move(payload);
  return u;
}
}  // namespace upd

inline protocol::InvocationOutput Output(
    protocol::InvocationStatus status, std::optional<std::string> result = std::nullopt,
    std::optional<protocol::ErrorObject> error = std::nullopt) {
  return {status, std::move(result), std::move(error)};
}
inline protocol::InvocationOutput Pending() {
  return Output(protocol::InvocationStatus::kPending);
}
inline protocol::InvocationOutput Succeeded(std::optional<std::string> result) {
  return Output(protocol::InvocationStatus::kSucceeded, std::move(result));
}

// One execution driven through the engine; every call asserts success unless its name
// says otherwise, and appends the outcome to `history` / `effects`.
class Harness {
 public:
  ExecutionState state;
  std::vector<protocol::Event> history;
  std::vector<Effect> effects;
  std::string token;       // the current checkpoint token
  std::string request_id;  // of the current invocation
  Limits limits;
  int nonces = 0;
  int invocations = 0;

  void Start(protocol::Timestamp now, bool sync = false, int64_t timeout = 3600,
             std::optional<std::string> input = "{\"orderId\":42}") {
    StartExecutionParams p;
    p.arn = kArn;
    p.name = "order-42";
    p.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders:3";
    p.version = "3";
    p.input = std::move(input);
    p.execution_timeout_seconds = timeout;
    p.retention_days = 14;
    p.sync = sync;
    auto started = StartExecution(p, now, limits);
    ASSERT_TRUE(started.ok()) << started.error().message;
    state = std::move(started->state);
    Take(started->outcome);
  }

  protocol::InvocationEnvelope Begin(protocol::Timestamp now) {
    request_id = "req-" + std::to_string(++invocations);
    auto began = BeginInvocation(state, request_id, now, limits);
    EXPECT_TRUE(began.ok()) << (began.ok() ? "" : began.error().message);
    if (!began.ok()) return {};
    Take(began->outcome);
    token = began->envelope.checkpoint_token;
    return began->envelope;
  }

  ApiResult<CheckpointResult> TryCheckpoint(std::vector<protocol::OperationUpdate> updates,
                                            protocol::Timestamp now,
                                            std::optional<std::string> client_token = std::nullopt,
                                            std::optional<std::string> with_token = std::nullopt) {
    protocol::CheckpointDurableExecutionRequest req;
    req.durable_execution_arn = kArn;
    req.checkpoint_token = with_token.value_or(token);
    req.updates = std::move(updates);
    req.client_token = std::move(client_token);
    auto result = engine::Checkpoint(state, req, now, limits,
                                     [this] { return "nonce" + std::to_string(++nonces); });
    if (result.ok()) {
      Take(result->outcome);
      if (result->response.checkpoint_token) token = *result->response.checkpoint_token;
    }
    return result;
  }

  CheckpointResult Checkpoint(std::vector<protocol::OperationUpdate> updates,
                              protocol::Timestamp now) {
    auto result = TryCheckpoint(std::move(updates), now);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : CheckpointResult{};
  }

  Outcome Complete(InvocationResult result, protocol::Timestamp now) {
    auto out = CompleteInvocation(state, request_id, result, now, limits);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? Take(*out) : Outcome{};
  }

  Outcome Fire(TimerKind kind, std::string_view op, protocol::Timestamp now) {
    return Take(FireTimer(state, kind, op, now));
  }

  Outcome Callback(std::string_view callback_id, CallbackCompletion c, protocol::Timestamp now) {
    auto out = CompleteCallback(state, callback_id, c, now, limits);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? Take(*out) : Outcome{};
  }

  const protocol::Operation& Op(std::string_view id) const {
    const OperationEntry* e = state.ops.Find(id);
    EXPECT_NE(e, nullptr) << id;
    static const protocol::Operation kMissing{};
    return e ? e->op : kMissing;
  }

  std::string CallbackIdOf(std::string_view id) const {
    const auto& op = Op(id);
    return op.callback_details && op.callback_details->callback_id
               ? *op.callback_details->callback_id
               : std::string();
  }

  Outcome Take(Outcome out) {
    for (const auto& e : out.events) {
      history.push_back(e);
    }
    for (const auto& e : out.effects) {
      effects.push_back(e);
    }
    return out;
  }
};

// The event types of `events`, in order.
inline std::vector<protocol::EventType> Types(const std::vector<protocol::Event>& events) {
  std::vector<protocol::EventType> types;
  for (const auto& e : events) {
    types.push_back(e.type());
  }
  return types;
}

// The ids of `ops`, in order.
inline std::vector<std::string> Ids(const std::vector<protocol::Operation>& ops) {
  std::vector<std::string> ids;
  for (const auto& op : ops) {
    ids.push_back(op.id);
  }
  return ids;
}

// The effects of type E in `effects`.
template <class E>
std::vector<E> EffectsOf(const std::vector<Effect>& effects) {
  std::vector<E> out;
  for (const auto& e : effects) {
    if (const E* x = std::get_if<E>(&e)) out.push_back(*x);
  }
  return out;
}

template <class D>
const D& Details(const protocol::Event& e) {
  return std::get<D>(e.details);
}

inline protocol::EventPayload P(std::string payload) {
  return {std::move(payload), false};
}
inline protocol::EventError E(protocol::ErrorObject error) {
  return {std::move(error), false};
}

}  // namespace durafn::engine::testing
