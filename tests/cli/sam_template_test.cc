// SAM template parsing and intrinsic evaluation (pure logic, no server).
#include "cli/sam_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace durafn::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TemplateContext Ctx() {
  TemplateContext c;
  c.stack_name = "shop";
  c.region = "eu-west-1";
  c.account = "111122223333";
  c.template_dir = "/srv/app";
  c.file_label = "template.yaml";
  return c;
}

// The message of the TemplateError `yaml` raises ("" if none).
std::string ErrorOf(const std::string& yaml, TemplateContext c = Ctx()) {
  try {
    ParseTemplate(yaml, c);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

const char* kTwoFunctions = R"(
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  Memory:
    Type: Number
    Default: 256
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 30
    MemorySize: !Ref Memory
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: global
Resources:
  OrderEnricher:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "OrderEnricher-${Stage}"
      CodeUri: enricher/
      Handler: bootstrap
  DurableOrderProcessor:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: DurableOrderProcessor
      CodeUri: ./processor
      Handler: bootstrap
      Timeout: 60
      AutoPublishAlias: prod
      ReservedConcurrentExecutions: 5
      DurableConfig:
        ExecutionTimeout: 900
        RetentionPeriodInDays: 7
      Environment:
        Variables:
          ENRICHER_ARN: !GetAtt OrderEnricher.Arn
          ENRICHER_NAME: !Ref OrderEnricher
          WHERE: !Sub "${AWS::Region}:${AWS::AccountId}:${AWS::StackName}:${OrderEnricher.Arn}"
          LONG:
            Fn::Sub:
              - "${Greeting}, ${Stage}! ${!Literal}"
              - Greeting: hello
          JOINED: !Join ["-", [a, !Ref Stage, c]]
Outputs:
  ProcessorArn:
    Description: Durable processor
    Value: !GetAtt DurableOrderProcessor.Arn
  EnricherArn:
    Value:
      Fn::GetAtt: [OrderEnricher, Arn]
  EnricherName:
    Value: {Ref: OrderEnricher}
)";

TEST(SamTemplate, ResolvesFunctionsGlobalsAndParameters) {
  auto t = ParseTemplate(kTwoFunctions, Ctx());
  ASSERT_EQ(t.functions.size(), 2u);
  const auto& enricher = t.functions[0];
  EXPECT_EQ(enricher.logical_id, "OrderEnricher");
  EXPECT_EQ(enricher.name, "OrderEnricher-dev");
  EXPECT_EQ(enricher.arn, "arn:aws:lambda:eu-west-1:111122223333:function:OrderEnricher-dev");
  EXPECT_EQ(enricher.code_uri, "/srv/app/enricher");
  EXPECT_EQ(enricher.runtime, "provided.al2023");
  EXPECT_EQ(enricher.timeout, 30);
  EXPECT_EQ(enricher.memory_size, 256);
  EXPECT_EQ(enricher.environment.at("STAGE"), "dev");
  EXPECT_FALSE(enricher.durable_config.has_value());
  EXPECT_FALSE(enricher.auto_publish_alias.has_value());

  const auto& p = t.functions[1];
  EXPECT_EQ(p.name, "DurableOrderProcessor");
  EXPECT_EQ(p.code_uri, "/srv/app/processor");
  EXPECT_EQ(p.timeout, 60);  // the function's value wins over Globals
  EXPECT_EQ(p.auto_publish_alias, "prod");
  EXPECT_EQ(p.reserved_concurrency, 5);
  ASSERT_TRUE(p.durable_config.has_value());
  EXPECT_EQ((*p.durable_config)["ExecutionTimeout"], 900);
  EXPECT_EQ((*p.durable_config)["RetentionPeriodInDays"], 7);
  // Environment maps merge: global keys stay, the function's are added.
  EXPECT_EQ(p.environment.at("SHARED"), "global");
  EXPECT_EQ(p.environment.at("STAGE"), "dev");
  EXPECT_EQ(p.environment.at("ENRICHER_ARN"),
            "arn:aws:lambda:eu-west-1:111122223333:function:OrderEnricher-dev");
  EXPECT_EQ(p.environment.at("ENRICHER_NAME"), "OrderEnricher-dev");
  EXPECT_EQ(p.environment.at("WHERE"),
            "eu-west-1:111122223333:shop:arn:aws:lambda:eu-west-1:111122223333:function:"
            "OrderEnricher-dev");
  EXPECT_EQ(p.environment.at("LONG"), "hello, dev! ${Literal}");
  EXPECT_EQ(p.environment.at("JOINED"), "a-dev-c");
  EXPECT_TRUE(t.unsupported.empty()) << UnsupportedWarning(t);
}

TEST(SamTemplate, ResolvesOutputs) {
  auto t = ParseTemplate(kTwoFunctions, Ctx());
  ASSERT_EQ(t.outputs.size(), 3u);
  EXPECT_EQ(t.outputs[0].key, "ProcessorArn");
  EXPECT_EQ(t.outputs[0].value,
            "arn:aws:lambda:eu-west-1:111122223333:function:DurableOrderProcessor");
  EXPECT_EQ(t.outputs[0].description, "Durable processor");
  EXPECT_EQ(t.outputs[1].value, "arn:aws:lambda:eu-west-1:111122223333:function:OrderEnricher-dev");
  EXPECT_EQ(t.outputs[2].value, "OrderEnricher-dev");
}

TEST(SamTemplate, ParameterOverridesReplaceDefaults) {
  auto c = Ctx();
  c.parameter_overrides = {{"Stage", "prod"}, {"Memory", "512"}};
  auto t = ParseTemplate(kTwoFunctions, c);
  EXPECT_EQ(t.functions[0].name, "OrderEnricher-prod");
  EXPECT_EQ(t.functions[0].memory_size, 512);
  EXPECT_EQ(t.parameters.at("Stage"), "prod");
}

TEST(SamTemplate, UnknownParameterOverrideIsAnError) {
  auto c = Ctx();
  c.parameter_overrides = {{"Stag", "prod"}};
  EXPECT_THAT(ErrorOf(kTwoFunctions, c),
              HasSubstr("unknown parameter 'Stag' in --parameter-overrides (the template "
                        "declares: Memory, Stage)"));
}

TEST(SamTemplate, ParameterWithoutDefaultNeedsAnOverride) {
  const char* yaml = R"(
Parameters:
  Stage: {Type: String}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn}
)";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("parameter 'Stage' has no Default"));
  auto c = Ctx();
  c.parameter_overrides = {{"Stage", "x"}};
  EXPECT_EQ(ParseTemplate(yaml, c).parameters.at("Stage"), "x");
}

