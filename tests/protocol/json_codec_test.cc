#include "protocol/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace durafn::protocol {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

json ValidCheckpoint() {
  return json::parse(R"({
    "CheckpointToken": "T1", "ClientToken": "c-1",
    "Updates": [
      {"Id": "c4ca4238a0b92382", "Type": "STEP", "SubType": "Step", "Action": "START", "Name": "a"},
      {"Id": "c4ca4238a0b92382", "Type": "STEP", "SubType": "Step", "Action": "RETRY",
       "Error": {"ErrorType": "Error", "ErrorMessage": "flaky", "StackTrace": ["at x", "at y"]},
       "StepOptions": {"NextAttemptDelaySeconds": 3}},
      {"Id": "c81e728d9d4c2f63", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 5}},
      {"Id": "eccbc87e4b5ce2fe", "Type": "CALLBACK", "Action": "START",
       "CallbackOptions": {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 10}},
      {"Id": "a87ff679a2f3e71d", "Type": "CHAINED_INVOKE", "Action": "START", "Payload": "{}",
       "ChainedInvokeOptions": {"FunctionName": "fn:prod", "TenantId": "t1"}},
      {"Id": "e4da3b7fbbce2345", "Type": "CONTEXT", "Action": "SUCCEED", "Payload": "\"x\"",
       "ContextOptions": {"ReplayChildren": true}, "ParentId": "c4ca4238a0b92382"}
    ]})");
}

// Expects decoding `body` as a checkpoint request to fail with `message` exactly.
void ExpectCheckpointError(const json& body, const std::string& message) {
  auto r = Decode<CheckpointDurableExecutionRequest>(body);
  ASSERT_FALSE(r.ok()) << body.dump();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), message);
}

TEST(JsonCodec, DecodesEveryUpdateOption) {
  auto r = Decode<CheckpointDurableExecutionRequest>(ValidCheckpoint());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& u = *r->updates;
  ASSERT_EQ(u.size(), 6u);
  EXPECT_EQ(r->checkpoint_token, "T1");
  EXPECT_EQ(r->client_token, "c-1");
  EXPECT_EQ(u[0].type, OperationType::kStep);
  EXPECT_EQ(u[0].action, OperationAction::kStart);
  EXPECT_EQ(u[0].name, "a");
  EXPECT_EQ(u[1].action, OperationAction::kRetry);
  EXPECT_EQ(u[1].error->error_message, "flaky");
  EXPECT_EQ(u[1].error->stack_trace->size(), 2u);
  EXPECT_EQ(u[1].step_options->next_attempt_delay_seconds, 3);
  EXPECT_EQ(u[2].wait_options->wait_seconds, 5);
  EXPECT_EQ(u[3].callback_options->timeout_seconds, 60);
  EXPECT_EQ(u[3].callback_options->heartbeat_timeout_seconds, 10);
  EXPECT_EQ(u[4].chained_invoke_options->function_name, "fn:prod");
  EXPECT_EQ(u[4].chained_invoke_options->tenant_id, "t1");
  EXPECT_EQ(u[5].context_options->replay_children, true);
  EXPECT_EQ(u[5].parent_id, "c4ca4238a0b92382");
  EXPECT_EQ(Encode(*r), ValidCheckpoint());
}

TEST(JsonCodec, WrongTypeNamesTheFieldPath) {
  json body = ValidCheckpoint();
  body["Updates"][2]["WaitOptions"]["WaitSeconds"] = "5";
  ExpectCheckpointError(body, "Updates[2].WaitOptions.WaitSeconds: expected integer, got string");
  body = ValidCheckpoint();
  body["Updates"][2]["WaitOptions"]["WaitSeconds"] = 5.5;
  ExpectCheckpointError(body, "Updates[2].WaitOptions.WaitSeconds: expected integer, got number");
  body = ValidCheckpoint();
  body["Updates"][1]["Error"]["StackTrace"][1] = 7;
  ExpectCheckpointError(body, "Updates[1].Error.StackTrace[1]: expected string, got integer");
  body = ValidCheckpoint();
  body["Updates"][5]["ContextOptions"]["ReplayChildren"] = "true";
  ExpectCheckpointError(body,
                        "Updates[5].ContextOptions.ReplayChildren: expected boolean, got string");
  body = ValidCheckpoint();
  body["Updates"] = json::object();
  ExpectCheckpointError(body, "Updates: expected array, got object");
  body = ValidCheckpoint();
  body["Updates"][0] = "START";
  ExpectCheckpointError(body, "Updates[0]: expected object, got string");
  ExpectCheckpointError(json::array(), "document: expected object, got array");
}

