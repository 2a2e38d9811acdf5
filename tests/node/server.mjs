// Starts `durafn serve` on a free port with a fresh data dir, for node:test suites.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

export const require = createRequire(process.env.DURAFN_NODE_MODULES + '/');

export async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'durafn-node-'));
  const proc = spawn(process.env.DURAFN_BINARY,
                     ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
                     { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const port = await new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`durafn serve exited with ${code}`)));
    lines.once('line', (line) => resolve(Number(line.match(/127\.0\.0\.1:(\d+)/)[1])));
  });
  lines.on('line', () => {});
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop() {
      proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// AWS's Lambda client for the server at `endpoint`: dummy credentials, and no retries, so a
// test sees the server's first answer.
export function lambdaClient(endpoint) {
  const { LambdaClient } = require('@aws-sdk/client-lambda');
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
}
