// CALLBACK (protocol.md §4.5.4, §2.9): started by the SDK, completed by external callers
// through its callback id, or timed out by the service.
#include <cassert>

#include "engine/apply.h"
#include "engine/callback_id.h"
#include "protocol/json_codec.h"

namespace durafn::engine {
namespace {

using protocol::ErrorCode;
using protocol::OperationAction;
using protocol::OperationStatus;

void CancelCallbackTimers(Recorder& r, OperationEntry& e) {
  CallbackSettings& s = *e.callback;
  if (s.timeout_deadline) r.AddEffect(CancelTimer{TimerKind::kCallbackTimeout, e.op.id});
  if (s.heartbeat_deadline) r.AddEffect(CancelTimer{TimerKind::kCallbackHeartbeat, e.op.id});
  s.timeout_deadline.reset();
  s.heartbeat_deadline.reset();
}

std::optional<int64_t> Positive(int64_t v) {
  return v > 0 ? std::optional(v) : std::nullopt;
}

}  // namespace

void ApplyCallback(Recorder& r, const protocol::OperationUpdate& u,
                   const CallbackNonceGenerator& new_nonce) {
  if (u.action == OperationAction::kCancel) {
    // Not in the Python SDK's vocabulary, but the JS emulator accepts it: the callback
    // simply stops waiting. No history event exists for it (pitfall 13).
    OperationEntry* e = r.state().ops.Find(u.id);
    assert(e && e->op.status == OperationStatus::kStarted && e->callback);
    e->op.status = OperationStatus::kCancelled;
    e->op.end_timestamp = r.now();
    CancelCallbackTimers(r, *e);
    r.Touch(*e);
    return;
  }
  assert(u.action == OperationAction::kStart);
  assert(!r.state().ops.Find(u.id));
  std::string nonce = new_nonce();
  assert(!nonce.empty() && nonce.size() <= kMaxCallbackNonceLength);
  std::string callback_id = FormatCallbackId({r.record().arn, u.id, nonce});

  OperationEntry& e = FindOrCreate(r, u);
  e.op.callback_details = protocol::CallbackDetails{callback_id, std::nullopt, std::nullopt};
  CallbackSettings& s = e.callback.emplace();
  if (u.callback_options) {
    s.timeout_seconds = u.callback_options->timeout_seconds.value_or(0);
    s.heartbeat_timeout_seconds = u.callback_options->heartbeat_timeout_seconds.value_or(0);
  }
  // 0 or absent means no timer; the heartbeat clock starts at START (callback/4-4.yaml).
  if (s.timeout_seconds > 0) {
    s.timeout_deadline = protocol::Timestamp{r.now().ms + s.timeout_seconds * 1000};
    r.AddEffect(StartTimer{TimerKind::kCallbackTimeout, e.op.id, *s.timeout_deadline});
  }
  if (s.heartbeat_timeout_seconds > 0) {
    s.heartbeat_deadline = protocol::Timestamp{r.now().ms + s.heartbeat_timeout_seconds * 1000};
    r.AddEffect(StartTimer{TimerKind::kCallbackHeartbeat, e.op.id, *s.heartbeat_deadline});
  }
  r.Touch(e);
  r.OperationEvent(
      e, protocol::CallbackStartedDetails{callback_id, Positive(s.heartbeat_timeout_seconds),
                                          Positive(s.timeout_seconds)});
}

void TimeOutCallback(Recorder& r, OperationEntry& callback, TimerKind kind) {
  assert(callback.op.type == protocol::OperationType::kCallback);
  assert(callback.op.status == OperationStatus::kStarted);
  assert(kind == TimerKind::kCallbackTimeout || kind == TimerKind::kCallbackHeartbeat);
  CallbackSettings& s = *callback.callback;
  bool heartbeat = kind == TimerKind::kCallbackHeartbeat;
  int64_t seconds = heartbeat ? s.heartbeat_timeout_seconds : s.timeout_seconds;
  protocol::ErrorObject error;
  error.error_type = heartbeat ? "Callback.Heartbeat" : "Callback.Timeout";
  error.error_message =
      heartbeat ? "Callback heartbeat timed out after " + std::to_string(seconds) + " seconds."
                : "Callback timed out after " + std::to_string(seconds) + " seconds.";
  // Only the other timer can still fire; the one that fired is spent.
  if (heartbeat) {
    s.heartbeat_deadline.reset();
  } else {
    s.timeout_deadline.reset();
  }
  CancelCallbackTimers(r, callback);
  callback.op.status = OperationStatus::kTimedOut;
  callback.op.end_timestamp = r.now();
  callback.op.callback_details->error = error;
  r.OperationEvent(callback, protocol::CallbackTimedOutDetails{EventErrorOf(error)});
  r.ServiceChanged(callback);
}

ApiResult<Outcome> CompleteCallback(ExecutionState& state, std::string_view callback_id,
                                    const CallbackCompletion& completion, protocol::Timestamp now,
                                    const Limits& limits) {
  auto parts = ParseCallbackId(callback_id);
  if (!parts) return InvalidParameter("Invalid callback id.");
  const protocol::ApiError not_found{ErrorCode::kResourceNotFound, "Callback not found."};
  if (parts->execution_arn != state.record.arn) return not_found;
  OperationEntry* e = state.ops.Find(parts->operation_id);
  if (!e || e->op.type != protocol::OperationType::kCallback || !e->op.callback_details ||
      e->op.callback_details->callback_id != callback_id) {
    return not_found;
  }
  if (state.record.status != protocol::ExecutionStatus::kRunning) {
    return InvalidParameter("The durable execution of this callback is already closed.");
  }
  if (e->op.status == OperationStatus::kTimedOut) {
    return protocol::ApiError{ErrorCode::kCallbackTimeout, "The callback has timed out."};
  }
  if (e->op.status != OperationStatus::kStarted) {
    return InvalidParameter("The callback has already completed.");
  }
  if (const auto* success = std::get_if<CallbackSuccess>(&completion)) {
    if (success->result && success->result->size() > limits.max_operation_payload_bytes) {
      return InvalidParameter("Result size must be at most " +
                              std::to_string(limits.max_operation_payload_bytes) + " bytes.");
    }
  }
  if (const auto* failure = std::get_if<CallbackFailure>(&completion)) {
    if (protocol::Encode(failure->error).dump().size() > limits.max_error_bytes) {
      return InvalidParameter("Error object size must be at most " +
                              std::to_string(limits.max_error_bytes) + " bytes.");
    }
  }

  Outcome out;
  Recorder r(state, now, out);
  CallbackSettings& s = *e->callback;
  if (std::holds_alternative<CallbackHeartbeat>(completion)) {
    // Without a heartbeat timeout there is nothing to extend; accepted all the same.
    if (s.heartbeat_timeout_seconds > 0) {
      s.heartbeat_deadline = protocol::Timestamp{now.ms + s.heartbeat_timeout_seconds * 1000};
      r.AddEffect(StartTimer{TimerKind::kCallbackHeartbeat, e->op.id, *s.heartbeat_deadline});
    }
    AssertInvariants(state, r.changes_from());
    return out;
  }
  CancelCallbackTimers(r, *e);
  e->op.end_timestamp = now;
  if (const auto* success = std::get_if<CallbackSuccess>(&completion)) {
    // An empty body means "no result" (§2.9).
    std::optional<std::string> result = success->result;
    if (result && result->empty()) result.reset();
    e->op.status = OperationStatus::kSucceeded;
    e->op.callback_details->result = result;
    r.OperationEvent(*e, protocol::CallbackSucceededDetails{EventPayloadOf(result)});
  } else {
    const auto& failure = std::get<CallbackFailure>(completion);
    e->op.status = OperationStatus::kFailed;
    e->op.callback_details->error = failure.error;
    r.OperationEvent(*e, protocol::CallbackFailedDetails{EventErrorOf(failure.error)});
  }
  r.ServiceChanged(*e);
  AssertInvariants(state, r.changes_from());
  return out;
}

}  // namespace durafn::engine
