// The log store on a real SQLite file: writing through the queue, queries and filter
// patterns, pagination, the size cap, restarts and the bounded queue.
#include "hosting/log_store.h"

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "hosting/log_filter_pattern.h"

namespace durafn::hosting {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kGroup = "/aws/lambda/orders";

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("durafn-log-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void Open(LogStoreOptions options = {}) {
    store_.reset();
    options.clock = [this] { return ingestion_ms_.load(); };
    auto s = LogStore::Open((dir_ / "logs.db").string(), std::move(options));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }

  void Add(std::string stream, int64_t ts, std::string message, std::string request_id = "",
           std::string arn = "", std::string group = kGroup) {
    store_->Append({std::move(group), std::move(stream), ts, std::move(message),
                    std::move(request_id), std::move(arn)});
  }

  std::vector<std::string> Messages(LogQuery q) {
    if (q.group.empty()) q.group = kGroup;
    auto page = store_->Query(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& e : page->events)
      out.push_back(e.message);
    return out;
  }

  std::vector<std::string> Matching(std::string pattern) {
    LogQuery q;
    q.filter_pattern = std::move(pattern);
    return Messages(q);
  }

  fs::path dir_;
  std::atomic<int64_t> ingestion_ms_{1'700'000'000'000};
  std::unique_ptr<LogStore> store_;
};

using Strings = std::vector<std::string>;

TEST_F(LogStoreTest, AppendedRecordsComeBackInOrderWithTheirFields) {
  Add("s1", 1000, "START RequestId: r1", "r1");
  Add("s2", 1001, "hello from s2");
  Add("s1", 1002, "END RequestId: r1", "r1", "arn:exec");
  store_->Flush();
  auto page = store_->Query({.group = kGroup});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->events.size(), 3u);
  EXPECT_TRUE(page->complete);
  const LogEvent& e = page->events[2];
  EXPECT_EQ(e.stream, "s1");
  EXPECT_EQ(e.timestamp_ms, 1002);
  EXPECT_EQ(e.ingestion_ms, ingestion_ms_.load());
  EXPECT_EQ(e.request_id, "r1");
  EXPECT_EQ(e.durable_execution_arn, "arn:exec");
  EXPECT_LT(page->events[0].id, page->events[1].id);
  EXPECT_LT(page->events[1].id, page->events[2].id);
  EXPECT_EQ(store_->stats().written, 3u);
}

TEST_F(LogStoreTest, UnknownGroupIsNotFound) {
  Add("s1", 1, "x");
  store_->Flush();
  auto page = store_->Query({.group = "/aws/lambda/nope"});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), Status::Code::kNotFound);
  auto streams = store_->ListStreams("/aws/lambda/nope", "", LogStreamOrder::kName, false, 0, 50);
  EXPECT_EQ(streams.status().code(), Status::Code::kNotFound);
}

TEST_F(LogStoreTest, FiltersByStreamTimeRequestAndExecution) {
  Add("2026/11/28/[1]aaa", 10, "one", "r1", "arn:e1");
  Add("2026/11/28/[1]bbb", 20, "two", "r2", "arn:e1");
  Add("2026/11/28/[2]ccc", 30, "three", "r3", "arn:e2");
  Add("2026/11/28/[1]aaa", 40, "four", "r1");
  store_->Flush();
  EXPECT_EQ(Messages({.streams = {"2026/11/28/[1]aaa"}}), (Strings{"one", "four"}));
  EXPECT_EQ(Messages({.streams = {"2026/11/28/[1]bbb", "2026/11/28/[2]ccc"}}),
            (Strings{"two", "three"}));
  EXPECT_EQ(Messages({.stream_prefix = "2026/11/28/[1]"}), (Strings{"one", "two", "four"}));
  EXPECT_EQ(Messages({.start_ms = 20, .end_ms = 40}), (Strings{"two", "three"}));
  EXPECT_EQ(Messages({.request_id = "r1"}), (Strings{"one", "four"}));
  EXPECT_EQ(Messages({.durable_execution_arn = "arn:e1"}), (Strings{"one", "two"}));
  EXPECT_EQ(Messages({.request_id = "r1", .durable_execution_arn = "arn:e1"}), (Strings{"one"}));
  EXPECT_EQ(Messages({.newest_first = true}), (Strings{"four", "three", "two", "one"}));
}

