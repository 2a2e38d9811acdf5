// Reads conformance requirement files and matches values the way the requirements'
// validator does. Shared by the local test and any other JS-side checker.
import { randomInt } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// A random alphanumeric string of `length` characters (${GEN_STR:N}).
export function genStr(length) {
  let s = "";
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

// The requirement folder, from CONFORMANCE_REQUIREMENTS.
export function requirementsDir() {
  const dir = process.env.CONFORMANCE_REQUIREMENTS;
  if (!dir) throw new Error("CONFORMANCE_REQUIREMENTS is not set (the requirements folder)");
  return dir;
}

// Every requirement as { id, suite, file, spec }, sorted by suite number then case number.
// Throws when the folder is absent: a missing folder must not look like a pass.
export function loadRequirements(dir = requirementsDir()) {
  if (!existsSync(dir)) throw new Error(`conformance requirements folder not found: ${dir}`);
  const out = [];
  for (const suite of readdirSync(dir, { withFileTypes: true })) {
    if (!suite.isDirectory()) continue;
    for (const f of readdirSync(join(dir, suite.name))) {
      if (!f.endsWith(".yaml")) continue;
      const file = join(dir, suite.name, f);
      out.push({ id: f.slice(0, -5), suite: suite.name, file, spec: parse(readFileSync(file, "utf8")) });
    }
  }
  const key = (id) => id.split("-").map(Number);
  out.sort((a, b) => {
    const [a1, a2] = key(a.id);
    const [b1, b2] = key(b.id);
    return a1 - b1 || a2 - b2;
  });
  return out;
}

// Substitutes `vars` (name -> value) into every string of `value`. A string that is exactly
// one reference takes the variable's value as is; references inside longer strings are
// spliced in as text. Unknown names are left for the matcher to bind.
export function substitute(value, vars) {
  if (typeof value === "string") {
    const whole = /^\$\{([A-Za-z0-9_]+)\}$/.exec(value);
    if (whole && Object.hasOwn(vars, whole[1])) return vars[whole[1]];
    return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name) =>
      Object.hasOwn(vars, name) ? String(vars[name]) : m,
    );
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return value;
}

// Generates the requirement's Variables (${GEN_STR:N}) and returns the spec with them
// substituted, plus the generated values.
export function instantiate(spec) {
  const vars = {};
  for (const [name, gen] of Object.entries(spec.Variables ?? {})) {
    const m = /^\$\{GEN_STR:(\d+)\}$/.exec(String(gen));
    if (!m) throw new Error(`unsupported variable generator ${gen} for ${name}`);
    vars[name] = genStr(Number(m[1]));
  }
  return { spec: substitute(spec, vars), vars };
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Matches `actual` against `expected` under the validator's rules: "*" matches anything,
// {} means "don't care", ${NAME} binds on first use (in `bindings`) and must match the same
// value after, ${/regex/} must match, anything else must be equal. Returns null on a match,
// else a description of the first mismatch.
export function match(expected, actual, bindings, path = "$") {
  if (expected === "*") return null;
  if (typeof expected === "string") {
    const re = /^\$\{\/(.*)\/\}$/.exec(expected);
    if (re) {
      return actual !== undefined && new RegExp(re[1]).test(String(actual))
        ? null
        : `${path}: ${JSON.stringify(actual)} does not match /${re[1]}/`;
    }
    const whole = /^\$\{([A-Za-z0-9_]+)\}$/.exec(expected);
    if (whole) {
      const name = whole[1];
      if (actual === undefined) return `${path}: missing (expected \${${name}})`;
      if (!Object.hasOwn(bindings, name)) {
        bindings[name] = actual;
        return null;
      }
      return JSON.stringify(bindings[name]) === JSON.stringify(actual)
        ? null
        : `${path}: ${JSON.stringify(actual)} != \${${name}} = ${JSON.stringify(bindings[name])}`;
    }
    if (/\$\{[A-Za-z0-9_]+\}/.test(expected)) {
      // Placeholders inside a longer string: bound ones are literal, unbound ones capture.
      const names = [];
      const pattern = expected
        .split(/(\$\{[A-Za-z0-9_]+\})/)
        .map((part) => {
          const p = /^\$\{([A-Za-z0-9_]+)\}$/.exec(part);
          if (!p) return escapeRegex(part);
          if (Object.hasOwn(bindings, p[1])) return escapeRegex(String(bindings[p[1]]));
          names.push(p[1]);
          return "(.*)";
        })
        .join("");
      const m = typeof actual === "string" ? new RegExp(`^${pattern}$`, "s").exec(actual) : null;
      if (!m) return `${path}: ${JSON.stringify(actual)} does not match ${JSON.stringify(expected)}`;
      names.forEach((n, i) => {
        bindings[n] = m[i + 1];
      });
      return null;
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${path}: ${JSON.stringify(actual)} is not an array of ${expected.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const r = match(expected[i], actual[i], bindings, `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
      return `${path}: ${JSON.stringify(actual)} is not an object`;
    }
    for (const [k, v] of Object.entries(expected)) {
      const r = match(v, actual[k], bindings, `${path}.${k}`);
      if (r) return r;
    }
    return null;
  }
  return expected === actual ? null : `${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`;
}

// Matches an execution history (a list of events) against the requirement's expected
// events, each found by its EventId. Returns null on a match, else the first mismatch.
export function matchHistory(expectedEvents, actualEvents, bindings = {}) {
  const byId = new Map(actualEvents.map((e) => [e.EventId, e]));
  for (const exp of expectedEvents ?? []) {
    const act = byId.get(exp.EventId);
    if (!act) return `event ${exp.EventId} (${exp.EventType}) missing`;
    const r = match(exp, act, bindings, `event ${exp.EventId}`);
    if (r) return r;
  }
  return null;
}

// Events that belong to the execution or its invocations rather than to an operation.
const isOperationEvent = (e) => !/^(Execution|Invocation)/.test(e.EventType ?? "");

// A looser history match for backends whose history differs in bookkeeping: the expected
// operation events must appear in the actual history in the same order (other events
// between them are allowed); EventIds are not compared.
export function matchHistoryInOrder(expectedEvents, actualEvents, bindings = {}) {
  const actual = actualEvents.filter(isOperationEvent);
  let from = 0;
  for (const exp of (expectedEvents ?? []).filter(isOperationEvent)) {
    const { EventId: _ignored, ...wanted } = exp;
    let found = -1;
    let firstProblem = null;
    for (let i = from; i < actual.length && found < 0; i++) {
      const trial = { ...bindings };
      const r = match(wanted, actual[i], trial, `event ${exp.EventId}`);
      if (r === null) {
        Object.assign(bindings, trial);
        found = i;
      } else if (firstProblem === null && actual[i].EventType === exp.EventType) {
        firstProblem = r;
      }
    }
    if (found < 0) return firstProblem ?? `event ${exp.EventId} (${exp.EventType}) not found in order`;
    from = found + 1;
  }
  return null;
}
