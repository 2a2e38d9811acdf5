#include "engine/transitions.h"

#include <cassert>
#include <initializer_list>

namespace durafn::engine {
namespace {

using protocol::OperationAction;
using protocol::OperationStatus;
using protocol::OperationType;
using protocol::OperationUpdate;
using Current = std::optional<OperationStatus>;

// True when `current` is "absent" and `absent_ok`, or one of `statuses`.
bool In(Current current, bool absent_ok, std::initializer_list<OperationStatus> statuses) {
  if (!current) return absent_ok;
  for (OperationStatus s : statuses) {
    if (*current == s) return true;
  }
  return false;
}

// SUCCEED carries a result and FAIL an error, never the other (PYT2 messages).
std::optional<std::string> CheckOutcomeShape(const OperationUpdate& u) {
  if (u.action == OperationAction::kFail && u.payload) {
    return "Cannot provide a Payload for FAIL action.";
  }
  if (u.action == OperationAction::kSucceed && u.error) {
    return "Cannot provide an Error for SUCCEED action.";
  }
  return std::nullopt;
}

std::optional<std::string> CheckStep(Current current, const OperationUpdate& u) {
  switch (u.action) {
    case OperationAction::kStart:
      if (!In(current, true, {OperationStatus::kReady})) {
        return "Invalid current STEP state to start.";
      }
      return std::nullopt;
    case OperationAction::kSucceed:
    case OperationAction::kFail:
      if (!In(current, true, {OperationStatus::kStarted, OperationStatus::kReady})) {
        return "Invalid current STEP state to close.";
      }
      return CheckOutcomeShape(u);
    case OperationAction::kRetry:
      if (!In(current, true, {OperationStatus::kStarted, OperationStatus::kReady})) {
        return "Invalid current STEP state to re-attempt.";
      }
      if (!u.step_options) return "Invalid StepOptions for the given action.";
      if (u.error && u.payload) return "Cannot provide both error and payload to RETRY a STEP.";
      return std::nullopt;
    case OperationAction::kCancel:
      break;
  }
  assert(false && "IsValidAction filters STEP CANCEL");
  return "Invalid action for the given operation type.";
}

std::optional<std::string> CheckContext(Current current, const OperationUpdate& u) {
  switch (u.action) {
    case OperationAction::kStart:
      if (current) return "Cannot start a CONTEXT that already exist.";
      return std::nullopt;
    case OperationAction::kSucceed:
    case OperationAction::kFail:
      if (!In(current, true, {OperationStatus::kStarted})) {
        return "Invalid current CONTEXT state to close.";
      }
      return CheckOutcomeShape(u);
    default:
      break;
  }
  assert(false && "IsValidAction filters CONTEXT RETRY/CANCEL");
  return "Invalid action for the given operation type.";
}

std::optional<std::string> CheckWait(Current current, const OperationUpdate& u) {
  switch (u.action) {
    case OperationAction::kStart:
      if (current) return "Cannot start a WAIT that already exist.";
      if (!u.wait_options || !u.wait_options->wait_seconds) {
        return "Invalid WaitOptions for the given action.";
      }
      return std::nullopt;
    case OperationAction::kCancel:
      if (!In(current, false, {OperationStatus::kStarted})) {
        return "Cannot cancel a WAIT that does not exist or has already completed.";
      }
      return std::nullopt;
    default:
      break;
  }
  assert(false && "IsValidAction filters WAIT SUCCEED/FAIL/RETRY");
  return "Invalid action for the given operation type.";
}

std::optional<std::string> CheckCallback(Current current, const OperationUpdate& u) {
  switch (u.action) {
    case OperationAction::kStart:
      if (current) return "Cannot start a CALLBACK that already exist.";
      return std::nullopt;
    case OperationAction::kCancel:
      if (!In(current, false, {OperationStatus::kStarted})) {
        return "Cannot cancel a CALLBACK that does not exist or has already completed.";
      }
      return std::nullopt;
    default:
      break;
  }
  assert(false && "IsValidAction filters CALLBACK SUCCEED/FAIL/RETRY");
  return "Invalid action for the given operation type.";
}

std::optional<std::string> CheckChainedInvoke(Current current, const OperationUpdate& u) {
  switch (u.action) {
    case OperationAction::kStart:
      if (current) return "Cannot start a CHAINED_INVOKE that already exist.";
      if (!u.chained_invoke_options || u.chained_invoke_options->function_name.empty()) {
        return "Invalid ChainedInvokeOptions for the given action.";
      }
      return std::nullopt;
    case OperationAction::kCancel:
      if (!In(current, false, {OperationStatus::kStarted})) {
        return "Cannot cancel a CHAINED_INVOKE that does not exist or has already completed.";
      }
      return std::nullopt;
    default:
      break;
  }
  assert(false && "IsValidAction filters CHAINED_INVOKE SUCCEED/FAIL/RETRY");
  return "Invalid action for the given operation type.";
}

}  // namespace

bool IsValidAction(OperationType type, OperationAction action) {
  using A = OperationAction;
  switch (type) {
    case OperationType::kExecution:
      return action == A::kSucceed || action == A::kFail;
    case OperationType::kContext:
      return action == A::kStart || action == A::kSucceed || action == A::kFail;
    case OperationType::kStep:
      return action != A::kCancel;
    case OperationType::kWait:
    case OperationType::kCallback:
    case OperationType::kChainedInvoke:
      return action == A::kStart || action == A::kCancel;
  }
  return false;
}

std::optional<std::string> CheckTransition(Current current, const OperationUpdate& update) {
  assert(IsValidAction(update.type, update.action));
  switch (update.type) {
    case OperationType::kExecution:
      // The EXECUTION update closes the execution; the RUNNING check is the token check.
      return CheckOutcomeShape(update);
    case OperationType::kContext:
      return CheckContext(current, update);
    case OperationType::kStep:
      return CheckStep(current, update);
    case OperationType::kWait:
      return CheckWait(current, update);
    case OperationType::kCallback:
      return CheckCallback(current, update);
    case OperationType::kChainedInvoke:
      return CheckChainedInvoke(current, update);
  }
  return "Unknown operation type.";
}

OperationStatus StatusAfter(const OperationUpdate& update) {
  switch (update.action) {
    case OperationAction::kStart:
      return OperationStatus::kStarted;
    case OperationAction::kSucceed:
      return OperationStatus::kSucceeded;
    case OperationAction::kFail:
      return OperationStatus::kFailed;
    case OperationAction::kRetry:
      return OperationStatus::kPending;
    case OperationAction::kCancel:
      return OperationStatus::kCancelled;
  }
  assert(false);
  return OperationStatus::kStarted;
}

}  // namespace durafn::engine