TEST_F(LogStoreTest, TermPatterns) {
  Add("s", 1, "ERROR connection reset by peer");
  Add("s", 2, "WARN retrying request");
  Add("s", 3, "ERROR timeout, retrying");
  Add("s", 4, "INFO all good");
  store_->Flush();
  EXPECT_EQ(Matching(""), (Strings{"ERROR connection reset by peer", "WARN retrying request",
                                   "ERROR timeout, retrying", "INFO all good"}));
  EXPECT_EQ(Matching("ERROR"),
            (Strings{"ERROR connection reset by peer", "ERROR timeout, retrying"}));
  EXPECT_EQ(Matching("ERROR retrying"), (Strings{"ERROR timeout, retrying"}));
  EXPECT_EQ(Matching("\"reset by\""), (Strings{"ERROR connection reset by peer"}));
  EXPECT_EQ(Matching("\"by reset\""), Strings{});
  EXPECT_EQ(Matching("ERROR -retrying"), (Strings{"ERROR connection reset by peer"}));
  EXPECT_EQ(Matching("?WARN ?INFO"), (Strings{"WARN retrying request", "INFO all good"}));
  EXPECT_EQ(Matching("error"), Strings{});  // case-sensitive, as CloudWatch
}

TEST_F(LogStoreTest, JsonLinesAreStructuredAndMatchJsonPatterns) {
  Add("s", 1, R"({"level":"ERROR","requestId":"r9","msg":"payment failed","attempt":3})");
  Add("s", 2, R"({"level":"INFO","msg":"payment ok","attempt":1,"tags":["a","b"]})");
  Add("s", 3, R"({"level":"ERROR","msg":"card declined","attempt":1,"detail":{"code":"X1"}})");
  Add("s", 4, "level = ERROR but not json");
  store_->Flush();
  auto page = store_->Query({.group = kGroup});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events[0].level, "ERROR");
  EXPECT_EQ(page->events[0].request_id, "r9");  // taken from the JSON line
  EXPECT_EQ(page->events[3].level, "");
  EXPECT_EQ(Messages({.request_id = "r9"}).size(), 1u);

  EXPECT_EQ(Matching(R"({ $.level = "ERROR" })").size(), 2u);
  EXPECT_EQ(Matching(R"({ $.level = "ERROR" && $.attempt > 2 })").size(), 1u);
  EXPECT_EQ(Matching(R"({ $.level = "ERROR" || $.attempt >= 1 })").size(), 3u);
  EXPECT_EQ(Matching(R"({ $.level != "ERROR" })").size(), 1u);
  EXPECT_EQ(Matching(R"({ $.msg = "payment*" })").size(), 2u);
  EXPECT_EQ(Matching(R"({ $.detail.code = "X1" })").size(), 1u);
  EXPECT_EQ(Matching(R"({ $.tags[1] = "b" })").size(), 1u);
  EXPECT_EQ(Matching(R"({ $.detail EXISTS })").size(), 1u);
  EXPECT_EQ(Matching(R"({ $.detail NOT EXISTS })").size(), 2u);
  EXPECT_EQ(Matching(R"({ ($.attempt = 1 || $.attempt = 3) && $.level = "INFO" })").size(), 1u);
}

TEST(LogFilterPatternTest, RejectsWhatItDoesNotSupport) {
  for (const std::string& bad : std::vector<std::string>{
           "{ $.level = }", "{ $.level = \"ERROR\"", "{ level = \"x\" }", "{ $.a < \"x\" }",
           "[ip, user]", "%ERR.*%", "\"unterminated", "ERROR -", std::string(1025, 'a'),
           "{ " + std::string(40, '(') + "$.a = 1" + std::string(40, ')') + " }"}) {
    auto p = LogFilterPattern::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument) << bad;
    }
  }
  EXPECT_TRUE(LogFilterPattern::Parse(std::string(1024, 'a')).ok());
}

