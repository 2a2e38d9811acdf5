// Whole executions reproducing the canonical histories of protocol.md §7.4 (the conformance
// suite's expectations, shared/conformance/requirements/*), with event ids, details and
// effects.
#include "engine/callback_id.h"
#include "engine_test_util.h"

namespace durafn::engine::testing {
namespace {

using protocol::EventType;
using protocol::ExecutionStatus;
using protocol::InvocationStatus;
using protocol::OperationStatus;
using ::testing::ElementsAre;
using ET = protocol::EventType;

// Asserts the history from EventId `first` on has exactly `types`, with consecutive ids.
void ExpectHistory(const Harness& h, std::vector<EventType> types, int64_t first = 2) {
  ASSERT_GE(h.history.size(), 1u);
  EXPECT_EQ(h.history[0].type(), ET::kExecutionStarted);
  for (std::size_t i = 0; i < h.history.size(); ++i) {
    EXPECT_EQ(h.history[i].event_id, static_cast<int64_t>(i) + 1) << "event ids are 1, 2, 3...";
  }
  std::vector<protocol::Event> tail(h.history.begin() + (first - 1), h.history.end());
  EXPECT_EQ(Types(tail), types);
}

const protocol::Event& Ev(const Harness& h, int64_t event_id) {
  return h.history.at(event_id - 1);
}

TEST(Scenario, StartCreatesExecutionOperationAndFirstEvent) {
  Harness h;
  h.Start(T(0), false, 600);
  ASSERT_EQ(h.state.ops.size(), 1u);
  const auto& exec = h.Op(kExecId);
  EXPECT_EQ(exec.type, protocol::OperationType::kExecution);
  EXPECT_EQ(exec.status, OperationStatus::kStarted);
  EXPECT_EQ(exec.execution_details->input_payload, "{\"orderId\":42}");
  ASSERT_EQ(h.history.size(), 1u);
  EXPECT_EQ(h.history[0].event_id, 1);
  EXPECT_EQ(h.history[0].id, kExecId);
  EXPECT_FALSE(h.history[0].name.has_value());
  const auto& d = Details<protocol::ExecutionStartedDetails>(h.history[0]);
  EXPECT_EQ(d.input, P("{\"orderId\":42}"));
  EXPECT_EQ(d.execution_timeout, 600);
  EXPECT_THAT(h.effects,
              ElementsAre(Effect{StartTimer{TimerKind::kExecutionTimeout, kExecId, T(600)}},
                          Effect{QueueInvocation{}}));

  auto env = h.Begin(T(1));
  EXPECT_EQ(env.durable_execution_arn, kArn);
  EXPECT_EQ(Ids(env.initial_execution_state.operations), std::vector<std::string>{kExecId});
  EXPECT_EQ(env.initial_execution_state.next_marker, "");
  EXPECT_EQ(env.updated_operation_ids, std::vector<std::string>{});
}

TEST(Scenario, StartRejectsBadParameters) {
  StartExecutionParams p;
  p.arn = kArn;
  p.name = "other-name";
  p.execution_timeout_seconds = 10;
  auto r = StartExecution(p, T(0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "DurableExecutionName: must equal the execution name in the ARN.");
  p.name = "order-42";
  p.execution_timeout_seconds = 0;
  EXPECT_FALSE(StartExecution(p, T(0)).ok());
  p.execution_timeout_seconds = 10;
  p.input = std::string(1'048'577, 'x');
  EXPECT_FALSE(StartExecution(p, T(0)).ok());
  p.sync = true;
  EXPECT_TRUE(StartExecution(p, T(0)).ok());
  p.arn = "not-an-arn";
  EXPECT_FALSE(StartExecution(p, T(0)).ok());
}

// step/1-1.yaml
TEST(Scenario, StepBasic) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  auto r1 = h.Checkpoint({upd::StepStart("s1")}, T(1));
  const auto& started = r1.response.new_execution_state.operations->at(0);
  EXPECT_EQ(started.status, OperationStatus::kStarted);
  EXPECT_EQ(started.step_details->attempt, 0);
  h.Checkpoint({upd::StepSucceed("s1", "\"ok\"")}, T(2));
  h.effects.clear();
  h.Complete(Succeeded("\"ok\""), T(3));
  ExpectHistory(
      h, {ET::kStepStarted, ET::kStepSucceeded, ET::kInvocationCompleted, ET::kExecutionSucceeded});
  EXPECT_EQ(Ev(h, 2).sub_type, "Step");
  EXPECT_EQ(Ev(h, 2).id, "s1");
  const auto& ok = Details<protocol::StepSucceededDetails>(Ev(h, 3));
  EXPECT_EQ(ok.result, P("\"ok\""));
  EXPECT_EQ(ok.retry_details, (protocol::RetryDetails{1, std::nullopt}));
  const auto& ic = Details<protocol::InvocationCompletedDetails>(Ev(h, 4));
  EXPECT_FALSE(Ev(h, 4).id.has_value());
  EXPECT_EQ(ic.request_id, "req-1");
  EXPECT_EQ(ic.start_timestamp, T(0));
  EXPECT_EQ(ic.end_timestamp, T(3));
  EXPECT_FALSE(ic.error.has_value());
  EXPECT_EQ(Details<protocol::ExecutionSucceededDetails>(Ev(h, 5)).result, P("\"ok\""));
  EXPECT_EQ(Ev(h, 5).id, kExecId);
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.state.record.result, "\"ok\"");
  EXPECT_EQ(h.state.record.end_timestamp, T(3));
  EXPECT_THAT(h.effects, ElementsAre(Effect{CancelTimer{TimerKind::kExecutionTimeout, kExecId}},
                                     Effect{ExecutionClosed{ExecutionStatus::kSucceeded}}));
}

// step/1-8.yaml: a wait suspends the invocation; its timer re-invokes.
TEST(Scenario, StepThenWait) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::StepStart("s1"), upd::StepSucceed("s1", "1")}, T(1));
  h.effects.clear();
  auto r = h.Checkpoint({upd::WaitStart("w1", 2)}, T(1));
  EXPECT_EQ(r.response.new_execution_state.operations->at(0).wait_details->scheduled_end_timestamp,
            T(3));
  EXPECT_THAT(h.effects, ElementsAre(Effect{StartTimer{TimerKind::kWaitEnd, "w1", T(3)}}));
  auto done = h.Complete(Pending(), T(1.5));
  EXPECT_TRUE(done.effects.empty()) << "nothing to do until the timer fires";
  auto fired = h.Fire(TimerKind::kWaitEnd, "w1", T(3));
  EXPECT_THAT(fired.effects, ElementsAre(Effect{QueueInvocation{}}));
  auto env = h.Begin(T(3.1));
  EXPECT_EQ(env.updated_operation_ids, std::vector<std::string>{"w1"});
  EXPECT_EQ(Ids(env.initial_execution_state.operations),
            (std::vector<std::string>{kExecId, "s1", "w1"}));
  EXPECT_EQ(env.initial_execution_state.operations[2].status, OperationStatus::kSucceeded);
  h.Complete(Succeeded(std::nullopt), T(4));
  ExpectHistory(h,
                {ET::kStepStarted, ET::kStepSucceeded, ET::kWaitStarted, ET::kInvocationCompleted,
                 ET::kWaitSucceeded, ET::kInvocationCompleted, ET::kExecutionSucceeded});
  const auto& ws = Details<protocol::WaitStartedDetails>(Ev(h, 4));
  EXPECT_EQ(ws.duration, 2);
  EXPECT_EQ(ws.scheduled_end_timestamp, T(3));
  EXPECT_EQ(Details<protocol::WaitSucceededDetails>(Ev(h, 6)).duration, 2);
  EXPECT_EQ(Ev(h, 6).sub_type, "Wait");
  EXPECT_EQ(Details<protocol::ExecutionSucceededDetails>(Ev(h, 8)).result,
            protocol::EventPayload{});
}

