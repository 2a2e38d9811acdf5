// The checkpoint validation pipeline (protocol.md §4.6, §5.1): each failure with its exact
// error, and the guarantee that a rejected batch changes nothing.
#include "engine/validation.h"

#include "engine/checkpoint_token.h"
#include "engine_test_util.h"

namespace durafn::engine::testing {
namespace {

using protocol::ErrorCode;
using protocol::OperationAction;
using protocol::OperationType;
using protocol::OperationUpdate;

class Validation : public ::testing::Test {
 protected:
  void SetUp() override {
    h.Start(T(0));
    h.Begin(T(0));
  }

  // Sends `updates` and expects InvalidParameterValueException with exactly `message`, and
  // no change at all to the state or the history.
  void ExpectRejected(std::vector<OperationUpdate> updates, const std::string& message,
                      std::optional<std::string> token = std::nullopt) {
    const ExecutionState before = h.state;
    std::size_t events = h.history.size();
    auto result = h.TryCheckpoint(std::move(updates), T(5), std::nullopt, token);
    ASSERT_FALSE(result.ok()) << "expected: " << message;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(result.error().message, message);
    EXPECT_EQ(h.state, before);
    EXPECT_EQ(h.history.size(), events);
  }

  void ExpectAccepted(std::vector<OperationUpdate> updates) {
    auto result = h.TryCheckpoint(std::move(updates), T(5));
    EXPECT_TRUE(result.ok()) << result.error().message;
  }

