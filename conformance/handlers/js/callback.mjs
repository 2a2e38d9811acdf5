// Callback requirements (4-x): createCallback, then waiting on its promise.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

// Creates callback `name`; resolves to { result }, the promise of its result. The promise
// is wrapped because an async function returning a thenable would wait for it.
async function callback(ctx, name, config) {
  const [result] = await ctx.createCallback(name, config);
  return { result };
}

export const handlers = {
  // 4.1: a callback named by the input; returns its result.
  "4-1": withDurableExecution(async (event, ctx) => (await callback(ctx, event)).result),

  // 4.2: a callback named "approval".
  "4-2": withDurableExecution(async (_event, ctx) => (await callback(ctx, "approval")).result),

  // 4.3: a 5-second timeout and no answer: the execution fails.
  "4-3": withDurableExecution(async (event, ctx) =>
    (await callback(ctx, event, { timeout: { seconds: 5 } })).result,
  ),

  // 4.4: a 5-second heartbeat timeout and no heartbeat: the execution fails.
  "4-4": withDurableExecution(async (event, ctx) =>
    (await callback(ctx, event, { heartbeatTimeout: { seconds: 5 } })).result,
  ),

  // 4.6: the external system reports failure; the handler does not catch it.
  "4-6": withDurableExecution(async (event, ctx) => (await callback(ctx, event)).result),

  // 4.7: a callback, a step, then the callback's (failed) result.
  "4-7": withDurableExecution(async (event, ctx) => {
    const { result } = await callback(ctx, event);
    await ctx.step(async () => "step done");
    return await result;
  }),

  // 4.8: a callback with a 5-second timeout, a step, then the callback's result.
  "4-8": withDurableExecution(async (event, ctx) => {
    const { result } = await callback(ctx, event, { timeout: { seconds: 5 } });
    await ctx.step(async () => "step done");
    return await result;
  }),

  // 4.9: a callback, a 5-second wait, then the callback's result.
  "4-9": withDurableExecution(async (event, ctx) => {
    const { result } = await callback(ctx, event);
    await ctx.wait({ seconds: 5 });
    return await result;
  }),

  // 4.11: a callback with a 3-second timeout, a 6-second wait, then the callback's result.
  "4-11": withDurableExecution(async (event, ctx) => {
    const { result } = await callback(ctx, event, { timeout: { seconds: 3 } });
    await ctx.wait({ seconds: 6 });
    return await result;
  }),

  // 4.12: the callback's result, then a 2-second wait, then the result.
  "4-12": withDurableExecution(async (event, ctx) => {
    const result = await (await callback(ctx, event)).result;
    await ctx.wait({ seconds: 2 });
    return result;
  }),

  // 4.13: the callback fails, the handler catches it, waits 2 seconds, returns a message.
  "4-13": withDurableExecution(async (event, ctx) => {
    let message;
    try {
      message = await (await callback(ctx, event)).result;
    } catch (error) {
      message = `callback failed: ${error.message}`;
    }
    await ctx.wait({ seconds: 2 });
    return message;
  }),

  // 4.14: the callback times out after 3 seconds; caught, then a 2-second wait.
  "4-14": withDurableExecution(async (event, ctx) => {
    let message;
    try {
      message = await (await callback(ctx, event, { timeout: { seconds: 3 } })).result;
    } catch (error) {
      message = `callback timed out: ${error.message}`;
    }
    await ctx.wait({ seconds: 2 });
    return message;
  }),

  // 4.16: a deserializer that reads the callback's payload as a number.
  "4-16": withDurableExecution(async (event, ctx) => {
    const count = await (await callback(ctx, event, {
      serdes: { deserialize: async (data) => (data === undefined ? undefined : Number(JSON.parse(data))) },
    })).result;
    return { count, doubled: count * 2 };
  }),

  // 4.17: callback A is created and awaited, then callback B.
  "4-17": withDurableExecution(async (event, ctx) => {
    const a = await (await callback(ctx, event[0])).result;
    const b = await (await callback(ctx, event[1])).result;
    return [a, b];
  }),

  // 4.18: callbacks A and B are both created, then awaited in order.
  "4-18": withDurableExecution(async (event, ctx) => {
    const { result: pa } = await callback(ctx, event[0]);
    const { result: pb } = await callback(ctx, event[1]);
    const a = await pa;
    const b = await pb;
    return [a, b];
  }),

  // 4.19: callbacks A and B are both created, then awaited in reverse order.
  "4-19": withDurableExecution(async (event, ctx) => {
    const { result: pa } = await callback(ctx, event[0]);
    const { result: pb } = await callback(ctx, event[1]);
    const b = await pb;
    const a = await pa;
    return [a, b];
  }),
};