// step/1-11.yaml: CurrentAttempt 1 with a delay, then 2 on success.
TEST(Scenario, StepRetryCountsAttempts) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::StepStart("s1")}, T(1));
  h.effects.clear();
  auto r = h.Checkpoint({upd::StepRetry("s1", 3, Err("Error", "flaky"))}, T(1));
  const auto& pending = r.response.new_execution_state.operations->at(0);
  EXPECT_EQ(pending.status, OperationStatus::kPending);
  EXPECT_EQ(pending.step_details->attempt, 1);
  EXPECT_EQ(pending.step_details->next_attempt_timestamp, T(4));
  EXPECT_EQ(pending.step_details->error, Err("Error", "flaky"));
  EXPECT_THAT(h.effects, ElementsAre(Effect{StartTimer{TimerKind::kStepRetry, "s1", T(4)}}));
  h.Complete(Pending(), T(2));
  // A timer fired early (clock skew) is ignored; the real one makes the step READY.
  EXPECT_TRUE(h.Fire(TimerKind::kStepRetry, "s1", T(3.9)).effects.empty());
  auto ready = h.Fire(TimerKind::kStepRetry, "s1", T(4));
  EXPECT_TRUE(ready.events.empty()) << "PENDING -> READY has no event";
  EXPECT_THAT(ready.effects, ElementsAre(Effect{QueueInvocation{}}));
  auto env = h.Begin(T(4));
  const auto& step = env.initial_execution_state.operations.at(1);
  EXPECT_EQ(step.status, OperationStatus::kReady);
  EXPECT_EQ(step.step_details->attempt, 1);
  EXPECT_FALSE(step.step_details->next_attempt_timestamp.has_value());
  h.Checkpoint({upd::StepStart("s1")}, T(5));
  h.Checkpoint({upd::StepSucceed("s1", "\"Operation succeeded\"")}, T(5));
  EXPECT_EQ(h.Op("s1").start_timestamp, T(1)) << "StartTimestamp is kept from creation";
  h.Complete(Succeeded("\"Operation succeeded\""), T(6));
  ExpectHistory(h, {ET::kStepStarted, ET::kStepFailed, ET::kInvocationCompleted, ET::kStepStarted,
                    ET::kStepSucceeded, ET::kInvocationCompleted, ET::kExecutionSucceeded});
  const auto& failed = Details<protocol::StepFailedDetails>(Ev(h, 3));
  EXPECT_EQ(failed.error, E(Err("Error", "flaky")));
  EXPECT_EQ(failed.retry_details, (protocol::RetryDetails{1, 3}));
  EXPECT_EQ(Details<protocol::StepSucceededDetails>(Ev(h, 6)).retry_details,
            (protocol::RetryDetails{2, std::nullopt}));
}

// child/3-1.yaml, plus envelope pruning of a closed context's children (§3.2 rule 4).
TEST(Scenario, ChildContextAndPruning) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  auto child = upd::StepStart("c-1");
  child.parent_id = "c";
  auto child_ok = upd::StepSucceed("c-1", "\"x\"");
  child_ok.parent_id = "c";
  auto kept = upd::StepStart("k-1");
  kept.parent_id = "k";
  h.Checkpoint({upd::ContextStart("c", "RunInChildContext"), child, child_ok,
                upd::ContextSucceed("c", "\"x\"", "RunInChildContext")},
               T(1));
  auto replay = upd::ContextSucceed("k", std::nullopt, "Map");
  replay.context_options = protocol::ContextOptions{true};
  h.Checkpoint({upd::ContextStart("k", "Map"), kept, replay, upd::WaitStart("w", 1)}, T(1));
  h.Complete(Pending(), T(1));
  ExpectHistory(h, {ET::kContextStarted, ET::kStepStarted, ET::kStepSucceeded,
                    ET::kContextSucceeded, ET::kContextStarted, ET::kStepStarted,
                    ET::kContextSucceeded, ET::kWaitStarted, ET::kInvocationCompleted});
  EXPECT_EQ(Ev(h, 2).sub_type, "RunInChildContext");
  EXPECT_EQ(Ev(h, 3).parent_id, "c");
  EXPECT_EQ(Details<protocol::StepSucceededDetails>(Ev(h, 4)).result, P("\"x\""));
  EXPECT_EQ(Details<protocol::ContextSucceededDetails>(Ev(h, 5)).result, P("\"x\""));
  EXPECT_EQ(Details<protocol::ContextSucceededDetails>(Ev(h, 8)).result, protocol::EventPayload{});
  EXPECT_EQ(h.Op("k").context_details->replay_children, true);

  h.Fire(TimerKind::kWaitEnd, "w", T(2));
  auto env = h.Begin(T(2));
  // c-1 is pruned (c closed without ReplayChildren); k-1 is kept (ReplayChildren).
  EXPECT_EQ(Ids(env.initial_execution_state.operations),
            (std::vector<std::string>{kExecId, "c", "k", "k-1", "w"}));
}

