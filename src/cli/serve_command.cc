// `durafn serve`: runs the server in this process until SIGINT or SIGTERM.
#include <memory>

#include <signal.h>

#include "api/log.h"
#include "api/server.h"
#include "cli/cli.h"

namespace durafn::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:9001";
  std::string data_dir = "./.durafn";
  std::string store = "sqlite";
  std::string log_level = "info";
  std::string log_format = "text";
  std::size_t max_workers = api::ServerOptions{}.max_workers;
  std::size_t max_queued_invocations = api::ServerOptions{}.max_queued_invocations;
  std::size_t max_queued_writes = api::ServerOptions{}.max_queued_writes;
  std::size_t max_idle_cached_executions = api::ServerOptions{}.max_idle_cached_executions;
  std::string runtimes_dir;  // empty: $DURAFN_RUNTIMES_DIR, else next to this binary
  bool skip_time = false;
};

int Serve(const ServeOptions& o) {
  // Choices are checked by CLI11; these cannot fail.
  auto level = api::ParseLogLevel(o.log_level).value_or(api::LogLevel::kInfo);
  auto format = api::ParseLogFormat(o.log_format).value_or(api::LogFormat::kText);
  api::Logger log(level, format);
  if (o.store != "sqlite") {
    throw CliError("--store '" + o.store +
                   "' is not supported: the only store is 'sqlite' (an embedded file in the data "
                   "dir)");
  }
  api::ServerOptions options;
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos)
    throw CliError("--listen expects HOST:PORT, got '" + o.listen + "'");
  options.host = o.listen.substr(0, colon);
  try {
    std::size_t used = 0;
    std::string port_text = o.listen.substr(colon + 1);
    int port = std::stoi(port_text, &used);
    if (used != port_text.size() || port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    throw CliError("--listen has an invalid port in '" + o.listen + "'");
  }
  options.data_dir = o.data_dir;
  options.max_workers = o.max_workers;
  options.max_queued_invocations = o.max_queued_invocations;
  options.max_queued_writes = o.max_queued_writes;
  options.max_idle_cached_executions = o.max_idle_cached_executions;
  options.runtimes_dir = o.runtimes_dir;
  options.skip_time = o.skip_time;
  options.on_error = [&log](std::string_view message) { log.Log(api::LogLevel::kError, message); };
  // Signals are taken synchronously below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  log.Log(api::LogLevel::kDebug, "opening data dir", {{"data_dir", o.data_dir}});
  auto server = api::Server::Open(options);
  if (!server.ok()) {
    log.Log(api::LogLevel::kError, "cannot open the server: " + server.status().message());
    return 1;
  }
  if (auto s = (*server)->Start(); !s.ok()) {
    log.Log(api::LogLevel::kError, "cannot start the server: " + s.message());
    return 1;
  }
  std::string address = options.host + ":" + std::to_string((*server)->port());
  log.Always(api::LogLevel::kInfo,
             "durafn serving on " + address + " (data dir " + o.data_dir + ")",
             {{"address", address}, {"data_dir", o.data_dir}, {"store", o.store}});
  if (o.skip_time) {
    log.Log(api::LogLevel::kWarn,
            "skip-time mode is on: executions that ask for it do not wait in real time");
  }
  int sig = 0;
  sigwait(&signals, &sig);
  log.Log(api::LogLevel::kInfo, "durafn stopping",
          {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Stop();
  log.Log(api::LogLevel::kInfo, "durafn stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "Run the durable execution server");
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--data-dir", o->data_dir, "Where the server keeps its state")
      ->capture_default_str();
  serve->add_option("--store", o->store, "Execution store (sqlite: an embedded file)")
      ->capture_default_str();
  serve->add_option("--log-level", o->log_level, "Least severe server log line shown")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  serve->add_option("--log-format", o->log_format, "Server log lines as text or JSON")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve
      ->add_option("--max-workers", o->max_workers,
                   "Worker processes alive at once, all functions together")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  serve
      ->add_option("--max-queued-invocations", o->max_queued_invocations,
                   "Plain invocations waiting for a worker, per function version (beyond: 429)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  serve
      ->add_option("--max-queued-writes", o->max_queued_writes,
                   "Store transactions waiting for a commit (beyond: 429, or retried)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->capture_default_str();
  serve
      ->add_option("--max-idle-cached-executions", o->max_idle_cached_executions,
                   "Waiting executions kept in memory; beyond it they are reloaded from the "
                   "store when they resume (memory stays bounded with many waiting)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000'000}))
      ->capture_default_str();
  serve->add_option("--runtimes-dir", o->runtimes_dir,
                    "Folder holding nodejs/bootstrap.mjs (default: $DURAFN_RUNTIMES_DIR, else "
                    "runtimes/ next to durafn, else ../share/durafn/runtimes)");
  serve->add_flag(
      "--skip-time", o->skip_time,
      "Tests and local development: let durable invokes ask (header X-Durafn-Skip-Time: "
      "true) for executions whose waits, retry delays and timeouts fire as soon as no "
      "invocation is running");
  serve->callback([&cli, o] { cli.run = [o] { return Serve(*o); }; });
}

}  // namespace durafn::cli
