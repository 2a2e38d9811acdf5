// `durafn functions list|get NAME`: the functions the server knows.
#include <iostream>
#include <memory>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/output.h"

namespace durafn::cli {
namespace {

using nlohmann::json;

std::string DurableCell(const json& c) {
  if (!c.contains("DurableConfig")) return "no";
  const auto& d = c["DurableConfig"];
  if (d.contains("ExecutionTimeout")) return "yes (" + Cell(d["ExecutionTimeout"]) + "s)";
  return "yes";
}

int List(const Cli& cli) {
  ApiClient api(cli.endpoint);
  json all = json::array();
  std::string marker;
  do {
    std::string target = "/2015-03-31/functions";
    if (!marker.empty()) target += "?Marker=" + Encode(marker);
    json page = api.Call("GET", target);
    for (const auto& f : page.value("Functions", json::array()))
      all.push_back(f);
    marker = page.value("NextMarker", "");
  } while (!marker.empty());
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"Functions", all}}, std::cout);
    return 0;
  }
  Table t({"NAME", "RUNTIME", "DURABLE", "TIMEOUT", "MEMORY", "LAST MODIFIED"});
  for (const auto& f : all) {
    t.AddRow({Cell(f.value("FunctionName", json())), Cell(f.value("Runtime", json())),
              DurableCell(f), Cell(f.value("Timeout", json())), Cell(f.value("MemorySize", json())),
              Cell(f.value("LastModified", json()))});
  }
  t.Print(std::cout);
  return 0;
}

int Get(const Cli& cli, const std::string& name) {
  ApiClient api(cli.endpoint);
  json fn = api.Call("GET", "/2015-03-31/functions/" + Encode(name));
  json versions = json::array(), aliases = json::array();
  const json& config = fn.contains("Configuration") ? fn["Configuration"] : fn;
  std::string base = config.value("FunctionName", name);
  versions = api.Call("GET", "/2015-03-31/functions/" + Encode(base) + "/versions")
                 .value("Versions", json::array());
  aliases = api.Call("GET", "/2015-03-31/functions/" + Encode(base) + "/aliases")
                .value("Aliases", json::array());
  if (cli.format() == OutputFormat::kJson) {
    json out = fn;
    out["Versions"] = versions;
    out["Aliases"] = aliases;
    PrintJson(out, std::cout);
    return 0;
  }
  PrintFields(config, std::cout);
  std::cout << "\n";
  Table v({"VERSION", "CODE SHA256", "LAST MODIFIED", "DESCRIPTION"});
  for (const auto& x : versions) {
    v.AddRow({Cell(x.value("Version", json())), Cell(x.value("CodeSha256", json())),
              Cell(x.value("LastModified", json())), Cell(x.value("Description", json()))});
  }
  v.Print(std::cout);
  if (!aliases.empty()) {
    std::cout << "\n";
    Table a({"ALIAS", "VERSION", "ARN"});
    for (const auto& x : aliases) {
      a.AddRow({Cell(x.value("Name", json())), Cell(x.value("FunctionVersion", json())),
                Cell(x.value("AliasArn", json()))});
    }
    a.Print(std::cout);
  }
  return 0;
}

}  // namespace

void AddFunctionsCommands(CLI::App& app, Cli& cli) {
  auto* functions = app.add_subcommand("functions", "List and describe functions");
  functions->require_subcommand(1);
  auto* list = functions->add_subcommand("list", "List every function");
  list->callback([&cli] { cli.run = [&cli] { return List(cli); }; });
  auto name = std::make_shared<std::string>();
  auto* get =
      functions->add_subcommand("get", "Show a function's configuration, versions and aliases");
  get->add_option("name", *name, "Function name or ARN")->required();
  get->callback([&cli, name] { cli.run = [&cli, name] { return Get(cli, *name); }; });
}

}  // namespace durafn::cli
