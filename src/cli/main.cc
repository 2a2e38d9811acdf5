// durafn command-line tool: `serve` runs the server; every other command is a client of a
// server's HTTP API (--endpoint, $DURAFN_ENDPOINT), except the offline `protocol` tools.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/cli.h"

int main(int argc, char** argv) {
  using durafn::cli::Cli;
  using durafn::cli::CliError;
  Cli cli;
  CLI::App app{"durafn: durable functions, self-hosted"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.set_version_flag("--version", "durafn 0.1.0");
  app.add_option("--endpoint", cli.endpoint, "Server URL (http://HOST:PORT)")
      ->envname("DURAFN_ENDPOINT")
      ->capture_default_str();
  app.add_option("--output", cli.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  durafn::cli::AddServeCommand(app, cli);
  durafn::cli::AddStackCommands(app, cli);
  durafn::cli::AddInvokeCommand(app, cli);
  durafn::cli::AddExecutionsCommands(app, cli);
  durafn::cli::AddCallbackCommands(app, cli);
  durafn::cli::AddLogsCommands(app, cli);
  durafn::cli::AddFunctionsCommands(app, cli);
  durafn::cli::AddProtocolCommands(app, cli);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!cli.run) return 0;
  try {
    return cli.run();
  } catch (const CliError& e) {
    std::cout.flush();
    std::cerr << "durafn: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "durafn: " << e.what() << "\n";
    return 1;
  }
}
