// `durafn invoke`: Lambda's Invoke. The response payload goes to stdout (or OUTFILE); the
// function error and the durable execution's ARN are reported beside it.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "protocol/arn.h"

namespace durafn::cli {
namespace {

using nlohmann::json;

struct InvokeOptions {
  std::string function;
  std::string payload;
  std::string invocation_type = "RequestResponse";
  std::string execution_name;
  std::string outfile;
};

// A synchronous durable invoke may wait up to Lambda's 15 minutes (plus a margin).
constexpr std::chrono::milliseconds kSyncInvokeTimeout = std::chrono::minutes(16);

std::string ReadPayload(const std::string& payload) {
  if (payload.rfind("file://", 0) != 0) return payload;
  std::string path = payload.substr(7);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError("cannot read payload file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Invoke(const Cli& cli, const InvokeOptions& o) {
  auto ref = protocol::ParseFunctionRef(o.function);
  if (!ref.ok()) throw CliError("invalid function '" + o.function + "': " + ref.status().message());
  std::string payload = ReadPayload(o.payload);
  ApiClient api(cli.endpoint);
  std::string target = "/2015-03-31/functions/" + Encode(ref->name) + "/invocations";
  if (ref->qualifier) target += "?Qualifier=" + Encode(*ref->qualifier);
  api::Headers headers{{"X-Amz-Invocation-Type", o.invocation_type},
                       {"Content-Type", "application/json"}};
  if (!o.execution_name.empty()) headers.Set("X-Amz-Durable-Execution-Name", o.execution_name);
  api::Response r;
  {
    std::optional<WaitIndicator> wait;
    if (o.invocation_type == "RequestResponse") wait.emplace("invoking " + o.function + "...");
    r = api.SendRaw("POST", target, payload, headers, kSyncInvokeTimeout);
  }
  if (r.status < 200 || r.status >= 300) throw CliError(ErrorLine(r));

  json meta = {{"StatusCode", r.status}};
  if (auto v = r.headers.Get("X-Amz-Function-Error")) meta["FunctionError"] = std::string(*v);
  if (auto v = r.headers.Get("X-Amz-Executed-Version")) meta["ExecutedVersion"] = std::string(*v);
  if (auto v = r.headers.Get("X-Amz-Durable-Execution-Arn"))
    meta["DurableExecutionArn"] = std::string(*v);
  bool function_error = meta.contains("FunctionError");

  if (!o.outfile.empty()) {
    std::ofstream out(o.outfile, std::ios::binary | std::ios::trunc);
    if (!out) throw CliError("cannot write '" + o.outfile + "'");
    out << r.body;
    if (!out.flush()) throw CliError("cannot write '" + o.outfile + "'");
  }
  if (cli.format() == OutputFormat::kJson) {
    if (o.outfile.empty() && !r.body.empty()) {
      auto body = json::parse(r.body, nullptr, false);
      meta["Payload"] = body.is_discarded() ? json(r.body) : body;
    }
    PrintJson(meta, std::cout);
  } else if (!o.outfile.empty()) {
    PrintFields(meta, std::cout);
  } else {
    if (!r.body.empty()) std::cout << r.body << "\n";
    // Beside the payload, on stderr: stdout stays the payload alone for pipes.
    if (meta.contains("DurableExecutionArn")) {
      auto& stream = r.status == 202 ? std::cout : std::cerr;
      stream << (r.status == 202 ? "" : "durable execution: ")
             << meta["DurableExecutionArn"].get<std::string>() << "\n";
    }
  }
  if (function_error) {
    auto body = json::parse(r.body, nullptr, false);
    std::string type = body.is_object() ? body.value("errorType", "") : "";
    std::string message = body.is_object() ? body.value("errorMessage", "") : r.body;
    throw CliError("function error (" + meta["FunctionError"].get<std::string>() +
                   "): " + (type.empty() ? "" : type + ": ") + message);
  }
  return 0;
}

}  // namespace

void AddInvokeCommand(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<InvokeOptions>();
  auto* invoke = app.add_subcommand("invoke", "Invoke a function (Lambda's Invoke)");
  invoke->add_option("function", o->function, "NAME, NAME:QUALIFIER or a function ARN")->required();
  invoke->add_option("outfile", o->outfile, "Write the response payload to this file");
  invoke->add_option("--payload", o->payload, "JSON payload, or file://PATH");
  invoke->add_option("--invocation-type", o->invocation_type, "How to invoke")
      ->check(CLI::IsMember({"RequestResponse", "Event", "DryRun"}))
      ->capture_default_str();
  invoke->add_option("--durable-execution-name", o->execution_name,
                     "Name of the durable execution (idempotent start)");
  invoke->callback([&cli, o] { cli.run = [&cli, o] { return Invoke(cli, *o); }; });
}

}  // namespace durafn::cli
