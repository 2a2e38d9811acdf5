// The plain order enricher both peers call from their enrich step: a separate HTTP server on
// loopback, as durafn's order example invokes the plain OrderEnricher function over HTTP.
import http from "node:http";

function customerId() {
  return "CUST-" + String(Math.floor(Math.random() * 10000)).padStart(4, "0");
}

// Starts the enricher on 127.0.0.1:port; resolves once it listens.
export function startEnricher(port) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let orderId = "";
      try {
        orderId = JSON.parse(body).orderId ?? "";
      } catch {}
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          statusCode: 200,
          orderId,
          enrichedData: { customerId: customerId(), timestamp: new Date().toISOString() },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// POSTs the order to the enricher; keep-alive like durafn's LambdaClient.
const agent = new http.Agent({ keepAlive: true });
export function enrich(port, orderId) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: "/enrich", method: "POST", agent,
        headers: { "content-type": "application/json" } },
      (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(data)) : reject(new Error(data))));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ orderId }));
  });
}
