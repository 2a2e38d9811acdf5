// The benchmark workflows on Restate (TypeScript SDK, run as JavaScript): the N-step workflow
// and the order workflow of durafn's example (validate, enrich through the plain enricher
// inside a durable step, optional durable sleep, finalize). Serves the Restate endpoint on
// 127.0.0.1:$PORT and the enricher on 127.0.0.1:$ENRICHER_PORT.
import http2 from "node:http2";
import * as restate from "@restatedev/restate-sdk";
import { enrich, startEnricher } from "./enricher.mjs";

const port = Number(process.env.PORT ?? 9080);
const enricherPort = Number(process.env.ENRICHER_PORT ?? 9081);

const steps = restate.service({
  name: "steps",
  handlers: {
    run: async (ctx, req) => {
      const n = req?.steps ?? 0;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await ctx.run("s", async () => i);
      return { steps: n, sum };
    },
  },
});

const orders = restate.service({
  name: "DurableOrderProcessor",
  handlers: {
    process: async (ctx, event) => {
      if (!event || typeof event.orderId !== "string" || event.orderId === "") {
        return { success: false, error: { message: "orderId is required", name: "ValidationError" } };
      }
      const orderId = event.orderId;
      const enrichment = await ctx.run("enrich-order", () => enrich(enricherPort, orderId));
      const waitSeconds = Number.isInteger(event.waitSeconds) ? event.waitSeconds : 2;
      if (waitSeconds > 0) await ctx.sleep(waitSeconds * 1000);
      const finalResult = await ctx.run("finalize-order", async () => ({
        orderId,
        status: "COMPLETED",
        enrichedData: enrichment.enrichedData ?? {},
        finalizedAt: new Date().toISOString(),
        message: "Order finalized successfully",
      }));
      return { success: true, orderId, enrichmentResult: enrichment, finalResult,
               message: "Order processed successfully with durable execution",
               processedAt: new Date().toISOString() };
    },
  },
});

await startEnricher(enricherPort);
const server = http2.createServer(restate.createEndpointHandler({ services: [steps, orders] }));
server.listen(port, "127.0.0.1", () => console.log(`restate endpoint on 127.0.0.1:${port}`));