// callback/4-1.yaml
TEST(Scenario, CallbackSuccess) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  auto start = upd::CallbackStart("cb");
  start.name = "approve";
  auto r = h.Checkpoint({start}, T(1));
  const auto& op = r.response.new_execution_state.operations->at(0);
  ASSERT_TRUE(op.callback_details && op.callback_details->callback_id);
  std::string id = *op.callback_details->callback_id;
  EXPECT_EQ(h.CallbackIdOf("cb"), id);
  h.Complete(Pending(), T(2));
  h.effects.clear();
  auto done = h.Callback(id, CallbackSuccess{"\"yes\""}, T(5));
  EXPECT_THAT(done.effects, ElementsAre(Effect{QueueInvocation{}}));
  auto env = h.Begin(T(5));
  EXPECT_EQ(env.updated_operation_ids, std::vector<std::string>{"cb"});
  EXPECT_EQ(env.initial_execution_state.operations[1].callback_details->result, "\"yes\"");
  h.Complete(Succeeded("\"yes\""), T(6));
  ExpectHistory(h, {ET::kCallbackStarted, ET::kInvocationCompleted, ET::kCallbackSucceeded,
                    ET::kInvocationCompleted, ET::kExecutionSucceeded});
  EXPECT_EQ(Ev(h, 2).name, "approve");
  EXPECT_EQ(Ev(h, 2).sub_type, "Callback");
  const auto& cs = Details<protocol::CallbackStartedDetails>(Ev(h, 2));
  EXPECT_EQ(cs.callback_id, id);
  EXPECT_FALSE(cs.timeout.has_value());
  EXPECT_FALSE(cs.heartbeat_timeout.has_value());
  EXPECT_EQ(Details<protocol::CallbackSucceededDetails>(Ev(h, 4)).result, P("\"yes\""));
  EXPECT_EQ(Ev(h, 4).name, "approve");

  // A second completion is refused; so is any once the execution closed.
  auto again = CompleteCallback(h.state, id, CallbackSuccess{"1"}, T(7));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, protocol::ErrorCode::kInvalidParameterValue);
}

TEST(Scenario, CallbackCompletionErrors) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::CallbackStart("cb"), upd::CallbackStart("cb2")}, T(1));
  std::string id = h.CallbackIdOf("cb");
  const ExecutionState before = h.state;
  auto malformed = CompleteCallback(h.state, "%%%", CallbackHeartbeat{}, T(2));
  EXPECT_EQ(malformed.error().code, protocol::ErrorCode::kInvalidParameterValue);
  auto forged = CompleteCallback(h.state, FormatCallbackId({kArn, "cb", "guessed"}),
                                 CallbackHeartbeat{}, T(2));
  EXPECT_EQ(forged.error().code, protocol::ErrorCode::kResourceNotFound);
  auto foreign = CompleteCallback(h.state, FormatCallbackId({"arn:other", "cb", "nonce1"}),
                                  CallbackHeartbeat{}, T(2));
  EXPECT_EQ(foreign.error().code, protocol::ErrorCode::kResourceNotFound);
  auto big = CompleteCallback(h.state, id, CallbackSuccess{std::string(1'048'577, 'x')}, T(2));
  EXPECT_EQ(big.error().code, protocol::ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(h.state, before);
  // Failure, and an empty success body meaning "no result".
  h.Callback(id, CallbackFailure{Err("Rejected", "no")}, T(3));
  h.Callback(h.CallbackIdOf("cb2"), CallbackSuccess{""}, T(3));
  EXPECT_EQ(h.Op("cb").status, OperationStatus::kFailed);
  EXPECT_EQ(h.Op("cb").callback_details->error, Err("Rejected", "no"));
  EXPECT_FALSE(h.Op("cb2").callback_details->result.has_value());
  EXPECT_EQ(Details<protocol::CallbackFailedDetails>(h.history.at(h.history.size() - 2)).error,
            E(Err("Rejected", "no")));
  EXPECT_EQ(Details<protocol::CallbackSucceededDetails>(h.history.back()).result,
            protocol::EventPayload{});
  // Both completions arrived during the invocation: re-invoke when it ends.
  EXPECT_TRUE(h.state.record.pending_service_changes);
  auto end = h.Complete(Pending(), T(4));
  EXPECT_THAT(end.effects, ElementsAre(Effect{QueueInvocation{}}));
}

// callback/4-3.yaml
TEST(Scenario, CallbackTimeout) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.effects.clear();
  h.Checkpoint({upd::CallbackStart("cb", 5)}, T(1));
  EXPECT_THAT(h.effects, ElementsAre(Effect{StartTimer{TimerKind::kCallbackTimeout, "cb", T(6)}}));
  h.Complete(Pending(), T(2));
  h.Fire(TimerKind::kCallbackTimeout, "cb", T(6));
  std::string id = h.CallbackIdOf("cb");
  auto late = CompleteCallback(h.state, id, CallbackSuccess{"1"}, T(7));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, protocol::ErrorCode::kCallbackTimeout);
  h.Begin(T(7));
  h.Complete(Output(InvocationStatus::kFailed, std::nullopt, Err("CallbackError", "timed out")),
             T(8));
  ExpectHistory(h, {ET::kCallbackStarted, ET::kInvocationCompleted, ET::kCallbackTimedOut,
                    ET::kInvocationCompleted, ET::kExecutionFailed});
  EXPECT_EQ(Details<protocol::CallbackStartedDetails>(Ev(h, 2)).timeout, 5);
  const auto& to = Details<protocol::CallbackTimedOutDetails>(Ev(h, 4));
  EXPECT_EQ(to.error.payload->error_type, "Callback.Timeout");
  EXPECT_EQ(h.Op("cb").status, OperationStatus::kTimedOut);
  EXPECT_EQ(Details<protocol::ExecutionFailedDetails>(Ev(h, 6)).error,
            E(Err("CallbackError", "timed out")));
}

// callback/4-4.yaml: the heartbeat clock starts at START; heartbeats push it back.
TEST(Scenario, CallbackHeartbeatTimeout) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::CallbackStart("cb", 0, 5)}, T(1));
  EXPECT_EQ(Details<protocol::CallbackStartedDetails>(h.history.back()).heartbeat_timeout, 5);
  h.Complete(Pending(), T(2));
  std::string id = h.CallbackIdOf("cb");
  auto beat = h.Callback(id, CallbackHeartbeat{}, T(4));
  EXPECT_TRUE(beat.events.empty());
  EXPECT_THAT(beat.effects,
              ElementsAre(Effect{StartTimer{TimerKind::kCallbackHeartbeat, "cb", T(9)}}));
  // The timer armed for the old deadline is stale.
  EXPECT_TRUE(h.Fire(TimerKind::kCallbackHeartbeat, "cb", T(6)).events.empty());
  auto fired = h.Fire(TimerKind::kCallbackHeartbeat, "cb", T(9));
  ASSERT_EQ(fired.events.size(), 1u);
  EXPECT_EQ(Details<protocol::CallbackTimedOutDetails>(fired.events[0]).error.payload->error_type,
            "Callback.Heartbeat");
  EXPECT_THAT(fired.effects, ElementsAre(Effect{QueueInvocation{}}));
  ExpectHistory(h, {ET::kCallbackStarted, ET::kInvocationCompleted, ET::kCallbackTimedOut});
}

