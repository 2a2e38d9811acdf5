// AWS's own @aws-sdk/client-lambda against durafn: responses parse into the SDK's types and
// errors arrive as the SDK's exception classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaClient, startServer, require } from './server.mjs';

const sdk = require('@aws-sdk/client-lambda');
let server;
let client;

before(async () => {
  server = await startServer();
  client = lambdaClient(server.endpoint);
});
after(() => server.stop());

const role = 'arn:aws:iam::123456789012:role/durafn';

test('functions, versions and aliases', async () => {
  const created = await client.send(new sdk.CreateFunctionCommand({
    FunctionName: 'NodeOrders', Runtime: 'provided.al2023', Role: role, Handler: 'bootstrap',
    Code: { ZipFile: new Uint8Array([80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) },
    DurableConfig: { ExecutionTimeout: 300, RetentionPeriodInDays: 7 },
  }));
  assert.equal(created.FunctionArn,
               'arn:aws:lambda:us-east-1:123456789012:function:NodeOrders:$LATEST');
  assert.equal(created.DurableConfig.RetentionPeriodInDays, 7);
  const v = await client.send(new sdk.PublishVersionCommand({ FunctionName: 'NodeOrders' }));
  assert.equal(v.Version, '1');
  const alias = await client.send(new sdk.CreateAliasCommand({
    FunctionName: 'NodeOrders', Name: 'prod', FunctionVersion: '1' }));
  assert.equal(alias.AliasArn, 'arn:aws:lambda:us-east-1:123456789012:function:NodeOrders:prod');
  const got = await client.send(new sdk.GetFunctionCommand({ FunctionName: 'NodeOrders', Qualifier: 'prod' }));
  assert.equal(got.Configuration.Version, '1');
  const config = await client.send(new sdk.GetFunctionConfigurationCommand({ FunctionName: 'NodeOrders' }));
  assert.equal(config.Timeout, 3);
  const list = await client.send(new sdk.ListFunctionsCommand({}));
  assert.ok(list.Functions.some((f) => f.FunctionName === 'NodeOrders'));
  const versions = await client.send(new sdk.ListVersionsByFunctionCommand({ FunctionName: 'NodeOrders' }));
  assert.deepEqual(versions.Versions.map((x) => x.Version), ['$LATEST', '1']);
  const aliases = await client.send(new sdk.ListAliasesCommand({ FunctionName: 'NodeOrders' }));
  assert.equal(aliases.Aliases[0].Name, 'prod');
  await assert.rejects(
    client.send(new sdk.CreateFunctionCommand({
      FunctionName: 'NodeOrders', Runtime: 'provided.al2023', Role: role, Handler: 'bootstrap',
      Code: { ZipFile: new Uint8Array([1]) } })),
    sdk.ResourceConflictException);
  await assert.rejects(client.send(new sdk.GetFunctionCommand({ FunctionName: 'Nope' })),
                       sdk.ResourceNotFoundException);
});

test('durable executions through Invoke and the durable-execution APIs', async () => {
  await assert.rejects(
    client.send(new sdk.InvokeCommand({ FunctionName: 'NodeOrders', Payload: '{}' })),
    (e) => e instanceof sdk.InvalidParameterValueException &&
           /unqualified ARN/.test(e.message));

  const started = await client.send(new sdk.InvokeCommand({
    FunctionName: 'NodeOrders:prod', InvocationType: 'Event', DurableExecutionName: 'order-1',
    Payload: JSON.stringify({ orderId: 'ORD-1' }) }));
  assert.equal(started.StatusCode, 202);
  assert.equal(started.ExecutedVersion, '1');
  const arn = started.DurableExecutionArn;
  assert.match(arn, /:function:NodeOrders:1\/durable-execution\/order-1\//);

  const again = await client.send(new sdk.InvokeCommand({
    FunctionName: 'NodeOrders', Qualifier: 'prod', InvocationType: 'Event',
    DurableExecutionName: 'order-1', Payload: JSON.stringify({ orderId: 'ORD-1' }) }));
  assert.equal(again.DurableExecutionArn, arn);
  await assert.rejects(
    client.send(new sdk.InvokeCommand({
      FunctionName: 'NodeOrders:prod', InvocationType: 'Event', DurableExecutionName: 'order-1',
      Payload: JSON.stringify({ orderId: 'OTHER' }) })),
    sdk.DurableExecutionAlreadyStartedException);

  const exec = await client.send(new sdk.GetDurableExecutionCommand({ DurableExecutionArn: arn }));
  assert.equal(exec.Status, 'RUNNING');
  assert.equal(exec.DurableExecutionName, 'order-1');
  assert.ok(exec.StartTimestamp instanceof Date);
  assert.equal(exec.InputPayload, JSON.stringify({ orderId: 'ORD-1' }));

  const history = await client.send(new sdk.GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
  assert.equal(history.Events[0].EventType, 'ExecutionStarted');
  assert.equal(history.Events[0].EventId, 1);
  assert.ok(history.Events[0].EventTimestamp instanceof Date);

  const listed = await client.send(new sdk.ListDurableExecutionsByFunctionCommand({
    FunctionName: 'NodeOrders', Statuses: ['RUNNING'] }));
  assert.ok(listed.DurableExecutions.some((x) => x.DurableExecutionArn === arn));

  await assert.rejects(
    client.send(new sdk.CheckpointDurableExecutionCommand({
      DurableExecutionArn: arn, CheckpointToken: 'c3RhbGU=', Updates: [] })),
    (e) => e instanceof sdk.InvalidParameterValueException &&
           e.message.startsWith('Invalid Checkpoint Token'));
  await assert.rejects(
    client.send(new sdk.GetDurableExecutionStateCommand({
      DurableExecutionArn: arn, CheckpointToken: 'c3RhbGU=' })),
    sdk.InvalidParameterValueException);

  const stopped = await client.send(new sdk.StopDurableExecutionCommand({
    DurableExecutionArn: arn, Error: { ErrorType: 'Cancelled', ErrorMessage: 'by test' } }));
  assert.ok(stopped.StopTimestamp instanceof Date);
  const after = await client.send(new sdk.GetDurableExecutionCommand({ DurableExecutionArn: arn }));
  assert.equal(after.Status, 'STOPPED');
  assert.equal(after.Error.ErrorMessage, 'by test');

  await assert.rejects(
    client.send(new sdk.GetDurableExecutionCommand({
      DurableExecutionArn: arn.replace('order-1/', 'order-2/') })),
    sdk.ResourceNotFoundException);
  await assert.rejects(
    client.send(new sdk.SendDurableExecutionCallbackSuccessCommand({
      CallbackId: 'bm90LWEtY2FsbGJhY2s=', Result: new TextEncoder().encode('{}') })),
    sdk.InvalidParameterValueException);
  await assert.rejects(
    client.send(new sdk.SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: 'bm9wZQ==' })),
    sdk.InvalidParameterValueException);
});

const emptyZip = () => new Uint8Array([80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

test('configuration, code, concurrency, aliases and deletion', async () => {
  await client.send(new sdk.CreateFunctionCommand({
    FunctionName: 'Lifecycle', Runtime: 'provided.al2023', Role: role, Handler: 'bootstrap',
    Code: { ZipFile: emptyZip() } }));
  const updated = await client.send(new sdk.UpdateFunctionConfigurationCommand({
    FunctionName: 'Lifecycle', Timeout: 12, MemorySize: 512,
    Environment: { Variables: { STAGE: 'test' } } }));
  assert.equal(updated.Timeout, 12);
  assert.equal(updated.MemorySize, 512);
  assert.deepEqual(updated.Environment.Variables, { STAGE: 'test' });
  const code = await client.send(new sdk.UpdateFunctionCodeCommand({
    FunctionName: 'Lifecycle', ZipFile: emptyZip(), Publish: true }));
  assert.equal(code.Version, '1');
  assert.equal(typeof code.CodeSha256, 'string');

  const put = await client.send(new sdk.PutFunctionConcurrencyCommand({
    FunctionName: 'Lifecycle', ReservedConcurrentExecutions: 3 }));
  assert.equal(put.ReservedConcurrentExecutions, 3);
  const got = await client.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName: 'Lifecycle' }));
  assert.equal(got.ReservedConcurrentExecutions, 3);
  await client.send(new sdk.DeleteFunctionConcurrencyCommand({ FunctionName: 'Lifecycle' }));
  const none = await client.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName: 'Lifecycle' }));
  assert.equal(none.ReservedConcurrentExecutions, undefined);

  await client.send(new sdk.CreateAliasCommand({
    FunctionName: 'Lifecycle', Name: 'live', FunctionVersion: '1', Description: 'first' }));
  const alias = await client.send(new sdk.GetAliasCommand({ FunctionName: 'Lifecycle', Name: 'live' }));
  assert.equal(alias.FunctionVersion, '1');
  assert.equal(alias.Description, 'first');
  const moved = await client.send(new sdk.UpdateAliasCommand({
    FunctionName: 'Lifecycle', Name: 'live', Description: 'second' }));
  assert.equal(moved.Description, 'second');
  await client.send(new sdk.DeleteAliasCommand({ FunctionName: 'Lifecycle', Name: 'live' }));
  await assert.rejects(client.send(new sdk.GetAliasCommand({ FunctionName: 'Lifecycle', Name: 'live' })),
                       sdk.ResourceNotFoundException);
  await assert.rejects(
    client.send(new sdk.CreateAliasCommand({ FunctionName: 'Lifecycle', Name: 'bad', FunctionVersion: '9' })),
    sdk.ResourceNotFoundException);
  await assert.rejects(
    client.send(new sdk.PutFunctionConcurrencyCommand({
      FunctionName: 'Lifecycle', ReservedConcurrentExecutions: -1 })),
    (e) => e instanceof sdk.LambdaServiceException && e.$metadata.httpStatusCode === 400);

  await client.send(new sdk.DeleteFunctionCommand({ FunctionName: 'Lifecycle' }));
  await assert.rejects(client.send(new sdk.GetFunctionConfigurationCommand({ FunctionName: 'Lifecycle' })),
                       sdk.ResourceNotFoundException);
  await assert.rejects(client.send(new sdk.DeleteFunctionCommand({ FunctionName: 'Lifecycle' })),
                       sdk.ResourceNotFoundException);
  await assert.rejects(client.send(new sdk.InvokeCommand({ FunctionName: 'Lifecycle', Payload: '{}' })),
                       sdk.ResourceNotFoundException);
});

