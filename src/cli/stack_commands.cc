// `durafn deploy`, `durafn stack outputs`, `durafn delete`: SAM-template stacks. The stack
// record (resources, physical names, outputs) is kept by the server (/durafn/stacks).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/api_client.h"
#include "cli/cli.h"
#include "cli/code_build.h"
#include "cli/code_zip.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/sam_template.h"
#include "protocol/timestamp.h"

namespace durafn::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct DeployOptions {
  std::string template_file = "template.yaml";
  std::string stack_name;
  std::vector<std::string> overrides;
  std::string code_upload = "auto";
};

std::string FunctionPath(const std::string& name) {
  return "/2015-03-31/functions/" + Encode(name);
}

// A stack name from the template's folder: letters, digits and hyphens, starting with a
// letter (CloudFormation's rule).
std::string DefaultStackName(const fs::path& template_path) {
  std::string folder = fs::absolute(template_path).parent_path().filename().string();
  std::string name;
  for (char c : folder) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      name += c;
    else if (!name.empty() && name.back() != '-')
      name += '-';
  }
  while (!name.empty() && name.back() == '-')
    name.pop_back();
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) name = "durafn-" + name;
  if (name.back() == '-') name.pop_back();
  return name;
}

std::map<std::string, std::string> ParseOverrides(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw CliError("--parameter-overrides expects KEY=VALUE, got '" + item + "'");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

std::optional<json> GetStack(ApiClient& api, const std::string& name) {
  auto r = api.Send("GET", "/durafn/stacks/" + Encode(name));
  if (r.status == 404 && ErrorType(r) == "ResourceNotFoundException") return std::nullopt;
  if (r.status != 200) throw CliError(ErrorLine(r));
  return json::parse(r.body);
}

// Deploys one function; returns its resource record. `notes` collects things the server
// could not do (one warning at the end).
json DeployFunction(ApiClient& api, const FunctionSpec& f, const std::string& code_dir, bool as_zip,
                    std::set<std::string>& notes) {
  // The server copies a folder it can read (DirectoryPath, a durafn extension); a server
  // elsewhere gets the zip, as Lambda does.
  json code =
      as_zip ? json{{"ZipFile", Base64(ZipFolder(code_dir))}} : json{{"DirectoryPath", code_dir}};
  json config = f.ConfigurationJson();
  // The server copies and digests the code before it answers: a folder with node_modules
  // holds thousands of files, which takes a while on a busy machine.
  constexpr std::chrono::minutes kCodeTimeout{5};
  auto existing = api.Send("GET", FunctionPath(f.name));
  if (existing.status == 404) {
    ProgressStep("creating function " + f.name);
    json body = config;
    body["Code"] = code;
    auto r = api.Send("POST", "/2015-03-31/functions", body, {}, kCodeTimeout);
    if (r.status < 200 || r.status >= 300) throw CliError(f.name + ": " + ErrorLine(r));
  } else if (existing.status == 200) {
    ProgressStep("updating function " + f.name);
    auto r = api.Send("PUT", FunctionPath(f.name) + "/code", code, {}, kCodeTimeout);
    if (r.status == 404 && ErrorType(r) == "UnknownOperationException") {
      notes.insert(
          "the server has no UpdateFunctionCode: code of existing functions was not updated");
    } else if (r.status < 200 || r.status >= 300) {
      throw CliError(f.name + ": " + ErrorLine(r));
    }
    api.Call("PUT", FunctionPath(f.name) + "/configuration", config);
  } else {
    throw CliError(f.name + ": " + ErrorLine(existing));
  }
  if (f.reserved_concurrency) {
    auto r = api.Send("PUT", "/2017-10-31/functions/" + Encode(f.name) + "/concurrency",
                      {{"ReservedConcurrentExecutions", *f.reserved_concurrency}});
    if (r.status == 404 && ErrorType(r) == "UnknownOperationException") {
      notes.insert(
          "the server has no PutFunctionConcurrency: ReservedConcurrentExecutions not applied");
    } else if (r.status < 200 || r.status >= 300) {
      throw CliError(f.name + ": " + ErrorLine(r));
    }
  }
  json resource = {{"LogicalResourceId", f.logical_id},
                   {"ResourceType", "AWS::Serverless::Function"},
                   {"PhysicalResourceId", f.name},
                   {"Arn", f.arn}};
  if (f.auto_publish_alias) {
    json v = api.Call("POST", FunctionPath(f.name) + "/versions", json::object());
    std::string version = v.value("Version", "");
    const std::string& alias = *f.auto_publish_alias;
    auto a = api.Send("GET", FunctionPath(f.name) + "/aliases/" + Encode(alias));
    if (a.status == 404) {
      api.Call("POST", FunctionPath(f.name) + "/aliases",
               {{"Name", alias}, {"FunctionVersion", version}});
      ProgressStep("  alias " + alias + " -> version " + version);
    } else if (a.status == 200) {
      json current = json::parse(a.body, nullptr, false);
      if (!current.is_object() || current.value("FunctionVersion", "") != version) {
        api.Call("PUT", FunctionPath(f.name) + "/aliases/" + Encode(alias),
                 {{"FunctionVersion", version}});
        ProgressStep("  alias " + alias + " -> version " + version);
      }
    } else {
      throw CliError(f.name + ": " + ErrorLine(a));
    }
    resource["Version"] = version;
    resource["Alias"] = alias;
    resource["AliasArn"] = f.arn + ":" + alias;
  }
  return resource;
}

void DeleteFunction(ApiClient& api, const std::string& name) {
  auto r = api.Send("DELETE", FunctionPath(name));
  if (r.status == 404 && ErrorType(r) == "ResourceNotFoundException") return;  // already gone
  if (r.status < 200 || r.status >= 300) throw CliError(name + ": " + ErrorLine(r));
}

void PrintOutputs(const Cli& cli, const json& record) {
  json outputs = record.value("Outputs", json::array());
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"StackName", record.value("StackName", "")}, {"Outputs", outputs}}, std::cout);
    return;
  }
  Table t({"OUTPUT", "VALUE", "DESCRIPTION"});
  for (const auto& o : outputs) {
    t.AddRow({Cell(o.value("OutputKey", json())), Cell(o.value("OutputValue", json())),
              Cell(o.value("Description", json()))});
  }
  t.Print(std::cout);
}

