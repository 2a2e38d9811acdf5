// Wait requirements (2-x).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handlers = {
  // 2.1: one 2-second wait.
  "2-1": withDurableExecution(async (_event, ctx) => {
    await ctx.wait({ seconds: 2 });
  }),

  // 2.2: a named 2-second wait.
  "2-2": withDurableExecution(async (_event, ctx) => {
    await ctx.wait("custom_wait_name", { seconds: 2 });
  }),

  // 2.3: two named 2-second waits in sequence.
  "2-3": withDurableExecution(async (_event, ctx) => {
    await ctx.wait("wait-1", { seconds: 2 });
    await ctx.wait("wait-2", { seconds: 2 });
    return { completedWaits: 2 };
  }),

  // 2.4: a wait given in minutes (checkpointed as 60 seconds).
  "2-4": withDurableExecution(async (_event, ctx) => {
    await ctx.wait({ minutes: 1 });
  }),
};