TEST(SamTemplate, DefaultFunctionNameIsStackAndLogicalId) {
  auto t = ParseTemplate(R"(
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: w}
)",
                         Ctx());
  ASSERT_EQ(t.functions.size(), 1u);
  EXPECT_EQ(t.functions[0].name, "shop-Worker");
  EXPECT_EQ(t.functions[0].code_uri, "/srv/app/w");
}

TEST(SamTemplate, CodeUriMayComeFromGlobals) {
  auto t = ParseTemplate(R"(
Globals:
  Function: {CodeUri: shared}
Resources:
  A: {Type: AWS::Serverless::Function}
)",
                         Ctx());
  EXPECT_EQ(t.functions[0].code_uri, "/srv/app/shared");
}

TEST(SamTemplate, UnsupportedThingsAreListedNotDropped) {
  auto t = ParseTemplate(R"(
Conditions:
  IsProd: !Equals [a, b]
Globals:
  Api: {Cors: "*"}
  Function:
    Tracing: Active
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: fn
      Events:
        Api: {Type: Api}
      Environment:
        Variables: {A: b}
      DurableConfig: {ExecutionTimeout: 60, Mode: fast}
    Metadata:
      Dockerfile: x
Outputs:
  Q:
    Value: x
    Export: {Name: y}
)",
                         Ctx());
  EXPECT_THAT(t.unsupported,
              ElementsAre("Conditions", "Globals.Api", "Globals.Function.Tracing",
                          "Resources.Queue (AWS::SQS::Queue)", "Resources.Fn.Condition",
                          "Resources.Fn.Properties.Events", "Resources.Fn.DurableConfig.Mode",
                          "Resources.Fn.Metadata.Dockerfile", "Outputs.Q.Export"));
  std::string w = UnsupportedWarning(t);
  EXPECT_EQ(w.find('\n'), std::string::npos);
  EXPECT_THAT(w, HasSubstr("warning: not supported by durafn, ignored: Conditions, Globals.Api"));
}

