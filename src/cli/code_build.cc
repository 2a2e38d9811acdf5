#include "cli/code_build.h"

#include <filesystem>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"

extern char** environ;

namespace durafn::cli {

namespace fs = std::filesystem;

namespace {

bool IsExecutableFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

fs::path FreshFolder(const std::string& template_dir, const std::string& logical_id) {
  fs::path dir = fs::absolute(fs::path(template_dir) / ".durafn-build" / logical_id);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw CliError("cannot create build folder " + dir.string() + ": " + ec.message());
  return dir;
}

// The executable CMake produced for `target`: <dir>/<target> or, failing that, the first
// executable file of that name below `dir`.
std::optional<fs::path> FindExecutable(const fs::path& dir, const std::string& target) {
  if (IsExecutableFile(dir / target)) return dir / target;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->path().filename() == target && IsExecutableFile(it->path())) return it->path();
  }
  return std::nullopt;
}

// node_modules is current when npm's own record of it (node_modules/.package-lock.json) is
// newer than package.json and package-lock.json: a second function with the same CodeUri,
// or an unchanged redeploy, installs nothing.
bool NodeModulesCurrent(const fs::path& dir) {
  std::error_code ec;
  auto installed = fs::last_write_time(dir / "node_modules" / ".package-lock.json", ec);
  if (ec) return false;
  for (const char* f : {"package.json", "package-lock.json"}) {
    auto t = fs::last_write_time(dir / f, ec);
    if (!ec && t > installed) return false;
  }
  return true;
}

// A Node.js function's npm dependencies, installed in its folder as `sam build` would:
// `npm ci` when a package-lock.json pins them, else `npm install` (without devDependencies).
void InstallNpmDependencies(const FunctionSpec& f, const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "package.json", ec) || NodeModulesCurrent(dir)) return;
  bool locked = fs::is_regular_file(dir / "package-lock.json", ec);
  std::vector<std::string> argv = {"npm",        locked ? "ci" : "install",
                                   "--omit=dev", "--no-audit",
                                   "--no-fund",  "--loglevel=error"};
  ProgressStep("installing npm dependencies of " + f.logical_id + " (npm " + argv[1] + " in " +
               dir.string() + ")");
  int rc = RunTool(argv, dir.string(), {});
  if (rc != 0) {
    throw CliError(f.logical_id + ": `npm " + argv[1] + "` in " + dir.string() + " failed (exit " +
                   std::to_string(rc) + (rc == -1 ? ": is npm installed?" : "") + ")");
  }
}

}  // namespace

int RunTool(const std::vector<std::string>& argv, const std::string& cwd,
            const std::vector<std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    env.emplace_back(*e);
  for (const auto& e : extra_env)
    env.push_back(e);
  std::vector<char*> args, envp;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string PrepareCode(const FunctionSpec& f, const std::string& template_dir) {
  std::error_code ec;
  if (!fs::is_directory(f.code_uri, ec)) {
    throw CliError(f.logical_id + ": CodeUri " + f.code_uri + " is not a folder");
  }
  fs::path deployed = f.code_uri;
  switch (f.build.method) {
    case BuildSpec::Method::kNone:
      break;
    case BuildSpec::Method::kMakefile: {
      deployed = FreshFolder(template_dir, f.logical_id);
      ProgressStep("building " + f.logical_id + " (make build-" + f.logical_id + ")");
      int rc = RunTool({"make", "build-" + f.logical_id}, f.code_uri,
                       {"ARTIFACTS_DIR=" + deployed.string()});
      if (rc != 0) {
        throw CliError(f.logical_id + ": `make build-" + f.logical_id + "` in " + f.code_uri +
                       " failed (exit " + std::to_string(rc) + ")");
      }
      break;
    }
    case BuildSpec::Method::kCmake: {
      if (!fs::is_directory(f.build.build_dir, ec)) {
        throw CliError(f.logical_id + ": build folder " + f.build.build_dir +
                       " does not exist (configure it first: cmake -S " + f.code_uri + " -B " +
                       f.build.build_dir + ")");
      }
      ProgressStep("building " + f.logical_id + " (cmake --build, target " + f.build.target + ")");
      int rc = RunTool({"cmake", "--build", f.build.build_dir, "--target", f.build.target},
                       f.code_uri, {});
      if (rc != 0) {
        throw CliError(f.logical_id + ": `cmake --build " + f.build.build_dir + " --target " +
                       f.build.target + "` failed (exit " + std::to_string(rc) + ")");
      }
      auto exe = FindExecutable(f.build.build_dir, f.build.target);
      if (!exe) {
        throw CliError(f.logical_id + ": no executable named '" + f.build.target + "' in " +
                       f.build.build_dir + " after the build");
      }
      deployed = FreshFolder(template_dir, f.logical_id);
      fs::copy_file(*exe, deployed / "bootstrap", fs::copy_options::overwrite_existing, ec);
      if (ec) throw CliError(f.logical_id + ": cannot copy " + exe->string() + ": " + ec.message());
      break;
    }
  }
  if (f.runtime && f.runtime->rfind("nodejs", 0) == 0) InstallNpmDependencies(f, deployed);
  if (f.runtime && f.runtime->rfind("provided", 0) == 0 &&
      !IsExecutableFile(deployed / "bootstrap")) {
    throw CliError(f.logical_id + ": " + deployed.string() +
                   " has no executable 'bootstrap' (runtime " + *f.runtime +
                   " runs it; build it, or set Metadata BuildMethod makefile or cmake)");
  }
  return deployed.string();
}

}  // namespace durafn::cli
