// The `durafn` CLI end to end: the real binary as a subprocess against a real `durafn serve`
// on a free loopback port with its own data dir.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/http_client.h"
#include "api/http_server.h"
#include "api/responses.h"
#include "api/uri.h"
#include "cli_runner.h"
#include "support/server_process.h"

namespace durafn::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CliResult;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const char* kTemplate = R"(AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 30
Resources:
  OrderEnricher:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub OrderEnricher-${Stage}
      CodeUri: enricher/
  DurableOrderProcessor:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: DurableOrderProcessor
      CodeUri: processor
      AutoPublishAlias: prod
      DurableConfig:
        ExecutionTimeout: 900
        RetentionPeriodInDays: 7
      Environment:
        Variables:
          ENRICHER_ARN: !GetAtt OrderEnricher.Arn
Outputs:
  DurableOrderProcessorArn:
    Description: Durable order processor
    Value: !GetAtt DurableOrderProcessor.Arn
  OrderEnricherArn:
    Value: !GetAtt OrderEnricher.Arn
)";

class CliE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("durafn-cli-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "app");
    server_ = std::make_unique<durafn::testing::ServerProcess>(DURAFN_BINARY, dir_ / "data");
    server_->Start();
    endpoint_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  // Runs `durafn --endpoint E args...` in the app folder.
  CliResult Run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"--endpoint", endpoint_});
    return RunRaw(args, env);
  }
  CliResult RunRaw(const std::vector<std::string>& args,
                   std::map<std::string, std::string> env = {}) {
    if (!env.count("DURAFN_ENDPOINT")) env["DURAFN_ENDPOINT"] = "";
    return durafn::testing::RunCli(DURAFN_BINARY, args, env, dir_ / "app");
  }
  static json Json(const CliResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  void Write(const fs::path& rel, const std::string& text, bool executable = false) {
    fs::path p = dir_ / "app" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    if (executable) fs::permissions(p, fs::perms::owner_all, fs::perm_options::add);
  }
  // The sample's two functions, each a folder with a trivial bootstrap.
  void WriteApp(const std::string& tmpl = kTemplate) {
    Write("template.yaml", tmpl);
    Write("enricher/bootstrap", "#!/bin/sh\nexit 0\n", true);
    Write("processor/bootstrap", "#!/bin/sh\nexit 0\n", true);
  }
  CliResult Deploy(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"deploy", "--template", "template.yaml", "--stack-name", "shop"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }
  // An execution of DurableOrderProcessor:prod started with Event (no worker runs it, so it
  // stays RUNNING).
  std::string StartExecution(const std::string& name = "order-1") {
    auto r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "Event", "--payload",
                  R"({"orderId":"ORD-1"})", "--durable-execution-name", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string arn = r.out.substr(0, r.out.find('\n'));
    EXPECT_THAT(arn, HasSubstr("/durable-execution/" + name + "/"));
    return arn;
  }

  fs::path dir_;
  std::unique_ptr<durafn::testing::ServerProcess> server_;
  std::string endpoint_;
};

// ---- global options ----