// wait_for_callback/7-1.yaml
TEST(Scenario, WaitForCallback) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  auto ctx = upd::ContextStart("wfc", "WaitForCallback");
  ctx.name = "approval";
  auto cb = upd::CallbackStart("wfc-1");
  cb.parent_id = "wfc";
  auto submit = upd::StepStart("wfc-2");
  submit.parent_id = "wfc";
  auto submitted = upd::StepSucceed("wfc-2", "null");
  submitted.parent_id = "wfc";
  h.Checkpoint({ctx, cb}, T(1));
  h.Checkpoint({submit}, T(1));
  h.Checkpoint({submitted}, T(1));
  h.Complete(Pending(), T(2));
  h.Callback(h.CallbackIdOf("wfc-1"), CallbackSuccess{"\"approved\""}, T(10));
  h.Begin(T(10));
  h.Checkpoint({upd::ContextSucceed("wfc", "\"approved\"", "WaitForCallback")}, T(11));
  h.Complete(Succeeded("\"approved\""), T(11));
  ExpectHistory(h, {ET::kContextStarted, ET::kCallbackStarted, ET::kStepStarted, ET::kStepSucceeded,
                    ET::kInvocationCompleted, ET::kCallbackSucceeded, ET::kContextSucceeded,
                    ET::kInvocationCompleted, ET::kExecutionSucceeded});
  EXPECT_EQ(Ev(h, 2).name, "approval");
  EXPECT_EQ(Ev(h, 3).parent_id, "wfc");
  EXPECT_FALSE(Ev(h, 3).name.has_value());
  EXPECT_EQ(Ev(h, 7).parent_id, "wfc");
  EXPECT_EQ(Ev(h, 8).sub_type, "WaitForCallback");
}

// callback/4-9.yaml: every service-side completion re-invokes, even while the handler
// still waits for something else.
TEST(Scenario, CallbackDuringWaitReinvokesWhileStillBlocked) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::CallbackStart("cb"), upd::WaitStart("w", 5)}, T(0));
  h.Complete(Pending(), T(0.5));
  auto done = h.Callback(h.CallbackIdOf("cb"), CallbackSuccess{"\"p\""}, T(1));
  EXPECT_THAT(done.effects, ElementsAre(Effect{QueueInvocation{}}));
  h.Begin(T(1));
  auto still = h.Complete(Pending(), T(1.5));
  EXPECT_TRUE(still.effects.empty()) << "the wait is pending: PENDING is valid, no re-invoke";
  h.Fire(TimerKind::kWaitEnd, "w", T(5));
  h.Begin(T(5));
  h.Complete(Succeeded("\"p\""), T(5.5));
  ExpectHistory(h, {ET::kCallbackStarted, ET::kWaitStarted, ET::kInvocationCompleted,
                    ET::kCallbackSucceeded, ET::kInvocationCompleted, ET::kWaitSucceeded,
                    ET::kInvocationCompleted, ET::kExecutionSucceeded});
  EXPECT_EQ(Details<protocol::WaitStartedDetails>(Ev(h, 3)).duration, 5);
  EXPECT_EQ(Details<protocol::CallbackSucceededDetails>(Ev(h, 5)).result, P("\"p\""));
}

// invoke/5-1.yaml, with the target's identity recorded after it started.
TEST(Scenario, ChainedInvoke) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.effects.clear();
  h.Checkpoint({upd::InvokeStart("i", "echo:1", "\"in\"")}, T(1));
  EXPECT_THAT(h.effects, ElementsAre(Effect{StartChainedInvoke{"i", "echo:1", "\"in\"", {}}}));
  const auto& started = Details<protocol::ChainedInvokeStartedDetails>(Ev(h, 2));
  EXPECT_EQ(started.function_name, "echo:1");
  EXPECT_EQ(started.input, P("\"in\""));
  EXPECT_FALSE(started.executed_version.has_value());
  EXPECT_EQ(PendingEffects(h.state).size(), 2u) << "timeout timer + the unrecorded target";

  auto amended = RecordChainedInvokeTarget(h.state, "i", "1", "arn:child-execution");
  ASSERT_TRUE(amended.ok());
  EXPECT_EQ(amended->event_id, 2);
  EXPECT_EQ(amended->event_timestamp, Ev(h, 2).event_timestamp);
  const auto& filled = Details<protocol::ChainedInvokeStartedDetails>(*amended);
  EXPECT_EQ(filled.executed_version, "1");
  EXPECT_EQ(filled.durable_execution_arn, "arn:child-execution");
  EXPECT_EQ(filled.input, P("\"in\""));
  EXPECT_EQ(PendingEffects(h.state).size(), 1u);

  h.Complete(Pending(), T(2));
  auto done = CompleteChainedInvoke(h.state, "i",
                                    {OperationStatus::kSucceeded, "\"in\"", std::nullopt}, T(3));
  ASSERT_TRUE(done.ok());
  h.Take(*done);
  EXPECT_THAT(done->effects, ElementsAre(Effect{QueueInvocation{}}));
  h.Begin(T(3));
  h.Complete(Succeeded("\"in\""), T(4));
  ExpectHistory(h,
                {ET::kChainedInvokeStarted, ET::kInvocationCompleted, ET::kChainedInvokeSucceeded,
                 ET::kInvocationCompleted, ET::kExecutionSucceeded});
  EXPECT_EQ(Details<protocol::ChainedInvokeSucceededDetails>(Ev(h, 4)).result, P("\"in\""));
  EXPECT_EQ(h.Op("i").chained_invoke_details->result, "\"in\"");
}