int Deploy(const Cli& cli, const DeployOptions& o) {
  std::ifstream in(o.template_file);
  if (!in) throw CliError("cannot read template '" + o.template_file + "'");
  std::stringstream text;
  text << in.rdbuf();
  ApiClient api(cli.endpoint);

  TemplateContext ctx;
  ctx.stack_name = o.stack_name.empty() ? DefaultStackName(o.template_file) : o.stack_name;
  ctx.parameter_overrides = ParseOverrides(o.overrides);
  ctx.template_dir = fs::absolute(o.template_file).parent_path().string();
  ctx.file_label = fs::path(o.template_file).filename().string();
  auto identity = api.Send("GET", "/durafn/identity");
  if (identity.status == 200) {
    json id = json::parse(identity.body, nullptr, false);
    if (id.is_object()) {
      ctx.region = id.value("Region", ctx.region);
      ctx.account = id.value("AccountId", ctx.account);
    }
  }
  StackTemplate stack;
  try {
    stack = ParseTemplate(text.str(), ctx);
  } catch (const TemplateError& e) {
    throw CliError(e.what());
  }
  if (auto w = UnsupportedWarning(stack); !w.empty()) std::cerr << w << "\n";

  auto previous = GetStack(api, ctx.stack_name);
  // A function belongs to one stack: taking over another stack's function would let that
  // stack's delete remove it from under this one.
  if (auto all = api.Send("GET", "/durafn/stacks"); all.status == 200) {
    json stacks = json::parse(all.body, nullptr, false);
    std::map<std::string, std::string> owner;
    for (const auto& st :
         stacks.is_object() ? stacks.value("Stacks", json::array()) : json::array()) {
      if (st.value("StackName", "") == ctx.stack_name) continue;
      for (const auto& r : st.value("Resources", json::array()))
        owner[r.value("PhysicalResourceId", "")] = st.value("StackName", "");
    }
    for (const auto& f : stack.functions) {
      if (auto it = owner.find(f.name); it != owner.end()) {
        throw CliError("Resources." + f.logical_id + ": function " + f.name + " belongs to stack " +
                       it->second + " (delete that stack or choose another FunctionName)");
      }
    }
  }
  ProgressStep((previous ? "updating stack " : "creating stack ") + ctx.stack_name);

  // Build everything first: a failing build leaves the deployed stack untouched.
  std::vector<std::string> code_dirs;
  for (const auto& f : stack.functions)
    code_dirs.push_back(PrepareCode(f, ctx.template_dir));

  bool as_zip = o.code_upload == "zip" || (o.code_upload == "auto" && !api.endpoint().loopback());
  std::set<std::string> notes;
  json resources = json::array();
  std::set<std::string> names;
  for (std::size_t i = 0; i < stack.functions.size(); ++i) {
    resources.push_back(DeployFunction(api, stack.functions[i], code_dirs[i], as_zip, notes));
    names.insert(stack.functions[i].name);
  }
  // Functions the previous deploy created that the template no longer has.
  if (previous) {
    for (const auto& r : previous->value("Resources", json::array())) {
      std::string name = r.value("PhysicalResourceId", "");
      if (r.value("ResourceType", "") == "AWS::Serverless::Function" && !names.count(name)) {
        ProgressStep("deleting function " + name + " (no longer in the template)");
        DeleteFunction(api, name);
      }
    }
  }
  json outputs = json::array();
  for (const auto& out : stack.outputs) {
    json x = {{"OutputKey", out.key}, {"OutputValue", out.value}};
    if (!out.description.empty()) x["Description"] = out.description;
    outputs.push_back(x);
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  json record = {{"StackName", ctx.stack_name},
                 {"StackStatus", previous ? "UPDATE_COMPLETE" : "CREATE_COMPLETE"},
                 {"LastUpdatedTime", protocol::FormatIso8601(protocol::Timestamp{now})},
                 {"Parameters", stack.parameters},
                 {"Resources", resources},
                 {"Outputs", outputs}};
  if (previous && previous->contains("CreationTime")) {
    record["CreationTime"] = (*previous)["CreationTime"];
  } else {
    record["CreationTime"] = record["LastUpdatedTime"];
  }
  api.Call("PUT", "/durafn/stacks/" + Encode(ctx.stack_name), record);
  for (const auto& n : notes)
    std::cerr << "warning: " << n << "\n";

  if (cli.format() == OutputFormat::kJson) {
    PrintJson(record, std::cout);
    return 0;
  }
  std::cout << "stack " << ctx.stack_name << " deployed (" << stack.functions.size() << " function"
            << (stack.functions.size() == 1 ? "" : "s") << ")\n\n";
  Table t({"RESOURCE", "FUNCTION", "VERSION", "ALIAS"});
  for (const auto& r : resources) {
    t.AddRow({Cell(r.value("LogicalResourceId", json())),
              Cell(r.value("PhysicalResourceId", json())), Cell(r.value("Version", json())),
              Cell(r.value("Alias", json()))});
  }
  t.Print(std::cout);
  if (!outputs.empty()) {
    std::cout << "\n";
    PrintOutputs(cli, record);
  }
  return 0;
}

int Outputs(const Cli& cli, const std::string& name) {
  ApiClient api(cli.endpoint);
  auto record = GetStack(api, name);
  if (!record)
    throw CliError("ResourceNotFoundException: Stack with id " + name + " does not exist");
  PrintOutputs(cli, *record);
  return 0;
}

int List(const Cli& cli) {
  ApiClient api(cli.endpoint);
  json stacks = api.Call("GET", "/durafn/stacks").value("Stacks", json::array());
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"Stacks", stacks}}, std::cout);
    return 0;
  }
  Table t({"STACK", "STATUS", "FUNCTIONS", "LAST UPDATED"});
  for (const auto& st : stacks) {
    t.AddRow({Cell(st.value("StackName", json())), Cell(st.value("StackStatus", json())),
              std::to_string(st.value("Resources", json::array()).size()),
              Cell(st.value("LastUpdatedTime", json()))});
  }
  t.Print(std::cout);
  return 0;
}

