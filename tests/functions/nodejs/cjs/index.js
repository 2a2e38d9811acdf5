// Callback handlers in a CommonJS module.
const fs = require('node:fs');

exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { echoed: event, requestId: context.awsRequestId }), 10);
};

// The callback comes first; a timer still pending writes the marker file. With the default
// callbackWaitsForEmptyEventLoop the response waits for it; without, it does not.
exports.pendingTimer = (event, context, callback) => {
  if (event.dontWait) context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => fs.writeFileSync(event.marker, 'timer ran'), event.delayMs);
  callback(null, 'answered');
};

exports.callbackError = (event, context, callback) => {
  callback(new RangeError('quantity out of range'));
};

exports.throwsSync = () => {
  throw new Error('thrown before any callback');
};

exports.legacySucceed = (event, context) => {
  context.succeed({ legacy: true });
};
