// The operation state machines as one table: every OperationType × OperationAction ×
// current status (absent or each status), accepted or rejected, resulting status and
// events (protocol.md §4.4, §4.5). Current statuses the protocol cannot reach (say, a WAIT
// in READY) are forced into the state directly: the rules must hold for them too.
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "engine_test_util.h"

namespace durafn::engine::testing {
namespace {

using protocol::EventType;
using protocol::OperationAction;
using protocol::OperationStatus;
using protocol::OperationType;
using Current = std::optional<OperationStatus>;

constexpr char kOp[] = "op-1";

const std::vector<OperationType> kTypes = {OperationType::kContext, OperationType::kStep,
                                           OperationType::kWait, OperationType::kCallback,
                                           OperationType::kChainedInvoke};
const std::vector<OperationAction> kActions = {OperationAction::kStart, OperationAction::kSucceed,
                                               OperationAction::kFail, OperationAction::kRetry,
                                               OperationAction::kCancel};
const std::vector<Current> kCurrents = {std::nullopt,
                                        OperationStatus::kStarted,
                                        OperationStatus::kPending,
                                        OperationStatus::kReady,
                                        OperationStatus::kSucceeded,
                                        OperationStatus::kFailed,
                                        OperationStatus::kCancelled,
                                        OperationStatus::kTimedOut,
                                        OperationStatus::kStopped};

// The accepted transitions, written out as in protocol.md §4.5.
struct Accepted {
  OperationType type;
  OperationAction action;
  std::set<Current> from;
  OperationStatus to;
  std::vector<EventType> events;
};
const std::vector<Accepted> kAccepted = {
    {OperationType::kStep,
     OperationAction::kStart,
     {std::nullopt, OperationStatus::kReady},
     OperationStatus::kStarted,
     {EventType::kStepStarted}},
    {OperationType::kStep,
     OperationAction::kSucceed,
     {std::nullopt, OperationStatus::kStarted, OperationStatus::kReady},
     OperationStatus::kSucceeded,
     {EventType::kStepSucceeded}},
    {OperationType::kStep,
     OperationAction::kFail,
     {std::nullopt, OperationStatus::kStarted, OperationStatus::kReady},
     OperationStatus::kFailed,
     {EventType::kStepFailed}},
    {OperationType::kStep,
     OperationAction::kRetry,
     {std::nullopt, OperationStatus::kStarted, OperationStatus::kReady},
     OperationStatus::kPending,
     {EventType::kStepFailed}},
    {OperationType::kContext,
     OperationAction::kStart,
     {std::nullopt},
     OperationStatus::kStarted,
     {EventType::kContextStarted}},
    {OperationType::kContext,
     OperationAction::kSucceed,
     {std::nullopt, OperationStatus::kStarted},
     OperationStatus::kSucceeded,
     {EventType::kContextSucceeded}},
    {OperationType::kContext,
     OperationAction::kFail,
     {std::nullopt, OperationStatus::kStarted},
     OperationStatus::kFailed,
     {EventType::kContextFailed}},
    {OperationType::kWait,
     OperationAction::kStart,
     {std::nullopt},
     OperationStatus::kStarted,
     {EventType::kWaitStarted}},
    {OperationType::kWait,
     OperationAction::kCancel,
     {OperationStatus::kStarted},
     OperationStatus::kCancelled,
     {EventType::kWaitCancelled}},
    {OperationType::kCallback,
     OperationAction::kStart,
     {std::nullopt},
     OperationStatus::kStarted,
     {EventType::kCallbackStarted}},
    {OperationType::kCallback,
     OperationAction::kCancel,
     {OperationStatus::kStarted},
     OperationStatus::kCancelled,
     {}},
    {OperationType::kChainedInvoke,
     OperationAction::kStart,
     {std::nullopt},
     OperationStatus::kStarted,
     {EventType::kChainedInvokeStarted}},
    {OperationType::kChainedInvoke,
     OperationAction::kCancel,
     {OperationStatus::kStarted},
     OperationStatus::kCancelled,
     {}},
};

// The rejection message of a transition that exists for the type but not from `current`.
const std::map<std::pair<OperationType, OperationAction>, std::string> kRejection = {
    {{OperationType::kStep, OperationAction::kStart}, "Invalid current STEP state to start."},
    {{OperationType::kStep, OperationAction::kSucceed}, "Invalid current STEP state to close."},
    {{OperationType::kStep, OperationAction::kFail}, "Invalid current STEP state to close."},
    {{OperationType::kStep, OperationAction::kRetry}, "Invalid current STEP state to re-attempt."},
    {{OperationType::kContext, OperationAction::kStart},
     "Cannot start a CONTEXT that already exist."},
    {{OperationType::kContext, OperationAction::kSucceed},
     "Invalid current CONTEXT state to close."},
    {{OperationType::kContext, OperationAction::kFail}, "Invalid current CONTEXT state to close."},
    {{OperationType::kWait, OperationAction::kStart}, "Cannot start a WAIT that already exist."},
    {{OperationType::kWait, OperationAction::kCancel},
     "Cannot cancel a WAIT that does not exist or has already completed."},
    {{OperationType::kCallback, OperationAction::kStart},
     "Cannot start a CALLBACK that already exist."},
    {{OperationType::kCallback, OperationAction::kCancel},
     "Cannot cancel a CALLBACK that does not exist or has already completed."},
    {{OperationType::kChainedInvoke, OperationAction::kStart},
     "Cannot start a CHAINED_INVOKE that already exist."},
    {{OperationType::kChainedInvoke, OperationAction::kCancel},
     "Cannot cancel a CHAINED_INVOKE that does not exist or has already completed."},
};

// Puts an operation of `type` in `status` into the state, with the details the engine's
// invariants require of that type.
void Force(ExecutionState& state, OperationType type, OperationStatus status) {
  OperationEntry e;
  e.op.id = kOp;
  e.op.type = type;
  e.op.status = status;
  e.op.start_timestamp = T(0);
  if (protocol::IsTerminal(status)) e.op.end_timestamp = T(0.5);
  switch (type) {
    case OperationType::kStep:
      e.op.step_details = protocol::StepDetails{};
      e.op.step_details->attempt = 1;
      if (status == OperationStatus::kPending) e.op.step_details->next_attempt_timestamp = T(900);
      break;
    case OperationType::kWait:
      e.op.wait_details = protocol::WaitDetails{T(900)};
      e.wait_seconds = 900;
      break;
    case OperationType::kCallback:
      e.op.callback_details = protocol::CallbackDetails{"forced-callback-id", {}, {}};
      e.callback = CallbackSettings{};
      break;
    case OperationType::kChainedInvoke:
      e.chained = ChainedInvokeRecord{};
      e.chained->function_name = "target";
      break;
    case OperationType::kContext:
    case OperationType::kExecution:
      break;
  }
  state.ops.Append(std::move(e));
  AssertInvariants(state);
}

// An update of (type, action) with the options and payload/error each action needs.
protocol::OperationUpdate UpdateFor(OperationType type, OperationAction action) {
  auto u = U(kOp, type, action);
  switch (action) {
    case OperationAction::kSucceed:
      u.payload = "\"ok\"";
      break;
    case OperationAction::kFail:
      u.error = Err("Error");
      break;
    case OperationAction::kRetry:
      u.error = Err("Error");
      u.step_options = protocol::StepOptions{10};
      break;
    case OperationAction::kStart:
      if (type == OperationType::kWait) u.wait_options = protocol::WaitOptions{10};
      if (type == OperationType::kCallback) u.callback_options = protocol::CallbackOptions{30, 0};
      if (type == OperationType::kChainedInvoke) {
        u.chained_invoke_options = protocol::ChainedInvokeOptions{"target:1", {}, {}};
        u.payload = "{}";
      }
      break;
    case OperationAction::kCancel:
      break;
  }
  return u;
}

using Case = std::tuple<OperationType, OperationAction, Current>;

class TransitionTable : public ::testing::TestWithParam<Case> {};

TEST_P(TransitionTable, AcceptsExactlyTheSpecifiedTransitions) {
  auto [type, action, current] = GetParam();
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  if (current) Force(h.state, type, *current);
  const ExecutionState before = h.state;
  std::size_t events_before = h.history.size();

  auto result = h.TryCheckpoint({UpdateFor(type, action)}, T(1));

  const Accepted* row = nullptr;
  for (const auto& a : kAccepted) {
    if (a.type == type && a.action == action && a.from.count(current)) row = &a;
  }
  if (row) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(h.Op(kOp).status, row->to);
    std::vector<protocol::Event> events(h.history.begin() + events_before, h.history.end());
    EXPECT_EQ(Types(events), row->events);
    for (const auto& e : events) {
      EXPECT_EQ(e.id, kOp);
      EXPECT_EQ(e.event_id, events.front().event_id + (&e - &events.front()));
    }
    // The response carries the operation with its new status (§5.6).
    const auto& ops = *result->response.new_execution_state.operations;
    ASSERT_EQ(Ids(ops), std::vector<std::string>{kOp});
    EXPECT_EQ(ops[0].status, row->to);
    EXPECT_TRUE(result->response.checkpoint_token.has_value());
    return;
  }
  ASSERT_FALSE(result.ok()) << "accepted a transition the protocol forbids";
  EXPECT_EQ(result.error().code, protocol::ErrorCode::kInvalidParameterValue);
  auto message = kRejection.find({type, action});
  if (message == kRejection.end()) {
    EXPECT_EQ(result.error().message, "Invalid action for the given operation type.");
  } else {
    EXPECT_EQ(result.error().message, message->second);
  }
  EXPECT_EQ(h.state, before) << "a rejected batch must change nothing";
  EXPECT_EQ(h.history.size(), events_before);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  auto [type, action, current] = info.param;
  std::string name = std::string(protocol::ToString(type)) + "_" +
                     std::string(protocol::ToString(action)) + "_from_" +
                     (current ? std::string(protocol::ToString(*current)) : "ABSENT");
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllOperations, TransitionTable,
                         ::testing::Combine(::testing::ValuesIn(kTypes),
                                            ::testing::ValuesIn(kActions),
                                            ::testing::ValuesIn(kCurrents)),
                         CaseName);

// EXECUTION updates name no stored operation: SUCCEED and FAIL close the execution, the
// other actions do not exist for the type.
class ExecutionTransitions : public ::testing::TestWithParam<OperationAction> {};

TEST_P(ExecutionTransitions, CloseTheExecutionOrAreRejected) {
  OperationAction action = GetParam();
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  const ExecutionState before = h.state;
  auto result = h.TryCheckpoint({UpdateFor(OperationType::kExecution, action)}, T(1));
  if (action == OperationAction::kSucceed || action == OperationAction::kFail) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    bool succeed = action == OperationAction::kSucceed;
    EXPECT_EQ(h.state.record.status,
              succeed ? protocol::ExecutionStatus::kSucceeded : protocol::ExecutionStatus::kFailed);
    EXPECT_EQ(h.Op(kExecId).status,
              succeed ? OperationStatus::kSucceeded : OperationStatus::kFailed);
    EXPECT_EQ(h.state.ops.Find(kOp), nullptr) << "the EXECUTION update's id is not stored";
    EXPECT_EQ(Types({h.history.back()}),
              std::vector<EventType>{succeed ? EventType::kExecutionSucceeded
                                             : EventType::kExecutionFailed});
    EXPECT_EQ(h.history.back().id, kExecId);
    EXPECT_FALSE(result->response.checkpoint_token.has_value());
    return;
  }
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "Invalid action for the given operation type.");
  EXPECT_EQ(h.state, before);
}