int Delete(const Cli& cli, const std::string& name) {
  ApiClient api(cli.endpoint);
  auto record = GetStack(api, name);
  if (!record)
    throw CliError("ResourceNotFoundException: Stack with id " + name + " does not exist");
  int deleted = 0;
  for (const auto& r : record->value("Resources", json::array())) {
    if (r.value("ResourceType", "") != "AWS::Serverless::Function") continue;
    std::string fn = r.value("PhysicalResourceId", "");
    ProgressStep("deleting function " + fn);
    DeleteFunction(api, fn);
    ++deleted;
  }
  auto r = api.Send("DELETE", "/durafn/stacks/" + Encode(name));
  if (r.status != 204 && r.status != 200 && r.status != 404) throw CliError(ErrorLine(r));
  if (cli.format() == OutputFormat::kJson) {
    PrintJson({{"StackName", name}, {"DeletedFunctions", deleted}}, std::cout);
  } else {
    std::cout << "stack " << name << " deleted (" << deleted << " function"
              << (deleted == 1 ? "" : "s") << ")\n";
  }
  return 0;
}

}  // namespace

void AddStackCommands(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<DeployOptions>();
  auto* deploy = app.add_subcommand("deploy", "Deploy a SAM template's functions as a stack");
  deploy->add_option("--template,-t", o->template_file, "SAM template (YAML)")
      ->capture_default_str();
  deploy->add_option("--stack-name", o->stack_name, "Stack name (default: the template's folder)");
  deploy->add_option("--parameter-overrides", o->overrides, "Template parameters as KEY=VALUE");
  deploy
      ->add_option("--code-upload", o->code_upload,
                   "How code reaches the server: path (it reads our folder), zip, or auto "
                   "(path when the server is on this machine)")
      ->check(CLI::IsMember({"auto", "path", "zip"}))
      ->capture_default_str();
  deploy->callback([&cli, o] { cli.run = [&cli, o] { return Deploy(cli, *o); }; });

  auto* stack = app.add_subcommand("stack", "Inspect deployed stacks");
  stack->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto* outputs = stack->add_subcommand("outputs", "Show a stack's outputs");
  outputs->add_option("stack_name", *name, "Stack name")->required();
  outputs->callback([&cli, name] { cli.run = [&cli, name] { return Outputs(cli, *name); }; });

  auto* list = stack->add_subcommand("list", "List deployed stacks");
  list->callback([&cli] { cli.run = [&cli] { return List(cli); }; });

  auto del_name = std::make_shared<std::string>();
  auto* del = app.add_subcommand("delete", "Delete a stack and its functions");
  del->add_option("--stack-name", *del_name, "Stack name")->required();
  del->callback(
      [&cli, del_name] { cli.run = [&cli, del_name] { return Delete(cli, *del_name); }; });
}

}  // namespace durafn::cli
