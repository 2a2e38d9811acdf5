// console.* in Lambda's text log format: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
// A multi-line message stays one log event: its newlines are written as carriage returns,
// because the host reads the worker's output line by line.
import { format } from 'node:util';

let currentRequestId = undefined;

export function setRequestId(id) {
  currentRequestId = id;
}

function write(level, args) {
  const message = format(...args).replace(/\n/g, '\r');
  process.stdout.write(
      `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}\n`);
}

export function patchConsole() {
  console.log = (...args) => write('INFO', args);
  console.info = (...args) => write('INFO', args);
  console.warn = (...args) => write('WARN', args);
  console.error = (...args) => write('ERROR', args);
  console.debug = (...args) => write('DEBUG', args);
  console.trace = (...args) => write('TRACE', args);
  console.fatal = (...args) => write('FATAL', args);
}