TEST(SamTemplate, NothingUnsupportedGivesNoWarning) {
  auto t = ParseTemplate(
      "Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {CodeUri: f}}\n", Ctx());
  EXPECT_EQ(UnsupportedWarning(t), "");
}

TEST(SamTemplate, BadYamlNamesTheLine) {
  EXPECT_THAT(ErrorOf("Resources:\n  Fn:\n    Type: [unclosed\n"), HasSubstr("template.yaml:4:"));
  EXPECT_THAT(ErrorOf("Resources:\n  Fn:\n    Type: [unclosed\n"), HasSubstr("invalid YAML"));
  EXPECT_THAT(ErrorOf("a: b\n c: d\n"), HasSubstr("template.yaml:2:"));
}

TEST(SamTemplate, RefToUnknownResourceNamesItAndTheLine) {
  const char* yaml = R"(Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Environment:
        Variables:
          PEER: !Ref Missing
)";
  EXPECT_EQ(ErrorOf(yaml), "template.yaml:8: unknown resource or parameter 'Missing'");
}

TEST(SamTemplate, GetAttToUnknownResourceAndAttribute) {
  const char* unknown = R"(Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn}}
Outputs:
  X: {Value: !GetAtt Nope.Arn}
)";
  EXPECT_EQ(ErrorOf(unknown), "template.yaml:4: unknown resource or parameter 'Nope'");
  const char* attribute = R"(Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn}}
Outputs:
  X: {Value: !GetAtt Fn.Name}
)";
  EXPECT_THAT(ErrorOf(attribute), HasSubstr("GetAtt Fn.Name: only the Arn attribute is supported"));
  const char* in_sub = R"(Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn}}
Outputs:
  X: {Value: !Sub "${Ghost.Arn}"}
)";
  EXPECT_THAT(ErrorOf(in_sub), HasSubstr("unknown resource or parameter 'Ghost'"));
}

TEST(SamTemplate, RefToUnsupportedResourceSaysSo) {
  const char* yaml = R"(Resources:
  Q: {Type: AWS::SQS::Queue}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn, Environment: {Variables: {Q: !Ref Q}}}
)";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("'Q' is a resource of unsupported type AWS::SQS::Queue"));
}

TEST(SamTemplate, MissingCodeUriIsAnError) {
  const char* yaml = R"(Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
)";
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("template.yaml:5: Resources.Fn: CodeUri is missing"));
}

