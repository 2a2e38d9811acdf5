#include "hosting/function_registry.h"

#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace durafn::hosting {
namespace {

using protocol::ErrorCode;
using protocol::Timestamp;
using ::testing::HasSubstr;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-reg-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    reg_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    reg_.reset();
    auto r = FunctionRegistry::Open((dir_ / "registry.db").string(), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
  }
  static FunctionConfig Config(std::string name, bool durable = false) {
    FunctionConfig c;
    c.name = std::move(name);
    c.runtime = "provided.al2023";
    c.handler = "bootstrap";
    c.code_sha256 = "abc=";
    c.code_size = 10;
    c.code_location = "/code/abc";
    if (durable) c.durable_config = protocol::DurableConfig{};
    return c;
  }

  std::filesystem::path dir_;
  std::unique_ptr<FunctionRegistry> reg_;
};

TEST_F(RegistryTest, CreateGetAndDefaults) {
  auto c = reg_->Create(Config("orders", true), Timestamp{1000});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->version, "$LATEST");
  EXPECT_EQ(c->durable_config->retention_period_in_days, 14);
  EXPECT_EQ(c->durable_config->execution_timeout, 31'622'400);
  EXPECT_FALSE(c->revision_id.empty());
  auto g = reg_->Get("orders", std::nullopt);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, *c);
  auto by_arn = reg_->Get("arn:aws:lambda:us-east-1:123456789012:function:orders", std::nullopt);
  ASSERT_TRUE(by_arn.ok());
  auto json = ToLambdaJson(*g, reg_->identity());
  EXPECT_EQ(json["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST");
  EXPECT_EQ(json["LastModified"], "1970-01-01T00:00:01.000+0000");
  EXPECT_EQ(json["DurableConfig"]["RetentionPeriodInDays"], 14);
}

TEST_F(RegistryTest, CreateRejectsDuplicatesAndBadConfiguration) {
  ASSERT_TRUE(reg_->Create(Config("f"), Timestamp{}).ok());
  auto dup = reg_->Create(Config("f"), Timestamp{});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kResourceConflict);
  EXPECT_EQ(dup.error().message, "Function already exist: f");

  auto bad = Config("g");
  bad.timeout_seconds = 901;
  EXPECT_THAT(reg_->Create(bad, Timestamp{}).error().message, HasSubstr("Timeout"));
  bad = Config("g");
  bad.memory_size_mb = 64;
  EXPECT_THAT(reg_->Create(bad, Timestamp{}).error().message, HasSubstr("MemorySize"));
  bad = Config("g");
  bad.runtime = "java21";
  EXPECT_THAT(reg_->Create(bad, Timestamp{}).error().message, HasSubstr("java21"));
  bad = Config("bad name");
  EXPECT_EQ(reg_->Create(bad, Timestamp{}).error().code, ErrorCode::kInvalidParameterValue);
  bad = Config("g");
  bad.environment = {{"AWS_REGION", "x"}};
  EXPECT_THAT(reg_->Create(bad, Timestamp{}).error().message, HasSubstr("AWS_REGION"));
  bad = Config("g", true);
  bad.durable_config->retention_period_in_days = 91;
  EXPECT_THAT(reg_->Create(bad, Timestamp{}).error().message, HasSubstr("RetentionPeriodInDays"));
  EXPECT_EQ(reg_->List().size(), 1u);
}

TEST_F(RegistryTest, VersionsAreFrozenAndDeduplicated) {
  ASSERT_TRUE(reg_->Create(Config("f"), Timestamp{}).ok());
  auto v1 = reg_->PublishVersion("f", "first", Timestamp{5});
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version, "1");
  // Nothing changed: the same version comes back.
  EXPECT_EQ(reg_->PublishVersion("f", "", Timestamp{6})->version, "1");
  FunctionConfigPatch p;
  p.timeout_seconds = 30;
  ASSERT_TRUE(reg_->UpdateConfiguration("f", p, Timestamp{7}).ok());
  auto v2 = reg_->PublishVersion("f", "", Timestamp{8});
  EXPECT_EQ(v2->version, "2");
  EXPECT_EQ(v2->timeout_seconds, 30);
  EXPECT_EQ(reg_->Get("f", "1")->timeout_seconds, 3);  // version 1 unchanged
  ASSERT_TRUE(reg_->UpdateCode("f", "new=", 20, "/code/new", Timestamp{9}).ok());
  EXPECT_EQ(reg_->Get("f", "2")->code_sha256, "abc=");
  EXPECT_EQ(reg_->Get("f", "$LATEST")->code_sha256, "new=");
  auto versions = reg_->ListVersions("f");
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[0].version, "$LATEST");
  EXPECT_EQ(reg_->Get("f", "3").error().code, ErrorCode::kResourceNotFound);
}

TEST_F(RegistryTest, DurabilityIsChosenAtCreation) {
  ASSERT_TRUE(reg_->Create(Config("plain"), Timestamp{}).ok());
  FunctionConfigPatch p;
  p.durable_config = protocol::DurableConfig{std::nullopt, 7, 60};
  EXPECT_THAT(reg_->UpdateConfiguration("plain", p, Timestamp{}).error().message,
              HasSubstr("only be set when the function is created"));
  ASSERT_TRUE(reg_->Create(Config("durable", true), Timestamp{}).ok());
  auto u = reg_->UpdateConfiguration("durable", p, Timestamp{});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->durable_config->retention_period_in_days, 7);
  EXPECT_EQ(u->durable_config->execution_timeout, 60);
}

