#include "hosting/runtime_files.h"

#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace durafn::hosting {

namespace fs = std::filesystem;

namespace {

bool Executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (Executable(candidate)) return candidate.string();
  }
  return "";
}

bool HasNodeRuntime(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "nodejs" / "bootstrap.mjs", ec);
}

}  // namespace

RuntimeFiles LocateRuntimeFiles(const std::string& runtimes_dir) {
  RuntimeFiles f;
  const char* node = std::getenv("DURAFN_NODE");
  f.node = node && *node ? std::string(node) : FindInPath("node");

  std::vector<fs::path> candidates;
  if (!runtimes_dir.empty()) {
    candidates.emplace_back(runtimes_dir);
  } else if (const char* env = std::getenv("DURAFN_RUNTIMES_DIR"); env && *env) {
    candidates.emplace_back(env);
  } else {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      candidates.push_back(exe.parent_path() / "runtimes");
      candidates.push_back(exe.parent_path().parent_path() / "share" / "durafn" / "runtimes");
    }
  }
  for (const auto& c : candidates) {
    if (HasNodeRuntime(c)) {
      std::error_code ec;
      fs::path abs = fs::weakly_canonical(c, ec);
      f.runtimes_dir = ec ? c.string() : abs.string();
      break;
    }
  }
  return f;
}

}  // namespace durafn::hosting
