// Runs every conformance handler on the SDK's local test runner (no server): the
// requirement's Input goes in, its CallbackActions are sent, and the execution's status and
// result are checked against ExpectedResult. The expected history is matched too (its
// operation events, in order) and reported beside it, but does not decide the test: the
// local runner's history is not the service's (it records no invocation events, and
// numbers and orders some events differently).
//
//   npm test                       (CONFORMANCE_REQUIREMENTS=<dir> to point at the files)
//   CONFORMANCE_ONLY=1-1,4-2 npm test
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LocalDurableTestRunner, WaitingOperationStatus } from "@aws/durable-execution-sdk-js-testing";
import { byId, targetsById } from "./handlers.mjs";
import { target } from "./common.mjs";
import { instantiate, loadRequirements, match, matchHistoryInOrder } from "./requirements.mjs";

// Requirements whose handler crashes its process (process.exit) on purpose. The local
// runner executes handlers in the test's own process, so they can only run on a real
// runtime; they are reported as not run here, never as passed.
const NEEDS_PROCESS_CRASH = new Map([
  ["1-17", "the step crashes the process (process.exit)"],
  ["1-18", "the step crashes the process on its first attempt"],
  ["3-12", "the child's step crashes the process on its first run"],
]);

// Waits and retry delays take no real time unless CONFORMANCE_REAL_TIME=1. (Known local
// runner quirk: with skipped time it rejects the SDK's final FAIL of a waitForCondition on
// its third attempt, "Invalid current STEP state to close", which fails 6-6; in real time
// the same handler runs as specified.)
const REAL_TIME = process.env.CONFORMANCE_REAL_TIME === "1";

// Real-time bound of one local execution.
const RUN_TIMEOUT_MS = REAL_TIME ? 180_000 : 60_000;

const only = process.env.CONFORMANCE_ONLY?.split(",").map((s) => s.trim());
const requirements = loadRequirements().filter((r) => !only || only.includes(r.id));
const summary = [];

before(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: !REAL_TIME }));

// The fake clock behind skipped time also holds timers node:test schedules to report the
// last tests; uninstalling it drops them, so the teardown first lets them run.
after(async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await LocalDurableTestRunner.teardownTestEnvironment();
});


// The text a callback's success carries: the payload as JSON, as the requirements' validator
// sends it (a string payload "abc" arrives as "\"abc\"").
const callbackResult = (payload) => JSON.stringify(payload ?? null);

// Sends the requirement's callback actions, in order, to the callbacks the execution creates.
// A named action goes to the callback with that name; "*" goes to the earliest callback not
// yet completed. Returns when every action has been sent or `finished` settles.
async function sendCallbackActions(runner, actions, finished) {
  const callbacks = []; // { op, name, done }
  let nextIndex = 0;
  let stopped = false;
  finished.finally(() => {
    stopped = true;
  });
  const discoverOne = async () => {
    const op = runner.getOperationByIndex(nextIndex);
    const ready = await Promise.race([
      op.waitForData(WaitingOperationStatus.STARTED).then(() => true),
      finished.then(() => false, () => false),
    ]);
    if (!ready) return false;
    nextIndex++;
    if (op.getType() === "CALLBACK") callbacks.push({ op, name: op.getName(), done: false });
    return true;
  };
  for (const action of actions) {
    let cb;
    for (;;) {
      cb = callbacks.find((c) => !c.done && (action.CallbackName === "*" || c.name === action.CallbackName));
      if (cb || stopped) break;
      if (!(await discoverOne())) break;
    }
    if (!cb) return `no callback found for action ${JSON.stringify(action)}`;
    switch (action.Operation) {
      case "success":
        await cb.op.sendCallbackSuccess(callbackResult(action.Payload));
        cb.done = true;
        break;
      case "failure":
        await cb.op.sendCallbackFailure({
          ErrorType: action.Payload?.ErrorType,
          ErrorMessage: action.Payload?.ErrorMessage,
        });
        cb.done = true;
        break;
      case "heartbeat":
        await cb.op.sendCallbackHeartbeat();
        break;
      default:
        return `unknown callback operation ${action.Operation}`;
    }
  }
  return null;
}

for (const req of requirements) {
  const skip = NEEDS_PROCESS_CRASH.get(req.id);
  test(`${req.id} ${req.spec.description ?? ""}`.trim(), { skip: skip ? `not run locally: ${skip}` : false }, async () => {
    const entry = { id: req.id, result: "fail", history: "-" };
    summary.push(entry);
    const { spec } = instantiate(req.spec);
    const handler = byId[req.id];
    assert.ok(handler, `no handler for ${req.id}`);

    await runOne(spec, handler, entry);
  });
  if (skip) summary.push({ id: req.id, result: "not-run", history: "-", detail: skip });
}

// Runs one instantiated requirement and records the outcome in `entry`.
async function runOne(spec, handler, entry) {
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  for (const [id, h] of Object.entries(targetsById)) runner.registerDurableFunction(target(id), h);

  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  const run = runner.run({ payload: spec.Input ?? null });
  const callbackProblem = sendCallbackActions(runner, spec.CallbackActions ?? [], run);
  let execution;
  try {
    execution = await Promise.race([run, timeout]);
  } catch (error) {
    entry.detail = String(error?.message ?? error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const problem = await callbackProblem;

  const status = execution.getStatus();
  // getResult() throws the execution's error when it failed.
  const result = status === "SUCCEEDED" ? execution.getResult() : undefined;
  const expected = spec.ExpectedResult ?? {};
  const bindings = {};
  let why = problem;
  if (!why && expected.ExecutionStatus !== undefined && status !== expected.ExecutionStatus) {
    why = `status ${status}, expected ${expected.ExecutionStatus}` +
      (status === "FAILED" ? ` (${JSON.stringify(execution.getError())})` : "");
  }
  if (!why && Object.hasOwn(expected, "Result")) {
    const m = match(expected.Result, result === undefined ? null : result, bindings, "Result");
    if (m) why = m;
  }
  if (!why && expected.ExecutionStatus === undefined && status === "FAILED") {
    why = `execution failed: ${JSON.stringify(execution.getError())}`;
  }
  const historyProblem = matchHistoryInOrder(
    spec.ExpectedExecutionHistory ?? [],
    execution.getHistoryEvents(),
    { ...bindings },
  );
  entry.history = historyProblem ? "mismatch" : "pass";
  entry.result = why ? "fail" : "pass";
  entry.detail = why ?? (historyProblem ? `history: ${historyProblem}` : "");
  assert.equal(why, null, why);
}

// Last: every requirement has an outcome; prints the table.
test("summary", async () => {
  const count = (f) => summary.filter(f).length;
  const lines = summary.map(
    (s) => `${s.id.padEnd(5)} result:${s.result.padEnd(8)} history:${s.history.padEnd(8)} ${s.detail ?? ""}`,
  );
  console.log(
    [
      "",
      "conformance handlers on the local test runner",
      ...lines,
      `result: ${count((s) => s.result === "pass")}/${summary.length} pass, ` +
        `${count((s) => s.result === "not-run")} not run locally; ` +
        `history: ${count((s) => s.history === "pass")}/${summary.length} match`,
    ].join("\n"),
  );
  assert.deepEqual(
    summary.map((s) => s.id).sort(),
    requirements.map((r) => r.id).sort(),
    "every requirement has an outcome",
  );
});