TEST_F(RegistryTest, AliasesResolveAndMove) {
  ASSERT_TRUE(reg_->Create(Config("DurableOrderProcessor", true), Timestamp{}).ok());
  ASSERT_TRUE(reg_->PublishVersion("DurableOrderProcessor", "", Timestamp{}).ok());
  auto a = reg_->CreateAlias("DurableOrderProcessor", "prod", "1", "");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(ToLambdaJson(*a, reg_->identity())["AliasArn"],
            "arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:prod");
  auto r = reg_->Resolve("DurableOrderProcessor:prod", std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->qualified);
  EXPECT_EQ(r->executed_version, "1");
  EXPECT_EQ(r->alias, "prod");
  EXPECT_EQ(r->function_arn,
            "arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:1");

  FunctionConfigPatch p;
  p.memory_size_mb = 256;
  ASSERT_TRUE(reg_->UpdateConfiguration("DurableOrderProcessor", p, Timestamp{}).ok());
  ASSERT_TRUE(reg_->PublishVersion("DurableOrderProcessor", "", Timestamp{}).ok());
  ASSERT_TRUE(reg_->UpdateAlias("DurableOrderProcessor", "prod", "2", std::nullopt).ok());
  EXPECT_EQ(reg_->Resolve("DurableOrderProcessor", "prod")->executed_version, "2");
  EXPECT_EQ(
      reg_->Resolve("arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:prod",
                    std::nullopt)
          ->config.memory_size_mb,
      256);

  EXPECT_EQ(reg_->CreateAlias("DurableOrderProcessor", "prod", "1", "").error().code,
            ErrorCode::kResourceConflict);
  EXPECT_EQ(reg_->CreateAlias("DurableOrderProcessor", "beta", "9", "").error().code,
            ErrorCode::kResourceNotFound);
  EXPECT_EQ(reg_->CreateAlias("DurableOrderProcessor", "123", "1", "").error().code,
            ErrorCode::kInvalidParameterValue);
  // A version an alias points at cannot be deleted.
  EXPECT_EQ(reg_->Delete("DurableOrderProcessor", "2").error().code, ErrorCode::kResourceConflict);
  ASSERT_TRUE(reg_->Delete("DurableOrderProcessor", "1").ok());
  EXPECT_EQ(reg_->Get("DurableOrderProcessor", "1").error().code, ErrorCode::kResourceNotFound);
}

TEST_F(RegistryTest, ResolveHandlesEveryIdentifierForm) {
  ASSERT_TRUE(reg_->Create(Config("f"), Timestamp{}).ok());
  ASSERT_TRUE(reg_->PublishVersion("f", "", Timestamp{}).ok());
  auto unq = reg_->Resolve("f", std::nullopt);
  ASSERT_TRUE(unq.ok());
  EXPECT_FALSE(unq->qualified);
  EXPECT_EQ(unq->executed_version, "$LATEST");
  EXPECT_EQ(reg_->Resolve("f", "1")->executed_version, "1");
  EXPECT_EQ(reg_->Resolve("f:$LATEST", std::nullopt)->executed_version, "$LATEST");
  EXPECT_TRUE(reg_->Resolve("123456789012:function:f:1", std::nullopt).ok());
  EXPECT_EQ(reg_->Resolve("f:1", "2").error().message,
            "The derived qualifier from the function name does not match the specified "
            "qualifier.");
  EXPECT_EQ(
      reg_->Resolve("arn:aws:lambda:us-east-1:999999999999:function:f", std::nullopt).error().code,
      ErrorCode::kResourceNotFound);
  EXPECT_EQ(reg_->Resolve("missing", std::nullopt).error().message,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing");
  EXPECT_EQ(reg_->Resolve("f:nope", std::nullopt).error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(reg_->Resolve("f::", std::nullopt).error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(RegistryTest, EverythingSurvivesAReopen) {
  ASSERT_TRUE(reg_->Create(Config("f", true), Timestamp{42}).ok());
  ASSERT_TRUE(reg_->PublishVersion("f", "v", Timestamp{43}).ok());
  ASSERT_TRUE(reg_->CreateAlias("f", "prod", "1", "live").ok());
  ASSERT_TRUE(reg_->Create(Config("gone"), Timestamp{}).ok());
  ASSERT_TRUE(reg_->Delete("gone", std::nullopt).ok());
  auto before_latest = *reg_->Get("f", std::nullopt);
  auto before_v1 = *reg_->Get("f", "1");
  Reopen();
  EXPECT_EQ(*reg_->Get("f", std::nullopt), before_latest);
  EXPECT_EQ(*reg_->Get("f", "1"), before_v1);
  EXPECT_EQ(reg_->GetAlias("f", "prod")->description, "live");
  EXPECT_EQ(reg_->Get("gone", std::nullopt).error().code, ErrorCode::kResourceNotFound);
  EXPECT_EQ(reg_->List().size(), 1u);
  // Numbering continues after a reopen.
  FunctionConfigPatch p;
  p.handler = "other";
  ASSERT_TRUE(reg_->UpdateConfiguration("f", p, Timestamp{}).ok());
  EXPECT_EQ(reg_->PublishVersion("f", "", Timestamp{})->version, "2");
}

TEST_F(RegistryTest, ConcurrentReadersDuringWrites) {
  ASSERT_TRUE(reg_->Create(Config("f"), Timestamp{}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    while (!stop) {
      if (!reg_->Resolve("f", std::nullopt).ok()) ++failures;
    }
  });
  for (int i = 0; i < 20; ++i) {
    FunctionConfigPatch p;
    p.timeout_seconds = 10 + i;
    ASSERT_TRUE(reg_->UpdateConfiguration("f", p, Timestamp{}).ok());
    ASSERT_TRUE(reg_->PublishVersion("f", "", Timestamp{}).ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reg_->ListVersions("f")->size(), 21u);
}

}  // namespace
}  // namespace durafn::hosting
