#include "cli/sam_template.h"

#include <filesystem>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

namespace durafn::cli {

using nlohmann::json;

namespace {

const std::set<std::string> kTopLevelKeys = {"AWSTemplateFormatVersion",
                                             "Transform",
                                             "Description",
                                             "Metadata",
                                             "Parameters",
                                             "Globals",
                                             "Resources",
                                             "Outputs"};
const std::set<std::string> kFunctionProperties = {
    "FunctionName",     "CodeUri",
    "Handler",          "Runtime",
    "Timeout",          "MemorySize",
    "Environment",      "DurableConfig",
    "AutoPublishAlias", "ReservedConcurrentExecutions",
    "Description",      "Role"};
const std::set<std::string> kResourceKeys = {"Type", "Properties", "Metadata", "DependsOn"};

class Resolver {
 public:
  Resolver(const TemplateContext& c, const std::map<std::string, std::string>& params)
      : c_(c), params_(params) {}

  // Functions by logical id: (name, arn). Until set (while names are resolved), a Ref to a
  // function is an error.
  void SetFunctions(std::map<std::string, std::pair<std::string, std::string>> f) {
    functions_ = std::move(f);
    have_functions_ = true;
  }
  void SetOtherResources(std::map<std::string, std::string> r) { others_ = std::move(r); }

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& message) const {
    auto m = at.Mark();
    std::string where = c_.file_label;
    if (!m.is_null()) where += ":" + std::to_string(m.line + 1);
    throw TemplateError(where + ": " + message);
  }

  // The node with every intrinsic evaluated. Scalars become strings.
  json Resolve(const YAML::Node& n) const {
    const std::string& tag = n.Tag();
    if (tag.size() > 1 && tag[0] == '!' && tag[1] != '!') return ShortForm(tag.substr(1), n);
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        return n.Scalar();
      case YAML::NodeType::Sequence: {
        json a = json::array();
        for (const auto& x : n)
          a.push_back(Resolve(x));
        return a;
      }
      case YAML::NodeType::Map: {
        if (n.size() == 1) {
          std::string key = n.begin()->first.as<std::string>();
          if (key == "Ref") return Ref(n.begin()->second, ScalarOf(n.begin()->second, "Ref"));
          if (key.rfind("Fn::", 0) == 0) return ShortForm(key.substr(4), n.begin()->second);
        }
        json o = json::object();
        for (const auto& kv : n)
          o[kv.first.as<std::string>()] = Resolve(kv.second);
        return o;
      }
    }
    return nullptr;
  }

  // A resolved value that must be text (numbers are written as text in YAML anyway).
  std::string String(const YAML::Node& n, const std::string& what) const {
    json v = Resolve(n);
    if (v.is_string()) return v;
    Fail(n, what + ": expected a string");
  }