  Harness h;
};

// ---- 0: the token ----

TEST_F(Validation, StaleTokenOfThisInvocation) {
  std::string first = h.token;
  ExpectAccepted({upd::StepStart("s1")});
  ExpectRejected({upd::StepSucceed("s1", "1")},
                 "Invalid Checkpoint Token: the token is stale; use the token of the latest "
                 "response.",
                 first);
}

TEST_F(Validation, TokenOfAnEndedInvocation) {
  std::string first = h.token;
  h.Checkpoint({upd::WaitStart("w", 10)}, T(1));
  h.Complete(Pending(), T(2));
  ExpectRejected({upd::StepStart("s1")},
                 "Invalid Checkpoint Token: the token belongs to an invocation that has ended.",
                 h.token);
  h.Fire(TimerKind::kWaitEnd, "w", T(11));
  h.Begin(T(11));
  ExpectRejected({upd::StepStart("s1")},
                 "Invalid Checkpoint Token: the token belongs to an invocation that has ended.",
                 first);
}

TEST_F(Validation, MalformedAndForeignTokens) {
  ExpectRejected({}, "Invalid Checkpoint Token: the token is malformed.", "not-a-token");
  ExpectRejected({}, "Invalid Checkpoint Token: the token is malformed.", "");
  ExpectRejected({}, "Invalid Checkpoint Token: the token belongs to another execution.",
                 FormatCheckpointToken({"other-execution", h.request_id, 1}));
}

TEST_F(Validation, ClosedExecution) {
  auto closing = h.Checkpoint({upd::ExecSucceed("result", "\"done\"")}, T(1));
  EXPECT_FALSE(closing.response.checkpoint_token.has_value());
  std::string still_current_sequence =
      FormatCheckpointToken({kExecId, h.request_id, h.state.record.token_sequence});
  ExpectRejected({}, "Invalid Checkpoint Token: the durable execution is closed (SUCCEEDED).",
                 still_current_sequence);
}

TEST_F(Validation, EveryTokenErrorStartsWithTheNormativePrefix) {
  for (const std::string& token : {std::string("x"), std::string("eHl6"), h.token + "A"}) {
    auto result = h.TryCheckpoint({}, T(1), std::nullopt, token);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message.rfind("Invalid Checkpoint Token", 0), 0u);
  }
}

// ---- 1: EXECUTION updates ----

TEST_F(Validation, TwoExecutionUpdates) {
  ExpectRejected({upd::ExecSucceed("r1", "1"), upd::ExecSucceed("r2", "2")},
                 "Cannot checkpoint multiple EXECUTION updates.");
}

TEST_F(Validation, ExecutionUpdateNotLast) {
  ExpectRejected({upd::ExecSucceed("r1", "1"), upd::StepStart("s1")},
                 "EXECUTION checkpoint must be the last update.");
}

// ---- 2: duplicate ids ----

TEST_F(Validation, StartThenOneOutcomeIsTheOnlyAllowedDuplicate) {
  ExpectAccepted({upd::StepStart("s1"), upd::StepSucceed("s1", "1")});
  ExpectAccepted({upd::ContextStart("c1", "RunInChildContext"),
                  upd::ContextSucceed("c1", "2", "RunInChildContext")});
  ExpectAccepted({upd::StepStart("s2"), upd::StepRetry("s2", 5, Err("E"))});
  const std::string kDup = "Cannot checkpoint multiple operations with the same ID.";
  ExpectRejected({upd::StepStart("s3"), upd::StepStart("s3")}, kDup);
  ExpectRejected({upd::StepSucceed("s3", "1"), upd::StepSucceed("s3", "1")}, kDup);
  ExpectRejected({upd::StepStart("s3"), upd::StepSucceed("s3", "1"), upd::StepFail("s3", Err("E"))},
                 kDup);
  auto cancel = U("w1", OperationType::kWait, OperationAction::kCancel);
  ExpectRejected({upd::WaitStart("w1", 5), cancel}, kDup);
  auto cb_cancel = U("cb", OperationType::kCallback, OperationAction::kCancel);
  ExpectRejected({upd::CallbackStart("cb"), cb_cancel}, kDup);
}

// ---- 3: parents ----

TEST_F(Validation, ParentMustBeAContextKnownByThen) {
  const std::string kBad = "Invalid parent operation id.";
  auto orphan = upd::StepStart("s1");
  orphan.parent_id = "nope";
  ExpectRejected({orphan}, kBad);

  h.Checkpoint({upd::StepStart("step-parent")}, T(1));
  auto under_step = upd::StepStart("s2");
  under_step.parent_id = "step-parent";
  ExpectRejected({under_step}, kBad);

  auto child = upd::StepStart("s3");
  child.parent_id = "ctx";
  ExpectRejected({child, upd::ContextStart("ctx", "RunInChildContext")}, kBad);
  ExpectAccepted({upd::ContextStart("ctx", "RunInChildContext"), child});

  auto under_exec = upd::StepStart("s4");
  under_exec.parent_id = kExecId;
  ExpectRejected({under_exec}, kBad);
}

// ---- 4: consistency with the stored operation ----

TEST_F(Validation, InconsistentTypeSubtypeNameParent) {
  auto named = upd::StepStart("s1");
  named.name = "charge";
  h.Checkpoint({upd::ContextStart("ctx", "RunInChildContext"), named}, T(1));

  auto as_wait = upd::WaitStart("s1", 5);
  ExpectRejected({as_wait}, "Inconsistent operation type.");
  ExpectRejected({upd::StepSucceed("s1", "1", "WaitForCondition")},
                 "Inconsistent operation subtype.");
  auto renamed = upd::StepSucceed("s1", "1");
  renamed.name = "refund";
  ExpectRejected({renamed}, "Inconsistent operation name.");
  auto moved = upd::StepSucceed("s1", "1");
  moved.parent_id = "ctx";
  ExpectRejected({moved}, "Inconsistent parent operation id.");
  // Members left out are not compared.
  ExpectAccepted({U("s1", OperationType::kStep, OperationAction::kSucceed)});
}

TEST_F(Validation, ConsistencySeesEarlierUpdatesOfTheBatch) {
  auto start = upd::StepStart("s1");
  start.name = "a";
  auto succeed = upd::StepSucceed("s1", "1");
  succeed.name = "b";
  ExpectRejected({start, succeed}, "Inconsistent operation name.");
}

// ---- 5, 6: sizes ----

TEST_F(Validation, OversizeErrorObject) {
  h.limits.max_error_bytes = 100;
  ExpectAccepted({upd::StepFail("s1", Err("E", std::string(40, 'x')))});
  ExpectRejected({upd::StepFail("s2", Err("E", std::string(100, 'x')))},
                 "Error object size must be at most 100 bytes.");
}

TEST_F(Validation, OversizePayload) {
  const std::size_t kMiB = 1'048'576;
  ExpectAccepted({upd::StepSucceed("s1", std::string(kMiB, 'x'))});
  ExpectRejected({upd::StepSucceed("s2", std::string(kMiB + 1, 'x'))},
                 "Updates[0].Payload: size 1048577 exceeds the limit of 1048576 bytes.");
  // An async execution's result is an ordinary payload.
  ExpectRejected({upd::ExecSucceed("r", std::string(kMiB + 1, 'x'))},
                 "Updates[0].Payload: size 1048577 exceeds the limit of 1048576 bytes.");
}

TEST(ValidationSync, SyncExecutionResultMayBeSixMiB) {
  Harness h;
  h.Start(T(0), /*sync=*/true);
  h.Begin(T(0));
  auto over = h.TryCheckpoint({upd::ExecSucceed("r", std::string(6'291'457, 'x'))}, T(1));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message,
            "Updates[0].Payload: size 6291457 exceeds the limit of 6291456 bytes.");
  // Only the EXECUTION update gets the larger limit.
  auto step = h.TryCheckpoint({upd::StepSucceed("s", std::string(2'000'000, 'x'))}, T(1));
  ASSERT_FALSE(step.ok());
  auto ok = h.TryCheckpoint({upd::ExecSucceed("r", std::string(6'291'456, 'x'))}, T(1));
  EXPECT_TRUE(ok.ok());
}

