// Packs a function's code folder as the zip Lambda's CreateFunction takes (Code.ZipFile),
// for servers that cannot read our folders.
#pragma once

#include <string>

namespace durafn::cli {

// The zip of every regular file below `dir` (paths relative to it, Unix modes kept so
// `bootstrap` stays executable). Deterministic: entries sorted, times fixed, so the same
// folder always gives the same bytes (and the same CodeSha256). Throws CliError.
std::string ZipFolder(const std::string& dir);

// Standard base64 (with padding).
std::string Base64(const std::string& bytes);

}  // namespace durafn::cli
