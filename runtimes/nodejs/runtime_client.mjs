// The Lambda Runtime API as the runtime uses it: next, response, error, init error.
import http from 'node:http';

export class RuntimeClient {
  constructor(address) {
    const [host, port] = address.split(':');
    this.host = host;
    this.port = Number(port);
    // No kept-alive sockets: an idle one would keep the event loop busy, and a callback
    // handler's response waits for the loop to drain (callbackWaitsForEmptyEventLoop).
    this.agent = new http.Agent({ keepAlive: false });
  }

  request(method, path, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.host,
        port: this.port,
        method,
        path,
        agent: this.agent,
        headers: body === undefined ? headers
                                    : { ...headers, 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  // Waits for the next invocation: {headers, body}.
  async next() {
    const r = await this.request('GET', '/2018-06-01/runtime/invocation/next');
    if (r.status !== 200) throw new Error(`runtime API next answered ${r.status}: ${r.body}`);
    return r;
  }

  async respond(requestId, body) {
    await this.request('POST', `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
                       body, { 'Content-Type': 'application/json' });
  }

  async error(requestId, report) {
    await this.request('POST', `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`,
                       JSON.stringify(report), {
                         'Content-Type': 'application/json',
                         'Lambda-Runtime-Function-Error-Type': report.errorType,
                       });
  }

  async initError(report) {
    await this.request('POST', '/2018-06-01/runtime/init/error', JSON.stringify(report), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': report.errorType,
    });
  }
}
