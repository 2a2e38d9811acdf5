// What every command shares: the global options, the one-line error every failure becomes,
// and the slot where the chosen subcommand leaves its work for main() to run.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace durafn::cli {

inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:9001";

// A failure the user must see: main() prints "durafn: <message>" on stderr and exits with
// `exit_code` (non-zero). The message is one line.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

enum class OutputFormat { kTable, kJson };

struct Cli {
  std::string endpoint = kDefaultEndpoint;  // --endpoint, else $DURAFN_ENDPOINT
  std::string output = "table";             // --output table|json
  // Set by the parsed subcommand's callback; returns the process exit code.
  std::function<int()> run;

  OutputFormat format() const {
    return output == "json" ? OutputFormat::kJson : OutputFormat::kTable;
  }
};

// Registers each command group on `app`. The options live as long as the process.
void AddServeCommand(CLI::App& app, Cli& cli);
void AddProtocolCommands(CLI::App& app, Cli& cli);
void AddFunctionsCommands(CLI::App& app, Cli& cli);
void AddInvokeCommand(CLI::App& app, Cli& cli);
void AddExecutionsCommands(CLI::App& app, Cli& cli);
void AddCallbackCommands(CLI::App& app, Cli& cli);
void AddLogsCommands(CLI::App& app, Cli& cli);
void AddStackCommands(CLI::App& app, Cli& cli);

}  // namespace durafn::cli
