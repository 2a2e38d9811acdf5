// Every conformance handler, exported under a name derived from its requirement id (see
// exportName in common.mjs: "1-1" -> h1_1, "invoke-echo" -> invoke_echo). The runner deploys
// handler `id` as function `<prefix><id>` with Handler `handlers.<exportName(id)>`; the prefix
// is CONFORMANCE_FUNCTION_PREFIX (default "conformance-js-").
import { handlers as callback } from "./callback.mjs";
import { handlers as child } from "./child.mjs";
import { exportName } from "./common.mjs";
import { handlers as invoke, targets as invokeTargets } from "./invoke.mjs";
import { handlers as map } from "./map.mjs";
import { handlers as parallel } from "./parallel.mjs";
import { handlers as step } from "./step.mjs";
import { handlers as wait } from "./wait.mjs";
import { handlers as waitForCallback } from "./wait_for_callback.mjs";
import { handlers as waitForCondition } from "./wait_for_condition.mjs";

// Requirement id -> durable handler, for every requirement.
export const byId = Object.freeze({
  ...step,
  ...wait,
  ...child,
  ...callback,
  ...invoke,
  ...waitForCondition,
  ...waitForCallback,
  ...parallel,
  ...map,
});

// Target id -> handler: functions the invoke suite calls (by function name).
export const targetsById = Object.freeze({ ...invokeTargets });

export { exportName };

export const {
  h1_1, h1_2, h1_3, h1_4, h1_6, h1_7, h1_8, h1_9, h1_11, h1_12, h1_13, h1_14, h1_16, h1_17, h1_18, h1_19,
  h2_1, h2_2, h2_3, h2_4,
  h3_1, h3_2, h3_3, h3_4, h3_6, h3_7, h3_8, h3_9, h3_11, h3_12, h3_13, h3_14, h3_16, h3_17, h3_18,
  h4_1, h4_2, h4_3, h4_4, h4_6, h4_7, h4_8, h4_9, h4_11, h4_12, h4_13, h4_14, h4_16, h4_17, h4_18, h4_19,
  h5_1, h5_2, h5_3, h5_4, h5_6, h5_7, h5_8, h5_9, h5_11, h5_12, h5_13, h5_14, h5_16,
  h6_1, h6_2, h6_3, h6_4, h6_6, h6_7, h6_8, h6_9, h6_11, h6_12, h6_13,
  h7_1, h7_2, h7_3, h7_4, h7_6, h7_7, h7_8, h7_9, h7_11, h7_12, h7_13, h7_14,
  h8_1, h8_2, h8_3, h8_4, h8_6, h8_7, h8_8, h8_9, h8_11, h8_12, h8_13, h8_14, h8_16, h8_17, h8_18, h8_19, h8_21, h8_22,
  h9_1, h9_2, h9_3, h9_4, h9_6, h9_7, h9_8, h9_9, h9_11, h9_12, h9_13, h9_14, h9_16, h9_17, h9_18, h9_19,
  invoke_echo, invoke_fail, invoke_size,
} = Object.fromEntries(
  [...Object.entries(byId), ...Object.entries(targetsById)].map(([id, h]) => [exportName(id), h]),
);
