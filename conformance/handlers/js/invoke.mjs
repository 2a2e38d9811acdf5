// Chained-invoke requirements (5-x) and the targets they call. The targets are durable
// functions, called through the $LATEST qualifier. Every call passes the operation name
// explicitly (undefined when unnamed): the SDK reads a string second argument as the
// function name, so the two-argument form would misread a string payload.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { target } from "./common.mjs";

// Just under the 1 MiB limit of an asynchronous invocation's payload, JSON overhead included.
const LARGE_PAYLOAD_CHARS = 1_000_000;

export const targets = {
  // Returns its event unchanged.
  "invoke-echo": withDurableExecution(async (event) => event),

  // Always fails.
  "invoke-fail": withDurableExecution(async () => {
    const error = new Error("the invoke target failed on purpose");
    error.name = "TargetError";
    throw error;
  }),

  // Returns the length of the string in the event's `data`.
  "invoke-size": withDurableExecution(async (event) => ({ length: event.data.length })),
};

export const handlers = {
  // 5.1: invokes the echo target with the input.
  "5-1": withDurableExecution(async (event, ctx) =>
    ctx.invoke(undefined, target("invoke-echo"), event),
  ),

  // 5.2: an invoke named by the input's `name`, with its `payload`.
  "5-2": withDurableExecution(async (event, ctx) =>
    ctx.invoke(event.name, target("invoke-echo"), event.payload),
  ),

  // 5.3: the echo target returns the nested input object as it is.
  "5-3": withDurableExecution(async (event, ctx) =>
    ctx.invoke(undefined, target("invoke-echo"), event),
  ),

  // 5.4: invokes the echo target with null.
  "5-4": withDurableExecution(async (_event, ctx) =>
    ctx.invoke(undefined, target("invoke-echo"), null),
  ),

  // 5.6: the target fails; the handler catches the error and returns a fallback.
  "5-6": withDurableExecution(async (_event, ctx) => {
    try {
      return await ctx.invoke(undefined, target("invoke-fail"), {});
    } catch (error) {
      return { fallback: true, error: error.message };
    }
  }),

  // 5.7: a payload near the invocation size limit; the target returns its length.
  "5-7": withDurableExecution(async (_event, ctx) =>
    ctx.invoke(undefined, target("invoke-size"), { data: "x".repeat(LARGE_PAYLOAD_CHARS) }),
  ),

  // 5.8: an invoke with the input's `tenantId`, passing its `payload`.
  "5-8": withDurableExecution(async (event, ctx) =>
    ctx.invoke(undefined, target("invoke-echo"), event.payload, { tenantId: event.tenantId }),
  ),

  // 5.9: an invoke, then a 1-second wait; the replay takes the cached invoke result.
  "5-9": withDurableExecution(async (_event, ctx) => {
    const result = await ctx.invoke(undefined, target("invoke-echo"), "cached");
    await ctx.wait({ seconds: 1 });
    return result;
  }),

  // 5.11: a step, then an invoke of the step's result.
  "5-11": withDurableExecution(async (_event, ctx) => {
    const value = await ctx.step(async () => ({ from: "step" }));
    return ctx.invoke(undefined, target("invoke-echo"), value);
  }),

  // 5.12: an invoke, then a step that processes its result.
  "5-12": withDurableExecution(async (_event, ctx) => {
    const result = await ctx.invoke(undefined, target("invoke-echo"), { from: "invoke" });
    return ctx.step(async () => ({ processed: result }));
  }),

  // 5.13: an invoke inside a child context, which returns its result.
  "5-13": withDurableExecution(async (_event, ctx) =>
    ctx.runInChildContext("child", async (child) =>
      child.invoke(undefined, target("invoke-echo"), "from child"),
    ),
  ),

  // 5.14: two invokes in sequence, of two different targets.
  "5-14": withDurableExecution(async (_event, ctx) => {
    const first = await ctx.invoke(undefined, target("invoke-echo"), "first");
    const second = await ctx.invoke(undefined, target("invoke-size"), { data: "second" });
    return [first, second];
  }),

  // 5.16: a result serdes that upper-cases the result text it reads.
  "5-16": withDurableExecution(async (event, ctx) =>
    ctx.invoke(undefined, target("invoke-echo"), event, {
      resultSerdes: {
        serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value)),
        deserialize: async (data) => (data === undefined ? undefined : data.toUpperCase()),
      },
    }),
  ),
};
