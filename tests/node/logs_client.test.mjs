// AWS's own @aws-sdk/client-cloudwatch-logs reading function logs from durafn: the data dir is
// seeded with log lines (DURAFN_LOG_SEED), then `durafn serve` answers the SDK's commands,
// paginators and exception classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { require } from './server.mjs';

const sdk = require('@aws-sdk/client-cloudwatch-logs');
const group = '/aws/lambda/NodeOrders';
const stream = '2026/11/28/[1]0123456789abcdef';
const lines = 35;  // even lines are JSON, every third line ERROR (see the seed tool)
let dataDir;
let proc;
let client;

before(async () => {
  assert.ok(process.env.DURAFN_LOG_SEED, 'DURAFN_LOG_SEED must name the log seed tool');
  dataDir = mkdtempSync(join(tmpdir(), 'durafn-node-logs-'));
  execFileSync(process.env.DURAFN_LOG_SEED, [dataDir, group, stream, String(lines)]);
  execFileSync(process.env.DURAFN_LOG_SEED, [dataDir, '/aws/lambda/Other', 'x', '1']);
  proc = spawn(process.env.DURAFN_BINARY,
               ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
               { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = createInterface({ input: proc.stdout });
  const port = await new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`durafn serve exited with ${code}`)));
    out.once('line', (line) => resolve(Number(line.match(/127\.0\.0\.1:(\d+)/)[1])));
  });
  out.on('line', () => {});
  client = new sdk.CloudWatchLogsClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});
after(() => {
  proc?.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('DescribeLogGroups and DescribeLogStreams', async () => {
  const groups = await client.send(new sdk.DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
  assert.deepEqual(groups.logGroups.map((g) => g.logGroupName), ['/aws/lambda/NodeOrders', '/aws/lambda/Other']);
  assert.ok(groups.logGroups[0].storedBytes > lines * 26);
  assert.match(groups.logGroups[0].logGroupArn, /^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/lambda\/NodeOrders$/);
  const streams = await client.send(new sdk.DescribeLogStreamsCommand({
    logGroupName: group, orderBy: 'LastEventTime', descending: true }));
  assert.equal(streams.logStreams.length, 1);
  assert.equal(streams.logStreams[0].logStreamName, stream);
  assert.equal(streams.logStreams[0].firstEventTimestamp, 1_700_000_000_000);
  assert.equal(streams.logStreams[0].lastEventTimestamp, 1_700_000_000_000 + lines - 1);
});

test('FilterLogEvents pages through every event with nextToken', async () => {
  const seen = [];
  let nextToken;
  let pages = 0;
  do {
    const page = await client.send(new sdk.FilterLogEventsCommand({ logGroupName: group, limit: 10, nextToken }));
    assert.ok(page.events.length <= 10);
    seen.push(...page.events);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < 10);
  assert.equal(pages, 4);
  assert.equal(seen.length, lines);
  assert.equal(seen[0].logStreamName, stream);
  assert.equal(seen[0].timestamp, 1_700_000_000_000);
  assert.equal(seen[1].message, 'plain line 1');
  assert.equal(new Set(seen.map((e) => e.eventId)).size, lines);

  // The SDK's own paginator gets the same events.
  const viaPaginator = [];
  for await (const page of sdk.paginateFilterLogEvents({ client, pageSize: 7 }, { logGroupName: group })) {
    viaPaginator.push(...page.events);
  }
  assert.deepEqual(viaPaginator.map((e) => e.eventId), seen.map((e) => e.eventId));
});

test('FilterLogEvents filter patterns and time range', async () => {
  const errors = await client.send(new sdk.FilterLogEventsCommand({
    logGroupName: group, filterPattern: '{ $.level = "ERROR" }' }));
  // Even and divisible by three: 0, 6, 12, 18, 24, 30.
  assert.deepEqual(errors.events.map((e) => JSON.parse(e.message).i), [0, 6, 12, 18, 24, 30]);
  const plain = await client.send(new sdk.FilterLogEventsCommand({
    logGroupName: group, filterPattern: '"plain line" -"line 1"',
    startTime: 1_700_000_000_000 + 20, endTime: 1_700_000_000_000 + 29 }));
  assert.deepEqual(plain.events.map((e) => e.message),
                   ['plain line 21', 'plain line 23', 'plain line 25', 'plain line 27', 'plain line 29']);
});

test('GetLogEvents from the head until the forward token repeats', async () => {
  const messages = [];
  let nextToken;
  for (let i = 0; i < 20; i += 1) {
    const page = await client.send(new sdk.GetLogEventsCommand({
      logGroupName: group, logStreamName: stream, startFromHead: true, limit: 16, nextToken }));
    messages.push(...page.events.map((e) => e.message));
    if (page.nextForwardToken === nextToken) break;
    nextToken = page.nextForwardToken;
  }
  assert.equal(messages.length, lines);
  assert.equal(messages[lines - 1], '{"level":"INFO","i":34}');
});

test('errors arrive as the SDK exception classes', async () => {
  await assert.rejects(
    client.send(new sdk.FilterLogEventsCommand({ logGroupName: '/aws/lambda/Missing' })),
    (e) => e instanceof sdk.ResourceNotFoundException && e.$metadata.httpStatusCode === 400);
  await assert.rejects(
    client.send(new sdk.FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.level = }' })),
    (e) => e instanceof sdk.InvalidParameterException);
  await assert.rejects(
    client.send(new sdk.GetLogEventsCommand({ logGroupName: group, logStreamName: 'missing' })),
    (e) => e instanceof sdk.ResourceNotFoundException);
});