TEST_F(CliE2E, EndpointComesFromEnvironmentAndFlagWins) {
  auto r = RunRaw({"functions", "list"}, {{"DURAFN_ENDPOINT", endpoint_}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("NAME"));
  // The flag overrides the environment.
  r = RunRaw({"--endpoint", endpoint_, "functions", "list"},
             {{"DURAFN_ENDPOINT", "http://127.0.0.1:1"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // A dead endpoint from the environment is used (and fails clearly).
  r = RunRaw({"functions", "list"}, {{"DURAFN_ENDPOINT", "http://127.0.0.1:1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: cannot reach the durafn server at http://127.0.0.1:1"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(CliE2E, BadEndpointAndOutputAreErrors) {
  auto r = RunRaw({"--endpoint", "https://x:1", "functions", "list"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("https is not supported"));
  r = Run({"--output", "yaml", "functions", "list"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--output"));
}

TEST_F(CliE2E, GlobalOptionsMayFollowTheSubcommand) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  auto r = RunRaw({"functions", "list", "--output", "json", "--endpoint", endpoint_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["Functions"].size(), 2u);
}

// ---- deploy, stack outputs, delete ----

TEST_F(CliE2E, DeployCreatesFunctionsAliasAndOutputs) {
  WriteApp();
  auto r = Deploy();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("stack shop deployed (2 functions)"));
  EXPECT_THAT(r.err, Not(HasSubstr("warning: not supported")));
  EXPECT_EQ(r.err.find("creating"), std::string::npos) << "progress must stay off when piped";

  r = Run({"--output", "json", "functions", "get", "DurableOrderProcessor"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json fn = Json(r);
  EXPECT_EQ(fn["Configuration"]["Runtime"], "provided.al2023");
  EXPECT_EQ(fn["Configuration"]["Timeout"], 30);
  EXPECT_EQ(fn["Configuration"]["DurableConfig"]["ExecutionTimeout"], 900);
  EXPECT_EQ(fn["Configuration"]["Environment"]["Variables"]["ENRICHER_ARN"],
            "arn:aws:lambda:us-east-1:123456789012:function:OrderEnricher-dev");
  ASSERT_EQ(fn["Aliases"].size(), 1u);
  EXPECT_EQ(fn["Aliases"][0]["Name"], "prod");
  EXPECT_EQ(fn["Aliases"][0]["FunctionVersion"], "1");
  EXPECT_EQ(fn["Versions"].size(), 2u);  // $LATEST and 1

  r = Run({"stack", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("shop   CREATE_COMPLETE  2"));
  r = Run({"stack", "outputs", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("DurableOrderProcessorArn  "
                               "arn:aws:lambda:us-east-1:123456789012:function:"
                               "DurableOrderProcessor  Durable order processor"));
  r = Run({"--output", "json", "stack", "outputs", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = Json(r);
  ASSERT_EQ(out["Outputs"].size(), 2u);
  EXPECT_EQ(out["Outputs"][1]["OutputKey"], "OrderEnricherArn");
  EXPECT_EQ(out["Outputs"][1]["OutputValue"],
            "arn:aws:lambda:us-east-1:123456789012:function:OrderEnricher-dev");
}

TEST_F(CliE2E, RedeployIsIdempotent) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  auto first = Run({"--output", "json", "stack", "outputs", "shop"});
  auto r = Deploy();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Run({"--output", "json", "stack", "outputs", "shop"}).out, first.out);
  json fn = Json(Run({"--output", "json", "functions", "get", "DurableOrderProcessor"}));
  EXPECT_EQ(fn["Versions"].size(), 2u) << "a redeploy of the same template publishes nothing";
  EXPECT_EQ(fn["Aliases"][0]["FunctionVersion"], "1");
  EXPECT_EQ(Json(Run({"--output", "json", "functions", "list"}))["Functions"].size(), 2u);
}

TEST_F(CliE2E, RedeployWithChangesUpdatesMovesAliasAndRemovesDroppedFunctions) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  std::string changed = kTemplate;
  changed.replace(changed.find("Timeout: 30"), 11, "Timeout: 45");
  // Drop the enricher: its output goes too.
  changed = changed.substr(0, changed.find("  OrderEnricher:")) +
            changed.substr(changed.find("  DurableOrderProcessor:"));
  changed.replace(changed.find("          ENRICHER_ARN: !GetAtt OrderEnricher.Arn\n"),
                  std::string("          ENRICHER_ARN: !GetAtt OrderEnricher.Arn\n").size(),
                  "          STAGE: !Ref Stage\n");
  changed = changed.substr(0, changed.find("  OrderEnricherArn:"));
  Write("template.yaml", changed);
  auto r = Deploy({"--parameter-overrides", "Stage=prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json fn = Json(Run({"--output", "json", "functions", "get", "DurableOrderProcessor"}));
  EXPECT_EQ(fn["Configuration"]["Timeout"], 45);
  EXPECT_EQ(fn["Configuration"]["Environment"]["Variables"]["STAGE"], "prod");
  EXPECT_FALSE(fn["Configuration"]["Environment"]["Variables"].contains("ENRICHER_ARN"));
  EXPECT_EQ(fn["Aliases"][0]["FunctionVersion"], "2");
  r = Run({"functions", "get", "OrderEnricher-dev"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("ResourceNotFoundException"));
  EXPECT_EQ(Json(Run({"--output", "json", "stack", "outputs", "shop"}))["Outputs"].size(), 1u);
}

TEST_F(CliE2E, DeleteRemovesFunctionsAndTheStack) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  auto r = Run({"delete", "--stack-name", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("stack shop deleted (2 functions)"));
  EXPECT_EQ(Json(Run({"--output", "json", "functions", "list"}))["Functions"].size(), 0u);
  EXPECT_EQ(Json(Run({"--output", "json", "stack", "list"}))["Stacks"].size(), 0u);
  r = Run({"stack", "outputs", "shop"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "durafn: ResourceNotFoundException: Stack with id shop does not exist\n");
  r = Run({"delete", "--stack-name", "shop"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("Stack with id shop does not exist"));
}

TEST_F(CliE2E, DeployCanUploadCodeAsZip) {
  WriteApp();
  auto r = Deploy({"--code-upload", "zip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json fn = Json(Run({"--output", "json", "functions", "get", "DurableOrderProcessor"}));
  EXPECT_GT(fn["Configuration"]["CodeSize"].get<int64_t>(), 22) << "the zip of the folder";
  std::string sha = fn["Configuration"]["CodeSha256"];
  ASSERT_EQ(Deploy({"--code-upload", "zip"}).exit_code, 0);
  fn = Json(Run({"--output", "json", "functions", "get", "DurableOrderProcessor"}));
  EXPECT_EQ(fn["Configuration"]["CodeSha256"], sha);
  EXPECT_EQ(fn["Versions"].size(), 2u);
  r = Deploy({"--code-upload", "ftp"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--code-upload"));
}

TEST_F(CliE2E, AFunctionBelongsToOneStack) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  auto r = Run({"deploy", "--template", "template.yaml", "--stack-name", "other"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("function OrderEnricher-dev belongs to stack shop"));
  // The same template under another stage is another set of functions... except the fixed
  // FunctionName of the processor, which still belongs to shop.
  r = Run({"deploy", "--template", "template.yaml", "--stack-name", "other",
           "--parameter-overrides", "Stage=test"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("function DurableOrderProcessor belongs to stack shop"));
  EXPECT_NE(Run({"stack", "outputs", "other"}).exit_code, 0);
}

TEST_F(CliE2E, StackNameMustBeValid) {
  auto r = Run({"stack", "outputs", "9bad_name"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("InvalidParameterValueException: Stack name '9bad_name'"));
}

TEST_F(CliE2E, DeployWarnsOnceAboutUnsupportedParts) {
  WriteApp(std::string(kTemplate) + "  Extra:\n    Value: x\n    Export: {Name: y}\n");
  std::string t = std::string(kTemplate);
  t.insert(t.find("Outputs:"), "  Queue:\n    Type: AWS::SQS::Queue\n");
  Write("template.yaml", t);
  auto r = Deploy();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: not supported by durafn, ignored: Resources.Queue "
                               "(AWS::SQS::Queue)\n"));
  EXPECT_EQ(r.err.find("warning: not supported"), r.err.rfind("warning: not supported"));
}

TEST_F(CliE2E, TemplateErrorsAreOneClearLine) {
  struct Case {
    std::string yaml, expected;
  } cases[] = {
      {"Resources:\n  Fn:\n    Type: [unclosed\n", "durafn: template.yaml:4:"},
      {"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: "
       "x\n",
       "durafn: template.yaml:5: Resources.Fn: CodeUri is missing"},
      {"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: "
       "processor\n      Environment: {Variables: {X: !Ref Nope}}\n",
       "durafn: template.yaml:6: unknown resource or parameter 'Nope'"},
  };
  WriteApp();
  for (const auto& c : cases) {
    Write("template.yaml", c.yaml);
    auto r = Deploy();
    EXPECT_NE(r.exit_code, 0) << c.yaml;
    EXPECT_THAT(r.err, StartsWith(c.expected)) << c.yaml;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  WriteApp();
  auto r = Deploy({"--parameter-overrides", "Stag=prod"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("unknown parameter 'Stag'"));
  r = Deploy({"--parameter-overrides", "novalue"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("expects KEY=VALUE"));
  r = Run({"deploy", "--template", "missing.yaml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("cannot read template 'missing.yaml'"));
  // Nothing was deployed by the failures.
  EXPECT_EQ(Json(Run({"--output", "json", "functions", "list"}))["Functions"].size(), 0u);
}

TEST_F(CliE2E, ProvidedRuntimeNeedsAnExecutableBootstrap) {
  WriteApp();
  fs::remove(dir_ / "app" / "processor" / "bootstrap");
  auto r = Deploy();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("DurableOrderProcessor: "));
  EXPECT_THAT(r.err, HasSubstr("has no executable 'bootstrap'"));
  EXPECT_EQ(Json(Run({"--output", "json", "functions", "list"}))["Functions"].size(), 0u);
}

TEST_F(CliE2E, MakefileBuildMethodBuildsIntoArtifactsDir) {
  Write("template.yaml", R"(Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Runtime: provided.al2023, Handler: bootstrap}
    Metadata: {BuildMethod: makefile}
)");
  Write("src/Makefile",
        "build-Hello:\n\tprintf '#!/bin/sh\\necho built\\n' > $(ARTIFACTS_DIR)/bootstrap\n\tchmod "
        "+x $(ARTIFACTS_DIR)/bootstrap\n");
  auto r = Deploy();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "app" / ".durafn-build" / "Hello" / "bootstrap"));
  EXPECT_EQ(r.out.find("printf"), std::string::npos) << "build output goes to stderr";
  // A failing build stops the deploy with the command named.
  Write("src/Makefile", "build-Hello:\n\tfalse\n");
  r = Deploy();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("durafn: Hello: `make build-Hello` in "));
}

TEST_F(CliE2E, CmakeBuildMethodCopiesTheTargetAsBootstrap) {
  Write("template.yaml", R"(Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Runtime: provided.al2023, Handler: bootstrap}
    Metadata: {BuildMethod: cmake, BuildTarget: hello_fn}
)");
  // A project whose "executable" is a script, so the test needs no compiler run.
  Write("src/make_fn.sh", "printf '#!/bin/sh\\necho hi\\n' > hello_fn && chmod +x hello_fn\n");
  Write("src/CMakeLists.txt", R"(cmake_minimum_required(VERSION 3.20)
project(hello NONE)
add_custom_target(hello_fn ALL COMMAND sh ${CMAKE_SOURCE_DIR}/make_fn.sh
                  WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
)");
  auto r = Deploy();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("does not exist (configure it first"));
  ASSERT_EQ(
      durafn::testing::RunCli("/usr/bin/env", {"cmake", "-S", (dir_ / "app" / "src").string(), "-B",
                                               (dir_ / "app" / "src" / "build").string()})
          .exit_code,
      0);
  r = Deploy();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path bootstrap = dir_ / "app" / ".durafn-build" / "Hello" / "bootstrap";
  ASSERT_TRUE(fs::exists(bootstrap));
  EXPECT_EQ(::access(bootstrap.c_str(), X_OK), 0);
}

// ---- functions ----

TEST_F(CliE2E, FunctionsListAndGet) {
  auto r = Run({"functions", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "NAME  RUNTIME  DURABLE  TIMEOUT  MEMORY  LAST MODIFIED\n");
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  r = Run({"functions", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("DurableOrderProcessor  provided.al2023  yes (900s)"));
  EXPECT_THAT(r.out, HasSubstr("OrderEnricher-dev      provided.al2023  no"));
  r = Run({"functions", "get", "DurableOrderProcessor"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("FunctionName:"));
  EXPECT_THAT(r.out, HasSubstr("prod   1        arn:aws:lambda:us-east-1:123456789012:function:"
                               "DurableOrderProcessor:prod"));
  r = Run({"functions", "get", "Nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: ResourceNotFoundException: Function not found"));
  EXPECT_EQ(r.out, "");
}

// ---- invoke ----

TEST_F(CliE2E, InvokeErrors) {
  auto r = Run({"invoke", "Nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "durafn: ResourceNotFoundException: Function not found: "
            "arn:aws:lambda:us-east-1:123456789012:function:Nope\n");
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  r = Run({"invoke", "DurableOrderProcessor", "--payload", "{}"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err,
            "durafn: InvalidParameterValueException: You cannot invoke a durable function using "
            "an unqualified ARN. Specify a version or alias qualifier.\n");
  r = Run({"invoke", "DurableOrderProcessor:prod", "--payload", "{not json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: InvalidRequestContentException:"));
  r = Run({"invoke", "DurableOrderProcessor:prod", "--payload", "file://missing.json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "durafn: cannot read payload file 'missing.json'\n");
  r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "Sometimes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--invocation-type"));
  r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "Event",
           "--durable-execution-name", "bad name!"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("DurableExecutionName must be"));
  r = Run({"invoke", "arn:aws:lambda:us-east-1:123456789012:function:"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: invalid function"));
}

TEST_F(CliE2E, InvokeEventPrintsTheExecutionArn) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  Write("payload.json", R"({"orderId":"ORD-9"})");
  auto r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "Event", "--payload",
                "file://payload.json", "--durable-execution-name", "from-file"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("arn:aws:lambda:us-east-1:123456789012:function:"
                                "DurableOrderProcessor:1/durable-execution/from-file/"));
  std::string arn = r.out.substr(0, r.out.find('\n'));
  r = Run({"--output", "json", "executions", "get", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["InputPayload"], R"({"orderId":"ORD-9"})");

  // JSON output and the ARN of a named execution (by its unqualified ARN + alias).
  r = Run({"--output", "json", "invoke",
           "arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:prod",
           "--invocation-type", "Event", "--durable-execution-name", "as-json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = Json(r);
  EXPECT_EQ(j["StatusCode"], 202);
  EXPECT_EQ(j["ExecutedVersion"], "1");
  EXPECT_THAT(j["DurableExecutionArn"].get<std::string>(), HasSubstr("/as-json/"));

  // OUTFILE: the (empty) payload goes to the file, the metadata to stdout.
  r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "Event", "response.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "app" / "response.json"));
  EXPECT_THAT(r.out, HasSubstr("StatusCode:"));
  EXPECT_THAT(r.out, HasSubstr("DurableExecutionArn:"));

  r = Run({"invoke", "DurableOrderProcessor:prod", "--invocation-type", "DryRun"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A worker played by the test through the Runtime API (worker hosting is another
// component): it takes the next invocation of `function` and answers it.
class TestWorker {
 public:
  TestWorker(uint16_t server_port, const std::string& function) {
    api::HttpClient control("127.0.0.1", server_port);
    auto r = control.Send("POST", "/durafn/runtime-endpoints", {},
                          json{{"FunctionName", function}}.dump());
    EXPECT_TRUE(r.ok() && r->status == 200);
    std::string endpoint = json::parse(r->body)["RuntimeApi"];
    auto colon = endpoint.rfind(':');
    runtime_ = std::make_unique<api::HttpClient>(
        endpoint.substr(0, colon), static_cast<uint16_t>(std::stoi(endpoint.substr(colon + 1))));
    control_ = std::make_unique<api::HttpClient>("127.0.0.1", server_port);
  }
  // Waits for the next invocation; returns its envelope (JSON) and request id.
  std::pair<json, std::string> Next() {
    auto r = runtime_->Send("GET", "/2018-06-01/runtime/invocation/next", {}, "",
                            std::chrono::seconds(30));
    EXPECT_TRUE(r.ok() && r->status == 200);
    return {json::parse(r->body),
            std::string(r->headers.Get("Lambda-Runtime-Aws-Request-Id").value_or(""))};
  }
  void Checkpoint(const json& envelope, const json& updates) {
    std::string arn = envelope["DurableExecutionArn"];
    auto r = control_->Send(
        "POST", "/2025-12-01/durable-executions/" + api::PercentEncode(arn) + "/checkpoint", {},
        json{{"CheckpointToken", envelope["CheckpointToken"]}, {"Updates", updates}}.dump());
    EXPECT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : "");
  }
  void Respond(const std::string& request_id, const json& output) {
    auto r = runtime_->Send("POST", "/2018-06-01/runtime/invocation/" + request_id + "/response",
                            {}, output.dump());
    EXPECT_TRUE(r.ok() && r->status == 202);
  }

 private:
  std::unique_ptr<api::HttpClient> runtime_, control_;
};

TEST_F(CliE2E, SyncInvokePrintsTheResultAndHistoryShowsSteps) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  TestWorker worker(server_->port(), "DurableOrderProcessor:prod");
  CliResult r;
  std::thread cli([&] {
    r = Run({"invoke", "DurableOrderProcessor:prod", "--payload", R"({"orderId":"A"})"});
  });
  auto [envelope, request_id] = worker.Next();
  worker.Checkpoint(envelope, json::parse(R"([
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"START","Name":"enrich-order"},
      {"Id":"c4ca4238a0b92382","Type":"STEP","SubType":"Step","Action":"SUCCEED","Name":"enrich-order","Payload":"{\"customerId\":\"CUST-1\"}"}])"));
  worker.Respond(request_id, {{"Status", "SUCCEEDED"}, {"Result", R"({"success":true})"}});
  cli.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"success\":true}\n") << "stdout is the payload alone";
  std::string arn = envelope["DurableExecutionArn"];
  EXPECT_EQ(r.err, "durable execution: " + arn + "\n");

  r = Run({"executions", "history", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("StepStarted            enrich-order"));
  EXPECT_THAT(
      r.out,
      HasSubstr(R"(StepSucceeded          enrich-order         Result={"customerId":"CUST-1"})"));
  EXPECT_THAT(r.out,
              HasSubstr(R"(ExecutionSucceeded                          Result={"success":true})"));
  r = Run({"--output", "json", "executions", "list", "--status", "SUCCEEDED"});
  ASSERT_EQ(Json(r)["DurableExecutions"].size(), 1u);
}

TEST_F(CliE2E, SyncInvokeReportsTheFunctionError) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  TestWorker worker(server_->port(), "DurableOrderProcessor:prod");
  CliResult r;
  std::thread cli([&] {
    r = Run({"invoke", "DurableOrderProcessor:prod", "--payload", "{}", "response.json"});
  });
  auto [envelope, request_id] = worker.Next();
  worker.Respond(
      request_id,
      {{"Status", "FAILED"},
       {"Error", {{"ErrorType", "ValidationError"}, {"ErrorMessage", "orderId is required"}}}});
  cli.join();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "durafn: function error (Unhandled): ValidationError: orderId is required\n");
  EXPECT_THAT(r.out, HasSubstr("FunctionError:"));
  std::ifstream in(dir_ / "app" / "response.json");
  json body = json::parse(in);
  EXPECT_EQ(body["errorType"], "ValidationError");
  EXPECT_EQ(body["errorMessage"], "orderId is required");
}

// ---- executions ----

TEST_F(CliE2E, ExecutionsListGetHistoryStop) {
  WriteApp();
  ASSERT_EQ(Deploy().exit_code, 0);
  std::string arn = StartExecution("order-1");

  auto r = Run({"executions", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("order-1  RUNNING"));
  EXPECT_THAT(r.out, HasSubstr(arn));
  r = Run({"--output", "json", "executions", "list", "--function", "DurableOrderProcessor",
           "--status", "RUNNING"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Json(r)["DurableExecutions"].size(), 1u);
  EXPECT_EQ(Json(r)["DurableExecutions"][0]["DurableExecutionArn"], arn);
  r = Run({"--output", "json", "executions", "list", "--status", "SUCCEEDED"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["DurableExecutions"].size(), 0u);

  r = Run({"executions", "get", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Status:"));
  EXPECT_THAT(r.out, HasSubstr("RUNNING"));
  EXPECT_THAT(r.out, HasSubstr("DurableExecutionName:   order-1"));

  r = Run({"executions", "history", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID    TIME"));
  EXPECT_THAT(r.out, HasSubstr("ExecutionStarted"));
  EXPECT_THAT(r.out, HasSubstr(R"(Input={"orderId":"ORD-1"})"));

  r = Run({"executions", "stop", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("stopped " + arn));
  r = Run({"--output", "json", "executions", "get", arn});
  EXPECT_EQ(Json(r)["Status"], "STOPPED");
  // --follow ends by itself once the execution is closed.
  r = Run({"executions", "history", arn, "--follow"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ExecutionStopped"));
  r = Run({"--output", "json", "executions", "history", arn});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The function's bootstrap is a stub that exits at once, so a failed invocation may be on
  // record between the start and the stop.
  json events = Json(r)["Events"];
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front()["EventType"], "ExecutionStarted");
  EXPECT_EQ(events.back()["EventType"], "ExecutionStopped");
}

TEST_F(CliE2E, ExecutionsErrors) {
  std::string ghost =
      "arn:aws:lambda:us-east-1:123456789012:function:F:1/durable-execution/x/"
      "00000000-0000-0000-0000-000000000000";
  for (auto args : std::vector<std::vector<std::string>>{{"executions", "get", ghost},
                                                         {"executions", "history", ghost},
                                                         {"executions", "stop", ghost}}) {
    auto r = Run(args);
    EXPECT_NE(r.exit_code, 0) << args[1];
    EXPECT_THAT(r.err, StartsWith("durafn: ResourceNotFoundException: ")) << args[1];
  }
  auto r = Run({"executions", "get", "not-an-arn"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: InvalidParameterValueException: "));
  r = Run({"executions", "list", "--function", "Nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: ResourceNotFoundException: "));
  r = Run({"executions", "list", "--status", "SLEEPING"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--status"));
}

// ---- callback ----

TEST_F(CliE2E, CallbackErrors) {
  for (std::string action : {"succeed", "fail", "heartbeat"}) {
    auto r = Run({"callback", action, "bm90LWEtY2FsbGJhY2s="});
    EXPECT_NE(r.exit_code, 0) << action;
    EXPECT_THAT(r.err, StartsWith("durafn: InvalidParameterValueException: ")) << action;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  auto r = Run({"callback", "succeed", "abc", "--result", "{oops"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "durafn: --result is not valid JSON: {oops\n");
  r = Run({"callback", "fail", "abc", "--error-type", "T", "--error-message", "M"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("Invalid callback id"));
  r = Run({"callback", "succeed"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("callback_id is required"));
}

// ---- logs ----

TEST_F(CliE2E, LogsTailErrors) {
  auto r = Run({"logs", "tail", "DurableOrderProcessor", "--since", "ten minutes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--since 'ten minutes': expected a number and s, m, h, d or w"));
  r = RunRaw({"logs", "tail", "X"}, {{"DURAFN_ENDPOINT", "http://127.0.0.1:1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: cannot reach the durafn server"));
}

// ---- serve ----

TEST_F(CliE2E, ServeRejectsUnknownStoreAndLogOptions) {
  auto r = RunRaw({"serve", "--listen", "127.0.0.1:0", "--data-dir", (dir_ / "d2").string(),
                   "--store", "postgres"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--store 'postgres' is not supported"));
  r = RunRaw({"serve", "--log-level", "loud"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--log-level"));
  r = RunRaw({"serve", "--log-format", "xml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--log-format"));
  r = RunRaw({"serve", "--listen", "127.0.0.1:http"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--listen has an invalid port"));
}

TEST_F(CliE2E, ServeLogsJsonLinesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string data = (dir_ / "d3").string();
  const char* argv[] = {DURAFN_BINARY, "serve",      "--listen",     "127.0.0.1:0",
                        "--data-dir",  data.c_str(), "--log-format", "json",
                        "--log-level", "info",       nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, DURAFN_BINARY, &actions, nullptr, const_cast<char**>(argv), environ),
            0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[1024] = {0};
  ASSERT_NE(fgets(line, sizeof line, f), nullptr);
  json first = json::parse(line, nullptr, false);
  ASSERT_TRUE(first.is_object()) << line;
  EXPECT_EQ(first["level"], "info");
  EXPECT_THAT(first["msg"].get<std::string>(), StartsWith("durafn serving on 127.0.0.1:"));
  EXPECT_THAT(first["address"].get<std::string>(), StartsWith("127.0.0.1:"));
  EXPECT_TRUE(first.contains("time"));
  ::kill(pid, SIGTERM);
  std::vector<json> rest;
  while (fgets(line, sizeof line, f))
    rest.push_back(json::parse(line, nullptr, false));
  fclose(f);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0]["msg"], "durafn stopping");
  EXPECT_EQ(rest[0]["signal"], "SIGTERM");
  EXPECT_EQ(rest[1]["msg"], "durafn stopped");
}

TEST_F(CliE2E, ProtocolToolsStillWork) {
  auto r = RunRaw({"protocol", "op-id", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("1\t"));
  r = RunRaw({"protocol", "arn", "F:prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("qualifier: prod"));
  r = RunRaw({"protocol", "arn", "arn:aws:lambda:nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith("durafn: "));
}

}  // namespace
}  // namespace durafn::cli
