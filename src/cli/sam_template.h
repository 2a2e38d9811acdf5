// A SAM template (the subset durafn deploys) read into plain, fully resolved data: each
// function's name, code folder and configuration, and the stack's outputs, with every
// intrinsic (Ref, Fn::Sub, Fn::GetAtt, Fn::Join) already evaluated. Pure: the caller reads
// the file.
//
// Understood: Parameters (Default, overrides), Globals.Function, resources of type
// AWS::Serverless::Function with FunctionName, CodeUri, Handler, Runtime, Timeout,
// MemorySize, Environment.Variables, DurableConfig {ExecutionTimeout, RetentionPeriodInDays},
// AutoPublishAlias, ReservedConcurrentExecutions, Description, Role, and Metadata
// {BuildMethod: makefile | cmake, BuildTarget, BuildDir}; Outputs (Value, Description).
// Anything else is reported in `unsupported`, never dropped silently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace durafn::cli {

// A template the deploy cannot use; the message names the file and line when known.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the template is resolved against.
struct TemplateContext {
  std::string stack_name;
  std::string region = "us-east-1";
  std::string account = "123456789012";
  std::map<std::string, std::string> parameter_overrides;
  std::string template_dir = ".";            // relative CodeUri values are resolved against it
  std::string file_label = "template.yaml";  // how errors name the file
};

// How deploy turns CodeUri into the folder it uploads.
struct BuildSpec {
  enum class Method { kNone, kMakefile, kCmake };
  Method method = Method::kNone;
  std::string target;     // cmake: the executable target
  std::string build_dir;  // cmake: the configured build tree (absolute)
};

struct FunctionSpec {
  std::string logical_id;
  std::string name;      // physical: FunctionName, else "<stack>-<LogicalId>"
  std::string arn;       // unqualified function ARN
  std::string code_uri;  // absolute folder
  std::optional<std::string> handler, runtime, description, role;
  std::optional<int64_t> timeout, memory_size, reserved_concurrency;
  std::map<std::string, std::string> environment;
  std::optional<nlohmann::json> durable_config;  // {ExecutionTimeout?, RetentionPeriodInDays?}
  std::optional<std::string> auto_publish_alias;
  BuildSpec build;

  // The CreateFunction / UpdateFunctionConfiguration body's configuration part.
  nlohmann::json ConfigurationJson() const;
};

struct OutputSpec {
  std::string key, value, description;
};

struct StackTemplate {
  std::map<std::string, std::string> parameters;  // final values
  std::vector<FunctionSpec> functions;            // in template order
  std::vector<OutputSpec> outputs;
  std::vector<std::string> unsupported;  // "Resources.Queue (AWS::SQS::Queue)", ...
};

// Parses and resolves `yaml_text`. Throws TemplateError (bad YAML with its line, unknown
// resource or parameter in an intrinsic, missing CodeUri, unknown override, ...).
StackTemplate ParseTemplate(const std::string& yaml_text, const TemplateContext& context);

// The one warning line listing everything ignored; "" when nothing was.
std::string UnsupportedWarning(const StackTemplate& stack);

// arn:aws:lambda:REGION:ACCOUNT:function:NAME
std::string LambdaFunctionArn(const TemplateContext& context, const std::string& name);

}  // namespace durafn::cli
