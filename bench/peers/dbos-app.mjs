// The benchmark workflows on DBOS (TypeScript SDK, run as JavaScript) with its system database
// on a local PostgreSQL: the N-step workflow and the order workflow of durafn's example
// (validate, enrich through the plain enricher inside a step, optional durable sleep,
// finalize). An HTTP server on 127.0.0.1:$PORT runs a workflow per request and answers with
// its result: POST /steps {"steps": N}, POST /order {order}.
import http from "node:http";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { enrich, startEnricher } from "./enricher.mjs";

const port = Number(process.env.PORT ?? 9080);
const enricherPort = Number(process.env.ENRICHER_PORT ?? 9081);

async function stepsFn(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await DBOS.runStep(async () => i, { name: "s" });
  return { steps: n, sum };
}
const stepsWorkflow = DBOS.registerWorkflow(stepsFn, { name: "steps" });

async function orderFn(event) {
  if (!event || typeof event.orderId !== "string" || event.orderId === "") {
    return { success: false, error: { message: "orderId is required", name: "ValidationError" } };
  }
  const orderId = event.orderId;
  const enrichment = await DBOS.runStep(() => enrich(enricherPort, orderId), { name: "enrich-order" });
  const waitSeconds = Number.isInteger(event.waitSeconds) ? event.waitSeconds : 2;
  if (waitSeconds > 0) await DBOS.sleep(waitSeconds * 1000);
  const finalResult = await DBOS.runStep(
    async () => ({ orderId, status: "COMPLETED", enrichedData: enrichment.enrichedData ?? {},
                   finalizedAt: new Date().toISOString(), message: "Order finalized successfully" }),
    { name: "finalize-order" },
  );
  return { success: true, orderId, enrichmentResult: enrichment, finalResult,
           message: "Order processed successfully with durable execution",
           processedAt: new Date().toISOString() };
}
const orderWorkflow = DBOS.registerWorkflow(orderFn, { name: "DurableOrderProcessor" });

DBOS.setConfig({
  name: "durafn-bench",
  systemDatabaseUrl: process.env.DBOS_SYSTEM_DATABASE_URL,
  logLevel: "warn",
});
await DBOS.launch();
await startEnricher(enricherPort);

http
  .createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      try {
        const input = body ? JSON.parse(body) : {};
        let out;
        if (req.url === "/steps") out = await stepsWorkflow(input.steps ?? 0);
        else if (req.url === "/order") out = await orderWorkflow(input);
        else {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
      } catch (e) {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(e?.stack ?? e));
      }
    });
  })
  .listen(port, "127.0.0.1", () => console.log(`dbos app on 127.0.0.1:${port}`));
