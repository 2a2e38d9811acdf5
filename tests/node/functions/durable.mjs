// Durable handlers written with AWS's durable-execution SDK. The tests run each on durafn and
// on AWS's local test runner and compare what both record.
import { withDurableExecution } from '@aws/durable-execution-sdk-js';

const noRetry = () => ({ shouldRetry: false });

export const steps = withDurableExecution(async (event, context) => {
  const a = await context.step('first', async () => 1 + (event.n ?? 0));
  const b = await context.step('second', async () => a * 10);
  return { a, b };
});

// A step that always fails is retried twice, one second apart, then the handler sees it fail.
export const stepRetries = withDurableExecution(async (event, context) => {
  try {
    await context.step('flaky', async () => {
      throw new Error('still failing');
    }, {
      retryStrategy: (error, attempt) =>
          attempt < 3 ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false },
    });
    return { failed: false };
  } catch (e) {
    return { failed: true, message: e.message };
  }
});

export const waits = withDurableExecution(async (event, context) => {
  await context.step('before', async () => 'before');
  await context.wait('pause', { seconds: 1 });
  return await context.step('after', async () => 'after');
});

// createCallback: the test completes the callback with SendDurableExecutionCallbackSuccess.
export const callback = withDurableExecution(async (event, context) => {
  const [promise, callbackId] = await context.createCallback('approval', { timeout: { seconds: 60 } });
  await context.step('announce', async () => callbackId);
  const answer = await promise;
  return { approved: answer };
});

// waitForCallback: the test fails it with SendDurableExecutionCallbackFailure.
export const waitForCallback = withDurableExecution(async (event, context) => {
  try {
    const answer = await context.waitForCallback('external', async (callbackId) => {
      context.logger.info('submitted', { callbackId });
    }, { timeout: { seconds: 60 } });
    return { ok: true, answer };
  } catch (e) {
    return { ok: false, error: e.message };
  }
});

export const invoke = withDurableExecution(async (event, context) => {
  const out = await context.invoke('call-target', event.target, { value: 7 });
  return { invoked: out };
});

export const childContext = withDurableExecution(async (event, context) => {
  const inner = await context.runInChildContext('child', async (child) => {
    const x = await child.step('inner-step', async () => 20);
    await child.wait('inner-wait', { seconds: 1 });
    return x + 1;
  });
  return { inner };
});

export const parallel = withDurableExecution(async (event, context) => {
  const result = await context.parallel('branches', [
    { name: 'left', func: async (c) => c.step('left-step', async () => 'L') },
    { name: 'right', func: async (c) => c.step('right-step', async () => 'R') },
  ]);
  return { results: result.getResults(), success: result.successCount };
});

// map over five items where two fail; tolerating two failures it completes.
export const mapTolerated = withDurableExecution(async (event, context) => {
  const result = await context.map('items', [1, 2, 3, 4, 5], async (c, item) =>
    c.step(`item-${item}`, async () => {
      if (item % 2 === 0) throw new Error(`item ${item} is even`);
      return item * 100;
    }, { retryStrategy: noRetry }),
  { maxConcurrency: 2, completionConfig: { toleratedFailureCount: 2 } });
  return {
    successCount: result.successCount,
    failureCount: result.failureCount,
    completionReason: result.completionReason,
  };
});

// Polls a counter until it reaches 3, one second apart.
export const waitForCondition = withDurableExecution(async (event, context) => {
  const final = await context.waitForCondition('count-up', async (state) => state + 1, {
    initialState: 0,
    waitStrategy: (state) =>
        state >= 3 ? { shouldContinue: false } : { shouldContinue: true, delay: { seconds: 1 } },
  });
  return { final };
});