TEST(Scenario, ChainedInvokeOutcomesAndCancel) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::InvokeStart("a", "f", "1"), upd::InvokeStart("b", "f", "1"),
                upd::InvokeStart("c", "f", "1"), upd::InvokeStart("d", "f", "1")},
               T(1));
  h.effects.clear();
  auto cancel = U("d", protocol::OperationType::kChainedInvoke, protocol::OperationAction::kCancel);
  std::size_t events = h.history.size();
  h.Checkpoint({cancel}, T(1));
  EXPECT_EQ(h.history.size(), events) << "CANCEL has no event";
  EXPECT_THAT(h.effects, ElementsAre(Effect{StopChainedInvoke{"d"}}));
  EXPECT_EQ(h.Op("d").status, OperationStatus::kCancelled);
  struct Case {
    std::string id;
    OperationStatus status;
    EventType event;
  };
  for (const Case& c : {Case{"a", OperationStatus::kFailed, ET::kChainedInvokeFailed},
                        Case{"b", OperationStatus::kTimedOut, ET::kChainedInvokeTimedOut},
                        Case{"c", OperationStatus::kStopped, ET::kChainedInvokeStopped}}) {
    auto out = CompleteChainedInvoke(h.state, c.id, {c.status, std::nullopt, Err("E")}, T(2));
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(out->events.size(), 1u);
    EXPECT_EQ(out->events[0].type(), c.event);
    EXPECT_EQ(h.Op(c.id).status, c.status);
    EXPECT_EQ(h.Op(c.id).chained_invoke_details->error, Err("E"));
  }
  // The cancelled target finishing later changes nothing.
  auto late = CompleteChainedInvoke(h.state, "d", {OperationStatus::kSucceeded, "1", {}}, T(3));
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->events.empty());
  EXPECT_FALSE(CompleteChainedInvoke(h.state, "zz", {}, T(3)).ok());
  EXPECT_FALSE(CompleteChainedInvoke(h.state, "a", {OperationStatus::kReady, {}, {}}, T(3)).ok());
}

// wait_for_condition/6-1.yaml: RETRY without an error is a StepSucceeded.
TEST(Scenario, WaitForConditionRetryWithoutErrorIsASuccess) {
  Harness h;
  h.Start(T(0));
  double t = 0;
  for (int round = 1; round <= 3; ++round) {
    h.Begin(T(t));
    h.Checkpoint({upd::StepStart("wc", "WaitForCondition")}, T(t));
    std::string state = std::to_string(round);
    if (round < 3) {
      h.Checkpoint({upd::StepRetry("wc", 1, std::nullopt, state, "WaitForCondition")}, T(t));
      h.Complete(Pending(), T(t));
      t += 1;
      h.Fire(TimerKind::kStepRetry, "wc", T(t));
    } else {
      h.Checkpoint({upd::StepSucceed("wc", state, "WaitForCondition")}, T(t));
      h.Complete(Succeeded(state), T(t));
    }
  }
  ExpectHistory(h,
                {ET::kStepStarted, ET::kStepSucceeded, ET::kInvocationCompleted, ET::kStepStarted,
                 ET::kStepSucceeded, ET::kInvocationCompleted, ET::kStepStarted, ET::kStepSucceeded,
                 ET::kInvocationCompleted, ET::kExecutionSucceeded});
  const auto& first = Details<protocol::StepSucceededDetails>(Ev(h, 3));
  EXPECT_EQ(first.result, P("1"));
  EXPECT_EQ(first.retry_details, (protocol::RetryDetails{1, 1}));
  EXPECT_EQ(Details<protocol::StepSucceededDetails>(Ev(h, 6)).retry_details,
            (protocol::RetryDetails{2, 1}));
  const auto& last = Details<protocol::StepSucceededDetails>(Ev(h, 9));
  EXPECT_EQ(last.result, P("3"));
  EXPECT_EQ(last.retry_details, (protocol::RetryDetails{3, std::nullopt}));
  EXPECT_EQ(Ev(h, 2).sub_type, "WaitForCondition");
  EXPECT_EQ(Details<protocol::ExecutionSucceededDetails>(Ev(h, 11)).result, P("3"));
}

TEST(Scenario, HandlerFailed) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Complete(Output(InvocationStatus::kFailed, std::nullopt, Err("TypeError", "bad input")), T(1));
  ExpectHistory(h, {ET::kInvocationCompleted, ET::kExecutionFailed});
  EXPECT_FALSE(Details<protocol::InvocationCompletedDetails>(Ev(h, 2)).error.has_value());
  EXPECT_EQ(Details<protocol::ExecutionFailedDetails>(Ev(h, 3)).error,
            E(Err("TypeError", "bad input")));
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kFailed);
  EXPECT_EQ(h.state.record.error, Err("TypeError", "bad input"));
  EXPECT_EQ(h.Op(kExecId).status, OperationStatus::kFailed);
}

TEST(Scenario, FailedWithoutErrorStillFails) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Complete(Output(InvocationStatus::kFailed), T(1));
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kFailed);
  EXPECT_EQ(Details<protocol::ExecutionFailedDetails>(h.history.back()).error,
            E(protocol::ErrorObject{}));
}

// step/1-17.yaml: a crash is an InvocationCompleted with Error, then a new invocation.
TEST(Scenario, CrashThenReinvoke) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  std::string old_token = h.token;
  auto at_most_once = upd::StepStart("s1");
  at_most_once.name = "at_most_once_flaky_step";
  h.Checkpoint({at_most_once}, T(1));
  h.effects.clear();
  h.Complete(InvocationFailure{Err("Runtime.ExitError", "exit status 1")}, T(2));
  EXPECT_THAT(h.effects,
              ElementsAre(Effect{StartTimer{TimerKind::kInvocationRetry, kExecId, T(7)}}));
  EXPECT_EQ(h.state.record.consecutive_failed_invocations, 1);
  EXPECT_TRUE(h.Fire(TimerKind::kInvocationRetry, kExecId, T(6)).effects.empty());
  EXPECT_THAT(h.Fire(TimerKind::kInvocationRetry, kExecId, T(7)).effects,
              ElementsAre(Effect{QueueInvocation{}}));
  h.Begin(T(7));
  EXPECT_FALSE(h.TryCheckpoint({}, T(7), std::nullopt, old_token).ok());
  auto fail = upd::StepFail("s1", Err("StepInterruptedError", "interrupted"));
  h.Checkpoint({fail}, T(8));
  h.Complete(Output(InvocationStatus::kFailed, std::nullopt, Err("StepError", "interrupted")),
             T(9));
  ExpectHistory(h, {ET::kStepStarted, ET::kInvocationCompleted, ET::kStepFailed,
                    ET::kInvocationCompleted, ET::kExecutionFailed});
  const auto& crashed = Details<protocol::InvocationCompletedDetails>(Ev(h, 3));
  EXPECT_EQ(crashed.error, E(Err("Runtime.ExitError", "exit status 1")));
  EXPECT_EQ(Ev(h, 4).name, "at_most_once_flaky_step");
  EXPECT_EQ(Details<protocol::StepFailedDetails>(Ev(h, 4)).retry_details,
            (protocol::RetryDetails{1, std::nullopt}));
}

