// The worker pool on its own, with the in-memory log sink: what a worker prints and the
// START / END / REPORT lines hosting writes, attributed to the right stream and request.
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/invocation_dispatcher.h"
#include "api/runtime_api.h"
#include "hosting/code_store.h"
#include "hosting/memory_log_sink.h"
#include "hosting/test_package.h"
#include "store/sqlite_execution_store.h"

namespace durafn::api {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Outcome {
  std::string body;
  std::optional<std::string> error;
};

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("durafn-pool-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteExecutionStore::Open(dir_ / "data");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    service_ = std::make_unique<ExecutionService>(
        *store_, [] { return protocol::Timestamp{0}; }, ExecutionServiceOptions{});
    hosting::CodeStore code(dir_ / "code");
    auto stored = code.PutDirectory(testing::FunctionFolder(dir_, "log"));
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    config_.name = "Logger";
    config_.version = "3";
    config_.runtime = "provided.al2023";
    config_.memory_size_mb = 128;
    config_.code_location = stored->location;
    WorkerPoolOptions options;
    options.idle_timeout = std::chrono::milliseconds(300);
    runtime_ = std::make_unique<RuntimeApi>(
        *service_, dispatcher_, "127.0.0.1", sink_, options,
        [this](const std::string&) -> std::optional<hosting::FunctionConfig> { return config_; });
    dispatcher_.SetOnStarved([this](const std::string& arn) { runtime_->OnStarved(arn); });
    runtime_->SetLambdaEndpoint("127.0.0.1:9");
  }
  void TearDown() override {
    runtime_.reset();
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One plain invocation through the pool; returns its request id and outcome.
  std::pair<std::string, Outcome> Invoke() {
    auto done = std::make_shared<std::promise<Outcome>>();
    PendingInvocation inv;
    inv.request_id = "req-" + std::to_string(++count_);
    inv.payload = "{}";
    inv.on_done = [done](int, std::string body, std::optional<std::string> error) {
      done->set_value({std::move(body), std::move(error)});
    };
    std::string id = inv.request_id;
    EXPECT_TRUE(dispatcher_.QueuePlain(kArn, std::move(inv)));
    return {id, done->get_future().get()};
  }
  // The lines of `request_id`, once its REPORT line was written (the caller gets the
  // response before hosting writes END and REPORT).
  std::vector<std::string> LinesOf(const std::string& request_id) {
    for (int i = 0; i < 200; ++i) {
      auto lines = LinesNow(request_id);
      if (!lines.empty() && lines.back().starts_with("REPORT")) return lines;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return LinesNow(request_id);
  }
  std::vector<std::string> LinesNow(const std::string& request_id) {
    std::vector<std::string> out;
    for (const auto& r : sink_.Snapshot()) {
      if (r.request_id == request_id) out.push_back(r.message);
    }
    return out;
  }

  static constexpr const char* kArn = "arn:aws:lambda:us-east-1:123456789012:function:Logger:3";
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteExecutionStore> store_;
  std::unique_ptr<ExecutionService> service_;
  InvocationDispatcher dispatcher_;
  hosting::MemoryLogSink sink_;
  hosting::FunctionConfig config_;
  std::unique_ptr<RuntimeApi> runtime_;
  int count_ = 0;
};

TEST_F(WorkerPoolTest, LogLinesAndReportsGoToTheSink) {
  auto [cold_id, cold] = Invoke();
  EXPECT_EQ(cold.body, "\"logged\"");
  EXPECT_FALSE(cold.error);
  auto [warm_id, warm] = Invoke();
  EXPECT_EQ(warm.body, "\"logged\"");

  auto lines = LinesOf(cold_id);
  ASSERT_EQ(lines.size(), 5u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0], "START RequestId: " + cold_id + " Version: 3");
  EXPECT_EQ(lines[3], "END RequestId: " + cold_id);
  // The worker's two lines, whichever pipe they came through first.
  std::set<std::string> printed = {lines[1], lines[2]};
  EXPECT_TRUE(printed.count("plain line for " + cold_id));
  EXPECT_TRUE(printed.count(R"({"level":"INFO","message":"json line"})"));
  EXPECT_THAT(lines[4], ContainsRegex("^REPORT RequestId: " + cold_id +
                                      "\tDuration: [0-9]+\\.[0-9]{2} ms\tBilled Duration: [0-9]+ "
                                      "ms\tMemory Size: 128 MB\tMax Memory Used: [0-9]+ MB\t"
                                      "Init Duration: [0-9]+\\.[0-9]{2} ms$"));
  auto warm_lines = LinesOf(warm_id);
  ASSERT_EQ(warm_lines.size(), 5u) << ::testing::PrintToString(warm_lines);
  EXPECT_THAT(warm_lines[4], StartsWith("REPORT RequestId: " + warm_id));
  EXPECT_THAT(warm_lines[4], ::testing::Not(HasSubstr("Init Duration")))
      << "only a cold start reports its init";

  // Every record is in the function's group and one worker's stream; the cold start's own
  // line belongs to no request.
  auto all = sink_.Snapshot();
  std::set<std::string> streams;
  bool saw_cold_line = false;
  for (const auto& r : all) {
    EXPECT_EQ(r.group, "/aws/lambda/Logger");
    streams.insert(r.stream);
    if (r.message == "cold start line") {
      saw_cold_line = true;
      EXPECT_EQ(r.request_id, "");
    }
  }
  EXPECT_TRUE(saw_cold_line);
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_THAT(*streams.begin(), ContainsRegex("^[0-9]{4}/[0-9]{2}/[0-9]{2}/\\[3\\][0-9a-f]{32}$"));
}

TEST_F(WorkerPoolTest, IdleWorkersAreReapedAndReplacedOnDemand) {
  Invoke();
  ASSERT_EQ(runtime_->Workers().size(), 1u);
  int first_pid = runtime_->Workers()[0].pid;
  for (int i = 0; i < 100 && !runtime_->Workers().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(runtime_->Workers().empty()) << "the idle worker was stopped";
  EXPECT_NE(::kill(first_pid, 0), 0) << "and its process is gone";
  auto [id, out] = Invoke();
  EXPECT_EQ(out.body, "\"logged\"");
  ASSERT_EQ(runtime_->Workers().size(), 1u);
  EXPECT_NE(runtime_->Workers()[0].pid, first_pid);
}

TEST_F(WorkerPoolTest, StopKillsEveryWorker) {
  Invoke();
  int pid = runtime_->Workers().at(0).pid;
  runtime_->Stop();
  EXPECT_TRUE(runtime_->Workers().empty());
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace durafn::api
