// Lambda's context object for one invocation, from the Runtime API's /next headers and the
// worker's environment.

function parseJsonHeader(value) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

// `finish(error, result)` ends the invocation (the legacy done/succeed/fail use it).
export function makeContext(headers, finish) {
  const env = process.env;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis() {
      return Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : 0;
    },
    done(error, result) { finish(error, result); },
    succeed(result) { finish(null, result); },
    fail(error) { finish(error ?? 'handled'); },
  };
  const clientContext = parseJsonHeader(headers['lambda-runtime-client-context']);
  if (clientContext !== undefined) context.clientContext = clientContext;
  const identity = parseJsonHeader(headers['lambda-runtime-cognito-identity']);
  if (identity !== undefined) context.identity = identity;
  return context;
}