// ---- 7: valid action per type ----

TEST_F(Validation, ActionMustExistForTheType) {
  ExpectRejected({U("w", OperationType::kWait, OperationAction::kSucceed)},
                 "Invalid action for the given operation type.");
  ExpectRejected({U("s", OperationType::kStep, OperationAction::kCancel)},
                 "Invalid action for the given operation type.");
  ExpectRejected({U("x", OperationType::kExecution, OperationAction::kStart)},
                 "Invalid action for the given operation type.");
}

// ---- 9: model constraints ----

TEST_F(Validation, OperationIdNameSubtype) {
  const std::string kId = ": must be 1-64 characters of [a-zA-Z0-9-_].";
  ExpectRejected({upd::StepStart(std::string(65, 'a'))}, "Updates[0].Id" + kId);
  ExpectRejected({upd::StepStart("a b")}, "Updates[0].Id" + kId);
  ExpectRejected({upd::StepStart("")}, "Updates[0].Id" + kId);
  ExpectAccepted({upd::StepStart(std::string(64, 'a'))});

  auto long_name = upd::StepStart("s1");
  long_name.name = std::string(257, 'n');
  ExpectRejected({long_name}, "Updates[0].Name: must be 1-256 printable ASCII characters.");
  auto control = upd::StepStart("s1");
  control.name = "tab\there";
  ExpectRejected({control}, "Updates[0].Name: must be 1-256 printable ASCII characters.");
  auto empty_name = upd::StepStart("s1");
  empty_name.name = "";
  ExpectRejected({empty_name}, "Updates[0].Name: must be 1-256 printable ASCII characters.");

  ExpectRejected({upd::StepStart("s1", std::string(33, 'S'))},
                 "Updates[0].SubType: must be 1-32 characters of [a-zA-Z0-9-_].");
  ExpectRejected({upd::StepStart("s1"), upd::StepStart("s2", "Sub Type")},
                 "Updates[1].SubType: must be 1-32 characters of [a-zA-Z0-9-_].");
}

TEST_F(Validation, DurationsAreBounded) {
  ExpectRejected({upd::WaitStart("w", 0)},
                 "Updates[0].WaitOptions.WaitSeconds: must be between 1 and 31622400.");
  ExpectRejected({upd::WaitStart("w", 31'622'401)},
                 "Updates[0].WaitOptions.WaitSeconds: must be between 1 and 31622400.");
  ExpectAccepted({upd::WaitStart("w", 31'622'400)});
  ExpectRejected({upd::StepRetry("s", 0, Err("E"))},
                 "Updates[0].StepOptions.NextAttemptDelaySeconds: must be between 1 and "
                 "31622400.");
  ExpectRejected({upd::CallbackStart("cb", -1)},
                 "Updates[0].CallbackOptions.TimeoutSeconds: must be between 0 and 31622400.");
  ExpectRejected({upd::CallbackStart("cb", 0, -5)},
                 "Updates[0].CallbackOptions.HeartbeatTimeoutSeconds: must be between 0 and "
                 "31622400.");
  // An absent NextAttemptDelaySeconds means "at once" (PYT2), not an error.
  auto no_delay = upd::StepRetry("s", 1, Err("E"));
  no_delay.step_options->next_attempt_delay_seconds.reset();
  ExpectAccepted({no_delay});
  EXPECT_EQ(h.Op("s").status, protocol::OperationStatus::kReady);
}

TEST_F(Validation, ChainedInvokeOptions) {
  auto tenant = upd::InvokeStart("i", "target:1", "{}");
  tenant.chained_invoke_options->tenant_id = "bad#tenant";
  ExpectRejected({tenant},
                 "Updates[0].ChainedInvokeOptions.TenantId: must be 1-256 characters of "
                 "[a-zA-Z0-9._:/=+-@ ].");
  ExpectRejected({upd::InvokeStart("i", std::string(171, 'f'), "{}")},
                 "Updates[0].ChainedInvokeOptions.FunctionName: must be 1-170 characters.");
}