  std::optional<int64_t> Integer(const json& v, const YAML::Node& at,
                                 const std::string& what) const {
    if (v.is_null()) return std::nullopt;
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      try {
        std::size_t used = 0;
        long long x = std::stoll(s, &used);
        if (used == s.size()) return x;
      } catch (const std::exception&) {
      }
    }
    Fail(at, what + ": expected an integer, got '" +
                 (v.is_string() ? v.get<std::string>() : v.dump()) + "'");
  }

 private:
  std::string ScalarOf(const YAML::Node& n, const std::string& fn) const {
    if (!n.IsScalar()) Fail(n, fn + " expects a name");
    return n.Scalar();
  }

  json ShortForm(const std::string& fn, const YAML::Node& arg) const {
    if (fn == "Ref") return Ref(arg, ScalarOf(arg, "Ref"));
    if (fn == "GetAtt") {
      std::string resource, attribute;
      if (arg.IsScalar()) {
        auto dot = arg.Scalar().find('.');
        if (dot == std::string::npos)
          Fail(arg, "GetAtt expects Resource.Attribute, got '" + arg.Scalar() + "'");
        resource = arg.Scalar().substr(0, dot);
        attribute = arg.Scalar().substr(dot + 1);
      } else if (arg.IsSequence() && arg.size() == 2) {
        resource = ScalarOf(arg[0], "GetAtt");
        attribute = ScalarOf(arg[1], "GetAtt");
      } else {
        Fail(arg, "GetAtt expects Resource.Attribute or [Resource, Attribute]");
      }
      return GetAtt(arg, resource, attribute);
    }
    if (fn == "Sub") {
      std::map<std::string, std::string> vars;
      if (arg.IsSequence()) {
        if (arg.size() != 2 || !arg[1].IsMap())
          Fail(arg, "Sub expects a string or [string, {Name: value}]");
        for (const auto& kv : arg[1]) {
          json v = Resolve(kv.second);
          vars[kv.first.as<std::string>()] = v.is_string() ? v.get<std::string>() : v.dump();
        }
      }
      // Copy-constructed: assigning one yaml-cpp node to another rebinds the shared node.
      const YAML::Node text = arg.IsSequence() ? arg[0] : arg;
      if (!text.IsScalar()) Fail(arg, "Sub expects a string");
      return Sub(text, text.Scalar(), vars);
    }
    if (fn == "Join") {
      if (!arg.IsSequence() || arg.size() != 2) Fail(arg, "Join expects [delimiter, [values]]");
      std::string delimiter = String(arg[0], "Join delimiter");
      json parts = Resolve(arg[1]);
      if (!parts.is_array()) Fail(arg, "Join expects a list of values");
      std::string out;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += delimiter;
        out += parts[i].is_string() ? parts[i].get<std::string>() : parts[i].dump();
      }
      return out;
    }
    Fail(arg, "unsupported intrinsic function '" + fn +
                  "' (supported: Ref, Fn::Sub, Fn::GetAtt, Fn::Join)");
  }

  std::string Ref(const YAML::Node& at, const std::string& name) const {
    if (auto p = params_.find(name); p != params_.end()) return p->second;
    if (name == "AWS::Region") return c_.region;
    if (name == "AWS::AccountId") return c_.account;
    if (name == "AWS::StackName") return c_.stack_name;
    if (name == "AWS::Partition") return "aws";
    if (name == "AWS::URLSuffix") return "amazonaws.com";
    if (auto f = functions_.find(name); f != functions_.end()) return f->second.first;
    Unknown(at, name);
  }

  std::string GetAtt(const YAML::Node& at, const std::string& resource,
                     const std::string& attribute) const {
    auto f = functions_.find(resource);
    if (f == functions_.end()) Unknown(at, resource);
    if (attribute != "Arn") {
      Fail(at, "GetAtt " + resource + "." + attribute + ": only the Arn attribute is supported");
    }
    return f->second.second;
  }

  [[noreturn]] void Unknown(const YAML::Node& at, const std::string& name) const {
    if (auto o = others_.find(name); o != others_.end()) {
      Fail(at, "'" + name + "' is a resource of unsupported type " + o->second);
    }
    if (!have_functions_ && name.find("::") == std::string::npos) {
      Fail(at, "'" + name + "' is not a parameter (a function's name may only use parameters)");
    }
    Fail(at, "unknown resource or parameter '" + name + "'");
  }

  std::string Sub(const YAML::Node& at, const std::string& text,
                  const std::map<std::string, std::string>& vars) const {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
      auto open = text.find("${", i);
      if (open == std::string::npos) {
        out += text.substr(i);
        break;
      }
      out += text.substr(i, open - i);
      auto close = text.find('}', open);
      if (close == std::string::npos) Fail(at, "Sub: '${' without a closing '}'");
      std::string var = text.substr(open + 2, close - open - 2);
      i = close + 1;
      if (!var.empty() && var[0] == '!') {  // ${!Literal} stays literal
        out += "${" + var.substr(1) + "}";
        continue;
      }
      if (auto v = vars.find(var); v != vars.end()) {
        out += v->second;
        continue;
      }
      auto dot = var.find('.');
      if (dot != std::string::npos && var.find("::") == std::string::npos) {
        out += GetAtt(at, var.substr(0, dot), var.substr(dot + 1));
      } else {
        out += Ref(at, var);
      }
    }
    return out;
  }

  const TemplateContext& c_;
  const std::map<std::string, std::string>& params_;
  std::map<std::string, std::pair<std::string, std::string>> functions_;
  std::map<std::string, std::string> others_;  // logical id -> type
  bool have_functions_ = false;
};

