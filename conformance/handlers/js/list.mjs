// Prints the handlers for the conformance runner, one per line: "durable ID HANDLER", where
// HANDLER is the function's Handler property (handlers.<export name>).
import { byId, exportName, targetsById } from "./handlers.mjs";

for (const id of [...Object.keys(byId), ...Object.keys(targetsById)].sort()) {
  console.log(`durable ${id} handlers.${exportName(id)}`);
}
