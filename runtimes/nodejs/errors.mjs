// Errors as Lambda's Node.js runtimes report them: {errorType, errorMessage, trace}, where
// trace is the stack split into lines. Runtime failures carry a "Runtime." type.
import { types } from 'node:util';

// An error of the runtime itself (handler not found, module not importable, ...).
export class RuntimeError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = `Runtime.${type}`;
    if (cause !== undefined) this.cause = cause;
  }
}

function isErrorLike(e) {
  return types.isNativeError(e) ||
         (e !== null && typeof e === 'object' && typeof e.name === 'string' &&
          typeof e.message === 'string');
}

// The report for anything a handler threw, rejected with, or passed to its callback.
export function toReport(error) {
  try {
    if (isErrorLike(error)) {
      const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
      return { errorType: error.name, errorMessage: error.message, trace: stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'the error could not be read (its name, message or stack threw)',
    };
  }
}
