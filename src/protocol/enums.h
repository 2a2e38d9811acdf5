// The enumerations of the durable-execution wire protocol, with their exact wire spellings.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace durafn::protocol {

enum class OperationType { kExecution, kContext, kStep, kWait, kCallback, kChainedInvoke };

enum class OperationStatus {
  kStarted,
  kPending,
  kReady,
  kSucceeded,
  kFailed,
  kCancelled,
  kTimedOut,
  kStopped,
};

enum class OperationAction { kStart, kSucceed, kFail, kRetry, kCancel };

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kStopped };

// What a durable handler returns in its output (not part of the API model).
enum class InvocationStatus { kSucceeded, kFailed, kPending };

enum class InvocationType { kRequestResponse, kEvent, kDryRun };

// History event types. The order is also the order of the alternatives of EventDetails
// (event.h), so an event's type is derived from its details and cannot disagree with them.
enum class EventType {
  kExecutionStarted,
  kExecutionSucceeded,
  kExecutionFailed,
  kExecutionTimedOut,
  kExecutionStopped,
  kContextStarted,
  kContextSucceeded,
  kContextFailed,
  kWaitStarted,
  kWaitSucceeded,
  kWaitCancelled,
  kStepStarted,
  kStepSucceeded,
  kStepFailed,
  kChainedInvokeStarted,
  kChainedInvokeSucceeded,
  kChainedInvokeFailed,
  kChainedInvokeTimedOut,
  kChainedInvokeStopped,
  kCallbackStarted,
  kCallbackSucceeded,
  kCallbackFailed,
  kCallbackTimedOut,
  kInvocationCompleted,
};

// SubType strings the official SDKs use; the service stores them verbatim.
namespace subtype {
inline constexpr std::string_view kStep = "Step";
inline constexpr std::string_view kWait = "Wait";
inline constexpr std::string_view kCallback = "Callback";
inline constexpr std::string_view kWaitForCallback = "WaitForCallback";
inline constexpr std::string_view kRunInChildContext = "RunInChildContext";
inline constexpr std::string_view kMap = "Map";
inline constexpr std::string_view kMapIteration = "MapIteration";
inline constexpr std::string_view kParallel = "Parallel";
inline constexpr std::string_view kParallelBranch = "ParallelBranch";
inline constexpr std::string_view kWaitForCondition = "WaitForCondition";
inline constexpr std::string_view kChainedInvoke = "ChainedInvoke";
}  // namespace subtype

// Wire names of every enumerator, in declaration order; the single source for both
// directions of the mapping.
template <class E>
struct EnumInfo;

#define DURAFN_ENUM_INFO(E, NAME, ...)                                            \
  template <>                                                                     \
  struct EnumInfo<E> {                                                            \
    static constexpr std::string_view kName = NAME;                               \
    static constexpr auto kWire = std::to_array<std::string_view>({__VA_ARGS__}); \
  };

DURAFN_ENUM_INFO(OperationType, "OperationType", "EXECUTION", "CONTEXT", "STEP", "WAIT", "CALLBACK",
                 "CHAINED_INVOKE")
DURAFN_ENUM_INFO(OperationStatus, "OperationStatus", "STARTED", "PENDING", "READY", "SUCCEEDED",
                 "FAILED", "CANCELLED", "TIMED_OUT", "STOPPED")
DURAFN_ENUM_INFO(OperationAction, "OperationAction", "START", "SUCCEED", "FAIL", "RETRY", "CANCEL")
DURAFN_ENUM_INFO(ExecutionStatus, "ExecutionStatus", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
                 "STOPPED")
DURAFN_ENUM_INFO(InvocationStatus, "InvocationStatus", "SUCCEEDED", "FAILED", "PENDING")
DURAFN_ENUM_INFO(InvocationType, "InvocationType", "RequestResponse", "Event", "DryRun")
DURAFN_ENUM_INFO(EventType, "EventType", "ExecutionStarted", "ExecutionSucceeded",
                 "ExecutionFailed", "ExecutionTimedOut", "ExecutionStopped", "ContextStarted",
                 "ContextSucceeded", "ContextFailed", "WaitStarted", "WaitSucceeded",
                 "WaitCancelled", "StepStarted", "StepSucceeded", "StepFailed",
                 "ChainedInvokeStarted", "ChainedInvokeSucceeded", "ChainedInvokeFailed",
                 "ChainedInvokeTimedOut", "ChainedInvokeStopped", "CallbackStarted",
                 "CallbackSucceeded", "CallbackFailed", "CallbackTimedOut", "InvocationCompleted")
#undef DURAFN_ENUM_INFO

// The wire spelling of `value`.
template <class E>
constexpr std::string_view ToString(E value) {
  return EnumInfo<E>::kWire[static_cast<std::size_t>(value)];
}

// The enumerator spelled `wire` (case-sensitive, as on the wire); nullopt if none is.
template <class E>
constexpr std::optional<E> ParseEnum(std::string_view wire) {
  for (std::size_t i = 0; i < EnumInfo<E>::kWire.size(); ++i) {
    if (EnumInfo<E>::kWire[i] == wire) return static_cast<E>(i);
  }
  return std::nullopt;
}

// True for the statuses after which an operation never changes again.
constexpr bool IsTerminal(OperationStatus s) {
  return s == OperationStatus::kSucceeded || s == OperationStatus::kFailed ||
         s == OperationStatus::kCancelled || s == OperationStatus::kTimedOut ||
         s == OperationStatus::kStopped;
}

// True for every status but RUNNING.
constexpr bool IsTerminal(ExecutionStatus s) {
  return s != ExecutionStatus::kRunning;
}

}  // namespace durafn::protocol