// Every page, through the SDK's own paginator.
async function collect(paginator, key) {
  const items = [];
  let pages = 0;
  for await (const page of paginator) {
    pages += 1;
    items.push(...page[key]);
  }
  return { items, pages };
}

test('pagination of functions, versions, aliases, executions and history', async () => {
  for (let i = 0; i < 5; i += 1) {
    await client.send(new sdk.CreateFunctionCommand({
      FunctionName: `Paged${i}`, Runtime: 'provided.al2023', Role: role, Handler: 'bootstrap',
      Code: { ZipFile: emptyZip() }, DurableConfig: { ExecutionTimeout: 300 } }));
  }
  const fns = await collect(sdk.paginateListFunctions({ client, pageSize: 2 }, {}), 'Functions');
  const paged = fns.items.map((f) => f.FunctionName).filter((n) => n.startsWith('Paged'));
  assert.deepEqual(paged.sort(), ['Paged0', 'Paged1', 'Paged2', 'Paged3', 'Paged4']);
  assert.ok(fns.pages >= 3, `${fns.pages} pages of 2`);

  for (let i = 0; i < 3; i += 1) {
    await client.send(new sdk.UpdateFunctionConfigurationCommand({ FunctionName: 'Paged0', Timeout: 10 + i }));
    await client.send(new sdk.PublishVersionCommand({ FunctionName: 'Paged0' }));
    await client.send(new sdk.CreateAliasCommand({
      FunctionName: 'Paged0', Name: `a${i}`, FunctionVersion: String(i + 1) }));
  }
  const versions = await collect(
    sdk.paginateListVersionsByFunction({ client, pageSize: 1 }, { FunctionName: 'Paged0' }), 'Versions');
  assert.deepEqual(versions.items.map((v) => v.Version), ['$LATEST', '1', '2', '3']);
  assert.equal(versions.pages, 4);
  const aliases = await collect(
    sdk.paginateListAliases({ client, pageSize: 2 }, { FunctionName: 'Paged0' }), 'Aliases');
  assert.deepEqual(aliases.items.map((a) => a.Name).sort(), ['a0', 'a1', 'a2']);

  // Executions that stay RUNNING: the function has no bootstrap, so none gets far.
  const arns = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await client.send(new sdk.InvokeCommand({
      FunctionName: 'Paged0:1', InvocationType: 'Event', DurableExecutionName: `run-${i}`, Payload: '{}' }));
    arns.push(r.DurableExecutionArn);
  }
  const execs = await collect(sdk.paginateListDurableExecutionsByFunction(
    { client, pageSize: 2 }, { FunctionName: 'Paged0', Qualifier: '1' }), 'DurableExecutions');
  assert.deepEqual(execs.items.map((e) => e.DurableExecutionArn).sort(), [...arns].sort());
  assert.equal(execs.pages, 2);
  for (const arn of arns) await client.send(new sdk.StopDurableExecutionCommand({ DurableExecutionArn: arn }));
  const events = await collect(sdk.paginateGetDurableExecutionHistory(
    { client, pageSize: 1 }, { DurableExecutionArn: arns[0], IncludeExecutionData: true }), 'Events');
  assert.equal(events.items[0].EventType, 'ExecutionStarted');
  assert.equal(events.items.at(-1).EventType, 'ExecutionStopped');
  assert.deepEqual(events.items.map((e) => e.EventId), events.items.map((_, i) => i + 1));
  assert.equal(events.pages, events.items.length);
});

test('callback failure of an unknown callback is the SDK exception class', async () => {
  await assert.rejects(
    client.send(new sdk.SendDurableExecutionCallbackFailureCommand({
      CallbackId: 'bm90LWEtY2FsbGJhY2s=', Error: { ErrorMessage: 'x' } })),
    sdk.InvalidParameterValueException);
  await assert.rejects(
    client.send(new sdk.StopDurableExecutionCommand({
      DurableExecutionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Nope:1/durable-execution/a/b' })),
    sdk.ResourceNotFoundException);
});