// SAM's Globals: maps merge (the function's keys win), everything else is replaced.
json Merge(json base, const json& over) {
  if (!base.is_object() || !over.is_object()) return over;
  for (const auto& [k, v] : over.items())
    base[k] = base.contains(k) ? Merge(base[k], v) : v;
  return base;
}

YAML::Node Load(const std::string& text, const std::string& label) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw TemplateError(label + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }
}

}  // namespace

json FunctionSpec::ConfigurationJson() const {
  json c = {{"FunctionName", name}};
  if (runtime) c["Runtime"] = *runtime;
  if (handler) c["Handler"] = *handler;
  if (description) c["Description"] = *description;
  if (role) c["Role"] = *role;
  if (timeout) c["Timeout"] = *timeout;
  if (memory_size) c["MemorySize"] = *memory_size;
  c["Environment"] = {{"Variables", environment}};
  if (durable_config) c["DurableConfig"] = *durable_config;
  return c;
}

std::string LambdaFunctionArn(const TemplateContext& c, const std::string& name) {
  return "arn:aws:lambda:" + c.region + ":" + c.account + ":function:" + name;
}

StackTemplate ParseTemplate(const std::string& yaml_text, const TemplateContext& context) {
  const std::string& label = context.file_label;
  const YAML::Node root = Load(yaml_text, label);
  if (!root.IsMap()) throw TemplateError(label + ": a template is a YAML mapping with Resources");
  StackTemplate out;
  auto unsupported = [&](std::string what) { out.unsupported.push_back(std::move(what)); };
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (!kTopLevelKeys.count(key)) unsupported(key);
  }

  // Parameters: defaults, then overrides (which must name a declared parameter).
  std::map<std::string, std::string> params;
  std::set<std::string> declared;
  if (const auto p = root["Parameters"]; p && p.IsMap()) {
    for (const auto& kv : p) {
      std::string name = kv.first.as<std::string>();
      declared.insert(name);
      if (kv.second.IsMap() && kv.second["Default"]) {
        const auto& d = kv.second["Default"];
        if (!d.IsScalar()) {
          throw TemplateError(label + ":" + std::to_string(d.Mark().line + 1) + ": parameter '" +
                              name + "': Default must be a single value");
        }
        params[name] = d.Scalar();
      }
    }
  }
  for (const auto& [k, v] : context.parameter_overrides) {
    if (!declared.count(k)) {
      std::string names;
      for (const auto& d : declared)
        names += (names.empty() ? "" : ", ") + d;
      throw TemplateError("unknown parameter '" + k +
                          "' in --parameter-overrides (the template declares: " +
                          (names.empty() ? "none" : names) + ")");
    }
    params[k] = v;
  }
  for (const auto& d : declared) {
    if (!params.count(d)) {
      throw TemplateError(label + ": parameter '" + d +
                          "' has no Default; give it with --parameter-overrides " + d + "=VALUE");
    }
  }
  out.parameters = params;
  Resolver resolver(context, out.parameters);

  // Globals: only Function.
  json globals = json::object();
  bool have_globals = false;
  if (const auto g = root["Globals"]; g && g.IsMap()) {
    for (const auto& kv : g) {
      std::string section = kv.first.as<std::string>();
      if (section != "Function") {
        unsupported("Globals." + section);
        continue;
      }
      const YAML::Node& global_fn = kv.second;
      if (!global_fn.IsMap()) resolver.Fail(global_fn, "Globals.Function must be a mapping");
      have_globals = true;
      for (const auto& p : global_fn) {
        std::string prop = p.first.as<std::string>();
        // A function's name is its own: SAM has no global FunctionName either.
        if (!kFunctionProperties.count(prop) || prop == "FunctionName")
          unsupported("Globals.Function." + prop);
      }
    }
  }

  // Resources: first the functions' physical names (parameters only), then the rest.
  const YAML::Node resources = root["Resources"];
  if (!resources || !resources.IsMap() || resources.size() == 0) {
    throw TemplateError(label + ": the template has no Resources");
  }
  std::map<std::string, std::pair<std::string, std::string>> functions;
  std::map<std::string, std::string> others;
  std::vector<std::pair<std::string, YAML::Node>> function_nodes;
  for (const auto& kv : resources) {
    std::string id = kv.first.as<std::string>();
    const YAML::Node& r = kv.second;
    if (!r.IsMap() || !r["Type"] || !r["Type"].IsScalar()) {
      resolver.Fail(r, "resource '" + id + "' needs a Type");
    }
    std::string type = r["Type"].Scalar();
    if (type != "AWS::Serverless::Function") {
      others[id] = type;
      unsupported("Resources." + id + " (" + type + ")");
      continue;
    }
    std::string name = context.stack_name + "-" + id;
    if (const auto p = r["Properties"]; p && p["FunctionName"]) {
      name = resolver.String(p["FunctionName"], "Resources." + id + ".Properties.FunctionName");
    }
    functions[id] = {name, LambdaFunctionArn(context, name)};
    function_nodes.emplace_back(id, r);
  }
  resolver.SetOtherResources(others);
  resolver.SetFunctions(functions);
  if (have_globals) {
    globals = resolver.Resolve(root["Globals"]["Function"]);
    globals.erase("FunctionName");
  }

  std::filesystem::path dir = std::filesystem::absolute(context.template_dir);
  for (const auto& [id, r] : function_nodes) {
    std::string where = "Resources." + id;
    for (const auto& kv : r) {
      std::string key = kv.first.as<std::string>();
      if (!kResourceKeys.count(key)) unsupported(where + "." + key);
    }
    const YAML::Node props = r["Properties"];
    json p = props ? resolver.Resolve(props) : json::object();
    if (!p.is_object()) resolver.Fail(r, where + ".Properties must be a mapping");
    if (props) {
      for (const auto& kv : props) {
        std::string key = kv.first.as<std::string>();
        if (!kFunctionProperties.count(key)) unsupported(where + ".Properties." + key);
      }
    }
    json merged = Merge(globals, p);
    const YAML::Node at = props ? props : r;
    FunctionSpec f;
    f.logical_id = id;
    f.name = functions[id].first;
    f.arn = functions[id].second;
    auto text = [&](const char* key) -> std::optional<std::string> {
      if (!merged.contains(key) || merged[key].is_null()) return std::nullopt;
      if (!merged[key].is_string()) resolver.Fail(at, where + "." + key + ": expected a string");
      return merged[key].get<std::string>();
    };
    auto code = text("CodeUri");
    if (!code || code->empty()) {
      resolver.Fail(at, where +
                            ": CodeUri is missing (the folder with the function's code or "
                            "its build files)");
    }
    if (code->find("://") != std::string::npos) {
      resolver.Fail(at, where + ": CodeUri '" + *code + "' must be a local folder");
    }
    f.code_uri = (dir / *code).lexically_normal().string();
    while (f.code_uri.size() > 1 && f.code_uri.back() == '/')
      f.code_uri.pop_back();
    f.handler = text("Handler");
    f.runtime = text("Runtime");
    f.description = text("Description");
    f.role = text("Role");
    f.auto_publish_alias = text("AutoPublishAlias");
    if (merged.contains("Timeout"))
      f.timeout = resolver.Integer(merged["Timeout"], at, where + ".Timeout");
    if (merged.contains("MemorySize"))
      f.memory_size = resolver.Integer(merged["MemorySize"], at, where + ".MemorySize");
    if (merged.contains("ReservedConcurrentExecutions")) {
      f.reserved_concurrency = resolver.Integer(merged["ReservedConcurrentExecutions"], at,
                                                where + ".ReservedConcurrentExecutions");
    }
    if (merged.contains("Environment")) {
      const json& env = merged["Environment"];
      if (!env.is_object()) resolver.Fail(at, where + ".Environment must be a mapping");
      for (const auto& [k, v] : env.items()) {
        if (k != "Variables") {
          unsupported(where + ".Environment." + k);
          continue;
        }
        if (!v.is_object()) resolver.Fail(at, where + ".Environment.Variables must be a mapping");
        for (const auto& [name, value] : v.items())
          f.environment[name] = value.is_string() ? value.get<std::string>() : value.dump();
      }
    }
    if (merged.contains("DurableConfig")) {
      const json& d = merged["DurableConfig"];
      if (!d.is_object()) resolver.Fail(at, where + ".DurableConfig must be a mapping");
      json dc = json::object();
      for (const auto& [k, v] : d.items()) {
        if (k == "ExecutionTimeout" || k == "RetentionPeriodInDays") {
          auto n = resolver.Integer(v, at, where + ".DurableConfig." + k);
          if (!n) resolver.Fail(at, where + ".DurableConfig." + k + ": expected an integer");
          dc[k] = *n;
        } else {
          unsupported(where + ".DurableConfig." + k);
        }
      }
      f.durable_config = dc;
    }
    if (const auto m = r["Metadata"]; m) {
      json meta = resolver.Resolve(m);
      if (!meta.is_object()) resolver.Fail(m, where + ".Metadata must be a mapping");
      for (const auto& [k, v] : meta.items()) {
        if (k != "BuildMethod" && k != "BuildTarget" && k != "BuildDir")
          unsupported(where + ".Metadata." + k);
      }
      std::string method = meta.value("BuildMethod", "");
      if (method == "makefile") {
        f.build.method = BuildSpec::Method::kMakefile;
      } else if (method == "cmake") {
        f.build.method = BuildSpec::Method::kCmake;
        f.build.target = meta.value("BuildTarget", "");
        if (f.build.target.empty()) {
          resolver.Fail(
              m, where + ".Metadata: BuildMethod cmake needs BuildTarget (the executable target)");
        }
        std::string bd = meta.value("BuildDir", "build");
        f.build.build_dir = (std::filesystem::path(f.code_uri) / bd).lexically_normal().string();
      } else if (!method.empty()) {
        resolver.Fail(m, where + ".Metadata.BuildMethod '" + method +
                             "' is not supported (makefile or cmake)");
      }
    }
    out.functions.push_back(std::move(f));
  }

  if (const auto o = root["Outputs"]; o) {
    if (!o.IsMap()) resolver.Fail(o, "Outputs must be a mapping");
    for (const auto& kv : o) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& n = kv.second;
      if (!n.IsMap() || !n["Value"]) resolver.Fail(n, "output '" + key + "' needs a Value");
      OutputSpec spec;
      spec.key = key;
      json v = resolver.Resolve(n["Value"]);
      spec.value = v.is_string() ? v.get<std::string>() : v.dump();
      if (n["Description"])
        spec.description = resolver.String(n["Description"], "Outputs." + key + ".Description");
      for (const auto& x : n) {
        std::string k = x.first.as<std::string>();
        if (k != "Value" && k != "Description") unsupported("Outputs." + key + "." + k);
      }
      out.outputs.push_back(std::move(spec));
    }
  }
  return out;
}

std::string UnsupportedWarning(const StackTemplate& stack) {
  if (stack.unsupported.empty()) return "";
  std::string line = "warning: not supported by durafn, ignored: ";
  for (std::size_t i = 0; i < stack.unsupported.size(); ++i)
    line += (i ? ", " : "") + stack.unsupported[i];
  return line;
}

}  // namespace durafn::cli