TEST(Scenario, RetryBudgetExhaustedFailsTheExecution) {
  Harness h;
  h.Start(T(0));
  double t = 0;
  for (int i = 1; i <= 5; ++i) {
    h.Begin(T(t));
    h.Complete(InvocationFailure{Err("Sandbox.Timedout", "attempt " + std::to_string(i))}, T(t));
    if (i < 5) {
      t += 5;
      h.Fire(TimerKind::kInvocationRetry, kExecId, T(t));
    }
  }
  ExpectHistory(h, {ET::kInvocationCompleted, ET::kInvocationCompleted, ET::kInvocationCompleted,
                    ET::kInvocationCompleted, ET::kInvocationCompleted, ET::kExecutionFailed});
  EXPECT_EQ(Details<protocol::ExecutionFailedDetails>(h.history.back()).error,
            E(Err("Sandbox.Timedout", "attempt 5")));
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kFailed);
  EXPECT_EQ(std::get<ExecutionClosed>(h.effects.back()).status, ExecutionStatus::kFailed);
}

TEST(Scenario, SuccessfulInvocationResetsTheRetryBudget) {
  Harness h;
  h.Start(T(0));
  double t = 0;
  auto crash_four_times = [&] {
    for (int i = 0; i < 4; ++i) {
      h.Begin(T(t));
      h.Complete(InvocationFailure{Err("Runtime.ExitError")}, T(t));
      t += 5;
      h.Fire(TimerKind::kInvocationRetry, kExecId, T(t));
    }
  };
  crash_four_times();
  h.Begin(T(t));
  h.Checkpoint({upd::WaitStart("w", 1)}, T(t));
  h.Complete(Pending(), T(t));
  EXPECT_EQ(h.state.record.consecutive_failed_invocations, 0);
  t += 1;
  h.Fire(TimerKind::kWaitEnd, "w", T(t));
  crash_four_times();
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kRunning);
}

TEST(Scenario, InvalidOutputsAreFailedInvocations) {
  struct Case {
    protocol::InvocationOutput output;
    std::string message;
  };
  std::vector<Case> cases = {
      {Output(InvocationStatus::kSucceeded, "1", Err("E")),
       "Cannot provide an Error for SUCCEEDED status."},
      {Output(InvocationStatus::kFailed, "1"), "Cannot provide a Result for FAILED status."},
      {Pending(), "Cannot return PENDING status with no pending operations."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    Harness h;
    h.Start(T(0));
    h.Begin(T(0));
    h.effects.clear();
    h.Complete(c.output, T(1));
    ASSERT_EQ(h.history.size(), 2u);
    const auto& ic = Details<protocol::InvocationCompletedDetails>(h.history.back());
    ASSERT_TRUE(ic.error.has_value());
    EXPECT_EQ(ic.error->payload->error_type, "InvalidParameterValueException");
    EXPECT_EQ(ic.error->payload->error_message, c.message);
    EXPECT_EQ(h.state.record.status, ExecutionStatus::kRunning);
    EXPECT_EQ(h.state.record.phase, InvocationPhase::kRetryBackoff);
  }
}

TEST(Scenario, StaleRequestIdIsRejected) {
  Harness h;
  h.Start(T(0));
  EXPECT_FALSE(CompleteInvocation(h.state, "req-1", Pending(), T(0)).ok()) << "none running";
  h.Begin(T(0));
  auto wrong = CompleteInvocation(h.state, "req-0", Pending(), T(0));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, protocol::ErrorCode::kResourceConflict);
  auto twice = BeginInvocation(h.state, "req-2", T(0));
  ASSERT_FALSE(twice.ok()) << "one invocation at a time";
  EXPECT_EQ(twice.error().code, protocol::ErrorCode::kResourceConflict);
}

// §6.5
TEST(Scenario, StopWhileAnInvocationRuns) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::WaitStart("w", 100), upd::CallbackStart("cb", 50)}, T(1));
  h.effects.clear();
  auto stopped = Stop(h.state, Err("Cancelled", "operator request"), T(2));
  ASSERT_TRUE(stopped.ok());
  h.Take(stopped->outcome);
  EXPECT_EQ(stopped->stop_timestamp, T(2));
  EXPECT_THAT(h.effects, ElementsAre(Effect{CancelTimer{TimerKind::kExecutionTimeout, kExecId}},
                                     Effect{CancelTimer{TimerKind::kWaitEnd, "w"}},
                                     Effect{CancelTimer{TimerKind::kCallbackTimeout, "cb"}},
                                     Effect{ExecutionClosed{ExecutionStatus::kStopped}}));
  EXPECT_EQ(h.Op("w").status, OperationStatus::kStarted) << "in-flight operations stay as they are";
  // The running invocation fails at its next checkpoint; its end is recorded, nothing else.
  auto late = h.TryCheckpoint({}, T(3));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message.rfind("Invalid Checkpoint Token", 0), 0u);
  EXPECT_TRUE(h.Fire(TimerKind::kWaitEnd, "w", T(101)).events.empty());
  EXPECT_FALSE(CompleteCallback(h.state, h.CallbackIdOf("cb"), CallbackSuccess{"1"}, T(4)).ok());
  h.Complete(Pending(), T(4));
  ExpectHistory(
      h, {ET::kWaitStarted, ET::kCallbackStarted, ET::kExecutionStopped, ET::kInvocationCompleted});
  EXPECT_EQ(Details<protocol::ExecutionStoppedDetails>(Ev(h, 4)).error,
            E(Err("Cancelled", "operator request")));
  // Stopping again reports the original stop and changes nothing.
  const ExecutionState before = h.state;
  auto again = Stop(h.state, std::nullopt, T(9));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stop_timestamp, T(2));
  EXPECT_TRUE(again->outcome.events.empty());
  EXPECT_EQ(h.state, before);
  EXPECT_FALSE(BeginInvocation(h.state, "req-9", T(10)).ok());
}

TEST(Scenario, StopWithoutErrorUsesTheDefault) {
  Harness h;
  h.Start(T(0));
  auto stopped = Stop(h.state, std::nullopt, T(1));
  ASSERT_TRUE(stopped.ok());
  const auto& d = Details<protocol::ExecutionStoppedDetails>(stopped->outcome.events.at(0));
  EXPECT_EQ(d.error.payload->error_message, "Execution stopped by user request");
  EXPECT_EQ(h.state.record.phase, InvocationPhase::kIdle) << "the queued invocation is dropped";
}

