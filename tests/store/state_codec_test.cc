#include "store/state_codec.h"

#include <gtest/gtest.h>

#include "protocol/json_codec.h"
#include "store_test_util.h"

namespace durafn::store::testing {
namespace {

using json = nlohmann::json;

// Encodes to text and back, as the store does.
engine::ExecutionState RoundTrip(const engine::ExecutionState& state) {
  engine::ExecutionState out;
  auto text = DumpJson(EncodeRecord(state.record));
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  auto record = ParseStored(*text, DecodeRecord);
  EXPECT_TRUE(record.ok()) << record.status().ToString();
  if (record.ok()) out.record = *record;
  for (const auto& entry : state.ops) {
    auto entry_text = DumpJson(EncodeOperationEntry(entry));
    EXPECT_TRUE(entry_text.ok());
    auto decoded = ParseStored(*entry_text, DecodeOperationEntry);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    if (decoded.ok()) out.ops.Append(*decoded);
  }
  return out;
}

TEST(StateCodec, FreshExecutionRoundTrips) {
  Driver d(ExecutionArn("fresh"), T(0));
  EXPECT_EQ(RoundTrip(d.state), d.state);
}

TEST(StateCodec, RichRunningExecutionRoundTrips) {
  Driver d(ExecutionArn("rich"), T(0));
  DriveRichExecution(d);
  // The state really has what the test claims to cover.
  ASSERT_TRUE(d.state.record.invocation.has_value());
  ASSERT_TRUE(d.state.record.last_checkpoint.has_value());
  ASSERT_FALSE(d.state.record.updated_operation_ids.empty());
  ASSERT_TRUE(d.state.ops.Find("w1")->wait_seconds.has_value());
  ASSERT_TRUE(d.state.ops.Find("cb1")->callback->heartbeat_deadline.has_value());
  ASSERT_TRUE(d.state.ops.Find("inv")->chained.has_value());
  ASSERT_TRUE(d.state.ops.Find("s2")->op.step_details->next_attempt_timestamp.has_value());
  ASSERT_EQ(d.state.ops.Find("ctx-s1")->op.parent_id, "ctx");

  engine::ExecutionState back = RoundTrip(d.state);
  EXPECT_EQ(back, d.state);
  engine::AssertInvariants(back);
}

TEST(StateCodec, ClosedAndRetryingExecutionsRoundTrip) {
  Driver failed(ExecutionArn("failing"), T(0));
  failed.Begin(T(1));
  // A crashed invocation: the execution waits in retry backoff.
  failed.Complete(engine::InvocationFailure{engine::testing::Err("Runtime.ExitError")}, T(2));
  ASSERT_EQ(failed.state.record.phase, engine::InvocationPhase::kRetryBackoff);
  ASSERT_TRUE(failed.state.record.invocation_retry_due.has_value());
  EXPECT_EQ(RoundTrip(failed.state), failed.state);

  Driver done(ExecutionArn("done"), T(0));
  done.Begin(T(1));
  done.Complete(engine::testing::Succeeded("{\"ok\":true}"), T(2));
  ASSERT_EQ(done.state.record.status, protocol::ExecutionStatus::kSucceeded);
  EXPECT_EQ(RoundTrip(done.state), done.state);

  Driver stopped(ExecutionArn("stopped"), T(0));
  stopped.Stop(T(3));
  ASSERT_TRUE(stopped.state.record.error.has_value());
  EXPECT_EQ(RoundTrip(stopped.state), stopped.state);
}

TEST(StateCodec, RecordWithoutInputLeavesItOut) {
  Driver d(ExecutionArn("in"), T(0), "{\"big\":\"input\"}");
  json j = EncodeRecord(d.state.record, {.include_input = false});
  EXPECT_FALSE(j.contains("input_payload"));
  auto back = DecodeRecord(j);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->input_payload.has_value());
  back->input_payload = d.state.record.input_payload;
  EXPECT_EQ(*back, d.state.record);
}

TEST(StateCodec, EveryEventOfARichHistoryRoundTrips) {
  Driver d(ExecutionArn("events"), T(0));
  DriveRichExecution(d);
  d.Complete(engine::testing::Pending(), T(10));
  ASSERT_GT(d.pending.events.size(), 10u);
  for (const auto& event : d.pending.events) {
    auto text = DumpJson(EncodeStoredEvent(event));
    ASSERT_TRUE(text.ok());
    auto back = ParseStored(*text, DecodeStoredEvent);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, event) << *text;
  }
}

TEST(StateCodec, TimestampsAreStoredInMilliseconds) {
  Driver d(ExecutionArn("ms"), T(0.123));
  json j = EncodeOperationEntry(d.state.ops.at(0));
  EXPECT_EQ(j["op"]["StartTimestamp"], T(0.123).ms);
  EXPECT_EQ(EncodeRecord(d.state.record)["start_ms"], T(0.123).ms);
}

TEST(StateCodec, DecodingIsStrictAndNamesThePath) {
  Driver d(ExecutionArn("strict"), T(0));
  DriveRichExecution(d);
  json good = EncodeRecord(d.state.record);

  json missing = good;
  missing.erase("next_event_id");
  auto r = DecodeRecord(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "record.next_event_id: missing required member");

  json wrong_type = good;
  wrong_type["invocation"]["first_token_sequence"] = "7";
  r = DecodeRecord(wrong_type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "record.invocation.first_token_sequence: expected integer");

  json bad_enum = good;
  bad_enum["phase"] = "Sleeping";
  r = DecodeRecord(bad_enum);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "record.phase: unknown value 'Sleeping'");

  json bad_protocol = good;
  bad_protocol["last_checkpoint"]["response"]["NewExecutionState"] = 5;
  r = DecodeRecord(bad_protocol);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("record.last_checkpoint.response: "), std::string::npos)
      << r.status().message();

  json entry = EncodeOperationEntry(*d.state.ops.Find("cb1"));
  entry["callback"].erase("timeout_seconds");
  auto e = DecodeOperationEntry(entry);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "entry.callback.timeout_seconds: missing required member");

  EXPECT_FALSE(ParseStored("{not json", DecodeRecord).ok());
  EXPECT_FALSE(DecodeRecord(json::array()).ok());
}

TEST(StateCodec, InvalidUtf8IsRefusedNotMangled) {
  Driver d(ExecutionArn("utf8"), T(0), std::string("\"\xff\xfe\""));
  auto text = DumpJson(EncodeRecord(d.state.record));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), Status::Code::kInvalidArgument);
}

TEST(StateCodec, EnumNamesRoundTrip) {
  for (auto kind : {engine::TimerKind::kWaitEnd, engine::TimerKind::kStepRetry,
                    engine::TimerKind::kCallbackTimeout, engine::TimerKind::kCallbackHeartbeat,
                    engine::TimerKind::kExecutionTimeout, engine::TimerKind::kInvocationRetry}) {
    EXPECT_EQ(ParseTimerKind(TimerKindName(kind)), kind);
  }
  for (auto phase : {engine::InvocationPhase::kIdle, engine::InvocationPhase::kQueued,
                     engine::InvocationPhase::kRunning, engine::InvocationPhase::kRetryBackoff}) {
    EXPECT_EQ(ParseInvocationPhase(InvocationPhaseName(phase)), phase);
  }
  EXPECT_EQ(TimerKindName(engine::TimerKind::kCallbackHeartbeat), "CallbackHeartbeat");
  EXPECT_EQ(ParseTimerKind("waitend"), std::nullopt);
  EXPECT_EQ(ParseInvocationPhase(""), std::nullopt);
}

}  // namespace
}  // namespace durafn::store::testing
