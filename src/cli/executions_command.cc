// `durafn executions list|get|history|stop`: durable executions and their event history.
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/history_format.h"
#include "cli/output.h"

namespace durafn::cli {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kFollowInterval{1000};

std::string ExecutionTarget(const std::string& arn) {
  return "/2025-12-01/durable-executions/" + Encode(arn);
}

// Every execution of `function`, all pages.
json ListFor(ApiClient& api, const std::string& function, const std::string& status) {
  json out = json::array();
  std::string marker;
  do {
    std::string target = "/2025-12-01/functions/" + Encode(function) + "/durable-executions?";
    if (!status.empty()) target += "Statuses=" + Encode(status) + "&";
    if (!marker.empty()) target += "Marker=" + Encode(marker) + "&";
    target.pop_back();
    json page = api.Call("GET", target);
    for (const auto& e : page.value("DurableExecutions", json::array()))
      out.push_back(e);
    marker = page.value("NextMarker", "");
  } while (!marker.empty());
  return out;
}

struct ListOptions {
  std::string function, status;
};

int List(const Cli& cli, const ListOptions& o) {
  ApiClient api(cli.endpoint);
  json all = json::array();
  if (!o.function.empty()) {
    all = ListFor(api, o.function, o.status);
  } else {
    // No server-wide listing in Lambda's API: go over every durable function.
    json fns = api.Call("GET", "/2015-03-31/functions").value("Functions", json::array());
    for (const auto& f : fns) {
      if (!f.contains("DurableConfig")) continue;
      for (auto& e : ListFor(api, f.value("FunctionName", ""), o.status))
        all.push_back(std::move(e));
    }
  }
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"DurableExecutions", all}}, std::cout);
    return 0;
  }
  Table t({"NAME", "STATUS", "STARTED", "ENDED", "ARN"});
  for (const auto& e : all) {
    t.AddRow({Cell(e.value("DurableExecutionName", json())), Cell(e.value("Status", json())),
              FormatTime(e.value("StartTimestamp", json())),
              FormatTime(e.value("EndTimestamp", json())),
              Cell(e.value("DurableExecutionArn", json()))});
  }
  t.Print(std::cout);
  return 0;
}

int Get(const Cli& cli, const std::string& arn) {
  ApiClient api(cli.endpoint);
  json e = api.Call("GET", ExecutionTarget(arn));
  if (cli.format() == OutputFormat::kJson) {
    PrintJson(e, std::cout);
  } else {
    PrintFields(e, std::cout);
  }
  return 0;
}

// Events after `after_id`, all pages.
json HistoryAfter(ApiClient& api, const std::string& arn, int64_t after_id) {
  json out = json::array();
  std::string marker;
  do {
    std::string target = ExecutionTarget(arn) + "/history?MaxItems=1000";
    if (!marker.empty()) target += "&Marker=" + Encode(marker);
    json page = api.Call("GET", target);
    for (const auto& e : page.value("Events", json::array())) {
      if (e.value("EventId", int64_t{0}) > after_id) out.push_back(e);
    }
    marker = page.value("NextMarker", "");
  } while (!marker.empty());
  return out;
}

bool Closed(ApiClient& api, const std::string& arn) {
  json e = api.Call("GET", ExecutionTarget(arn) + "?IncludeExecutionData=false");
  std::string s = e.value("Status", "");
  return s != "RUNNING" && s != "PENDING" && !s.empty();
}

int History(const Cli& cli, const std::string& arn, bool follow) {
  ApiClient api(cli.endpoint);
  int64_t last = 0;
  bool json_out = cli.format() == OutputFormat::kJson;
  bool header = true;
  json all = json::array();
  while (true) {
    // Read "closed" before the events so the last poll cannot miss the closing events.
    bool closed = follow ? Closed(api, arn) : true;
    json events = HistoryAfter(api, arn, last);
    for (const auto& e : events)
      last = std::max(last, e.value("EventId", int64_t{0}));
    if (json_out) {
      if (!follow) {
        all = events;
      } else {
        for (const auto& e : events)
          std::cout << e.dump() << "\n";  // one event per line while following
        std::cout.flush();
      }
    } else {
      PrintHistoryRows(events, header, std::cout);
      if (!events.empty()) header = false;
      std::cout.flush();
    }
    if (closed) break;
    std::this_thread::sleep_for(kFollowInterval);
  }
  if (json_out && !follow) PrintJson({{"Events", all}}, std::cout);
  return 0;
}

int Stop(const Cli& cli, const std::string& arn) {
  ApiClient api(cli.endpoint);
  json r = api.Call("POST", ExecutionTarget(arn) + "/stop", json::object());
  if (cli.format() == OutputFormat::kJson) {
    PrintJson(r, std::cout);
  } else {
    std::cout << "stopped " << arn << " at " << FormatTime(r.value("StopTimestamp", json()))
              << "\n";
  }
  return 0;
}

}  // namespace

void AddExecutionsCommands(CLI::App& app, Cli& cli) {
  auto* ex = app.add_subcommand("executions", "List, inspect and stop durable executions");
  ex->require_subcommand(1);

  auto lo = std::make_shared<ListOptions>();
  auto* list = ex->add_subcommand("list", "List durable executions (of all functions by default)");
  list->add_option("--function", lo->function, "Only this function's executions");
  list->add_option("--status", lo->status, "Only executions with this status")
      ->check(CLI::IsMember({"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"}));
  list->callback([&cli, lo] { cli.run = [&cli, lo] { return List(cli, *lo); }; });

  auto arn = std::make_shared<std::string>();
  auto* get = ex->add_subcommand("get", "Show one durable execution");
  get->add_option("arn", *arn, "Durable execution ARN")->required();
  get->callback([&cli, arn] { cli.run = [&cli, arn] { return Get(cli, *arn); }; });

  auto follow = std::make_shared<bool>(false);
  auto* history = ex->add_subcommand("history", "Show a durable execution's events");
  history->add_option("arn", *arn, "Durable execution ARN")->required();
  history->add_flag("--follow", *follow, "Keep polling until the execution closes");
  history->callback([&cli, arn, follow] {
    cli.run = [&cli, arn, follow] { return History(cli, *arn, *follow); };
  });

  auto* stop = ex->add_subcommand("stop", "Stop a running durable execution");
  stop->add_option("arn", *arn, "Durable execution ARN")->required();
  stop->callback([&cli, arn] { cli.run = [&cli, arn] { return Stop(cli, *arn); }; });
}

}  // namespace durafn::cli
