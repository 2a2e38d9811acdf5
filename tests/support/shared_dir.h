// Locates the optional shared/ folder (protocol traces, conformance requirements).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace durafn::testing {

// The folder named by $DURAFN_SHARED_DIR, else the one configured at build time; nullopt
// when it does not exist (tests that need it then skip and say why).
inline std::optional<std::filesystem::path> SharedDir() {
  const char* env = std::getenv("DURAFN_SHARED_DIR");
  std::filesystem::path dir = env && *env ? env : DURAFN_DEFAULT_SHARED_DIR;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

inline std::string SharedDirMissingReason() {
  return "shared folder not found (set DURAFN_SHARED_DIR; default " +
         std::string(DURAFN_DEFAULT_SHARED_DIR) + ")";
}

inline nlohmann::json ReadJsonFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

}  // namespace durafn::testing