TEST(JsonCodec, MissingRequiredMemberNamesIt) {
  json body = ValidCheckpoint();
  body.erase("CheckpointToken");
  ExpectCheckpointError(body, "CheckpointToken: missing required member");
  body = ValidCheckpoint();
  body["Updates"][3].erase("Id");
  ExpectCheckpointError(body, "Updates[3].Id: missing required member");
  body = ValidCheckpoint();
  body["Updates"][4]["ChainedInvokeOptions"].erase("FunctionName");
  ExpectCheckpointError(body,
                        "Updates[4].ChainedInvokeOptions.FunctionName: missing required member");
  // null counts as absent
  body = ValidCheckpoint();
  body["Updates"][0]["Action"] = nullptr;
  ExpectCheckpointError(body, "Updates[0].Action: missing required member");
}

TEST(JsonCodec, UnknownEnumValueNamesTheEnum) {
  json body = ValidCheckpoint();
  body["Updates"][0]["Type"] = "TIMER";
  ExpectCheckpointError(body, "Updates[0].Type: unknown OperationType 'TIMER'");
  body = ValidCheckpoint();
  body["Updates"][1]["Action"] = "retry";
  ExpectCheckpointError(body, "Updates[1].Action: unknown OperationAction 'retry'");
  auto ev =
      Decode<Event>(json::parse(R"({"EventType":"StepRetried","EventId":2,"EventTimestamp":1.5})"));
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.status().message(), "EventType: unknown EventType 'StepRetried'");
}

TEST(JsonCodec, UnknownMembersAreIgnoredAndNullIsAbsent) {
  json body = ValidCheckpoint();
  body["FutureMember"] = {{"x", 1}};
  body["Updates"][0]["Payload"] = nullptr;
  auto r = Decode<CheckpointDurableExecutionRequest>(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE((*r->updates)[0].payload.has_value());
  EXPECT_FALSE(Encode(*r).contains("FutureMember"));
}

TEST(JsonCodec, IntegralFloatsAndRangeLimits) {
  json body = ValidCheckpoint();
  body["Updates"][2]["WaitOptions"]["WaitSeconds"] = 5.0;
  auto r = Decode<CheckpointDurableExecutionRequest>(body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r->updates)[2].wait_options->wait_seconds, 5);
  body["Updates"][2]["WaitOptions"]["WaitSeconds"] = 18446744073709551615ULL;
  ExpectCheckpointError(body, "Updates[2].WaitOptions.WaitSeconds: integer out of range");
}

TEST(JsonCodec, TimestampsFollowTheTransport) {
  json rest = {{"Id", "x"},
               {"Type", "WAIT"},
               {"Status", "STARTED"},
               {"StartTimestamp", 1764547200.123},
               {"WaitDetails", {{"ScheduledEndTimestamp", 1764547203}}}};
  auto op = Decode<Operation>(rest, TimeFormat::kEpochSeconds);
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  EXPECT_EQ(op->start_timestamp.ms, 1764547200123);
  EXPECT_EQ(op->wait_details->scheduled_end_timestamp->ms, 1764547203000);
  EXPECT_EQ(Encode(*op, TimeFormat::kEpochSeconds), rest);

  json envelope_op = Encode(*op, TimeFormat::kEpochMillis);
  EXPECT_EQ(envelope_op["StartTimestamp"], 1764547200123);
  EXPECT_EQ(Decode<Operation>(envelope_op, TimeFormat::kEpochMillis).value(), *op);

  json iso = Encode(*op, TimeFormat::kIso8601);
  EXPECT_EQ(iso["StartTimestamp"], "2025-12-01T00:00:00.123Z");
  // ISO strings are accepted whatever the transport's number unit is.
  EXPECT_EQ(Decode<Operation>(iso, TimeFormat::kEpochMillis).value(), *op);

  rest["StartTimestamp"] = "yesterday";
  auto bad = Decode<Operation>(rest);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "StartTimestamp: invalid ISO-8601 timestamp 'yesterday'");
  rest["StartTimestamp"] = true;
  EXPECT_EQ(Decode<Operation>(rest).status().message(),
            "StartTimestamp: expected timestamp, got boolean");
}

