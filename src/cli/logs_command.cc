// `durafn logs tail NAME`: a function's logs through CloudWatch Logs' FilterLogEvents (the
// JSON-1.1 protocol AWS's own tools speak), like `aws logs tail [--follow]`.
#include <iostream>
#include <memory>
#include <thread>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/logs_tail.h"
#include "cli/output.h"

namespace durafn::cli {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kFollowInterval{1000};
constexpr int kPageLimit = 1000;

struct TailOptions {
  std::string function;
  bool follow = false;
  std::string since = "10m";
  std::string filter;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every event since `start_ms` (all pages); calls `print` for each one not seen yet.
// Returns the newest timestamp seen.
int64_t Poll(ApiClient& api, const TailOptions& o, int64_t start_ms, SeenEvents& seen,
             const std::function<void(const json&)>& print) {
  int64_t newest = start_ms;
  std::string token;
  do {
    json body = {{"logGroupName", "/aws/lambda/" + o.function},
                 {"startTime", start_ms},
                 {"limit", kPageLimit}};
    if (!o.filter.empty()) body["filterPattern"] = o.filter;
    if (!token.empty()) body["nextToken"] = token;
    auto r = api.SendRaw("POST", "/", body.dump(),
                         {{"X-Amz-Target", "Logs_20140328.FilterLogEvents"},
                          {"Content-Type", "application/x-amz-json-1.1"}});
    if (r.status < 200 || r.status >= 300) throw CliError(ErrorLine(r));
    json page = json::parse(r.body, nullptr, false);
    if (!page.is_object())
      throw CliError("the server sent a FilterLogEvents answer that is not JSON");
    for (const auto& e : page.value("events", json::array())) {
      std::string id = e.value("eventId", "");
      if (!id.empty() && !seen.Insert(id)) continue;
      newest = std::max(newest, e.value("timestamp", int64_t{0}));
      print(e);
    }
    std::string next = page.value("nextToken", "");
    token = next == token ? "" : next;
  } while (!token.empty());
  return newest;
}

int Tail(const Cli& cli, const TailOptions& o) {
  auto since = ParseSince(o.since);
  if (!since)
    throw CliError("--since '" + o.since + "': expected a number and s, m, h, d or w (e.g. 10m)");
  ApiClient api(cli.endpoint);
  SeenEvents seen;
  bool json_out = cli.format() == OutputFormat::kJson;
  auto print = [&](const json& e) {
    if (json_out) {
      std::cout << e.dump() << "\n";
    } else {
      std::string message = e.value("message", "");
      while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
        message.pop_back();
      std::cout << FormatTime(json(static_cast<double>(e.value("timestamp", int64_t{0})) / 1000.0))
                << " " << e.value("logStreamName", "") << " " << message << "\n";
    }
  };
  int64_t start = NowMs() - *since;
  int64_t newest = Poll(api, o, start, seen, print);
  std::cout.flush();
  while (o.follow) {
    std::this_thread::sleep_for(kFollowInterval);
    // Overlap a little: events can land with a timestamp slightly in the past; the seen set
    // drops the repeats.
    newest = Poll(api, o, std::max(start, newest - 5000), seen, print);
    std::cout.flush();
  }
  return 0;
}

}  // namespace

void AddLogsCommands(CLI::App& app, Cli& cli) {
  auto* logs = app.add_subcommand("logs", "Read functions' logs");
  logs->require_subcommand(1);
  auto o = std::make_shared<TailOptions>();
  auto* tail = logs->add_subcommand("tail", "Print a function's log events (and follow them)");
  tail->add_option("function", o->function, "Function name")->required();
  tail->add_flag("--follow", o->follow, "Keep polling for new events");
  tail->add_option("--since", o->since, "How far back to start (e.g. 30s, 10m, 2h, 1d)")
      ->capture_default_str();
  tail->add_option("--filter", o->filter, "Only events matching this filter pattern");
  tail->callback([&cli, o] { cli.run = [&cli, o] { return Tail(cli, *o); }; });
}

}  // namespace durafn::cli