TEST(SamTemplate, OtherErrors) {
  EXPECT_THAT(ErrorOf("Description: x\n"), HasSubstr("the template has no Resources"));
  EXPECT_THAT(ErrorOf("- a\n- b\n"), HasSubstr("a YAML mapping"));
  EXPECT_THAT(ErrorOf("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {CodeUri: "
                      "s3://b/k}}\n"),
              HasSubstr("must be a local folder"));
  EXPECT_THAT(ErrorOf("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {CodeUri: f, "
                      "Timeout: soon}}\n"),
              HasSubstr("Resources.F.Timeout: expected an integer, got 'soon'"));
  EXPECT_THAT(ErrorOf("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: {CodeUri: f, "
                      "Handler: !If [a, b, c]}}\n"),
              HasSubstr("unsupported intrinsic function 'If'"));
  EXPECT_THAT(ErrorOf("Resources:\n  F: {Properties: {CodeUri: f}}\n"),
              HasSubstr("resource 'F' needs a Type"));
  // A function's name may only use parameters: it is needed before resources resolve.
  EXPECT_THAT(ErrorOf("Resources:\n  A: {Type: AWS::Serverless::Function, Properties: {CodeUri: "
                      "a, FunctionName: !Ref B}}\n  B: {Type: AWS::Serverless::Function, "
                      "Properties: {CodeUri: b}}\n"),
              HasSubstr("'B' is not a parameter"));
}

TEST(SamTemplate, GlobalAliasIsInheritedGlobalNameIsNot) {
  auto t = ParseTemplate(R"(
Globals:
  Function: {AutoPublishAlias: live, FunctionName: clash}
Resources:
  A: {Type: AWS::Serverless::Function, Properties: {CodeUri: a}}
)",
                         Ctx());
  EXPECT_EQ(t.functions[0].auto_publish_alias, "live");
  EXPECT_EQ(t.functions[0].name, "shop-A");
  EXPECT_THAT(t.unsupported, ElementsAre("Globals.Function.FunctionName"));
}

TEST(SamTemplate, EmptyDurableConfigValueIsAnError) {
  EXPECT_THAT(ErrorOf("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                      "      CodeUri: f\n      DurableConfig: {ExecutionTimeout: }\n"),
              HasSubstr("Resources.F.DurableConfig.ExecutionTimeout: expected an integer"));
}

TEST(SamTemplate, BuildMetadata) {
  auto t = ParseTemplate(R"(
Resources:
  Made:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: made, Runtime: provided.al2023}
    Metadata: {BuildMethod: makefile}
  Cm:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: cm}
    Metadata: {BuildMethod: cmake, BuildTarget: order_processor, BuildDir: out}
  CmDefault:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: cm}
    Metadata: {BuildMethod: cmake, BuildTarget: t}
)",
                         Ctx());
  EXPECT_EQ(t.functions[0].build.method, BuildSpec::Method::kMakefile);
  EXPECT_EQ(t.functions[1].build.method, BuildSpec::Method::kCmake);
  EXPECT_EQ(t.functions[1].build.target, "order_processor");
  EXPECT_EQ(t.functions[1].build.build_dir, "/srv/app/cm/out");
  EXPECT_EQ(t.functions[2].build.build_dir, "/srv/app/cm/build");
  EXPECT_THAT(ErrorOf("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: "
                      "{CodeUri: f}\n    Metadata: {BuildMethod: cmake}\n"),
              HasSubstr("BuildMethod cmake needs BuildTarget"));
  EXPECT_THAT(ErrorOf("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: "
                      "{CodeUri: f}\n    Metadata: {BuildMethod: esbuild}\n"),
              HasSubstr("BuildMethod 'esbuild' is not supported"));
}

TEST(SamTemplate, ConfigurationJsonIsWhatCreateFunctionTakes) {
  auto t = ParseTemplate(kTwoFunctions, Ctx());
  auto j = t.functions[1].ConfigurationJson();
  EXPECT_EQ(j["FunctionName"], "DurableOrderProcessor");
  EXPECT_EQ(j["Runtime"], "provided.al2023");
  EXPECT_EQ(j["Handler"], "bootstrap");
  EXPECT_EQ(j["Timeout"], 60);
  EXPECT_EQ(j["MemorySize"], 256);
  EXPECT_EQ(j["DurableConfig"]["ExecutionTimeout"], 900);
  EXPECT_EQ(j["Environment"]["Variables"]["STAGE"], "dev");
  EXPECT_FALSE(j.contains("Code"));
}

}  // namespace
}  // namespace durafn::cli
