// Cost of the C++ SDK itself, network excluded: replaying completed steps (every resumed
// invocation replays the whole history) and running one new step (its START and SUCCEED
// updates, the checkpoint round through an in-memory backend, and the result).
#include <benchmark/benchmark.h>

#include "durafn/durafn.h"
#include "protocol/json_codec.h"
#include "protocol/operation_id.h"
#include "sdk/invocation.h"

namespace {

using nlohmann::json;
using namespace durafn;

// Answers checkpoints in memory: every update becomes a SUCCEEDED operation in the response.
// `with_json` makes it encode the request and decode the response as JSON text, which the
// HTTP client does on the wire, so the figure includes the SDK's serialization cost.
class InMemoryBackend : public sdk::DurableClient {
 public:
  explicit InMemoryBackend(bool with_json) : with_json_(with_json) {}
  protocol::CheckpointDurableExecutionResponse Checkpoint(
      const std::string&, const std::string& token,
      const std::vector<protocol::OperationUpdate>& updates) override {
    protocol::CheckpointDurableExecutionResponse resp;
    // A token of constant size, as the service's: appending to the previous one made the
    // request and response grow with every checkpoint.
    resp.checkpoint_token = "t" + std::to_string(++checkpoints_);
    std::vector<protocol::Operation> ops;
    for (const auto& u : updates) {
      if (u.action == protocol::OperationAction::kStart) continue;
      protocol::Operation op;
      op.id = u.id;
      op.name = u.name;
      op.type = u.type;
      op.sub_type = u.sub_type;
      op.status = protocol::OperationStatus::kSucceeded;
      op.step_details = protocol::StepDetails{1, std::nullopt, u.payload, std::nullopt};
      ops.push_back(std::move(op));
    }
    resp.new_execution_state.operations = std::move(ops);
    if (!with_json_) return resp;
    protocol::CheckpointDurableExecutionRequest req;
    req.checkpoint_token = token;
    req.updates = updates;
    req.client_token = "00000000-0000-4000-8000-000000000000";
    benchmark::DoNotOptimize(protocol::Encode(req).dump());
    return *protocol::DecodeText<protocol::CheckpointDurableExecutionResponse>(
        protocol::Encode(resp).dump());
  }
  protocol::GetDurableExecutionStateResponse GetState(const std::string&, const std::string&,
                                                      const std::string&) override {
    return {};
  }

 private:
  bool with_json_;
  uint64_t checkpoints_ = 0;
};

json Envelope(int completed_steps) {
  json ops = json::array();
  ops.push_back({{"Id", "exec-1"},
                 {"Type", "EXECUTION"},
                 {"Status", "STARTED"},
                 {"StartTimestamp", 1764547200000},
                 {"ExecutionDetails", {{"InputPayload", "{}"}}}});
  for (int i = 1; i <= completed_steps; ++i) {
    ops.push_back({{"Id", protocol::HashOperationId(protocol::OperationPath("", i))},
                   {"Name", "step"},
                   {"Type", "STEP"},
                   {"SubType", "Step"},
                   {"Status", "SUCCEEDED"},
                   {"StartTimestamp", 1764547200000},
                   {"EndTimestamp", 1764547200001},
                   {"StepDetails", {{"Attempt", 1}, {"Result", "{\"n\":42}"}}}});
  }
  return {{"DurableExecutionArn",
           "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/e/exec-1"},
          {"CheckpointToken", "t0"},
          {"InitialExecutionState", {{"Operations", ops}, {"NextMarker", ""}}}};
}

// A handler running `n` steps, then suspending on a wait so nothing else is checkpointed.
DurableHandler StepsThenWait(int n) {
  return [n](const json&, DurableContext& ctx) -> json {
    int64_t sum = 0;
    for (int i = 0; i < n; ++i) {
      json v = ctx.step("step", [](StepContext&) { return json{{"n", 42}}; });
      sum += v["n"].get<int64_t>();
    }
    benchmark::DoNotOptimize(sum);
    ctx.wait(seconds(1));
    return nullptr;
  };
}

// A resumed invocation that replays `n` completed steps: envelope decoding included.
void BM_ReplayCompletedSteps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  json event = Envelope(n);
  InMemoryBackend backend(false);
  DurableHandler handler = StepsThenWait(n);
  LambdaContext lc;
  for (auto _ : state) {
    auto out = sdk::RunDurableInvocation(event, handler, backend, lc);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["us_per_op"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ReplayCompletedSteps)->Arg(10'000)->Unit(benchmark::kMillisecond);

// New steps in one invocation: per step one START+SUCCEED checkpoint through the in-memory
// backend. Arg 1: with JSON encoding of the request and decoding of the response.
void BM_NewStep(benchmark::State& state) {
  const int n = 1000;
  json event = Envelope(0);
  InMemoryBackend backend(state.range(0) != 0);
  DurableHandler handler = StepsThenWait(n);
  LambdaContext lc;
  for (auto _ : state) {
    auto out = sdk::RunDurableInvocation(event, handler, backend, lc);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["us_per_op"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NewStep)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {
// The part of a resumed invocation spent decoding the envelope's operations (JSON tree to
// the wire model), for comparison with BM_ReplayCompletedSteps.
void BM_DecodeEnvelope(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  json event = Envelope(n);
  for (auto _ : state) {
    auto env =
        protocol::Decode<protocol::InvocationEnvelope>(event, protocol::TimeFormat::kEpochMillis);
    benchmark::DoNotOptimize(env);
  }
  state.counters["us_per_op"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DecodeEnvelope)->Arg(10'000)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