// Operations are read in one pass over their members; every member must arrive, and errors
// must name the first bad member in declared order, as for every other shape.
TEST(JsonCodec, OperationsReadEveryMemberAndReportTheFirstError) {
  ErrorObject err{"E", "m", "d", std::vector<std::string>{"at f"}};
  Operation op;
  op.id = "c4ca4238a0b92382";
  op.parent_id = "ea66c06c1e1c05fa";
  op.name = "n";
  op.type = OperationType::kContext;
  op.sub_type = "RunInChildContext";
  op.start_timestamp = Timestamp{1764547200000};
  op.end_timestamp = Timestamp{1764547201000};
  op.status = OperationStatus::kFailed;
  op.execution_details = ExecutionDetails{"{}"};
  op.context_details = ContextDetails{true, "r", err};
  op.step_details = StepDetails{2, Timestamp{1764547202000}, "s", err};
  op.wait_details = WaitDetails{Timestamp{1764547203000}};
  op.callback_details = CallbackDetails{"cb", "c", err};
  op.chained_invoke_details = ChainedInvokeDetails{"i", err};
  json j = Encode(op, TimeFormat::kEpochMillis);
  ASSERT_EQ(j.size(), 14u);
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).value(), op);

  j["Unknown"] = 1;
  j["ParentId"] = nullptr;
  auto r = Decode<Operation>(j, TimeFormat::kEpochMillis);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->parent_id.has_value());

  j["Status"] = "DONE";
  j["Type"] = 7;
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).status().message(),
            "Type: expected string, got integer");
  j["Type"] = "STEP";
  j["StepDetails"]["Attempt"] = "2";
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).status().message(),
            "Status: unknown OperationStatus 'DONE'");
  j["Status"] = "FAILED";
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).status().message(),
            "StepDetails.Attempt: expected integer, got string");
  j["StepDetails"]["Attempt"] = 2;
  j.erase("Id");
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).status().message(),
            "Id: missing required member");
  j["Id"] = nullptr;
  EXPECT_EQ(Decode<Operation>(j, TimeFormat::kEpochMillis).status().message(),
            "Id: missing required member");
  EXPECT_EQ(Decode<Operation>(json::array()).status().message(),
            "document: expected object, got array");
}

TEST(JsonCodec, EventDetailsFollowTheEventType) {
  json j = json::parse(R"({"EventType":"StepFailed","SubType":"Step","EventId":3,
    "Id":"c4ca4238a0b92382","Name":"charge","EventTimestamp":1764547200.5,
    "StepFailedDetails":{"Error":{"Payload":{"ErrorType":"Error","ErrorMessage":"no"},
      "Truncated":false},"RetryDetails":{"CurrentAttempt":1,"NextAttemptDelaySeconds":5}}})");
  auto ev = Decode<Event>(j);
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->type(), EventType::kStepFailed);
  const auto& d = std::get<StepFailedDetails>(ev->details);
  EXPECT_EQ(d.error.payload->error_message, "no");
  EXPECT_EQ(d.retry_details.next_attempt_delay_seconds, 5);
  EXPECT_EQ(Encode(*ev), j);

  // Empty details are always written, as the conformance matcher expects the key.
  Event started;
  started.event_id = 2;
  started.details = StepStartedDetails{};
  EXPECT_EQ(Encode(started)["StepStartedDetails"], json::object());

  j["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"] = "1";
  EXPECT_EQ(Decode<Event>(j).status().message(),
            "StepFailedDetails.RetryDetails.CurrentAttempt: expected integer, got string");
  json wait = json::parse(R"({"EventType":"WaitStarted","EventId":4,"EventTimestamp":1,
    "WaitStartedDetails":{"ScheduledEndTimestamp":3}})");
  EXPECT_EQ(Decode<Event>(wait).status().message(),
            "WaitStartedDetails.Duration: missing required member");
}

