// History events (GetDurableExecutionHistory): one record per thing that happened to an
// execution, numbered 1, 2, 3... in append order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "protocol/enums.h"
#include "protocol/error_object.h"
#include "protocol/timestamp.h"

namespace durafn::protocol {

// EventInput and EventResult share one shape.
struct EventPayload {
  std::optional<std::string> payload;
  std::optional<bool> truncated;
  bool operator==(const EventPayload&) const = default;
};
using EventInput = EventPayload;
using EventResult = EventPayload;

struct EventError {
  std::optional<ErrorObject> payload;
  std::optional<bool> truncated;
  bool operator==(const EventError&) const = default;
};

struct RetryDetails {
  std::optional<int64_t> current_attempt;             // the attempt that just finished (1-based)
  std::optional<int64_t> next_attempt_delay_seconds;  // only when another attempt follows
  bool operator==(const RetryDetails&) const = default;
};

// Details shared by several event types are templates over the type, so every event type
// still has a distinct details type (the variant below needs that).
template <EventType T>
struct EmptyDetails {
  static constexpr EventType kType = T;
  bool operator==(const EmptyDetails&) const = default;
};

template <EventType T>
struct ResultDetails {
  static constexpr EventType kType = T;
  EventResult result;
  bool operator==(const ResultDetails&) const = default;
};

template <EventType T>
struct ErrorDetails {
  static constexpr EventType kType = T;
  EventError error;
  bool operator==(const ErrorDetails&) const = default;
};

template <EventType T>
struct OptionalErrorDetails {
  static constexpr EventType kType = T;
  std::optional<EventError> error;
  bool operator==(const OptionalErrorDetails&) const = default;
};

struct ExecutionStartedDetails {
  static constexpr EventType kType = EventType::kExecutionStarted;
  EventInput input;
  std::optional<int64_t> execution_timeout;  // seconds; required by the model, see codec
  bool operator==(const ExecutionStartedDetails&) const = default;
};

struct WaitStartedDetails {
  static constexpr EventType kType = EventType::kWaitStarted;
  int64_t duration = 0;  // seconds
  Timestamp scheduled_end_timestamp;
  bool operator==(const WaitStartedDetails&) const = default;
};

struct WaitSucceededDetails {
  static constexpr EventType kType = EventType::kWaitSucceeded;
  std::optional<int64_t> duration;
  bool operator==(const WaitSucceededDetails&) const = default;
};

struct StepSucceededDetails {
  static constexpr EventType kType = EventType::kStepSucceeded;
  EventResult result;
  RetryDetails retry_details;
  bool operator==(const StepSucceededDetails&) const = default;
};

struct StepFailedDetails {
  static constexpr EventType kType = EventType::kStepFailed;
  EventError error;
  RetryDetails retry_details;
  bool operator==(const StepFailedDetails&) const = default;
};

struct ChainedInvokeStartedDetails {
  static constexpr EventType kType = EventType::kChainedInvokeStarted;
  std::string function_name;
  std::optional<std::string> tenant_id;
  std::optional<EventInput> input;
  std::optional<std::string> executed_version;
  std::optional<std::string> durable_execution_arn;  // the target's execution, if durable
  bool operator==(const ChainedInvokeStartedDetails&) const = default;
};

struct CallbackStartedDetails {
  static constexpr EventType kType = EventType::kCallbackStarted;
  std::string callback_id;
  std::optional<int64_t> heartbeat_timeout;  // seconds, only when > 0
  std::optional<int64_t> timeout;            // seconds, only when > 0
  bool operator==(const CallbackStartedDetails&) const = default;
};

struct InvocationCompletedDetails {
  static constexpr EventType kType = EventType::kInvocationCompleted;
  Timestamp start_timestamp;
  Timestamp end_timestamp;
  std::string request_id;
  std::optional<EventError> error;  // only for a failed invocation
  bool operator==(const InvocationCompletedDetails&) const = default;
};

using ExecutionSucceededDetails = ResultDetails<EventType::kExecutionSucceeded>;
using ExecutionFailedDetails = ErrorDetails<EventType::kExecutionFailed>;
using ExecutionTimedOutDetails = OptionalErrorDetails<EventType::kExecutionTimedOut>;
using ExecutionStoppedDetails = ErrorDetails<EventType::kExecutionStopped>;
using ContextStartedDetails = EmptyDetails<EventType::kContextStarted>;
using ContextSucceededDetails = ResultDetails<EventType::kContextSucceeded>;
using ContextFailedDetails = ErrorDetails<EventType::kContextFailed>;
using WaitCancelledDetails = OptionalErrorDetails<EventType::kWaitCancelled>;
using StepStartedDetails = EmptyDetails<EventType::kStepStarted>;
using ChainedInvokeSucceededDetails = ResultDetails<EventType::kChainedInvokeSucceeded>;
using ChainedInvokeFailedDetails = ErrorDetails<EventType::kChainedInvokeFailed>;
using ChainedInvokeTimedOutDetails = ErrorDetails<EventType::kChainedInvokeTimedOut>;
using ChainedInvokeStoppedDetails = ErrorDetails<EventType::kChainedInvokeStopped>;
using CallbackSucceededDetails = ResultDetails<EventType::kCallbackSucceeded>;
using CallbackFailedDetails = ErrorDetails<EventType::kCallbackFailed>;
using CallbackTimedOutDetails = ErrorDetails<EventType::kCallbackTimedOut>;

// Alternatives in EventType order: details.index() is the event type.
using EventDetails =
    std::variant<ExecutionStartedDetails, ExecutionSucceededDetails, ExecutionFailedDetails,
                 ExecutionTimedOutDetails, ExecutionStoppedDetails, ContextStartedDetails,
                 ContextSucceededDetails, ContextFailedDetails, WaitStartedDetails,
                 WaitSucceededDetails, WaitCancelledDetails, StepStartedDetails,
                 StepSucceededDetails, StepFailedDetails, ChainedInvokeStartedDetails,
                 ChainedInvokeSucceededDetails, ChainedInvokeFailedDetails,
                 ChainedInvokeTimedOutDetails, ChainedInvokeStoppedDetails, CallbackStartedDetails,
                 CallbackSucceededDetails, CallbackFailedDetails, CallbackTimedOutDetails,
                 InvocationCompletedDetails>;

namespace internal {
template <std::size_t... I>
constexpr bool DetailsMatchEventTypes(std::index_sequence<I...>) {
  return ((std::variant_alternative_t<I, EventDetails>::kType == static_cast<EventType>(I)) && ...);
}
}  // namespace internal
static_assert(std::variant_size_v<EventDetails> == EnumInfo<EventType>::kWire.size());
static_assert(
    internal::DetailsMatchEventTypes(std::make_index_sequence<std::variant_size_v<EventDetails>>{}),
    "EventDetails alternatives must follow the order of EventType");

struct Event {
  int64_t event_id = 0;
  Timestamp event_timestamp;
  std::optional<std::string> id;  // operation id; absent for InvocationCompleted
  std::optional<std::string> name;
  std::optional<std::string> parent_id;
  std::optional<std::string> sub_type;
  EventDetails details;

  EventType type() const { return static_cast<EventType>(details.index()); }
  bool operator==(const Event&) const = default;
};

}  // namespace durafn::protocol
