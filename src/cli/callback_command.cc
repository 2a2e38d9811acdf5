// `durafn callback succeed|fail|heartbeat CALLBACK_ID`: completes a durable callback as an
// external system would.
#include <iostream>
#include <memory>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace durafn::cli {
namespace {

using nlohmann::json;

struct CallbackOptions {
  std::string id, result, error_type, error_message;
};

int Complete(const Cli& cli, const std::string& action, const CallbackOptions& o) {
  if (o.id.empty()) throw CliError("CALLBACK_ID must not be empty");
  std::string body;
  if (action == "succeed") {
    if (!o.result.empty() && json::parse(o.result, nullptr, false).is_discarded()) {
      throw CliError("--result is not valid JSON: " + Truncate(o.result, 60));
    }
    body = o.result;
  } else if (action == "fail") {
    json e = json::object();
    if (!o.error_type.empty()) e["ErrorType"] = o.error_type;
    if (!o.error_message.empty()) e["ErrorMessage"] = o.error_message;
    body = e.dump();
  }
  ApiClient api(cli.endpoint);
  auto r =
      api.SendRaw("POST", "/2025-12-01/durable-execution-callbacks/" + Encode(o.id) + "/" + action,
                  body, {{"Content-Type", "application/json"}});
  if (r.status < 200 || r.status >= 300) throw CliError(ErrorLine(r));
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"CallbackId", o.id}, {"Action", action}}, std::cout);
  } else {
    std::cout << "callback "
              << (action == "succeed" ? "succeeded"
                  : action == "fail"  ? "failed"
                                      : "heartbeat sent")
              << "\n";
  }
  return 0;
}

}  // namespace

void AddCallbackCommands(CLI::App& app, Cli& cli) {
  auto* cb = app.add_subcommand("callback", "Complete or heartbeat a durable callback");
  cb->require_subcommand(1);
  for (std::string action : {"succeed", "fail", "heartbeat"}) {
    auto o = std::make_shared<CallbackOptions>();
    std::string help = action == "succeed" ? "Complete a callback with a result"
                       : action == "fail"
                           ? "Fail a callback with an error"
                           : "Tell the execution the callback is still being worked on";
    auto* sub = cb->add_subcommand(action, help);
    sub->add_option("callback_id", o->id, "The callback's id")->required();
    if (action == "succeed") sub->add_option("--result", o->result, "Result (JSON)");
    if (action == "fail") {
      sub->add_option("--error-type", o->error_type, "Error type");
      sub->add_option("--error-message", o->error_message, "Error message");
    }
    sub->callback(
        [&cli, o, action] { cli.run = [&cli, o, action] { return Complete(cli, action, *o); }; });
  }
}

}  // namespace durafn::cli
