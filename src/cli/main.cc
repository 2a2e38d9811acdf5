// durafn command-line tool. Today it offers the protocol tools; the server and client
// subcommands arrive with the server.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <signal.h>

#include "api/server.h"
#include "protocol/arn.h"
#include "protocol/json_codec.h"
#include "protocol/operation_id.h"

namespace {

using durafn::protocol::TimeFormat;
namespace proto = durafn::protocol;

int Fail(const std::string& message) {
  std::cerr << "durafn: " << message << "\n";
  return 1;
}

int PrintOperationIds(const std::vector<std::string>& paths) {
  for (const auto& p : paths)
    std::cout << p << "\t" << proto::HashOperationId(p) << "\n";
  return 0;
}

int DescribeArn(const std::string& text) {
  if (text.find("/durable-execution/") != std::string::npos) {
    auto arn = proto::ParseDurableExecutionArn(text);
    if (!arn.ok()) return Fail(arn.status().message());
    std::cout << "durable execution ARN\n  function:  " << arn->function_name
              << "\n  version:   " << arn->version << "\n  name:      " << arn->execution_name
              << "\n  id:        " << arn->execution_id
              << "\n  function ARN: " << arn->FunctionArn() << "\n";
    return 0;
  }
  auto ref = proto::ParseFunctionRef(text);
  if (!ref.ok()) return Fail(ref.status().message());
  std::cout << "function identifier\n  name:      " << ref->name
            << "\n  qualifier: " << ref->qualifier.value_or("(none)")
            << "\n  account:   " << ref->account.value_or("(none)")
            << "\n  region:    " << ref->region.value_or("(none)") << "\n";
  return 0;
}

std::string Short(const std::optional<std::string>& s, std::size_t n = 60) {
  if (!s) return "";
  return s->size() <= n ? *s : s->substr(0, n - 3) + "...";
}

// Prints what one recorded trace says: each invocation's checkpoints, then the history.
int ShowTrace(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Fail("cannot read " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = proto::ParseJson(ss.str());
  if (!doc.ok()) return Fail(file + ": " + doc.status().message());
  const auto& d = *doc;
  if (!d.contains("invocations")) return Fail(file + ": not a protocol trace (no invocations)");
  std::cout << "scenario: " << d.value("scenario", "?") << "\n\n";
  for (const auto& inv : d["invocations"]) {
    if (!inv.contains("input")) continue;
    auto env = proto::Decode<proto::InvocationEnvelope>(inv["input"], TimeFormat::kIso8601);
    if (!env.ok()) return Fail("invocation envelope: " + env.status().message());
    std::cout << "invocation " << inv.value("index", 0) << " (" << inv.value("execution", "root")
              << "): " << env->initial_execution_state.operations.size()
              << " operation(s) replayed\n";
    for (const auto& c : inv.value("checkpoints", nlohmann::json::array())) {
      auto req = proto::Decode<proto::CheckpointDurableExecutionRequest>(c["request"],
                                                                         TimeFormat::kIso8601);
      if (!req.ok()) return Fail("checkpoint: " + req.status().message());
      for (const auto& u : req->updates.value_or(std::vector<proto::OperationUpdate>{})) {
        std::printf("  checkpoint %-14s %-7s id=%s name=%s\n",
                    std::string(proto::ToString(u.type)).c_str(),
                    std::string(proto::ToString(u.action)).c_str(), u.id.c_str(),
                    u.name.value_or("-").c_str());
      }
    }
    auto out = proto::Decode<proto::InvocationOutput>(inv["output"], TimeFormat::kIso8601);
    if (!out.ok()) return Fail("output: " + out.status().message());
    std::cout << "  returned " << proto::ToString(out->status) << " " << Short(out->result) << "\n";
  }
  std::cout << "\nhistory:\n";
  for (const auto& e : d.value("historyEvents", nlohmann::json::array())) {
    auto ev = proto::Decode<proto::Event>(e, TimeFormat::kIso8601);
    if (!ev.ok()) return Fail("event: " + ev.status().message());
    std::printf("  %3lld  %s  %-24s %s\n", static_cast<long long>(ev->event_id),
                proto::FormatIso8601(ev->event_timestamp).c_str(),
                std::string(proto::ToString(ev->type())).c_str(), ev->name.value_or("").c_str());
  }
  return 0;
}

// Runs the server until SIGINT or SIGTERM.
int Serve(const std::string& listen, const std::string& data_dir) {
  durafn::api::ServerOptions options;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail("--listen expects HOST:PORT, got '" + listen + "'");
  options.host = listen.substr(0, colon);
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return Fail("--listen has an invalid port in '" + listen + "'");
  }
  options.data_dir = data_dir;
  // Signals are taken synchronously below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = durafn::api::Server::Open(options);
  if (!server.ok()) return Fail(server.status().message());
  if (auto s = (*server)->Start(); !s.ok()) return Fail(s.message());
  std::cout << "durafn serving on " << options.host << ":" << (*server)->port() << " (data dir "
            << data_dir << ")" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "durafn stopping" << std::endl;
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"durafn: durable functions, self-hosted"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "durafn 0.1.0");

  auto* protocol = app.add_subcommand("protocol", "Inspect the durable-execution wire protocol");
  protocol->require_subcommand(1);

  std::vector<std::string> paths;
  auto* op_id = protocol->add_subcommand("op-id", "Operation id of logical paths (e.g. 1 1-2)");
  op_id->add_option("path", paths, "Logical operation path")->required();

  std::string arn_text;
  auto* arn = protocol->add_subcommand("arn", "Parse a function identifier or execution ARN");
  arn->add_option("arn", arn_text, "Function name, ARN, or durable execution ARN")->required();

  std::string trace_file;
  auto* trace = protocol->add_subcommand("trace", "Decode a recorded protocol trace");
  trace->add_option("file", trace_file, "Trace file (JSON)")->required()->check(CLI::ExistingFile);

  std::string listen = "127.0.0.1:9001";
  std::string data_dir = "./.durafn";
  auto* serve = app.add_subcommand("serve", "Run the durable execution server");
  serve->add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--data-dir", data_dir, "Where the server keeps its state")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*serve) return Serve(listen, data_dir);
  if (*op_id) return PrintOperationIds(paths);
  if (*arn) return DescribeArn(arn_text);
  if (*trace) return ShowTrace(trace_file);
  return 0;
}
