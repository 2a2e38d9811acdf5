// Starts the real `durafn serve` binary on a free loopback port with its own data dir, as a
// test fixture: the test talks to it over real HTTP, and can kill -9 and restart it.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace durafn::testing {

class ServerProcess {
 public:
  // `binary`: the durafn executable; `data_dir`: kept across Restart(); `extra_args` are
  // appended to `durafn serve ...` (e.g. "--skip-time").
  ServerProcess(std::string binary, std::filesystem::path data_dir,
                std::vector<std::string> extra_args = {})
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        extra_args_(std::move(extra_args)) {}
  ~ServerProcess() { Kill(SIGKILL); }

  // Spawns the server and waits until it reports its port. Throws on failure.
  void Start() {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string data = data_dir_.string();
    std::vector<const char*> argv = {binary_.c_str(), "serve",      "--listen",
                                     "127.0.0.1:0",   "--data-dir", data.c_str()};
    for (const auto& a : extra_args_)
      argv.push_back(a.c_str());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, const_cast<char**>(argv.data()),
                         environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) throw std::runtime_error("cannot spawn " + binary_);
    FILE* f = fdopen(out[0], "r");
    char line[512] = {0};
    if (!fgets(line, sizeof line, f)) {
      fclose(f);
      throw std::runtime_error("durafn serve exited before reporting its port");
    }
    std::string text(line);
    auto colon = text.find(':', text.find("127.0.0.1"));
    port_ = static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
    // Keep draining its stdout so the server never blocks on a full pipe.
    reader_ = std::thread([f] {
      char buf[512];
      while (fgets(buf, sizeof buf, f)) {
      }
      fclose(f);
    });
  }

  // Sends `sig` and reaps the process (SIGKILL: a crash; SIGTERM: a clean stop).
  void Kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
  }

  void Restart() {
    Kill(SIGKILL);
    Start();
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  std::string binary_;
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::thread reader_;
};

}  // namespace durafn::testing