INSTANTIATE_TEST_SUITE_P(AllActions, ExecutionTransitions, ::testing::ValuesIn(kActions),
                         [](const auto& info) {
                           return std::string(protocol::ToString(info.param));
                         });

// Shape rules that hold regardless of the current status.
TEST(TransitionShapes, OutcomeMembersMustFitTheAction) {
  struct ShapeCase {
    protocol::OperationUpdate update;
    std::string message;
  };
  auto step_succeed_with_error = U(kOp, OperationType::kStep, OperationAction::kSucceed);
  step_succeed_with_error.error = Err("E");
  auto step_fail_with_payload = U(kOp, OperationType::kStep, OperationAction::kFail);
  step_fail_with_payload.payload = "1";
  auto retry_without_options = U(kOp, OperationType::kStep, OperationAction::kRetry);
  auto retry_with_both = upd::StepRetry(kOp, 1, Err("E"), "1");
  auto ctx_fail_with_payload = U(kOp, OperationType::kContext, OperationAction::kFail);
  ctx_fail_with_payload.payload = "1";
  auto exec_succeed_with_error = U(kOp, OperationType::kExecution, OperationAction::kSucceed);
  exec_succeed_with_error.error = Err("E");
  auto exec_fail_with_payload = U(kOp, OperationType::kExecution, OperationAction::kFail);
  exec_fail_with_payload.payload = "1";
  auto wait_without_seconds = U(kOp, OperationType::kWait, OperationAction::kStart);
  auto invoke_without_function = U(kOp, OperationType::kChainedInvoke, OperationAction::kStart);
  std::vector<ShapeCase> cases = {
      {step_succeed_with_error, "Cannot provide an Error for SUCCEED action."},
      {step_fail_with_payload, "Cannot provide a Payload for FAIL action."},
      {retry_without_options, "Invalid StepOptions for the given action."},
      {retry_with_both, "Cannot provide both error and payload to RETRY a STEP."},
      {ctx_fail_with_payload, "Cannot provide a Payload for FAIL action."},
      {exec_succeed_with_error, "Cannot provide an Error for SUCCEED action."},
      {exec_fail_with_payload, "Cannot provide a Payload for FAIL action."},
      {wait_without_seconds, "Invalid WaitOptions for the given action."},
      {invoke_without_function, "Invalid ChainedInvokeOptions for the given action."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    Harness h;
    h.Start(T(0));
    h.Begin(T(0));
    const ExecutionState before = h.state;
    auto result = h.TryCheckpoint({c.update}, T(1));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, c.message);
    EXPECT_EQ(h.state, before);
  }
}

// Mutations check the invariants of what they changed (AssertInvariants with the change
// counter they started from); a full check covers every operation.
TEST(InvariantChecks, ACheckSinceAChangeCoversWhatChangedAndAFullOneEverything) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  ASSERT_TRUE(h.TryCheckpoint({U("a", OperationType::kStep, OperationAction::kStart)}, T(1)).ok());
  const int64_t after_a = h.state.record.change_counter;
  ASSERT_TRUE(h.TryCheckpoint({U("b", OperationType::kStep, OperationAction::kStart)}, T(2)).ok());
  ExecutionState broken_a = h.state;
  broken_a.ops.Find("a")->op.end_timestamp = T(3);  // STARTED with an end: broken
  ExecutionState broken_b = h.state;
  broken_b.ops.Find("b")->op.end_timestamp = T(3);
  AssertInvariants(h.state);
  AssertInvariants(broken_a, after_a);  // "a" did not change since: not looked at
#ifndef NDEBUG
  EXPECT_DEATH(AssertInvariants(broken_a), "IsTerminal");
  EXPECT_DEATH(AssertInvariants(broken_b, after_a), "IsTerminal");
#endif
}

}  // namespace
}  // namespace durafn::engine::testing
