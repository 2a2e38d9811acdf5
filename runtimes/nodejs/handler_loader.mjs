// Finds the function's handler from `_HANDLER` ("dir/file.export", the export path may be
// nested: "file.a.b") under LAMBDA_TASK_ROOT, as Lambda's Node.js runtimes do: the file is
// file.js, file.mjs or file.cjs (first that exists); .mjs and .js in a "type": "module"
// package are imported as ES modules, the others required as CommonJS; with no such file
// the name is resolved as a package from the task root.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { RuntimeError } from './errors.mjs';

const kModuleNotFound = new Set(['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND']);

function splitHandler(handler) {
  if (typeof handler !== 'string' || handler.includes('..')) {
    throw new RuntimeError('MalformedHandlerName', "'" + handler + "' is not a valid handler name");
  }
  const base = path.basename(handler);
  const dir = handler.slice(0, handler.length - base.length);
  const m = base.match(/^([^.]*)\.(.*)$/);
  if (!m || m[1] === '' || m[2] === '') {
    throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  }
  return { dir, module: m[1], exportPath: m[2] };
}

// "module" or "commonjs", from the nearest package.json above `file`.
function packageType(file) {
  for (let dir = path.dirname(file);; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

async function loadFile(file) {
  const esm = file.endsWith('.mjs') || (file.endsWith('.js') && packageType(file) === 'module');
  if (esm) return await import(pathToFileURL(file).href);
  return createRequire(file)(file);
}

async function loadModule(root, dir, module) {
  const base = path.resolve(root, dir, module);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (existsSync(base + ext)) return await loadFile(base + ext);
  }
  // Not a file of the task: a package name, resolved from the task root.
  const requireFromTask = createRequire(path.join(root, dir, 'index.js'));
  let resolved;
  try {
    resolved = requireFromTask.resolve(module);
  } catch (e) {
    if (kModuleNotFound.has(e.code)) {
      const err = new Error(`Cannot find module '${module}'`);
      err.code = 'MODULE_NOT_FOUND';
      throw err;
    }
    throw e;
  }
  return await loadFile(resolved);
}

// The handler function, or a RuntimeError (ImportModuleError, UserCodeSyntaxError,
// HandlerNotFound, MalformedHandlerName); other errors the module's own code threw while
// loading are rethrown as they are.
export async function loadHandler(root, handler) {
  const { dir, module, exportPath } = splitHandler(handler);
  let loaded;
  try {
    loaded = await loadModule(root, dir, module);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new RuntimeError('UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    }
    if (e && kModuleNotFound.has(e.code)) {
      throw new RuntimeError('ImportModuleError', `Error: ${e.message}`, e);
    }
    throw e;
  }
  let fn = loaded;
  for (const key of exportPath.split('.')) {
    fn = fn === undefined || fn === null ? undefined : fn[key];
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('HandlerNotFound', `${handler} is undefined or not exported`);
  }
  return fn;
}