TEST_F(LogStoreTest, BadQueriesAreInvalidArgument) {
  Add("s", 1, "x");
  store_->Flush();
  EXPECT_EQ(store_->Query({.group = kGroup, .filter_pattern = "{ $.x = }"}).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->Query({.group = kGroup, .limit = 0}).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->Query({.group = kGroup, .limit = kMaxLogQueryLimit + 1}).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(LogStoreTest, PaginationVisitsEveryMatchOnce) {
  for (int i = 0; i < 95; ++i)
    Add("s" + std::to_string(i % 3), i, (i % 2 ? "odd " : "even ") + std::to_string(i));
  store_->Flush();
  for (bool newest_first : {false, true}) {
    LogQuery q{.group = kGroup, .filter_pattern = "odd", .newest_first = newest_first, .limit = 7};
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      auto page = store_->Query(q);
      ASSERT_TRUE(page.ok());
      ASSERT_LE(page->events.size(), 7u);
      for (const auto& e : page->events)
        seen.push_back(e.message);
      ++pages;
      if (page->complete) break;
      if (newest_first) {
        q.before_id = page->resume_id;
      } else {
        q.after_id = page->resume_id;
      }
    }
    ASSERT_EQ(seen.size(), 47u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 47u);
    EXPECT_EQ(seen.front(), newest_first ? "odd 93" : "odd 1");
    EXPECT_EQ(pages, 7);
  }
}

TEST_F(LogStoreTest, GroupsAndStreamsAreListedWithTimesAndBytes) {
  Add("b-stream", 500, "12345");
  Add("a-stream", 300, "1");
  Add("a-stream", 100, "22");
  Add("x", 7, "other", "", "", "/aws/lambda/zeta");
  store_->Flush();
  auto groups = store_->ListGroups("/aws/lambda/", "", 0, 50);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].name, kGroup);
  EXPECT_EQ((*groups)[0].stored_bytes, 8 + 3 * kLogEventOverheadBytes);
  EXPECT_EQ((*groups)[0].first_event_ms, 100);
  EXPECT_EQ((*groups)[0].last_event_ms, 500);
  EXPECT_EQ((*store_->ListGroups("/aws/lambda/z", "", 0, 50)).size(), 1u);
  EXPECT_EQ((*store_->ListGroups("", "", 1, 50)).at(0).name, "/aws/lambda/zeta");
  EXPECT_EQ((*store_->ListGroups("", "ZET", 0, 50)).at(0).name, "/aws/lambda/zeta");
  EXPECT_EQ((*store_->ListGroups("", "ZET", 0, 50)).size(), 1u);

  auto streams = store_->ListStreams(kGroup, "", LogStreamOrder::kName, false, 0, 50);
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 2u);
  EXPECT_EQ((*streams)[0].name, "a-stream");
  EXPECT_EQ((*streams)[0].first_event_ms, 100);
  EXPECT_EQ((*streams)[0].last_event_ms, 300);
  EXPECT_EQ((*streams)[0].stored_bytes, 3 + 2 * kLogEventOverheadBytes);
  auto by_time = store_->ListStreams(kGroup, "", LogStreamOrder::kLastEventTime, true, 0, 1);
  ASSERT_TRUE(by_time.ok());
  ASSERT_EQ(by_time->size(), 1u);
  EXPECT_EQ((*by_time)[0].name, "b-stream");
  EXPECT_EQ((*store_->ListStreams(kGroup, "a", LogStreamOrder::kName, false, 0, 50)).size(), 1u);
}

TEST_F(LogStoreTest, GroupCapEvictsOldestFirst) {
  LogStoreOptions options;
  options.max_group_bytes = 1024 * 1024;
  options.max_message_bytes = 64 * 1024;
  Open(options);
  const std::string body(10'000 - kLogEventOverheadBytes, 'x');
  for (int i = 0; i < 300; ++i) {  // 3,000,000 bytes into a 1 MiB group
    Add(i < 150 ? "old" : "new", i, std::to_string(i) + ":" + body);
    Add("z", i, "small", "", "", "/aws/lambda/other");
    if (i % 50 == 0) store_->Flush();  // several batches, so eviction runs more than once
  }
  store_->Flush();
  auto groups = store_->ListGroups(kGroup, "", 0, 1);
  ASSERT_TRUE(groups.ok());
  int64_t stored = groups->at(0).stored_bytes;
  EXPECT_LE(stored, options.max_group_bytes);
  auto page = store_->Query({.group = kGroup});
  ASSERT_TRUE(page.ok());
  int64_t counted = 0;
  for (const auto& e : page->events)
    counted += static_cast<int64_t>(e.message.size()) + kLogEventOverheadBytes;
  EXPECT_EQ(counted, stored);  // the accounting matches what is kept
  // What is kept is the newest events, contiguous up to the last one.
  ASSERT_FALSE(page->events.empty());
  EXPECT_EQ(page->events.back().message.substr(0, 4), "299:");
  int first = std::stoi(page->events.front().message);
  EXPECT_EQ(static_cast<int>(page->events.size()), 300 - first);
  // The stream whose events all went is gone; the other group is untouched.
  auto streams = store_->ListStreams(kGroup, "", LogStreamOrder::kName, false, 0, 50);
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ(streams->at(0).name, "new");
  EXPECT_EQ(streams->at(0).first_event_ms, first);
  EXPECT_EQ(store_->Query({.group = "/aws/lambda/other"})->events.size(), 300u);
  EXPECT_EQ(store_->stats().evicted, 300u - page->events.size());
}

TEST_F(LogStoreTest, RecordsSurviveARestartAndIdsKeepIncreasing) {
  Add("s", 1, "before");
  store_->Flush();
  int64_t first_id = store_->Query({.group = kGroup})->events.at(0).id;
  Open();
  Add("s", 2, "after");
  store_->Flush();
  auto page = store_->Query({.group = kGroup});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].message, "before");
  EXPECT_GT(page->events[1].id, first_id);
}