TEST_F(Validation, TooManyUpdates) {
  h.limits.max_updates_per_checkpoint = 3;
  ExpectAccepted({upd::StepStart("a"), upd::StepStart("b"), upd::StepStart("c")});
  ExpectRejected(
      {upd::StepStart("d"), upd::StepStart("e"), upd::StepStart("f"), upd::StepStart("g")},
      "Updates: at most 3 updates per checkpoint.");
}

TEST_F(Validation, DefaultUpdateLimitIsAThousand) {
  std::vector<OperationUpdate> updates;
  for (int i = 0; i < 1001; ++i) {
    updates.push_back(upd::StepStart("s" + std::to_string(i)));
  }
  ExpectRejected(updates, "Updates: at most 1000 updates per checkpoint.");
  updates.pop_back();
  ExpectAccepted(updates);
}

TEST_F(Validation, ClientTokenFormat) {
  const ExecutionState before = h.state;
  auto result = h.TryCheckpoint({}, T(1), "has space");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "ClientToken: must be 1-64 characters of [\\x21-\\x7E].");
  EXPECT_EQ(h.state, before);
}

// The operation quota is not a validation error: the service fails the execution and
// answers without a token (§5.4), applying none of the batch.
TEST_F(Validation, TooManyOperationsFailsTheExecution) {
  h.limits.max_operations_per_execution = 3;  // EXECUTION + 2
  ExpectAccepted({upd::StepStart("a"), upd::StepSucceed("a", "1")});
  std::size_t events = h.history.size();
  auto result = h.TryCheckpoint({upd::StepStart("b"), upd::StepStart("c")}, T(6));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->response.checkpoint_token.has_value());
  EXPECT_EQ(h.state.ops.Find("b"), nullptr);
  EXPECT_EQ(h.state.ops.Find("c"), nullptr);
  EXPECT_EQ(h.state.record.status, protocol::ExecutionStatus::kFailed);
  ASSERT_EQ(h.history.size(), events + 1);
  const auto& failed = Details<protocol::ExecutionFailedDetails>(h.history.back());
  EXPECT_EQ(failed.error.payload->error_type, "OperationLimitExceeded");
  EXPECT_EQ(failed.error.payload->error_message,
            "The durable execution exceeded the limit of 3 operations.");
}

// ---- the order of the pipeline ----

TEST_F(Validation, FirstFailingCheckWins) {
  // 1 before 2: the EXECUTION rule is reported although ids repeat.
  ExpectRejected(
      {upd::StepStart("s"), upd::StepStart("s"), upd::ExecSucceed("r", "1"), upd::StepStart("t")},
      "EXECUTION checkpoint must be the last update.");
  // 2 before 3.
  auto orphan = upd::StepStart("s");
  orphan.parent_id = "nope";
  ExpectRejected({upd::StepStart("s"), orphan},
                 "Cannot checkpoint multiple operations with the same ID.");
  // 3 before 6: a bad parent in update 1 beats an oversize payload in update 0.
  auto orphan2 = upd::StepStart("t");
  orphan2.parent_id = "nope";
  ExpectRejected({upd::StepSucceed("s", std::string(1'048'577, 'x')), orphan2},
                 "Invalid parent operation id.");
  // Within an update: size (6) before transition (8) before model (9).
  h.Checkpoint({upd::StepSucceed("done", "1")}, T(1));
  ExpectRejected({upd::StepSucceed("done", std::string(1'048'577, 'x'))},
                 "Updates[0].Payload: size 1048577 exceeds the limit of 1048576 bytes.");
  auto bad_name_closed = upd::StepStart("done");
  ExpectRejected({bad_name_closed}, "Invalid current STEP state to start.");
}

TEST(ModelConstraints, Predicates) {
  EXPECT_TRUE(IsValidOperationId("c4ca4238a0b92382"));
  EXPECT_TRUE(IsValidOperationId("a-_Z9"));
  EXPECT_FALSE(IsValidOperationId("a.b"));
  EXPECT_TRUE(IsValidOperationName(" ~"));
  EXPECT_FALSE(IsValidOperationName("\x7f"));
  EXPECT_TRUE(IsValidClientToken(std::string(64, '!')));
  EXPECT_FALSE(IsValidClientToken(std::string(65, '!')));
  EXPECT_TRUE(IsValidTenantId("tenant-1@example.com:a/b=c+d e"));
  EXPECT_FALSE(IsValidTenantId(""));
}

}  // namespace
}  // namespace durafn::engine::testing
