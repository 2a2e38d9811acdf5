// Step requirements (1-x).
import {
  JitterStrategy,
  StepSemantics,
  createRetryStrategy,
  retryPresets,
  withDurableExecution,
} from "@aws/durable-execution-sdk-js";
import { upperCaseSerdes } from "./common.mjs";

// The error type 1.16's retry strategy refuses to retry.
class TransientError extends Error {
  constructor(message) {
    super(message);
    this.name = "TransientError";
  }
}

export const handlers = {
  // 1.1: one unnamed step returning a greeting.
  "1-1": withDurableExecution(async (event, ctx) =>
    ctx.step(async () => `Hello, ${event}!`),
  ),

  // 1.2: the same step with an explicit name.
  "1-2": withDurableExecution(async (event, ctx) =>
    ctx.step("custom_step_name", async () => `Hello, ${event}!`),
  ),

  // 1.3: the second step uses the first one's result.
  "1-3": withDurableExecution(async (_event, ctx) => {
    const first = await ctx.step(async () => "first");
    return ctx.step(async () => `${first}_second`);
  }),

  // 1.4: a step returning a nested object built from the input.
  "1-4": withDurableExecution(async (event, ctx) =>
    ctx.step(async () => ({
      user: { name: event.name, tags: event.tags },
      count: event.tags.length,
    })),
  ),

  // 1.6: a per-step serdes that upper-cases strings when it serializes.
  "1-6": withDurableExecution(async (event, ctx) =>
    ctx.step(async () => event, { serdes: upperCaseSerdes }),
  ),

  // 1.7: a step that logs through its step context logger.
  "1-7": withDurableExecution(async (event, ctx) =>
    ctx.step(async (step) => {
      step.logger.info(`Greeting step started for: ${event}`);
      const greeting = `Hello, ${event}!`;
      step.logger.info(`Greeting step completed with: ${greeting}`);
      return greeting;
    }),
  ),

  // 1.8: a step, then a 2-second wait; the replay skips the step.
  "1-8": withDurableExecution(async (_event, ctx) => {
    const result = await ctx.step(async () => "computed");
    await ctx.wait({ seconds: 2 });
    return result;
  }),

  // 1.9: a logging step, then a 1-second wait; the replay returns the cached result.
  "1-9": withDurableExecution(async (_event, ctx) => {
    const result = await ctx.step(async (step) => {
      step.logger.info("step executed");
      return "cached_value";
    });
    await ctx.wait({ seconds: 1 });
    return result;
  }),

  // 1.11: fails on attempt 1, succeeds on attempt 2; retries after 1 second.
  "1-11": withDurableExecution(async (_event, ctx) =>
    ctx.step(
      async (step) => {
        if (step.attempt < 2) throw new Error(`attempt ${step.attempt} failed`);
        return "Operation succeeded";
      },
      {
        retryStrategy: (_error, attempts) =>
          attempts < 3 ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false },
      },
    ),
  ),

  // 1.12: always fails; 4 attempts 1 second apart, then the execution fails.
  "1-12": withDurableExecution(async (_event, ctx) =>
    ctx.step(
      async (step) => {
        throw new Error(`attempt ${step.attempt} failed`);
      },
      {
        retryStrategy: createRetryStrategy({
          maxAttempts: 4,
          initialDelay: { seconds: 1 },
          backoffRate: 1,
          jitter: JitterStrategy.NONE,
        }),
      },
    ),
  ),

  // 1.13: fails twice, succeeds on attempt 3, under the SDK's default retry strategy.
  "1-13": withDurableExecution(async (_event, ctx) =>
    ctx.step(async (step) => {
      if (step.attempt < 3) throw new Error(`attempt ${step.attempt} failed`);
      return "succeeded on third attempt";
    }),
  ),

  // 1.14: fails twice, succeeds on attempt 3; delays 2s then 6s (backoff 3, no jitter).
  "1-14": withDurableExecution(async (_event, ctx) =>
    ctx.step(
      async (step) => {
        if (step.attempt < 3) throw new Error(`attempt ${step.attempt} failed`);
        return "succeeded on third attempt";
      },
      {
        retryStrategy: createRetryStrategy({
          maxAttempts: 5,
          initialDelay: { seconds: 2 },
          backoffRate: 3,
          jitter: JitterStrategy.NONE,
        }),
      },
    ),
  ),

  // 1.16: the step throws TransientError, which the retry strategy does not retry.
  "1-16": withDurableExecution(async (_event, ctx) =>
    ctx.step(
      async () => {
        throw new TransientError("transient failure");
      },
      {
        retryStrategy: (error) =>
          error instanceof TransientError || error?.name === "TransientError"
            ? { shouldRetry: false }
            : { shouldRetry: true, delay: { seconds: 1 } },
      },
    ),
  ),

  // 1.17: an at-most-once step without retries that crashes the process; the re-run sees
  // the interrupted step and fails it.
  "1-17": withDurableExecution(async (event, ctx) =>
    ctx.step(
      "at_most_once_flaky_step",
      async (step) => {
        step.logger.info(`${event}`);
        process.exit(1);
      },
      { semantics: StepSemantics.AtMostOncePerRetry, retryStrategy: retryPresets.noRetry },
    ),
  ),

  // 1.18: an at-most-once step with retries that crashes on attempt 1 and succeeds on 2.
  "1-18": withDurableExecution(async (event, ctx) =>
    ctx.step(
      async (step) => {
        step.logger.info(`${event}`);
        if (step.attempt === 1) process.exit(1);
        return "succeeded on second attempt";
      },
      {
        semantics: StepSemantics.AtMostOncePerRetry,
        retryStrategy: createRetryStrategy({
          maxAttempts: 3,
          initialDelay: { seconds: 1 },
          jitter: JitterStrategy.NONE,
        }),
      },
    ),
  ),

  // 1.19: a step that always throws, with no retries.
  "1-19": withDurableExecution(async (_event, ctx) =>
    ctx.step(
      async () => {
        throw new Error("step failed permanently");
      },
      { retryStrategy: retryPresets.noRetry },
    ),
  ),
};