TEST_F(LogStoreTest, DestructionWritesWhatIsQueued) {
  for (int i = 0; i < 1000; ++i)
    Add("s", i, "line " + std::to_string(i));
  Open();  // no Flush: the destructor drains
  EXPECT_EQ(store_->Query({.group = kGroup})->events.size(), 1000u);
}

TEST_F(LogStoreTest, FullQueueDropsAndCountsWithoutBlocking) {
  // Hold the writer in its clock call, before it writes, so the queue cannot drain.
  std::atomic<bool> release{false};
  std::atomic<bool> entered{false};
  store_.reset();
  auto s = LogStore::Open((dir_ / "logs.db").string(),
                          {.queue_capacity = 8, .max_batch = 1, .clock = [&] {
                             entered = true;
                             while (!release)
                               std::this_thread::sleep_for(1ms);
                             return int64_t{1};
                           }});
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  Add("s", 0, "first");  // taken by the writer, which then blocks in the clock
  while (!entered)
    std::this_thread::sleep_for(1ms);
  auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 20; ++i)
    Add("s", i, "more");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // Append never waited on the writer
  auto stats = store_->stats();
  EXPECT_EQ(stats.queued, 8u);
  EXPECT_EQ(stats.dropped, 12u);
  release = true;
  store_->Flush();
  EXPECT_EQ(store_->Query({.group = kGroup})->events.size(), 9u);
  EXPECT_EQ(store_->stats().written, 9u);
}

TEST_F(LogStoreTest, InvalidRecordsAreDroppedAndCounted) {
  Add("", 1, "no stream");
  Add("s", 1, "no group", "", "", "");
  Add(std::string(kMaxLogNameBytes + 1, 's'), 1, "long stream");
  store_->Flush();
  EXPECT_EQ(store_->stats().dropped, 3u);
  EXPECT_EQ(store_->stats().written, 0u);
}

TEST_F(LogStoreTest, LongMessagesAreTruncatedOnACharacterBoundary) {
  LogStoreOptions options;
  options.max_message_bytes = 10;
  Open(options);
  Add("s", 1, "abcdefghi\xC3\xA9xyz");  // the 2-byte é straddles byte 10
  store_->Flush();
  EXPECT_EQ(Messages({}), (Strings{"abcdefghi"}));
}

TEST_F(LogStoreTest, WaitForNewerWakesOnWrite) {
  Add("s", 1, "a");
  store_->Flush();
  int64_t last = store_->Query({.group = kGroup})->events.back().id;
  EXPECT_EQ(store_->WaitForNewer(last, 10ms), last);  // nothing new: times out
  std::thread producer([&] {
    std::this_thread::sleep_for(50ms);
    Add("s", 2, "b");
  });
  int64_t newer = store_->WaitForNewer(last, 10s);
  producer.join();
  EXPECT_GT(newer, last);
  EXPECT_EQ(Messages({.after_id = last}), (Strings{"b"}));
}

TEST_F(LogStoreTest, ConcurrentAppendersLoseNothingBelowCapacity) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        Add("w" + std::to_string(t), i, "line");
    });
  }
  for (auto& th : threads)
    th.join();
  store_->Flush();
  EXPECT_EQ(store_->stats().written, 8000u);
  EXPECT_EQ(store_->stats().dropped, 0u);
  auto streams = store_->ListStreams(kGroup, "", LogStreamOrder::kName, false, 0, 50);
  ASSERT_EQ(streams->size(), 4u);
  EXPECT_EQ(streams->at(0).stored_bytes, 2000 * (4 + kLogEventOverheadBytes));
}

}  // namespace
}  // namespace durafn::hosting
