// Async handlers in an ES module.
let invocations = 0;

export const context = async (event, context) => {
  invocations += 1;
  return {
    event,
    invocations,
    pid: process.pid,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingTimeMs: context.getRemainingTimeInMillis(),
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    executionEnv: process.env.AWS_EXECUTION_ENV,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    nodeVersion: process.version,
  };
};

export const fails = async () => {
  throw new TypeError('the order has no items');
};

export const rejectsWithString = () => Promise.reject('plain refusal');

export const sleeps = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return 'slept';
};

export const logs = async (event, context) => {
  console.log('first line\nsecond line');
  console.error('an error %d', 42);
  return { event, requestId: context.awsRequestId };
};

export const unhandled = async () => {
  Promise.reject(new Error('nobody awaited this'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return 'not reached';
};

export const nested = { deeper: { handler: async () => 'nested export' } };

export const notAFunction = 42;
