// Functions shared by the conformance handler modules.
import { createHash } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Prefix of the deployed function names. The runner deploys handler `id` as function
// `<prefix><id>`; the invoke suite calls its targets by that name.
export function functionPrefix() {
  return process.env.CONFORMANCE_FUNCTION_PREFIX ?? "conformance-js-";
}

// The deployed, qualified name of a durable target: durable functions are invoked
// through a qualifier.
export function target(id) {
  return `${functionPrefix()}${id}:$LATEST`;
}

// The export name of requirement `id`: "1-1" -> "h1_1", "invoke-echo" -> "invoke_echo".
// Every character that cannot appear in a JavaScript identifier becomes "_", and ids that
// start with a digit get an "h" in front.
export function exportName(id) {
  const name = id.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[0-9]/.test(name) ? `h${name}` : name;
}

// Applies `fn` to every string inside a JSON value.
export function mapStrings(value, fn) {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

// A serdes that writes every string upper-cased and reads JSON back as written.
export const upperCaseSerdes = {
  serialize: async (value) =>
    value === undefined ? undefined : JSON.stringify(mapStrings(value, (s) => s.toUpperCase())),
  deserialize: async (data) => (data === undefined ? undefined : JSON.parse(data)),
};

// True the first time it is called for (execution, tag), false the second time. A marker
// file in the temp folder carries the answer across the process crash it is meant for, and
// is removed on the second call so executions leave nothing behind.
export function firstRunOf(executionArn, tag) {
  const key = createHash("sha256").update(`${executionArn}\n${tag}`).digest("hex").slice(0, 24);
  const marker = join(tmpdir(), `conformance-js-${key}.crashed`);
  if (existsSync(marker)) {
    rmSync(marker, { force: true });
    return false;
  }
  writeFileSync(marker, "");
  return true;
}

// Crashes the process the way a Lambda runtime crash does, after giving the SDK's checkpoint
// queue time to send what is already queued (START of an at-least-once step is not awaited).
export async function crashProcess(delayMs = 1000) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  process.exit(1);
}

// The subset of a batch result the parallel and map requirements return.
export function projection(batch, fields) {
  return Object.fromEntries(fields.map((f) => [f, batch[f]]));
}
