// Turns a function's CodeUri into the folder deploy uploads, building it first when the
// template asks (SAM's custom-runtime conventions, for C++ functions):
//
//   Metadata: {BuildMethod: makefile}
//     runs `make build-<LogicalId>` in CodeUri with ARTIFACTS_DIR set to a fresh folder;
//     the Makefile copies the executable there as `bootstrap`. That folder is deployed.
//   Metadata: {BuildMethod: cmake, BuildTarget: <target>, BuildDir: <dir, default build>}
//     runs `cmake --build <CodeUri>/<BuildDir> --target <target>` (the tree must already be
//     configured) and copies the produced executable as `bootstrap` into a fresh folder.
//   no BuildMethod: CodeUri itself is deployed.
//
// For `nodejs*` runtimes a deployed folder with a package.json gets its npm dependencies
// first (`npm ci` with a package-lock.json, else `npm install`; skipped while node_modules
// is newer than both files).
//
// For `provided.*` runtimes the deployed folder must hold an executable `bootstrap`.
// Fresh folders live in <template dir>/.durafn-build/<LogicalId> (recreated on each deploy).
#pragma once

#include <string>
#include <vector>

#include "cli/sam_template.h"

namespace durafn::cli {

// Builds `f` if needed and returns the folder to deploy. Tool output goes to stderr.
// Throws CliError when a build fails or the folder is unusable.
std::string PrepareCode(const FunctionSpec& f, const std::string& template_dir);

// Runs argv[0] (searched in PATH) in `cwd` with extra environment entries ("K=V"); its
// stdout is sent to stderr so the CLI's own stdout stays clean. Returns the exit status
// (-1 when it could not run).
int RunTool(const std::vector<std::string>& argv, const std::string& cwd,
            const std::vector<std::string>& extra_env);

}  // namespace durafn::cli
