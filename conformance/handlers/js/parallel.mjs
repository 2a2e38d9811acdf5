// Parallel requirements (8-x). Most run one branch at a time (maxConcurrency 1) so the
// history is deterministic.
import { NestingType, withDurableExecution } from "@aws/durable-execution-sdk-js";
import { projection } from "./common.mjs";

const SEQUENTIAL = { maxConcurrency: 1 };
const FULL = ["completionReason", "status", "successCount", "failureCount", "totalCount"];
const NO_STATUS = ["completionReason", "successCount", "failureCount", "totalCount"];

// A branch returning `value` directly, and one throwing.
const returns = (value) => async () => value;
const fails = (message) => async () => {
  throw new Error(message);
};
// A branch running one step that returns `value`.
const stepReturning = (value) => async (branch) => branch.step(async () => value);

export const handlers = {
  // 8.1: two branches, each one step.
  "8-1": withDurableExecution(async (_event, ctx) =>
    (await ctx.parallel("parallel", [stepReturning("task-1"), stepReturning("task-2")], SEQUENTIAL)).getResults(),
  ),

  // 8.2: the form without a name; branches return directly.
  "8-2": withDurableExecution(async (_event, ctx) =>
    (await ctx.parallel([returns("alpha"), returns("beta")], SEQUENTIAL)).getResults(),
  ),

  // 8.3: named branches.
  "8-3": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.parallel(
        "named",
        [
          { name: "first", func: returns("one") },
          { name: "second", func: returns("two") },
        ],
        SEQUENTIAL,
      )
    ).getResults(),
  ),

  // 8.4: branches returning a string, a number and an object.
  "8-4": withDurableExecution(async (_event, ctx) =>
    (await ctx.parallel("hetero", [returns("hello"), returns(42), returns({ k: "v" })], SEQUENTIAL)).getResults(),
  ),

  // 8.6: fail-fast: branch 1 fails, branch 2 never starts; the batch is returned.
  "8-6": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel("failfast", [returns("ok"), fails("branch 1 failed"), returns("never")], {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 0 },
    });
    return projection(batch, FULL);
  }),

  // 8.7: fail-fast, then the batch rethrows its first failure.
  "8-7": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel("throwing", [fails("branch 0 failed"), returns("never")], {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 0 },
    });
    batch.throwIfError();
    return batch.getResults();
  }),

  // 8.8: min-successful 2 of 4: stops after two successes.
  "8-8": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "min-successful",
      [returns("b0"), returns("b1"), returns("b2"), returns("b3")],
      { ...SEQUENTIAL, completionConfig: { minSuccessful: 2 } },
    );
    return projection(batch, ["completionReason", "successCount", "totalCount"]);
  }),

  // 8.9: one tolerated failure: all three branches run.
  "8-9": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel("tolerated", [returns("b0"), fails("branch 1 failed"), returns("b2")], {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 1 },
    });
    return projection(batch, FULL);
  }),

  // 8.11: up to two branches at once; results stay in branch order.
  "8-11": withDurableExecution(async (_event, ctx) =>
    (await ctx.parallel("concurrent", [returns("r0"), returns("r1"), returns("r2")], { maxConcurrency: 2 })).getResults(),
  ),

  // 8.12: FLAT nesting: the branches' steps sit directly under the parallel context.
  "8-12": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.parallel("flat", [stepReturning("fa"), stepReturning("fb")], {
        ...SEQUENTIAL,
        nesting: NestingType.FLAT,
      })
    ).getResults(),
  ),

  // 8.13: 25% tolerated of 4: the second failure (50%) stops the operation.
  "8-13": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "tolerated-pct",
      [fails("branch 0 failed"), fails("branch 1 failed"), returns("b2"), returns("b3")],
      { ...SEQUENTIAL, completionConfig: { toleratedFailurePercentage: 25 } },
    );
    return projection(batch, NO_STATUS);
  }),

  // 8.14: branch 1 waits 2 seconds; the replay skips the finished branch 0.
  "8-14": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.parallel(
        "replay",
        [
          stepReturning("b0"),
          async (branch) => {
            await branch.wait({ seconds: 2 });
            return "b1";
          },
        ],
        SEQUENTIAL,
      )
    ).getResults(),
  ),

  // 8.16: three tolerated failures and three failing branches: all run.
  "8-16": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "all-fail",
      [fails("branch 0 failed"), fails("branch 1 failed"), fails("branch 2 failed")],
      { ...SEQUENTIAL, completionConfig: { toleratedFailureCount: 3 } },
    );
    return projection(batch, FULL);
  }),

  // 8.17: min-successful 3 is never reached; all branches run.
  "8-17": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "min-not-reached",
      [returns("b0"), fails("branch 1 failed"), returns("b2")],
      { ...SEQUENTIAL, completionConfig: { minSuccessful: 3 } },
    );
    return projection(batch, FULL);
  }),

  // 8.18: min-successful 3 and 1 tolerated failure: the second failure stops it.
  "8-18": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "combined",
      [fails("branch 0 failed"), fails("branch 1 failed"), returns("b2"), returns("b3")],
      { ...SEQUENTIAL, completionConfig: { minSuccessful: 3, toleratedFailureCount: 1 } },
    );
    return projection(batch, NO_STATUS);
  }),

  // 8.19: maxConcurrency 0 is invalid; the SDK's validation error is not caught.
  "8-19": withDurableExecution(async (_event, ctx) =>
    (await ctx.parallel("bad-concurrency", [returns("b0"), returns("b1")], { maxConcurrency: 0 })).getResults(),
  ),

  // 8.21: a parallel inside a branch of another parallel.
  "8-21": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.parallel(
        "outer",
        [
          async (branch) =>
            (await branch.parallel("inner", [stepReturning("i1"), stepReturning("i2")], SEQUENTIAL)).getResults(),
        ],
        SEQUENTIAL,
      )
    ).getResults(),
  ),

  // 8.22: 25% tolerated of 4 and exactly one failure: not exceeded, all run.
  "8-22": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.parallel(
      "pct-boundary",
      [fails("branch 0 failed"), returns("b1"), returns("b2"), returns("b3")],
      { ...SEQUENTIAL, completionConfig: { toleratedFailurePercentage: 25 } },
    );
    return projection(batch, FULL);
  }),
};
