// The parallel suite (8-x): one handler per requirement. Most run branches one at a time
// (max_concurrency 1) so the history is deterministic.
#include <string>
#include <vector>

#include "durafn/durafn.h"
#include "registry.h"

namespace {

using durafn::BatchResult;
using durafn::DurableContext;
using durafn::ParallelBranch;
using durafn::ParallelConfig;
using durafn::StepContext;
using nlohmann::json;

// A branch returning `value` directly (no operation inside).
ParallelBranch Returns(json value) {
  return {"", [value](DurableContext&) { return value; }};
}

// A branch running one step that returns `value`.
ParallelBranch StepReturns(json value) {
  return {"", [value](DurableContext& c) {
            return c.step_json({}, [&](StepContext&) { return value; });
          }};
}

// A branch that throws.
ParallelBranch Throws(std::string message) {
  return {"", [message](DurableContext&) -> json { throw durafn::Error("BranchError", message); }};
}

ParallelConfig Sequential() {
  ParallelConfig c;
  c.max_concurrency = 1;
  return c;
}

json Results(const BatchResult& r) {
  return json(r.results());
}

// {completionReason, status, successCount, failureCount, totalCount}.
json Projection(const BatchResult& r) {
  return {{"completionReason", r.completion_reason_string()},
          {"status", r.status()},
          {"successCount", r.success_count()},
          {"failureCount", r.failure_count()},
          {"totalCount", r.total_count()}};
}

// {completionReason, successCount, failureCount, totalCount}.
json ProjectionWithoutStatus(const BatchResult& r) {
  json j = Projection(r);
  j.erase("status");
  return j;
}

}  // namespace

// 8.1: two branches, one step each.
CONFORMANCE_DURABLE("8-1", [](const json&, DurableContext& ctx) -> json {
  return Results(
      ctx.parallel("parallel", {StepReturns("task-1"), StepReturns("task-2")}, Sequential()));
});

// 8.2: no operation name; branches return directly.
CONFORMANCE_DURABLE("8-2", [](const json&, DurableContext& ctx) -> json {
  return Results(ctx.parallel({}, {Returns("alpha"), Returns("beta")}, Sequential()));
});

// 8.3: named branches.
CONFORMANCE_DURABLE("8-3", [](const json&, DurableContext& ctx) -> json {
  std::vector<ParallelBranch> branches = {
      {"first", [](DurableContext&) -> json { return "one"; }},
      {"second", [](DurableContext&) -> json { return "two"; }},
  };
  return Results(ctx.parallel("named", branches, Sequential()));
});

// 8.4: a string, a number and an object.
CONFORMANCE_DURABLE("8-4", [](const json&, DurableContext& ctx) -> json {
  return Results(ctx.parallel("hetero", {Returns("hello"), Returns(42), Returns(json{{"k", "v"}})},
                              Sequential()));
});

// 8.6: fail fast with tolerated_failure_count 0; branch 2 never starts.
CONFORMANCE_DURABLE("8-6", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 0;
  return Projection(ctx.parallel(
      "failfast", {Returns("ok"), Throws("branch 1 failed"), Returns("never")}, config));
});

// 8.7: fail fast, then throw_if_error() fails the execution.
CONFORMANCE_DURABLE("8-7", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 0;
  BatchResult r = ctx.parallel("throwing", {Throws("branch 0 failed"), Returns("never")}, config);
  r.throw_if_error();
  return Results(r);
});

// 8.8: min_successful 2 stops after two successes.
CONFORMANCE_DURABLE("8-8", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.min_successful = 2;
  BatchResult r = ctx.parallel("min-successful",
                               {Returns("a"), Returns("b"), Returns("c"), Returns("d")}, config);
  return {{"completionReason", r.completion_reason_string()},
          {"successCount", r.success_count()},
          {"totalCount", r.total_count()}};
});

// 8.9: one failure tolerated; all three branches run.
CONFORMANCE_DURABLE("8-9", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 1;
  return Projection(
      ctx.parallel("tolerated", {Returns("a"), Throws("branch 1 failed"), Returns("c")}, config));
});

// 8.11: two at a time; results stay in branch order.
CONFORMANCE_DURABLE("8-11", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config;
  config.max_concurrency = 2;
  return Results(ctx.parallel("concurrent", {Returns("r0"), Returns("r1"), Returns("r2")}, config));
});

// 8.12: FLAT nesting: the branches' steps are direct children of the Parallel context.
CONFORMANCE_DURABLE("8-12", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.nesting = durafn::Nesting::kFlat;
  return Results(ctx.parallel("flat", {StepReturns("fa"), StepReturns("fb")}, config));
});

// 8.13: 25 % tolerated of 4 branches; the second failure (50 %) stops the batch.
CONFORMANCE_DURABLE("8-13", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_percentage = 25;
  return ProjectionWithoutStatus(ctx.parallel(
      "tolerated-pct",
      {Throws("branch 0 failed"), Throws("branch 1 failed"), Returns("c"), Returns("d")}, config));
});

// 8.14: branch 1 waits 2 s; on replay branch 0 is not re-run.
CONFORMANCE_DURABLE("8-14", [](const json&, DurableContext& ctx) -> json {
  std::vector<ParallelBranch> branches = {
      StepReturns("b0"),
      {"",
       [](DurableContext& c) -> json {
         c.wait(durafn::seconds(2));
         return "b1";
       }},
  };
  return Results(ctx.parallel("replay", branches, Sequential()));
});

// 8.16: every branch fails, all within tolerance.
CONFORMANCE_DURABLE("8-16", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_count = 3;
  return Projection(ctx.parallel(
      "all-fail", {Throws("branch 0 failed"), Throws("branch 1 failed"), Throws("branch 2 failed")},
      config));
});

// 8.17: min_successful 3 is never reached; with no tolerance set, failures do not stop it.
CONFORMANCE_DURABLE("8-17", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.min_successful = 3;
  return Projection(ctx.parallel("min-not-reached",
                                 {Returns("a"), Throws("branch 1 failed"), Returns("c")}, config));
});

// 8.18: min_successful 3 and tolerated_failure_count 1; the tolerance is exceeded first.
CONFORMANCE_DURABLE("8-18", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.min_successful = 3;
  config.completion_config.tolerated_failure_count = 1;
  return ProjectionWithoutStatus(ctx.parallel(
      "combined",
      {Throws("branch 0 failed"), Throws("branch 1 failed"), Returns("c"), Returns("d")}, config));
});

// 8.19: max_concurrency 0 is rejected before anything is checkpointed.
CONFORMANCE_DURABLE("8-19", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config;
  config.max_concurrency = 0;
  return Results(ctx.parallel("bad-concurrency", {Returns("a"), Returns("b")}, config));
});

// 8.21: a parallel inside a parallel branch.
CONFORMANCE_DURABLE("8-21", [](const json&, DurableContext& ctx) -> json {
  std::vector<ParallelBranch> outer = {
      {"",
       [](DurableContext& c) -> json {
         return Results(c.parallel("inner", {StepReturns("i1"), StepReturns("i2")}, Sequential()));
       }},
  };
  return Results(ctx.parallel("outer", outer, Sequential()));
});

// 8.22: 1 failure of 4 is exactly 25 %, which does not exceed 25 %.
CONFORMANCE_DURABLE("8-22", [](const json&, DurableContext& ctx) -> json {
  ParallelConfig config = Sequential();
  config.completion_config.tolerated_failure_percentage = 25;
  return Projection(
      ctx.parallel("pct-boundary",
                   {Throws("branch 0 failed"), Returns("b"), Returns("c"), Returns("d")}, config));
});