// §6.3
TEST(Scenario, ExecutionTimeout) {
  Harness h;
  h.Start(T(0), false, 60);
  h.Begin(T(0));
  h.Checkpoint({upd::WaitStart("w", 3600)}, T(1));
  h.Complete(Pending(), T(1));
  EXPECT_TRUE(h.Fire(TimerKind::kExecutionTimeout, kExecId, T(59)).events.empty());
  h.effects.clear();
  auto out = h.Fire(TimerKind::kExecutionTimeout, kExecId, T(60));
  ExpectHistory(h, {ET::kWaitStarted, ET::kInvocationCompleted, ET::kExecutionTimedOut});
  const auto& d = Details<protocol::ExecutionTimedOutDetails>(h.history.back());
  EXPECT_EQ(d.error->payload->error_type, "Execution.Timeout");
  EXPECT_EQ(d.error->payload->error_message, "Execution timed out after 60 seconds.");
  EXPECT_EQ(h.state.record.status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(h.Op(kExecId).status, OperationStatus::kTimedOut);
  EXPECT_THAT(out.effects, ElementsAre(Effect{CancelTimer{TimerKind::kExecutionTimeout, kExecId}},
                                       Effect{CancelTimer{TimerKind::kWaitEnd, "w"}},
                                       Effect{ExecutionClosed{ExecutionStatus::kTimedOut}}));
  EXPECT_TRUE(PendingEffects(h.state).empty());
}

// §3.4 rule 4: an outcome too large for the output is checkpointed first.
TEST(Scenario, LargeResultThroughExecutionSucceed) {
  Harness h;
  h.Start(T(0), /*sync=*/true);
  h.Begin(T(0));
  std::string big(3'000'000, 'r');
  auto r = h.Checkpoint({upd::StepStart("s"), upd::StepSucceed("s", "1"),
                         upd::ExecSucceed("execution-result-1", big)},
                        T(1));
  EXPECT_FALSE(r.response.checkpoint_token.has_value()) << "closed: no token";
  EXPECT_EQ(Ids(*r.response.new_execution_state.operations),
            (std::vector<std::string>{kExecId, "s"}));
  EXPECT_EQ(h.state.ops.Find("execution-result-1"), nullptr);
  EXPECT_EQ(h.state.record.result, big);
  h.Complete(Succeeded(""), T(2));
  ExpectHistory(
      h, {ET::kStepStarted, ET::kStepSucceeded, ET::kExecutionSucceeded, ET::kInvocationCompleted});
  EXPECT_EQ(Details<protocol::ExecutionSucceededDetails>(Ev(h, 4)).result, P(big));
  EXPECT_EQ(h.state.record.result, big) << "the empty output Result is ignored";
}

// §5.3
TEST(Scenario, ClientTokenReplayReturnsTheCachedResponse) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  std::string inbound = h.token;
  auto first = h.TryCheckpoint({upd::CallbackStart("cb")}, T(1), "c-1");
  ASSERT_TRUE(first.ok());
  const ExecutionState after_first = h.state;
  std::size_t events = h.history.size();
  auto replay = h.TryCheckpoint({upd::CallbackStart("cb")}, T(2), "c-1", inbound);
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_EQ(replay->response, first->response);
  EXPECT_TRUE(replay->outcome.events.empty());
  EXPECT_EQ(h.state, after_first);
  EXPECT_EQ(h.history.size(), events);
  // Another client token with the stale inbound token is a stale request.
  auto other = h.TryCheckpoint({}, T(2), "c-2", inbound);
  ASSERT_FALSE(other.ok());
  // Once a newer checkpoint was accepted, the old one is no longer replayable.
  ASSERT_TRUE(h.TryCheckpoint({}, T(3), "c-3").ok());
  EXPECT_FALSE(h.TryCheckpoint({upd::CallbackStart("cb")}, T(4), "c-1", inbound).ok());
}

TEST(Scenario, ClientTokenReplayOfTheClosingCheckpoint) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  std::string inbound = h.token;
  auto first = h.TryCheckpoint({upd::ExecSucceed("r", "1")}, T(1), "close-1");
  ASSERT_TRUE(first.ok());
  auto replay = h.TryCheckpoint({upd::ExecSucceed("r", "1")}, T(2), "close-1", inbound);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->response, first->response);
  EXPECT_FALSE(replay->response.checkpoint_token.has_value());
}

// §5.2: a change the running invocation never saw re-invokes when it ends PENDING; one it
// saw through a checkpoint response does not.
TEST(Scenario, DeferredReinvoke) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::WaitStart("w1", 1), upd::WaitStart("w2", 100)}, T(0));
  auto fired = h.Fire(TimerKind::kWaitEnd, "w1", T(1));
  EXPECT_TRUE(fired.effects.empty()) << "an invocation runs: no second one";
  EXPECT_TRUE(h.state.record.pending_service_changes);
  auto end = h.Complete(Pending(), T(2));
  EXPECT_THAT(end.effects, ElementsAre(Effect{QueueInvocation{}}));
  auto env = h.Begin(T(2));
  EXPECT_EQ(env.updated_operation_ids, std::vector<std::string>{"w1"});

  h.Checkpoint({upd::WaitStart("w3", 1)}, T(2));
  h.Fire(TimerKind::kWaitEnd, "w3", T(3));
  auto seen = h.Checkpoint({}, T(3.5));
  EXPECT_EQ(Ids(*seen.response.new_execution_state.operations), std::vector<std::string>{"w3"});
  EXPECT_FALSE(h.state.record.pending_service_changes);
  auto end2 = h.Complete(Pending(), T(4));
  EXPECT_TRUE(end2.effects.empty());
  EXPECT_TRUE(h.state.record.updated_operation_ids.empty()) << "w3 was seen";
}

// §5.5: a poll at the wake-up time sees the wait completed within the same invocation.
TEST(Scenario, EmptyCheckpointCompletesDueTimers) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::WaitStart("w", 2), upd::StepRetry("s", 2, Err("E"))}, T(0));
  auto early = h.Checkpoint({}, T(1.9));
  EXPECT_TRUE(early.response.new_execution_state.operations->empty());
  h.effects.clear();
  std::string before = h.token;
  auto poll = h.Checkpoint({}, T(2));
  EXPECT_NE(h.token, before) << "every accepted checkpoint rotates the token";
  EXPECT_EQ(Ids(*poll.response.new_execution_state.operations),
            (std::vector<std::string>{"w", "s"}));
  EXPECT_EQ(h.Op("w").status, OperationStatus::kSucceeded);
  EXPECT_EQ(h.Op("s").status, OperationStatus::kReady);
  EXPECT_THAT(h.effects, ElementsAre(Effect{CancelTimer{TimerKind::kWaitEnd, "w"}},
                                     Effect{CancelTimer{TimerKind::kStepRetry, "s"}}));
  EXPECT_FALSE(h.state.record.pending_service_changes) << "the handler saw both";
  EXPECT_EQ(h.history.back().type(), ET::kWaitSucceeded);
  // The timers firing later are stale.
  EXPECT_TRUE(h.Fire(TimerKind::kWaitEnd, "w", T(2)).events.empty());
  EXPECT_TRUE(h.Fire(TimerKind::kStepRetry, "s", T(2)).effects.empty());
}

