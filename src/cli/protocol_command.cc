// `durafn protocol`: offline tools for the durable-execution wire protocol (operation ids,
// ARNs, recorded traces).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli.h"
#include "protocol/arn.h"
#include "protocol/json_codec.h"
#include "protocol/operation_id.h"

namespace durafn::cli {
namespace {

using durafn::protocol::TimeFormat;
namespace proto = durafn::protocol;

int Fail(const std::string& message) {
  throw CliError(message);
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

}  // namespace

void AddProtocolCommands(CLI::App& app, Cli& cli) {
  auto* protocol = app.add_subcommand("protocol", "Inspect the durable-execution wire protocol");
  protocol->require_subcommand(1);

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* op_id = protocol->add_subcommand("op-id", "Operation id of logical paths (e.g. 1 1-2)");
  op_id->add_option("path", *paths, "Logical operation path")->required();
  op_id->callback([&cli, paths] { cli.run = [paths] { return PrintOperationIds(*paths); }; });

  auto arn_text = std::make_shared<std::string>();
  auto* arn = protocol->add_subcommand("arn", "Parse a function identifier or execution ARN");
  arn->add_option("arn", *arn_text, "Function name, ARN, or durable execution ARN")->required();
  arn->callback([&cli, arn_text] { cli.run = [arn_text] { return DescribeArn(*arn_text); }; });

  auto trace_file = std::make_shared<std::string>();
  auto* trace = protocol->add_subcommand("trace", "Decode a recorded protocol trace");
  trace->add_option("file", *trace_file, "Trace file (JSON)")->required()->check(CLI::ExistingFile);
  trace->callback(
      [&cli, trace_file] { cli.run = [trace_file] { return ShowTrace(*trace_file); }; });
}

}  // namespace durafn::cli
