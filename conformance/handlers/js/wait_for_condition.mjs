// waitForCondition requirements (6-x).
import { JitterStrategy, createWaitStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

// Keeps polling, 1 second apart, while `pending(state)` holds.
const pollWhile = (pending) => (state) =>
  pending(state) ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false };

// Counts up from `initialState` until the count reaches `threshold`.
const countTo = (threshold, initialState = 0) => ({
  initialState,
  waitStrategy: pollWhile((state) => state < threshold),
});

const increment = async (state) => state + 1;

export const handlers = {
  // 6.1: counts 0 -> threshold (the input), one check per invocation.
  "6-1": withDurableExecution(async (event, ctx) =>
    ctx.waitForCondition(increment, countTo(event)),
  ),

  // 6.2: starts at 5, already satisfied (>= 5) after the first check.
  "6-2": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCondition(async (state) => state, {
      initialState: 5,
      waitStrategy: pollWhile((state) => !(state >= 5)),
    }),
  ),

  // 6.3: a named operation counting 0 -> 2 (the input).
  "6-3": withDurableExecution(async (event, ctx) =>
    ctx.waitForCondition("poll-status", increment, countTo(event)),
  ),

  // 6.4: counts from the initial state 5 up to the input (8).
  "6-4": withDurableExecution(async (event, ctx) =>
    ctx.waitForCondition(increment, countTo(event, 5)),
  ),

  // 6.6: never satisfied; a fixed-delay strategy allows 3 attempts, then fails.
  "6-6": withDurableExecution(async (event, ctx) =>
    ctx.waitForCondition(increment, {
      initialState: event ?? 0,
      waitStrategy: createWaitStrategy({
        maxAttempts: 3,
        initialDelay: { seconds: 1 },
        backoffRate: 1,
        jitter: JitterStrategy.NONE,
        shouldContinuePolling: () => true,
      }),
    }),
  ),

  // 6.7: the check throws on its first run; not caught.
  "6-7": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCondition(
      async () => {
        throw new Error("check failed");
      },
      { initialState: 0, waitStrategy: pollWhile(() => true) },
    ),
  ),

  // 6.8: the check throws; the handler catches it and returns a fallback.
  "6-8": withDurableExecution(async (_event, ctx) => {
    try {
      return await ctx.waitForCondition(
        async () => {
          throw new Error("check failed");
        },
        { initialState: 0, waitStrategy: pollWhile(() => true) },
      );
    } catch {
      return "recovered";
    }
  }),

  // 6.9: an object state, PENDING until its second check.
  "6-9": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCondition(
      async (state) => {
        const attempts = state.attempts + 1;
        return { status: attempts >= 2 ? "DONE" : "PENDING", attempts };
      },
      {
        initialState: { status: "PENDING", attempts: 0 },
        waitStrategy: pollWhile((state) => state.status === "PENDING"),
      },
    ),
  ),

  // 6.11: a string state kept through a custom (base64) serdes; grows to "xx".
  "6-11": withDurableExecution(async (_event, ctx) =>
    ctx.waitForCondition(async (state) => `${state}x`, {
      initialState: "",
      waitStrategy: pollWhile((state) => state.length < 2),
      serdes: {
        serialize: async (value) =>
          value === undefined ? undefined : Buffer.from(value, "utf8").toString("base64"),
        deserialize: async (data) =>
          data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8"),
      },
    }),
  ),

  // 6.12: counts to the input (2), then a step multiplies the result by 10.
  "6-12": withDurableExecution(async (event, ctx) => {
    const count = await ctx.waitForCondition(increment, countTo(event));
    return ctx.step(async () => count * 10);
  }),

  // 6.13: counts 0 -> 2, then from there to 4 in a second operation.
  "6-13": withDurableExecution(async (_event, ctx) => {
    const first = await ctx.waitForCondition(increment, countTo(2));
    return ctx.waitForCondition(increment, countTo(4, first));
  }),
};
