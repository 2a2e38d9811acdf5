// waitForCallback requirements (7-x). The submitters do nothing durable: the test sends
// the callback's outcome from outside.
import { JitterStrategy, createRetryStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

const submitNothing = async () => {};

export const handlers = {
  // 7.1: an operation named by the input; returns the callback's result.
  "7-1": withDurableExecution(async (event, ctx) => ctx.waitForCallback(event, submitNothing)),

  // 7.2: an operation named "approval".
  "7-2": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCallback("approval", submitNothing),
  ),

  // 7.3: an anonymous operation with an inline submitter.
  "7-3": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCallback(async () => {}),
  ),

  // 7.4: the callback fails; not caught.
  "7-4": withDurableExecution(async (event, ctx) => ctx.waitForCallback(event, submitNothing)),

  // 7.6: the callback fails; the handler catches it and returns "recovered".
  "7-6": withDurableExecution(async (event, ctx) => {
    try {
      return await ctx.waitForCallback(event, submitNothing);
    } catch {
      return "recovered";
    }
  }),

  // 7.7: the submitter always throws; 2 attempts 1 second apart, then the operation fails.
  "7-7": withDurableExecution(async (event, ctx) =>
    ctx.waitForCallback(
      event,
      async () => {
        throw new Error("submitter failed");
      },
      {
        retryStrategy: createRetryStrategy({
          maxAttempts: 2,
          initialDelay: { seconds: 1 },
          jitter: JitterStrategy.NONE,
        }),
      },
    ),
  ),

  // 7.8: the operation runs inside a child context named "wrapper".
  "7-8": withDurableExecution(async (event, ctx) =>
    ctx.runInChildContext("wrapper", async (child) => child.waitForCallback(event, submitNothing)),
  ),

  // 7.9: two operations, "first" then "second"; returns the second result.
  "7-9": withDurableExecution(async (_event, ctx) => {
    await ctx.waitForCallback("first", submitNothing);
    return ctx.waitForCallback("second", submitNothing);
  }),

  // 7.11: the payload is read as a JSON object; returns its "status".
  "7-11": withDurableExecution(async (event, ctx) => {
    const payload = await ctx.waitForCallback(event, submitNothing, {
      serdes: { deserialize: async (data) => (data === undefined ? undefined : JSON.parse(data)) },
    });
    return payload.status;
  }),

  // 7.12: a 5-second heartbeat timeout and no heartbeat; not caught.
  "7-12": withDurableExecution(async (event, ctx) =>
    ctx.waitForCallback(event, submitNothing, { heartbeatTimeout: { seconds: 5 } }),
  ),

  // 7.13: a 10-second heartbeat timeout; a heartbeat, then success.
  "7-13": withDurableExecution(async (event, ctx) =>
    ctx.waitForCallback(event, submitNothing, { heartbeatTimeout: { seconds: 10 } }),
  ),

  // 7.14: a 3-second timeout; the handler catches the timeout.
  "7-14": withDurableExecution(async (event, ctx) => {
    try {
      return await ctx.waitForCallback(event, submitNothing, { timeout: { seconds: 3 } });
    } catch {
      return "timed-out-handled";
    }
  }),
};