// Timers armed long before: far more changes than the operation table remembers happen
// meanwhile, the wait fires while the invocation runs, and the state is copied as the
// store's reload does (entries appended with their changed_at). The due retry is still
// completed, and NewExecutionState still carries exactly what changed.
TEST(Scenario, TimersArmedLongAgoAreCompletedAfterManyChanges) {
  Harness h;
  h.Start(T(0));
  h.Begin(T(0));
  h.Checkpoint({upd::WaitStart("w", 100), upd::StepRetry("r", 100, Err("E"))}, T(0));
  for (int i = 0; i < 150; ++i) {
    const std::string id = "s" + std::to_string(i);
    auto done = h.Checkpoint({upd::StepStart(id), upd::StepSucceed(id, "1")}, T(1));
    ASSERT_EQ(Ids(*done.response.new_execution_state.operations), std::vector<std::string>{id});
  }
  // The wait ends while the invocation runs: a change the handler has not seen yet.
  h.Fire(TimerKind::kWaitEnd, "w", T(100));
  EXPECT_EQ(h.Op("w").status, OperationStatus::kSucceeded);
  ExecutionState reloaded;
  reloaded.record = h.state.record;
  for (const OperationEntry& e : h.state.ops)
    reloaded.ops.Append(e);
  h.state = std::move(reloaded);
  h.effects.clear();
  auto poll = h.Checkpoint({upd::StepStart("late")}, T(100));
  EXPECT_EQ(Ids(*poll.response.new_execution_state.operations),
            (std::vector<std::string>{"w", "r", "late"}));
  EXPECT_EQ(h.Op("w").status, OperationStatus::kSucceeded);
  EXPECT_EQ(h.Op("r").status, OperationStatus::kReady);
  EXPECT_THAT(h.effects, ElementsAre(Effect{CancelTimer{TimerKind::kStepRetry, "r"}}));
  auto next = h.Checkpoint({upd::StepSucceed("late", "2")}, T(101));
  EXPECT_EQ(Ids(*next.response.new_execution_state.operations), std::vector<std::string>{"late"});
}

// §2.4, §3.2 rule 3: a bounded envelope continues through GetDurableExecutionState.
TEST(Scenario, EnvelopePagesContinueThroughGetState) {
  Harness h;
  h.limits.max_envelope_bytes = 3000;
  h.limits.max_state_page_bytes = 1500;
  h.Start(T(0));
  h.Begin(T(0));
  std::vector<protocol::OperationUpdate> updates;
  for (int i = 0; i < 20; ++i) {
    updates.push_back(upd::StepSucceed("s" + std::to_string(i), std::string(400, 'x')));
  }
  updates.push_back(upd::WaitStart("w", 1));
  h.Checkpoint(updates, T(0));
  h.Complete(Pending(), T(0));
  h.Fire(TimerKind::kWaitEnd, "w", T(1));
  auto env = h.Begin(T(1));
  std::vector<std::string> all = Ids(env.initial_execution_state.operations);
  EXPECT_LT(all.size(), 22u);
  ASSERT_FALSE(env.initial_execution_state.next_marker->empty());
  std::optional<std::string> marker = env.initial_execution_state.next_marker;
  int pages = 0;
  while (marker && !marker->empty()) {
    protocol::GetDurableExecutionStateRequest req;
    req.checkpoint_token = h.token;
    req.marker = marker;
    req.max_items = 1000;
    auto page = GetState(h.state, req, h.limits);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_FALSE(page->operations.empty());
    for (const auto& op : page->operations) {
      all.push_back(op.id);
    }
    marker = page->next_marker;
    ASSERT_LT(++pages, 30);
  }
  EXPECT_GE(pages, 2);
  std::vector<std::string> expected = {kExecId};
  for (int i = 0; i < 20; ++i) {
    expected.push_back("s" + std::to_string(i));
  }
  expected.push_back("w");
  EXPECT_EQ(all, expected);
  // Reading does not advance the token; a stale token or a bad marker is refused.
  EXPECT_TRUE(h.TryCheckpoint({}, T(2)).ok());
  protocol::GetDurableExecutionStateRequest stale;
  stale.checkpoint_token = env.checkpoint_token;
  EXPECT_FALSE(GetState(h.state, stale, h.limits).ok());
  protocol::GetDurableExecutionStateRequest bad;
  bad.checkpoint_token = h.token;
  bad.marker = "999";
  EXPECT_FALSE(GetState(h.state, bad, h.limits).ok());
  bad.marker = "1";
  bad.max_items = 1001;
  EXPECT_FALSE(GetState(h.state, bad, h.limits).ok());
  bad.max_items = 2;
  auto two = GetState(h.state, bad, h.limits);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(Ids(two->operations), (std::vector<std::string>{"s0", "s1"}));
  EXPECT_EQ(two->next_marker, "3");
}

TEST(Scenario, PendingEffectsRebuildTheTimerSet) {
  Harness h;
  h.Start(T(0), false, 100);
  h.Begin(T(0));
  h.Checkpoint(
      {upd::WaitStart("w", 10), upd::StepRetry("s", 20, Err("E")), upd::CallbackStart("cb", 30, 5)},
      T(0));
  h.Complete(Pending(), T(1));
  EXPECT_THAT(PendingEffects(h.state),
              ElementsAre(Effect{StartTimer{TimerKind::kExecutionTimeout, kExecId, T(100)}},
                          Effect{StartTimer{TimerKind::kWaitEnd, "w", T(10)}},
                          Effect{StartTimer{TimerKind::kStepRetry, "s", T(20)}},
                          Effect{StartTimer{TimerKind::kCallbackTimeout, "cb", T(30)}},
                          Effect{StartTimer{TimerKind::kCallbackHeartbeat, "cb", T(5)}}));
}

}  // namespace
}  // namespace durafn::engine::testing
