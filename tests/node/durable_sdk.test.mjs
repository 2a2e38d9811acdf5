// AWS's durable-execution SDK for JavaScript, unmodified, inside Node.js functions on durafn:
// each handler of functions/durable.mjs runs on durafn (real server, real node workers,
// checkpointing through AWS_ENDPOINT_URL_LAMBDA) to the expected result, and the history
// durafn keeps has the same events (type, subtype, name, how many) as the history AWS's local
// test runner records for the same handler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { lambdaClient, startServer, require } from './server.mjs';

// Real timers, taken before AWS's runner fakes the global ones (skipTime) during a local run.
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;

const sdk = require('@aws-sdk/client-lambda');
const testing = require('@aws/durable-execution-sdk-js-testing');
const fnDir = process.env.DURAFN_NODE_FUNCTIONS;
const handlers = await import(pathToFileURL(`${fnDir}/durable.mjs`).href);
const plain = await import(pathToFileURL(`${fnDir}/plain.mjs`).href);

let server;
let client;

before(async () => {
  server = await startServer();
  client = lambdaClient(server.endpoint);
  // The plain function durable handlers invoke.
  await createFunction('Target', 'plain.target', false);
});
after(() => server.stop());

// CreateFunction from the functions folder (durafn's Code.DirectoryPath), then version 1.
async function createFunction(name, handler, durable = true) {
  const body = {
    FunctionName: name, Runtime: 'nodejs20.x', Handler: handler, Timeout: 30, MemorySize: 256,
    Role: 'arn:aws:iam::123456789012:role/durafn', Code: { DirectoryPath: fnDir },
  };
  if (durable) body.DurableConfig = { ExecutionTimeout: 300 };
  const r = await fetch(`${server.endpoint}/2015-03-31/functions`,
                        { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 201, await r.text());
  await client.send(new sdk.PublishVersionCommand({ FunctionName: name }));
}

const decode = (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8'));

async function history(arn) {
  const events = [];
  let Marker;
  do {
    const page = await client.send(new sdk.GetDurableExecutionHistoryCommand({
      DurableExecutionArn: arn, Marker, MaxItems: 25 }));
    events.push(...page.Events);
    Marker = page.NextMarker;
  } while (Marker);
  return events;
}

async function until(what, probe, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Event signatures and how often each occurs. Invocation events are left out: how many
// invocations an execution takes depends on timing (AWS's runner skips time), not on the
// handler.
function signatures(events) {
  const counts = {};
  for (const e of events) {
    if (e.EventType.startsWith('Invocation')) continue;
    const key = [e.EventType, e.SubType ?? '', e.Name ?? ''].join('|');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// Runs `name` synchronously on durafn: its result and history.
async function runOnDurafn(name, payload = {}) {
  await createFunction(name, `durable.${name}`);
  const out = await client.send(new sdk.InvokeCommand({
    FunctionName: name, Qualifier: '1', Payload: JSON.stringify(payload) }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload).toString());
  return { result: decode(out.Payload), events: await history(out.DurableExecutionArn) };
}

async function runLocally(name, payload = {}, setup = () => {}, during = async () => {}) {
  // The runner fakes the global timers (skipTime) only while it runs, so the client talking
  // to durafn and the polling here keep real ones.
  await testing.LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
  const runner = new testing.LocalDurableTestRunner({ handlerFunction: handlers[name] });
  setup(runner);
  // While the test waits for an operation, the runner (its clock faked) may hold nothing
  // that keeps the event loop alive; without a real timer node would exit mid-test.
  const keepAlive = realSetInterval(() => {}, 1000);
  let r;
  try {
    const running = runner.run({ payload });
    await during(runner);
    r = await running;
  } finally {
    realClearInterval(keepAlive);
    await testing.LocalDurableTestRunner.teardownTestEnvironment();
  }
  assert.equal(r.getStatus(), 'SUCCEEDED',
               r.getStatus() === 'SUCCEEDED' ? '' : JSON.stringify(r.getError()));
  return { result: r.getResult(), events: r.getHistoryEvents() };
}

async function compare(name, expected, payload = {}, local = {}) {
  const onDurafn = await runOnDurafn(name, payload);
  assert.deepEqual(onDurafn.result, expected);
  const reference = await runLocally(name, payload, local.setup, local.during);
  assert.deepEqual(reference.result, expected);
  assert.deepEqual(signatures(onDurafn.events), signatures(reference.events));
  return onDurafn;
}

test('steps', async () => {
  const { events } = await compare('steps', { a: 3, b: 30 }, { n: 2 });
  assert.equal(events[0].EventType, 'ExecutionStarted');
  assert.equal(events.at(-1).EventType, 'ExecutionSucceeded');
});

test('step with retries', async () => {
  const { events } = await compare('stepRetries', { failed: true, message: 'still failing' });
  assert.equal(events.filter((e) => e.EventType === 'StepStarted').length, 3, 'three attempts');
});

test('wait', async () => {
  await compare('waits', 'after');
});

test('child context', async () => {
  await compare('childContext', { inner: 21 });
});

test('parallel', async () => {
  await compare('parallel', { results: ['L', 'R'], success: 2 });
});

test('map with a completion config', async () => {
  await compare('mapTolerated',
                { successCount: 3, failureCount: 2, completionReason: 'ALL_COMPLETED' });
});

test('waitForCondition', async () => {
  await compare('waitForCondition', { final: 3 });
});

test('invoke', async () => {
  await compare('invoke', { invoked: { doubled: 14 } }, { target: 'Target' },
                { setup: (runner) => runner.registerFunction('Target', plain.target) });
});

// Starts `name` asynchronously on durafn and returns its ARN and the id of its first callback.
async function startWithCallback(name) {
  await createFunction(name, `durable.${name}`);
  const started = await client.send(new sdk.InvokeCommand({
    FunctionName: name, Qualifier: '1', InvocationType: 'Event', Payload: '{}' }));
  assert.equal(started.StatusCode, 202);
  const arn = started.DurableExecutionArn;
  assert.ok(arn, 'an Event invoke of a durable function answers with its execution ARN');
  const callbackId = await until('the callback', async () => {
    const e = (await history(arn)).find((x) => x.EventType === 'CallbackStarted');
    return e?.CallbackStartedDetails?.CallbackId;
  });
  return { arn, callbackId };
}

async function finished(arn) {
  return until('the execution to end', async () => {
    const e = await client.send(new sdk.GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    return e.Status === 'RUNNING' ? undefined : e;
  });
}

test('createCallback completed with SendDurableExecutionCallbackSuccess', async () => {
  const { arn, callbackId } = await startWithCallback('callback');
  await client.send(new sdk.SendDurableExecutionCallbackSuccessCommand({
    CallbackId: callbackId, Result: 'yes' }));
  const done = await finished(arn);
  assert.equal(done.Status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(done.Result), { approved: 'yes' });
  // durafn's side first: after a local run the SDK client's timers are the runner's fake ones.
  const onDurafn = signatures(await history(arn));
  const reference = await runLocally('callback', {}, undefined, async (runner) => {
    const op = runner.getOperation('approval');
    await op.waitForData(testing.WaitingOperationStatus.STARTED);
    await op.sendCallbackSuccess('yes');
  });
  assert.deepEqual(reference.result, { approved: 'yes' });
  assert.deepEqual(onDurafn, signatures(reference.events));
});

test('waitForCallback failed with SendDurableExecutionCallbackFailure', async () => {
  const { arn, callbackId } = await startWithCallback('waitForCallback');
  await client.send(new sdk.SendDurableExecutionCallbackFailureCommand({
    CallbackId: callbackId, Error: { ErrorType: 'Rejected', ErrorMessage: 'not approved' } }));
  const done = await finished(arn);
  assert.equal(done.Status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(done.Result), { ok: false, error: 'not approved' });
  const onDurafn = signatures(await history(arn));
  const reference = await runLocally('waitForCallback', {}, undefined, async (runner) => {
    const op = runner.getOperation('external');
    await op.waitForData(testing.WaitingOperationStatus.SUBMITTED);
    await op.sendCallbackFailure({ ErrorType: 'Rejected', ErrorMessage: 'not approved' });
  });
  assert.deepEqual(reference.result, { ok: false, error: 'not approved' });
  assert.deepEqual(onDurafn, signatures(reference.events));
});
