// Map requirements (9-x). Most process one item at a time (maxConcurrency 1) so the
// history is deterministic.
import { NestingType, withDurableExecution } from "@aws/durable-execution-sdk-js";
import { projection } from "./common.mjs";

const SEQUENTIAL = { maxConcurrency: 1 };
const FULL = ["completionReason", "status", "successCount", "failureCount", "totalCount"];

// Size of each 9.16 item result: four of them exceed the 256 KB a context result may carry.
const LARGE_ITEM_CHARS = 70 * 1024;

const upper = async (_ctx, item) => item.toUpperCase();
// Item function failing for the items `failing` names, returning the item otherwise.
const failFor = (failing) => async (_ctx, item) => {
  if (failing.includes(item)) throw new Error(`item ${item} failed`);
  return item;
};

// 9.19's whole-result serdes: "OPSERDE:" and the comma-joined results, and back.
const OPERATION_SERDES_PREFIX = "OPSERDE:";
const operationSerdes = {
  serialize: async (batch) =>
    batch === undefined ? undefined : OPERATION_SERDES_PREFIX + batch.getResults().join(","),
  deserialize: async (data) => {
    if (data === undefined) return undefined;
    if (!data.startsWith(OPERATION_SERDES_PREFIX)) throw new Error(`not an OPSERDE payload: ${data}`);
    const body = data.slice(OPERATION_SERDES_PREFIX.length);
    const results = body === "" ? [] : body.split(",");
    return {
      all: results.map((result, index) => ({ index, status: "SUCCEEDED", result })),
      completionReason: "ALL_COMPLETED",
    };
  },
};

// 9.14's per-item serdes: "wrapped:" and the value, and back.
const ITEM_SERDES_PREFIX = "wrapped:";
const itemSerdes = {
  serialize: async (value) => (value === undefined ? undefined : ITEM_SERDES_PREFIX + value),
  deserialize: async (data) => {
    if (data === undefined) return undefined;
    if (!data.startsWith(ITEM_SERDES_PREFIX)) throw new Error(`not a wrapped payload: ${data}`);
    return data.slice(ITEM_SERDES_PREFIX.length);
  },
};

export const handlers = {
  // 9.1: one step per item, returning a greeting.
  "9-1": withDurableExecution(async (event, ctx) =>
    (
      await ctx.map("map", event, async (item, value) => item.step(async () => `Hello, ${value}!`), SEQUENTIAL)
    ).getResults(),
  ),

  // 9.2: the form without a name; doubles each item directly.
  "9-2": withDurableExecution(async (event, ctx) =>
    (await ctx.map(event, async (_ctx, value) => value * 2, SEQUENTIAL)).getResults(),
  ),

  // 9.3: item + index.
  "9-3": withDurableExecution(async (event, ctx) =>
    (await ctx.map("indexed", event, async (_ctx, value, index) => value + index, SEQUENTIAL)).getResults(),
  ),

  // 9.4: no items.
  "9-4": withDurableExecution(async (event, ctx) =>
    (await ctx.map("empty", event, async (_ctx, value) => value)).getResults(),
  ),

  // 9.6: fail-fast: item 0 fails; the batch rethrows it.
  "9-6": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("throwing", ["i0", "i1"], failFor(["i0"]), {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 0 },
    });
    batch.throwIfError();
    return batch.getResults();
  }),

  // 9.7: min-successful 2 of 4.
  "9-7": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("min-successful", ["i0", "i1", "i2", "i3"], async (_ctx, item) => `${item}-done`, {
      ...SEQUENTIAL,
      completionConfig: { minSuccessful: 2 },
    });
    return projection(batch, ["completionReason", "successCount", "totalCount"]);
  }),

  // 9.8: one tolerated failure (item 1): all items run.
  "9-8": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("tolerated", ["i0", "i1", "i2"], failFor(["i1"]), {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 1 },
    });
    return projection(batch, FULL);
  }),

  // 9.9: one tolerated failure; items 0 and 1 fail, so item 2 never starts.
  "9-9": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("tolerated-exceeded", ["i0", "i1", "i2"], failFor(["i0", "i1"]), {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 1 },
    });
    return projection(batch, ["completionReason", "successCount", "failureCount", "totalCount"]);
  }),

  // 9.11: up to two items at once; results stay in item order.
  "9-11": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.map("concurrent", ["i0", "i1", "i2"], async (_ctx, _item, index) => `r${index}`, {
        maxConcurrency: 2,
      })
    ).getResults(),
  ),

  // 9.12: FLAT nesting: the items' steps sit directly under the map context.
  "9-12": withDurableExecution(async (_event, ctx) =>
    (
      await ctx.map("flat", ["fa", "fb"], async (item, value) => item.step(async () => value), {
        ...SEQUENTIAL,
        nesting: NestingType.FLAT,
      })
    ).getResults(),
  ),

  // 9.13: iterations named by an item namer.
  "9-13": withDurableExecution(async (event, ctx) =>
    (
      await ctx.map("named-items", event, async (_ctx, value) => value * 10, {
        ...SEQUENTIAL,
        itemNamer: (item) => `item-${item}`,
      })
    ).getResults(),
  ),

  // 9.14: a per-item serdes.
  "9-14": withDurableExecution(async (_event, ctx) =>
    (await ctx.map("serdes", ["x", "y"], upper, { ...SEQUENTIAL, itemSerdes })).getResults(),
  ),

  // 9.16: large item results; the map's own result is too large to checkpoint inline.
  "9-16": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map(
      "large",
      ["a", "b", "c", "d"],
      async (_ctx, item) => item.repeat(LARGE_ITEM_CHARS),
      SEQUENTIAL,
    );
    return projection(batch, ["successCount", "totalCount"]);
  }),

  // 9.17: a map, then a 1-second wait; the replay skips the map.
  "9-17": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("then-wait", ["a", "b"], upper, SEQUENTIAL);
    await ctx.wait({ seconds: 1 });
    return batch.getResults();
  }),

  // 9.18: a map with a tolerated failure, then a 1-second wait.
  "9-18": withDurableExecution(async (_event, ctx) => {
    const batch = await ctx.map("fail-then-wait", ["ok", "fail"], failFor(["fail"]), {
      ...SEQUENTIAL,
      completionConfig: { toleratedFailureCount: 1 },
    });
    await ctx.wait({ seconds: 1 });
    return projection(batch, FULL);
  }),

  // 9.19: a whole-result serdes.
  "9-19": withDurableExecution(async (_event, ctx) =>
    (await ctx.map("op-serde", ["x", "y"], upper, { ...SEQUENTIAL, serdes: operationSerdes })).getResults(),
  ),
};
