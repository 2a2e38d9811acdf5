// durafn's Node.js runtime: loads the function's handler, then runs the Lambda Runtime API
// loop (next invocation, handler, response or error) until the host stops the worker.
// Started by the host as `node bootstrap.mjs` with the function's Lambda environment.
import { makeContext } from './context.mjs';
import { RuntimeError, toReport } from './errors.mjs';
import { loadHandler } from './handler_loader.mjs';
import { patchConsole, setRequestId } from './logging.mjs';
import { RuntimeClient } from './runtime_client.mjs';

// Exit status after an error the runtime cannot recover from (as Lambda's runtime uses).
const kFatalExit = 129;

const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001');
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerName = process.env._HANDLER ?? 'index.handler';

patchConsole();

// The invocation in flight: an uncaught error ends it before the process exits.
let current = null;

// What to do once the event loop has nothing left but this runtime: post a callback
// handler's outcome, or null for a handler that neither returned a promise nor called back.
let onEmptyLoop = null;
process.on('beforeExit', () => {
  const run = onEmptyLoop;
  onEmptyLoop = null;
  if (run) run();
});

async function fatal(error, type) {
  const report = toReport(error);
  if (type) {
    report.errorType = type;
    report.errorMessage = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  console.error(`${report.errorType}\t${report.errorMessage}`);
  try {
    if (current) {
      await current.fail(report);
    } else {
      await client.initError(report);
    }
  } finally {
    process.exit(kFatalExit);
  }
}

process.on('uncaughtException', (e) => { fatal(e); });
process.on('unhandledRejection', (reason) => {
  fatal(reason, 'Runtime.UnhandledPromiseRejection');
});

// Runs one invocation to its single outcome: the handler's promise or its callback (or the
// legacy context.done/succeed/fail), whichever comes first.
function invoke(handler, invocation) {
  return new Promise((resolve) => {
    const requestId = invocation.headers['lambda-runtime-aws-request-id'];
    let finished = false;
    const post = async (error, result) => {
      try {
        if (error !== undefined) {
          await client.error(requestId, error);
        } else {
          let body;
          try {
            body = JSON.stringify(result === undefined ? null : result);
          } catch (e) {
            return post(toReport(e));
          }
          await client.respond(requestId, body);
        }
      } catch (e) {
        fatal(e);
        return;
      }
      resolve();
    };
    current = { fail: (report) => post(report) };
    const finish = (error, result, waitForEmptyLoop) => {
      if (finished) return;
      finished = true;
      const outcome = error === undefined || error === null ? [undefined, result]
                                                            : [toReport(error), undefined];
      if (waitForEmptyLoop) {
        // The response goes out once the handler's pending work (timers, sockets) is done.
        onEmptyLoop = () => post(...outcome);
      } else {
        onEmptyLoop = null;
        post(...outcome);
      }
    };

    let event;
    try {
      event = JSON.parse(invocation.body);
    } catch (e) {
      finish(new RuntimeError('InvalidPayload', `The event is not JSON: ${e.message}`));
      return;
    }
    const traceId = invocation.headers['lambda-runtime-trace-id'];
    if (traceId) {
      process.env._X_AMZN_TRACE_ID = traceId;
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    setRequestId(requestId);
    const context = makeContext(invocation.headers, (error, result) => finish(error, result, false));
    const callback = (error, result) =>
        finish(error, result, context.callbackWaitsForEmptyEventLoop);
    onEmptyLoop = () => finish(undefined, null, false);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      finish(e);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => finish(undefined, result, false),
                    (error) => finish(error ?? new Error('the handler rejected without a reason'),
                                      undefined, false));
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler(taskRoot, handlerName);
  } catch (e) {
    await fatal(e);
    return;
  }
  for (;;) {
    const invocation = await client.next();
    await invoke(handler, invocation);
    current = null;
    setRequestId(undefined);
  }
}

main().catch((e) => fatal(e));
