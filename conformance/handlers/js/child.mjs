// Child-context requirements (3-x).
import { retryPresets, createRetryStrategy, JitterStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";
import { crashProcess, firstRunOf } from "./common.mjs";

// Size of 3.11's child result: above the 256 KB a context result may carry inline.
const LARGE_RESULT_CHARS = 300 * 1024;

// How long 3.12's step lets queued checkpoints go out before it crashes the process.
const CRASH_AFTER_MS = 5000;

// Retries after 1 second, `maxAttempts` attempts in all.
const retryEverySecond = (maxAttempts) =>
  createRetryStrategy({ maxAttempts, initialDelay: { seconds: 1 }, jitter: JitterStrategy.NONE });

export const handlers = {
  // 3.1: an unnamed child holding one step that returns the input.
  "3-1": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext(async (child) => child.step(async () => event)),
  ),

  // 3.2: a child named by the input's `name`; its step returns the input's `value`.
  "3-2": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext(event.name, async (child) => child.step(async () => event.value)),
  ),

  // 3.3: two steps in a child, the second passing on the first's result.
  "3-3": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext("child", async (child) => {
      const first = await child.step(async () => event);
      return child.step(async () => first);
    }),
  ),

  // 3.4: the child's step throws without retries; the child and the execution fail.
  "3-4": withDurableExecution(async (_event, ctx) =>
    ctx.runInChildContext("child", async (child) =>
      child.step(
        async () => {
          throw new Error("step failed inside child");
        },
        { retryStrategy: retryPresets.noRetry },
      ),
    ),
  ),

  // 3.6: an outer child with a step and an inner child with its own step.
  "3-6": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext("outer", async (outer) => {
      await outer.step(async () => event);
      return outer.runInChildContext("inner", async (inner) => inner.step(async () => event));
    }),
  ),

  // 3.7: the child's step fails on attempt 1 and returns the input on attempt 2.
  "3-7": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext("child", async (child) =>
      child.step(
        async (step) => {
          if (step.attempt < 2) throw new Error("first attempt fails");
          return event;
        },
        { retryStrategy: retryEverySecond(3) },
      ),
    ),
  ),

  // 3.8: the child's step always fails; 2 attempts, then the child fails.
  "3-8": withDurableExecution(async (_event, ctx) =>
    ctx.runInChildContext("child", async (child) =>
      child.step(
        async (step) => {
          throw new Error(`attempt ${step.attempt} failed`);
        },
        { retryStrategy: retryEverySecond(2) },
      ),
    ),
  ),

  // 3.9: an unnamed child with a step, then a wait; the replay takes the child's cached result.
  "3-9": withDurableExecution(async (event, ctx) => {
    const result = await ctx.runInChildContext(async (child) => child.step(async () => event));
    await ctx.wait({ seconds: 1 });
    return result;
  }),

  // 3.11: the child's result is too large to checkpoint, so the replay re-runs the child
  // (which logs again, replay logging being on) to rebuild it. Each context has its own
  // logger setting, so the child turns replay logging on for itself.
  "3-11": withDurableExecution(async (event, ctx) => {
    ctx.configureLogger({ modeAware: false });
    const large = await ctx.runInChildContext("large-result", async (child) => {
      child.configureLogger({ modeAware: false });
      child.logger.info(`child context input: ${event}`);
      const piece = await child.step(async () => "x");
      return piece.repeat(LARGE_RESULT_CHARS);
    });
    await ctx.wait({ seconds: 1 });
    return { length: large.length };
  }),

  // 3.12: the child's step crashes the process on its first run, once the child's and the
  // step's START had time to be checkpointed (they are queued, not awaited, and the first
  // checkpoint also loads the SDK's API client); the re-run executes the step again and the
  // child succeeds.
  "3-12": withDurableExecution(async (event, ctx) => {
    const arn = ctx.executionContext.durableExecutionArn;
    return ctx.runInChildContext(async (child) =>
      child.step(async () => {
        if (firstRunOf(arn, "3-12")) await crashProcess(CRASH_AFTER_MS);
        return event;
      }),
    );
  }),

  // 3.13: a child holding only a wait, then a step outside it.
  "3-13": withDurableExecution(async (event, ctx) => {
    await ctx.runInChildContext("child", async (child) => {
      await child.wait({ seconds: 1 });
      return event;
    });
    return ctx.step(async () => event);
  }),

  // 3.14: a child whose serdes writes its result upper-cased.
  "3-14": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext("child", async (child) => child.step(async () => event), {
      serdes: {
        serialize: async (value) => (value === undefined ? undefined : String(value).toUpperCase()),
        deserialize: async (data) => data,
      },
    }),
  ),

  // 3.16: a child that returns null without any durable operation.
  "3-16": withDurableExecution(async (_event, ctx) =>
    ctx.runInChildContext("child", async () => null),
  ),

  // 3.17: a child that only logs (replay logging on), then a wait; the replay does not
  // re-run the child, so the log appears once.
  "3-17": withDurableExecution(async (event, ctx) => {
    ctx.configureLogger({ modeAware: false });
    const result = await ctx.runInChildContext("child", async (child) => {
      child.configureLogger({ modeAware: false });
      child.logger.info(`child context input: ${event}`);
      return event;
    });
    await ctx.wait({ seconds: 1 });
    return result;
  }),

  // 3.18: a child with a step and a wait, then a step and a wait at the top level.
  "3-18": withDurableExecution(async (event, ctx) => {
    const result = await ctx.runInChildContext("child", async (child) => {
      const inner = await child.step(async () => event);
      await child.wait({ seconds: 1 });
      return inner;
    });
    const outer = await ctx.step(async () => result);
    await ctx.wait({ seconds: 1 });
    return outer;
  }),
};