TEST(JsonCodec, EnvelopeAndOutput) {
  json env = json::parse(
      R"({"DurableExecutionArn":"arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/id",
    "CheckpointToken":"tok","UpdatedOperationIds":[],
    "InitialExecutionState":{"Operations":[{"Id":"id","Type":"EXECUTION","Status":"STARTED",
      "StartTimestamp":1764547200000,"ExecutionDetails":{"InputPayload":"{\"orderId\":42}"}}],
      "NextMarker":""}})");
  auto e = Decode<InvocationEnvelope>(env, TimeFormat::kEpochMillis);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->initial_execution_state.operations[0].execution_details->input_payload,
            "{\"orderId\":42}");
  EXPECT_EQ(Encode(*e, TimeFormat::kEpochMillis), env);
  env["InitialExecutionState"].erase("Operations");
  EXPECT_EQ(Decode<InvocationEnvelope>(env).status().message(),
            "InitialExecutionState.Operations: missing required member");

  auto out = DecodeText<InvocationOutput>(R"({"Status":"PENDING"})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, InvocationStatus::kPending);
  EXPECT_EQ(DecodeText<InvocationOutput>(R"({"Status":"DONE"})").status().message(),
            "Status: unknown InvocationStatus 'DONE'");
}

TEST(JsonCodec, MalformedTextNamesTheOffset) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,2", "{\"a\":1} x", "nul", "\"\\u12\""}) {
    auto r = ParseJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_THAT(r.status().message(), StartsWith("malformed JSON at byte ")) << text;
  }
  auto r = DecodeText<CheckpointDurableExecutionRequest>("{\"CheckpointToken\": 5");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("malformed JSON"));
}

TEST(JsonCodec, ApiResponsesRoundTrip) {
  GetDurableExecutionResponse g;
  g.durable_execution_arn =
      "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/i";
  g.durable_execution_name = "n";
  g.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f:1";
  g.status = ExecutionStatus::kFailed;
  g.start_timestamp = Timestamp{1764547200000};
  g.end_timestamp = Timestamp{1764547201500};
  g.error = ErrorObject{"Error", "boom", std::nullopt, std::nullopt};
  g.durable_config = DurableConfig{std::nullopt, 14, 900};
  g.version = "1";
  json j = Encode(g);
  EXPECT_EQ(j["EndTimestamp"], 1764547201.5);
  EXPECT_EQ(j["StartTimestamp"], 1764547200);
  EXPECT_FALSE(j.contains("Result"));
  EXPECT_EQ(Decode<GetDurableExecutionResponse>(j).value(), g);

  ListDurableExecutionsByFunctionResponse l;
  l.durable_executions = {{g.durable_execution_arn, "n", g.function_arn, ExecutionStatus::kRunning,
                           Timestamp{5}, std::nullopt, std::nullopt}};
  l.next_marker = "m";
  EXPECT_EQ(Decode<ListDurableExecutionsByFunctionResponse>(Encode(l)).value(), l);
  StopDurableExecutionResponse s{Timestamp{1764547200001}};
  EXPECT_EQ(Encode(s)["StopTimestamp"], 1764547200.001);
  EXPECT_EQ(Decode<StopDurableExecutionResponse>(Encode(s)).value(), s);
}

}  // namespace
}  // namespace durafn::protocol
