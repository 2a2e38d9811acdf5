// AWS's own @aws-sdk/client-lambda against durafn: responses parse into the SDK's types and
// errors arrive as the SDK's exception classes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, require } from './server.mjs';

const sdk = require('@aws-sdk/client-lambda');
let server;
let client;

before(async () => {
  server = await startServer();
  client = new sdk.LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
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
