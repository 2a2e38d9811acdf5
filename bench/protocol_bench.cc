// Cost of the protocol layer on the hot paths: decoding checkpoint requests and encoding
// envelopes (every invocation), and deriving operation ids (every SDK operation).
#include <benchmark/benchmark.h>

#include "protocol/json_codec.h"
#include "protocol/operation_id.h"

namespace {

using namespace durafn::protocol;

std::string CheckpointBody(int updates) {
  nlohmann::json body = {{"CheckpointToken", "dG9rZW4tMQ=="}, {"ClientToken", "c-1"}};
  for (int i = 1; i <= updates; ++i) {
    std::string id = HashOperationId(OperationPath("", i));
    body["Updates"].push_back({{"Id", id},
                               {"Type", "STEP"},
                               {"SubType", "Step"},
                               {"Action", "START"},
                               {"Name", "step-" + std::to_string(i)}});
    body["Updates"].push_back({{"Id", id},
                               {"Type", "STEP"},
                               {"SubType", "Step"},
                               {"Action", "SUCCEED"},
                               {"Payload", R"({"ok":true,"n":42})"}});
  }
  return body.dump();
}

void BM_DecodeCheckpointRequest(benchmark::State& state) {
  std::string text = CheckpointBody(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = DecodeText<CheckpointDurableExecutionRequest>(text);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeCheckpointRequest)->Arg(1)->Arg(50);

void BM_EncodeEnvelope(benchmark::State& state) {
  InvocationEnvelope env;
  env.durable_execution_arn =
      "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/id";
  env.checkpoint_token = "dG9rZW4tMQ==";
  for (int i = 0; i < state.range(0); ++i) {
    Operation op;
    op.id = HashOperationId(OperationPath("", i + 1));
    op.type = OperationType::kStep;
    op.status = OperationStatus::kSucceeded;
    op.start_timestamp = Timestamp{1764547200000 + i};
    op.step_details = StepDetails{1, std::nullopt, R"({"ok":true})", std::nullopt};
    env.initial_execution_state.operations.push_back(op);
  }
  for (auto _ : state) {
    std::string out = Encode(env, TimeFormat::kEpochMillis).dump();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncodeEnvelope)->Arg(10)->Arg(1000);

void BM_HashOperationId(benchmark::State& state) {
  uint64_t n = 0;
  for (auto _ : state) {
    std::string id = HashOperationId(OperationPath("3-1", ++n));
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_HashOperationId);

}  // namespace

BENCHMARK_MAIN();
