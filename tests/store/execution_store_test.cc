#include "store/execution_store.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/event_data.h"
#include "store/sqlite_execution_store.h"
#include "store_test_util.h"

namespace durafn::store::testing {
namespace {

using engine::TimerKind;
using protocol::ExecutionStatus;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kDayMs = 86'400'000;
constexpr char kOtherFunction[] = "arn:aws:lambda:us-east-1:123456789012:function:billing";

// Every test runs twice: with saves settled from the log as late as the store does by default,
// and with a log of 8 (an execution settled at every second save), so reads merge settled
// rows and logged ones alike.
class ExecutionStoreTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override { Reopen(); }

  // Settles as the test's parameter says, unless `options` names its own settle_after.
  void Reopen(SqliteExecutionStore::Options options = {}) {
    if (options.settle_after == SqliteExecutionStore::Options{}.settle_after)
      options.settle_after = GetParam();
    store_.reset();
    auto opened = SqliteExecutionStore::Open(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }

  // A second connection to the same file, for looking behind the store's back.
  Database Raw() {
    auto db = Database::Open((dir_.path() / SqliteExecutionStore::kDatabaseFileName).string(), {});
    EXPECT_TRUE(db.ok());
    return std::move(db).value();
  }
  int64_t CountRows(const std::string& table, const std::string& arn) {
    Database db = Raw();
    auto st = db.Prepare("SELECT COUNT(*) FROM " + table + " WHERE arn = ?");
    EXPECT_TRUE(st.ok());
    EXPECT_TRUE((*st)->Bind(1, std::string_view(arn)).Step().value());
    int64_t n = (*st)->ColumnInt(0);
    (*st)->Reset();
    return n;
  }

  std::optional<engine::ExecutionState> MustLoad(const std::string& arn) {
    auto loaded = store_->Load(arn);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? *loaded : std::nullopt;
  }

  std::vector<TimerRow> AllTimers() {
    auto timers = store_->TimersDue(protocol::Timestamp{0}, protocol::Timestamp{INT64_MAX}, 1000);
    EXPECT_TRUE(timers.ok()) << timers.status().ToString();
    return timers.ok() ? *timers : std::vector<TimerRow>{};
  }
  std::vector<TimerRow> TimersOf(const std::string& arn) {
    std::vector<TimerRow> out;
    for (auto& t : AllTimers()) {
      if (t.execution_arn == arn) out.push_back(t);
    }
    return out;
  }

  // Every page of a history query, concatenated; checks that only the last page lacks a
  // marker and that pages are full.
  std::vector<protocol::Event> AllHistory(const std::string& arn, HistoryQuery query) {
    std::vector<protocol::Event> all;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = store_->History(arn, query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      all.insert(all.end(), page->events.begin(), page->events.end());
      if (!page->next_marker) break;
      EXPECT_EQ(static_cast<int64_t>(page->events.size()),
                query.max_items ? query.max_items : kDefaultPageItems);
      query.marker = page->next_marker;
    }
    return all;
  }

  std::vector<std::string> ListArns(ListQuery query) {
    std::vector<std::string> arns;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = store_->List(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const auto& e : page->durable_executions.value())
        arns.push_back(e.durable_execution_arn);
      if (!page->next_marker) break;
      query.marker = page->next_marker;
    }
    return arns;
  }

  TempDir dir_;
  std::unique_ptr<SqliteExecutionStore> store_;
};

// ---- Create, Load, idempotency ----

TEST_P(ExecutionStoreTest, CreateThenLoadGivesBackTheSameState) {
  Driver d(ExecutionArn("a"), T(0), "{\"order\":42}");
  ASSERT_TRUE(d.Create(*store_).ok());

  auto loaded = MustLoad(d.arn());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, d.state);
  auto record = store_->LoadRecord(d.arn());
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ(**record, d.state.record);
  EXPECT_EQ(store_->FindByName(kFunction, "a").value(), d.arn());

  EXPECT_EQ(store_->Load(ExecutionArn("nope")).value(), std::nullopt);
  EXPECT_EQ(store_->LoadRecord(ExecutionArn("nope")).value(), std::nullopt);
  EXPECT_EQ(store_->FindByName(kFunction, "nope").value(), std::nullopt);
  EXPECT_EQ(store_->FindByName(kOtherFunction, "a").value(), std::nullopt);
}

TEST_P(ExecutionStoreTest, RichStateSurvivesSaveAndLoad) {
  Driver d(ExecutionArn("rich"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  DriveRichExecution(d);
  ASSERT_TRUE(d.Save(*store_).ok());
  auto loaded = MustLoad(d.arn());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, d.state);
  engine::AssertInvariants(*loaded);
}

TEST_P(ExecutionStoreTest, SameNameOfTheSameFunctionIsAlreadyExists) {
  Driver first(ExecutionArn("dup"), T(0), "{\"v\":1}");
  ASSERT_TRUE(first.Create(*store_).ok());

  std::string base = std::string(kFunction) + ":1/durable-execution/dup/";
  Driver other_id(base + "second-id", T(1), "{\"v\":2}");
  Status s = other_id.Create(*store_);
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find(first.arn()), std::string::npos) << s.message();
  EXPECT_EQ(store_->Load(other_id.arn()).value(), std::nullopt) << "nothing of it was written";
  EXPECT_THAT(TimersOf(other_id.arn()), IsEmpty());

  // The key is the unqualified function: another version conflicts too.
  Driver other_version(ExecutionArn("dup", "2"), T(2));
  EXPECT_EQ(other_version.Create(*store_).code(), Status::Code::kAlreadyExists);
  // The same ARN again.
  Driver same(ExecutionArn("dup"), T(3));
  EXPECT_EQ(same.Create(*store_).code(), Status::Code::kAlreadyExists);
  // Another function may use the name.
  Driver elsewhere(ExecutionArn("dup", "1", kOtherFunction), T(4));
  EXPECT_TRUE(elsewhere.Create(*store_).ok());

  // The caller resolves the conflict by loading the existing one.
  auto existing = store_->FindByName(kFunction, "dup");
  ASSERT_TRUE(existing.ok() && existing->has_value());
  EXPECT_EQ(MustLoad(**existing)->record.input_payload, "{\"v\":1}");
}

// ---- Save ----

TEST_P(ExecutionStoreTest, SaveWritesOnlyTheChangedOperations) {
  Driver d(ExecutionArn("ops"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  d.Checkpoint({upd::StepStart("s1"), upd::StepSucceed("s1", "1"), upd::StepStart("s2"),
                upd::CallbackStart("cb", 0, 60)},
               T(2));
  ASSERT_TRUE(d.Save(*store_).ok());

  // Record every operation row written from now on.
  {
    Database raw = Raw();
    ASSERT_TRUE(raw.Exec("CREATE TABLE op_writes (id TEXT NOT NULL);"
                         "CREATE TRIGGER op_insert AFTER INSERT ON operations "
                         "BEGIN INSERT INTO op_writes VALUES (new.id); END;"
                         "CREATE TRIGGER op_update AFTER UPDATE ON operations "
                         "BEGIN INSERT INTO op_writes VALUES (new.id); END;")
                    .ok());
  }
  // Rows reach the tables when the save log is settled, which opening the store does.
  auto written = [&] {
    Reopen();
    std::multiset<std::string> ids;
    Database raw = Raw();
    auto st = raw.Prepare("SELECT id FROM op_writes");
    while (st.ok() && (*st)->Step().value())
      ids.insert((*st)->ColumnText(0));
    (*st)->Reset();
    EXPECT_TRUE(raw.Exec("DELETE FROM op_writes").ok());
    return ids;
  };

  d.Checkpoint({upd::StepSucceed("s2", "2"), upd::StepStart("s3")}, T(3));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(written(), (std::multiset<std::string>{"s2", "s3"}));

  // A heartbeat changes the callback's deadline without marking it changed; the store still
  // writes it (it is named by the timer effect), or a restart would lose the new deadline.
  d.Callback("cb", engine::CallbackHeartbeat{}, T(4));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(written(), (std::multiset<std::string>{"cb"}));

  // Nothing changed: nothing written, but the save is fine.
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_THAT(written(), IsEmpty());

  EXPECT_EQ(*MustLoad(d.arn()), d.state);
}

TEST_P(ExecutionStoreTest, SaveOfAStaleStateIsRefused) {
  Driver d(ExecutionArn("stale"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  ASSERT_TRUE(d.Save(*store_).ok());

  Driver copy = d;  // e.g. a second server, or a cache entry that missed a failed write
  d.Checkpoint({upd::StepStart("a")}, T(2));
  ASSERT_TRUE(d.Save(*store_).ok());
  copy.Checkpoint({upd::StepStart("b")}, T(2));
  Status s = copy.Save(*store_);
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(*MustLoad(d.arn()), d.state) << "the refused save changed nothing";

  // An older saved_change_counter than stored only rewrites more operations.
  d.Checkpoint({upd::StepSucceed("a", "1")}, T(3));
  d.saved_change = 0;
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(*MustLoad(d.arn()), d.state);

  Driver unknown(ExecutionArn("unknown"), T(0));
  EXPECT_EQ(unknown.Save(*store_).code(), Status::Code::kNotFound);
}

TEST_P(ExecutionStoreTest, SaveRefusesEventsThatDoNotContinueTheHistory) {
  Driver d(ExecutionArn("gap"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  d.Checkpoint({upd::StepStart("a"), upd::StepSucceed("a", "1")}, T(2));
  ASSERT_EQ(d.pending.events.size(), 2u);

  // The events must lead up to the state's next EventId: checked before anything is queued.
  engine::Outcome truncated = d.pending;
  truncated.events.pop_back();
  bool called = false;
  Status s = store_->Save(d.state, truncated, d.saved_change, [&](Status) { called = true; });
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_FALSE(called);

  // And continue the stored history: checked against the database.
  engine::Outcome headless = d.pending;
  headless.events.erase(headless.events.begin());
  s = Wait([&](ExecutionStore::Done done) {
    return store_->Save(d.state, headless, d.saved_change, done);
  });
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(store_->History(d.arn(), {})->events.size(), 1u);

  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(store_->History(d.arn(), {})->events, d.history);
}

TEST_P(ExecutionStoreTest, PipelinedSavesOfOneExecutionApplyInOrder) {
  Driver d(ExecutionArn("pipe"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  std::vector<std::future<Status>> acks;
  for (int i = 0; i < 20; ++i) {
    d.Checkpoint({upd::StepStart("s" + std::to_string(i))}, T(2 + i));
    auto promise = std::make_shared<std::promise<Status>>();
    acks.push_back(promise->get_future());
    ASSERT_TRUE(store_
                    ->Save(d.state, d.pending, d.saved_change,
                           [promise](Status s) { promise->set_value(s); })
                    .ok());
    d.Persisted();  // the next save continues from this one, before it is acknowledged
  }
  for (auto& ack : acks)
    EXPECT_TRUE(ack.get().ok());
  EXPECT_EQ(*MustLoad(d.arn()), d.state);
}

// ---- Save log ----

// Rows of `table` (save_log, or a table with an arn column holding `arn`).
int64_t CountAll(Database& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE((*st)->Step().value());
  int64_t n = (*st)->ColumnInt(0);
  (*st)->Reset();
  return n;
}

TEST_P(ExecutionStoreTest, ACheckpointIsLoggedAndEveryReadSeesIt) {
  Driver d(ExecutionArn("logged"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  ASSERT_TRUE(d.Save(*store_).ok());  // the phase changes: written to the tables
  const int64_t ops_before = CountRows("operations", d.arn());
  const int64_t events_before = CountRows("events", d.arn());

  for (int i = 0; i < 3; ++i) {
    const std::string id = "s" + std::to_string(i);
    d.Checkpoint({upd::StepStart(id), upd::StepSucceed(id, std::to_string(i))}, T(2 + i));
    ASSERT_TRUE(d.Save(*store_).ok());
  }
  Database raw = Raw();
  if (GetParam() >= 16) {
    // Nothing settled yet: the tables are as before, the log holds the three saves.
    EXPECT_EQ(CountRows("operations", d.arn()), ops_before);
    EXPECT_EQ(CountRows("events", d.arn()), events_before);
    EXPECT_EQ(CountAll(raw, "SELECT COUNT(*) FROM save_log"), 3);
  } else {
    // Settled at every second save: the newest is unsettled; the settled one before it
    // stays as the log's newest row until then.
    EXPECT_EQ(CountRows("operations", d.arn()), ops_before + 2);
    EXPECT_EQ(CountAll(raw, "SELECT COUNT(*) FROM save_log"), 2);
    EXPECT_EQ(CountAll(raw,
                       "SELECT COUNT(*) FROM save_log l JOIN executions e ON e.arn = "
                       "l.arn WHERE l.seq > e.log_seq"),
              1);
  }
  // Every read merges the log in.
  EXPECT_EQ(*MustLoad(d.arn()), d.state);
  auto record = store_->LoadRecord(d.arn());
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ(**record, d.state.record);
  EXPECT_EQ(AllHistory(d.arn(), {}), d.history);
  for (int64_t size : {1, 2, 3}) {
    HistoryQuery q;
    q.max_items = size;
    EXPECT_EQ(AllHistory(d.arn(), q), d.history) << "page size " << size;
    q.reverse_order = true;
    EXPECT_EQ(AllHistory(d.arn(), q),
              std::vector<protocol::Event>(d.history.rbegin(), d.history.rend()))
        << "reverse, page size " << size;
  }

  // A save that changes what other queries filter on (here the phase, as the invocation
  // ends) settles the log first, then writes the tables.
  d.Complete(engine::testing::Pending(), T(10));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(CountRows("operations", d.arn()), static_cast<int64_t>(d.state.ops.size()));
  EXPECT_EQ(CountRows("events", d.arn()), static_cast<int64_t>(d.history.size()));
  // Settled rows are deleted, but for the newest, which keeps seq growing.
  EXPECT_EQ(CountAll(raw, "SELECT COUNT(*) FROM save_log"), 1);
  EXPECT_EQ(*MustLoad(d.arn()), d.state);
  EXPECT_EQ(AllHistory(d.arn(), {}), d.history);
}

TEST_P(ExecutionStoreTest, TheLogIsSettledAndEmptiedWhenFull) {
  SqliteExecutionStore::Options options;
  Reopen(options);  // settle_after is the test's parameter
  std::vector<std::unique_ptr<Driver>> drivers;
  for (int e = 0; e < 3; ++e) {
    drivers.push_back(std::make_unique<Driver>(ExecutionArn("full" + std::to_string(e)), T(0)));
    ASSERT_TRUE(drivers.back()->Create(*store_).ok());
    drivers.back()->Begin(T(1));
    ASSERT_TRUE(drivers.back()->Save(*store_).ok());
  }
  // Interleaved checkpoints of three executions, more than the log holds when settling early.
  for (int i = 0; i < 5; ++i) {
    for (auto& d : drivers) {
      const std::string id = "s" + std::to_string(i);
      d->Checkpoint({upd::StepStart(id), upd::StepSucceed(id, "1")}, T(2 + i));
      ASSERT_TRUE(d->Save(*store_).ok());
    }
  }
  Database raw = Raw();
  const int64_t rows = CountAll(raw, "SELECT COUNT(*) FROM save_log");
  EXPECT_LE(rows, static_cast<int64_t>(std::min<std::size_t>(GetParam(), 15)));
  EXPECT_GE(rows, 1);
  for (auto& d : drivers) {
    EXPECT_EQ(*MustLoad(d->arn()), d->state);
    EXPECT_EQ(AllHistory(d->arn(), {}), d->history);
  }
  // A new store settles whatever is left: the log starts empty, the rows are complete.
  store_.reset();
  Reopen();
  EXPECT_EQ(CountAll(raw, "SELECT COUNT(*) FROM save_log"), 1) << "only the newest row stays";
  EXPECT_EQ(CountAll(raw,
                     "SELECT COUNT(*) FROM save_log l JOIN executions e ON e.arn = l.arn "
                     "WHERE l.seq > e.log_seq"),
            0);
  for (auto& d : drivers) {
    EXPECT_EQ(CountRows("events", d->arn()), static_cast<int64_t>(d->history.size()));
    EXPECT_EQ(*MustLoad(d->arn()), d->state);
    // And the store carries on from there: new rows come after every settled seq, or
    // loading would take them for settled ones and miss them.
    d->Checkpoint({upd::StepStart("after")}, T(20));
    ASSERT_TRUE(d->Save(*store_).ok());
    EXPECT_EQ(*MustLoad(d->arn()), d->state);
  }
}

TEST_P(ExecutionStoreTest, AnOldUnsettledSaveDoesNotLetTheLogGrow) {
  SqliteExecutionStore::Options options;
  options.settle_after = 4;
  Reopen(options);
  // One save of `idle` stays unsettled: its invocation runs on (a long step).
  Driver idle(ExecutionArn("idle"), T(0));
  ASSERT_TRUE(idle.Create(*store_).ok());
  idle.Begin(T(1));
  ASSERT_TRUE(idle.Save(*store_).ok());
  idle.Checkpoint({upd::StepStart("long")}, T(2));
  ASSERT_TRUE(idle.Save(*store_).ok());
  // `busy` alternates logged steps with waits, whose timers make their saves settle it; its
  // settled rows stay behind the idle one's in the log.
  Driver busy(ExecutionArn("busy"), T(0));
  ASSERT_TRUE(busy.Create(*store_).ok());
  busy.Begin(T(1));
  ASSERT_TRUE(busy.Save(*store_).ok());
  Database raw = Raw();
  int64_t most_rows = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string id = std::to_string(i);
    busy.Checkpoint({upd::StepStart("s" + id), upd::StepSucceed("s" + id, "1")}, T(10 + 2 * i));
    ASSERT_TRUE(busy.Save(*store_).ok());
    busy.Checkpoint({upd::WaitStart("w" + id, 600)}, T(11 + 2 * i));
    ASSERT_TRUE(busy.Save(*store_).ok());
    most_rows = std::max(most_rows, CountAll(raw, "SELECT COUNT(*) FROM save_log"));
  }
  EXPECT_LE(most_rows, 2 * 4 + 1) << "the log is bounded by twice settle_after";
  EXPECT_EQ(*MustLoad(idle.arn()), idle.state);
  EXPECT_EQ(*MustLoad(busy.arn()), busy.state);
  EXPECT_EQ(AllHistory(busy.arn(), {}), busy.history);
}

TEST_P(ExecutionStoreTest, OneBusyExecutionIsSettledInSmallSteps) {
  SqliteExecutionStore::Options options;
  options.settle_after = 12;  // an execution is settled at 3 unsettled saves
  Reopen(options);
  Driver d(ExecutionArn("steps"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  ASSERT_TRUE(d.Save(*store_).ok());
  Database raw = Raw();
  int64_t most = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string id = "s" + std::to_string(i);
    d.Checkpoint({upd::StepStart(id), upd::StepSucceed(id, "1")}, T(2 + i));
    ASSERT_TRUE(d.Save(*store_).ok());
    most = std::max(most, CountAll(raw,
                                   "SELECT COUNT(*) FROM save_log l JOIN executions e ON "
                                   "e.arn = l.arn WHERE l.seq > e.log_seq"));
  }
  EXPECT_EQ(most, 2) << "the third unsettled save settles all three";
  EXPECT_EQ(*MustLoad(d.arn()), d.state);
  EXPECT_EQ(AllHistory(d.arn(), {}), d.history);
}

TEST_P(ExecutionStoreTest, ALoggedSaveIsGuardedLikeAWrittenOne) {
  Driver d(ExecutionArn("guard"), T(0));
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  ASSERT_TRUE(d.Save(*store_).ok());
  d.Checkpoint({upd::StepStart("a")}, T(2));
  ASSERT_TRUE(d.Save(*store_).ok());  // logged

  // A save derived from the state before the logged one is refused, as if it were written.
  Driver stale = d;
  d.Checkpoint({upd::StepSucceed("a", "1")}, T(3));
  ASSERT_TRUE(d.Save(*store_).ok());
  stale.Checkpoint({upd::StepFail("a", engine::testing::Err("E"))}, T(3));
  Status s = stale.Save(*store_);
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();

  // The refusal rolled back its job; the log is read again and later saves go on.
  d.Checkpoint({upd::StepStart("b")}, T(4));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(*MustLoad(d.arn()), d.state);
  EXPECT_EQ(AllHistory(d.arn(), {}), d.history);
}

TEST_P(ExecutionStoreTest, PurgingAnExecutionWithLoggedSavesLeavesNothingReadable) {
  Driver d(ExecutionArn("purged"), T(0), "{}", 3600, /*retention_days=*/1);
  ASSERT_TRUE(d.Create(*store_).ok());
  d.Begin(T(1));
  ASSERT_TRUE(d.Save(*store_).ok());
  d.Checkpoint({upd::StepStart("a")}, T(2));
  ASSERT_TRUE(d.Save(*store_).ok());
  d.Complete(engine::testing::Succeeded("\"done\""), T(3));
  ASSERT_TRUE(d.Save(*store_).ok());
  auto purged = PurgeAndWait(*store_, protocol::Timestamp{T(3).ms + 2 * kDayMs}, 10);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(MustLoad(d.arn()).has_value());
  EXPECT_EQ(store_->History(d.arn(), {}).status().code(), Status::Code::kNotFound);
  for (const char* table : {"executions", "operations", "events"}) {
    EXPECT_EQ(CountRows(table, d.arn()), 0) << table;
  }
  // Another execution's saves still log and settle.
  Driver other(ExecutionArn("other"), T(0));
  ASSERT_TRUE(other.Create(*store_).ok());
  other.Begin(T(1));
  ASSERT_TRUE(other.Save(*store_).ok());
  other.Checkpoint({upd::StepStart("a")}, T(2));
  ASSERT_TRUE(other.Save(*store_).ok());
  Reopen();
  EXPECT_EQ(*MustLoad(other.arn()), other.state);
}

// ---- History ----

class HistoryTest : public ExecutionStoreTest {
 protected:
  void SetUp() override {
    ExecutionStoreTest::SetUp();
    d_ = std::make_unique<Driver>(ExecutionArn("hist"), T(0));
    ASSERT_TRUE(d_->Create(*store_).ok());
    // Saved in several writes, as the shell does.
    d_->Begin(T(1));
    ASSERT_TRUE(d_->Save(*store_).ok());
    d_->Checkpoint({upd::StepStart("s1"), upd::StepSucceed("s1", "\"one\"")}, T(2));
    ASSERT_TRUE(d_->Save(*store_).ok());
    d_->Checkpoint({upd::StepStart("s2"), upd::StepFail("s2", engine::testing::Err("E"))}, T(3));
    d_->Checkpoint({upd::WaitStart("w", 5), upd::CallbackStart("cb")}, T(4));
    ASSERT_TRUE(d_->Save(*store_).ok());
    d_->Callback("cb", engine::CallbackSuccess{"\"yes\""}, T(5));
    d_->Complete(engine::testing::Pending(), T(6));
    ASSERT_TRUE(d_->Save(*store_).ok());
    ASSERT_GE(d_->history.size(), 9u);
  }
  std::unique_ptr<Driver> d_;
};

TEST_P(HistoryTest, DefaultPageHoldsEveryEventInOrder) {
  auto page = store_->History(d_->arn(), {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->events, d_->history);
  EXPECT_FALSE(page->next_marker.has_value());
  for (std::size_t i = 0; i < page->events.size(); ++i) {
    EXPECT_EQ(page->events[i].event_id, static_cast<int64_t>(i) + 1) << "contiguous ids";
  }
}

TEST_P(HistoryTest, ForwardPagesFollowMarkers) {
  for (int64_t size : {1, 3, 4}) {
    HistoryQuery q;
    q.max_items = size;
    EXPECT_EQ(AllHistory(d_->arn(), q), d_->history) << "page size " << size;
  }
  // A page size equal to the history: one page, no marker.
  HistoryQuery exact;
  exact.max_items = static_cast<int64_t>(d_->history.size());
  auto page = store_->History(d_->arn(), exact);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), d_->history.size());
  EXPECT_FALSE(page->next_marker.has_value());
}

TEST_P(HistoryTest, ReversePagesGoNewestFirst) {
  std::vector<protocol::Event> reversed(d_->history.rbegin(), d_->history.rend());
  for (int64_t size : {0, 1, 4}) {
    HistoryQuery q;
    q.max_items = size;
    q.reverse_order = true;
    EXPECT_EQ(AllHistory(d_->arn(), q), reversed) << "page size " << size;
  }
}

TEST_P(HistoryTest, WithoutDataPayloadsAreOmitted) {
  HistoryQuery q;
  q.include_data = false;
  q.max_items = 3;
  auto events = AllHistory(d_->arn(), q);
  ASSERT_EQ(events.size(), d_->history.size());
  int differing = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    protocol::Event expected = d_->history[i];
    OmitEventData(expected);
    EXPECT_EQ(events[i], expected);
    if (events[i] != d_->history[i]) ++differing;
  }
  EXPECT_GE(differing, 4) << "input, step result, step error and callback result";
}

TEST_P(HistoryTest, RejectsBadArgumentsAndUnknownExecutions) {
  HistoryQuery q;
  q.max_items = kMaxPageItems + 1;
  EXPECT_EQ(store_->History(d_->arn(), q).status().code(), Status::Code::kInvalidArgument);
  q.max_items = -1;
  EXPECT_EQ(store_->History(d_->arn(), q).status().code(), Status::Code::kInvalidArgument);
  q.max_items = kMaxPageItems;
  EXPECT_TRUE(store_->History(d_->arn(), q).ok());
  q.marker = "garbage";
  EXPECT_EQ(store_->History(d_->arn(), q).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->History(ExecutionArn("nope"), {}).status().code(), Status::Code::kNotFound);
}

TEST_P(HistoryTest, ReplaceEventRewritesTheEventAndItsOperation) {
  d_->Begin(T(7));
  d_->Checkpoint({upd::InvokeStart("inv", "billing", "{\"n\":1}")}, T(8));
  ASSERT_TRUE(d_->Save(*store_).ok());
  const std::string target = ExecutionArn("child", "3", kOtherFunction);
  auto event = engine::RecordChainedInvokeTarget(d_->state, "inv", "3", target);
  ASSERT_TRUE(event.ok());
  ASSERT_TRUE(Wait([&](ExecutionStore::Done done) {
                return store_->ReplaceEvent(d_->state, *event, done);
              }).ok());

  auto page = store_->History(d_->arn(), {});
  ASSERT_TRUE(page.ok());
  const auto& stored = page->events.at(event->event_id - 1);
  EXPECT_EQ(stored, *event);
  EXPECT_EQ(std::get<protocol::ChainedInvokeStartedDetails>(stored.details).durable_execution_arn,
            target);
  // The operation's record of its target is persisted too (a restart must not start it again).
  EXPECT_EQ(*MustLoad(d_->arn()), d_->state);

  protocol::Event unknown = *event;
  unknown.event_id = 999;
  EXPECT_EQ(Wait([&](ExecutionStore::Done done) {
              return store_->ReplaceEvent(d_->state, unknown, done);
            }).code(),
            Status::Code::kNotFound);
}

// ---- Timers ----

TEST_P(ExecutionStoreTest, TimersFollowTheEffects) {
  Driver d(ExecutionArn("timers"), T(0), "{}", /*timeout=*/3600);
  ASSERT_TRUE(d.Create(*store_).ok());
  const std::string exec_op = d.state.record.execution_operation_id;
  const std::string arn = d.arn();
  EXPECT_THAT(TimersOf(arn),
              ElementsAre(TimerRow{arn, TimerKind::kExecutionTimeout, exec_op, T(3600)}));

  d.Begin(T(1));
  d.Checkpoint({upd::WaitStart("w", 30), upd::CallbackStart("cb", 600, 60), upd::StepStart("s"),
                upd::StepRetry("s", 5, engine::testing::Err("E"))},
               T(2));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_THAT(TimersOf(arn),
              ElementsAre(TimerRow{arn, TimerKind::kStepRetry, "s", T(7)},
                          TimerRow{arn, TimerKind::kWaitEnd, "w", T(32)},
                          TimerRow{arn, TimerKind::kCallbackHeartbeat, "cb", T(62)},
                          TimerRow{arn, TimerKind::kCallbackTimeout, "cb", T(602)},
                          TimerRow{arn, TimerKind::kExecutionTimeout, exec_op, T(3600)}));

  // A heartbeat moves its timer.
  d.Callback("cb", engine::CallbackHeartbeat{}, T(10));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_EQ(TimersOf(arn).at(2), (TimerRow{arn, TimerKind::kCallbackHeartbeat, "cb", T(70)}));

  // Firing removes the fired timer.
  TimerRow retry{arn, TimerKind::kStepRetry, "s", T(7)};
  ASSERT_TRUE(d.FireAndSave(*store_, retry, T(7)).ok());
  TimerRow wait{arn, TimerKind::kWaitEnd, "w", T(32)};
  ASSERT_TRUE(d.FireAndSave(*store_, wait, T(32)).ok());
  EXPECT_THAT(TimersOf(arn),
              ElementsAre(TimerRow{arn, TimerKind::kCallbackHeartbeat, "cb", T(70)},
                          TimerRow{arn, TimerKind::kCallbackTimeout, "cb", T(602)},
                          TimerRow{arn, TimerKind::kExecutionTimeout, exec_op, T(3600)}));

  // The heartbeat timer armed before the heartbeat fires, stale: it must not remove the
  // moved one.
  TimerRow stale{arn, TimerKind::kCallbackHeartbeat, "cb", T(62)};
  ASSERT_TRUE(d.FireAndSave(*store_, stale, T(62)).ok());
  EXPECT_EQ(TimersOf(arn).size(), 3u);
  EXPECT_EQ(TimersOf(arn).at(0), (TimerRow{arn, TimerKind::kCallbackHeartbeat, "cb", T(70)}));

  // Completing the callback cancels its timers.
  d.Callback("cb", engine::CallbackSuccess{"1"}, T(63));
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_THAT(TimersOf(arn),
              ElementsAre(TimerRow{arn, TimerKind::kExecutionTimeout, exec_op, T(3600)}));

  // Closing the execution drops every timer.
  d.Complete(engine::testing::Succeeded("\"done\""), T(64));
  ASSERT_EQ(d.state.record.status, ExecutionStatus::kSucceeded);
  ASSERT_TRUE(d.Save(*store_).ok());
  EXPECT_THAT(TimersOf(arn), IsEmpty());
  EXPECT_EQ(*MustLoad(arn), d.state);
}

TEST_P(ExecutionStoreTest, TimersDueIsAHalfOpenWindowInDueOrder) {
  std::vector<std::string> arns;
  for (int i = 0; i < 4; ++i) {
    Driver d(ExecutionArn("t" + std::to_string(i)), T(0), "{}", /*timeout=*/100 + i * 10);
    ASSERT_TRUE(d.Create(*store_).ok());
    arns.push_back(d.arn());
  }
  auto window = [&](double from, double to, int64_t limit = 100) {
    auto timers = store_->TimersDue(T(from), T(to), limit);
    EXPECT_TRUE(timers.ok());
    std::vector<int64_t> dues;
    for (const auto& t : *timers)
      dues.push_back((t.due.ms - T(0).ms) / 1000);
    return dues;
  };
  EXPECT_EQ(window(0, 1000), (std::vector<int64_t>{100, 110, 120, 130}));
  EXPECT_EQ(window(110, 130), (std::vector<int64_t>{110, 120})) << "from inclusive, to exclusive";
  EXPECT_EQ(window(0, 1000, 2), (std::vector<int64_t>{100, 110})) << "earliest first";
  EXPECT_THAT(window(131, 1000), IsEmpty());
  EXPECT_EQ(store_->TimersDue(T(0), T(1), 0).status().code(), Status::Code::kInvalidArgument);
  auto first = store_->TimersDue(T(0), T(1000), 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->at(0).execution_arn, arns[0]);
  EXPECT_EQ(first->at(0).kind, TimerKind::kExecutionTimeout);
}

// ---- List ----

class ListTest : public ExecutionStoreTest {
 protected:
  // Six executions of `orders`, started 10 s apart: e0 (v1), e1 (v2), e2 (v1, SUCCEEDED),
  // e3 (v2, STOPPED), e4 (v1), e5 (v2); plus one of another function.
  void SetUp() override {
    ExecutionStoreTest::SetUp();
    for (int i = 0; i < 6; ++i) {
      std::string name = "e" + std::to_string(i);
      Driver d(ExecutionArn(name, i % 2 ? "2" : "1"), T(10 * i));
      ASSERT_TRUE(d.Create(*store_).ok());
      if (i == 2) {
        d.Begin(T(10 * i + 1));
        d.Complete(engine::testing::Succeeded("1"), T(10 * i + 2));
        ASSERT_TRUE(d.Save(*store_).ok());
      }
      if (i == 3) {
        d.Stop(T(10 * i + 3));
        ASSERT_TRUE(d.Save(*store_).ok());
      }
      arn_.push_back(d.arn());
    }
    Driver other(ExecutionArn("e0", "1", kOtherFunction), T(25));
    ASSERT_TRUE(other.Create(*store_).ok());
  }
  ListQuery Query() {
    ListQuery q;
    q.function_arn = kFunction;
    return q;
  }
  std::vector<std::string> Arns(std::initializer_list<int> indexes) {
    std::vector<std::string> out;
    for (int i : indexes)
      out.push_back(arn_[i]);
    return out;
  }
  std::vector<std::string> arn_;
};

TEST_P(ListTest, DefaultIsNewestFirstAndReverseIsOldestFirst) {
  EXPECT_EQ(ListArns(Query()), Arns({5, 4, 3, 2, 1, 0}));
  auto q = Query();
  q.reverse_order = true;
  EXPECT_EQ(ListArns(q), Arns({0, 1, 2, 3, 4, 5}));
}

TEST_P(ListTest, RowsCarryTheSummary) {
  auto q = Query();
  q.name = "e2";
  auto page = store_->List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->durable_executions->size(), 1u);
  const auto& e = page->durable_executions->front();
  EXPECT_EQ(e.durable_execution_arn, arn_[2]);
  EXPECT_EQ(e.durable_execution_name, "e2");
  EXPECT_EQ(e.function_arn, std::string(kFunction) + ":1");
  EXPECT_EQ(e.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(e.start_timestamp, T(20));
  EXPECT_EQ(e.end_timestamp, T(22));
  EXPECT_FALSE(page->next_marker.has_value());
}

TEST_P(ListTest, Filters) {
  auto q = Query();
  q.statuses = {ExecutionStatus::kSucceeded};
  EXPECT_EQ(ListArns(q), Arns({2}));
  q.statuses = {ExecutionStatus::kStopped, ExecutionStatus::kSucceeded};
  EXPECT_EQ(ListArns(q), Arns({3, 2}));
  q.statuses = {ExecutionStatus::kRunning};
  EXPECT_EQ(ListArns(q), Arns({5, 4, 1, 0}));
  q.statuses = {ExecutionStatus::kFailed};
  EXPECT_THAT(ListArns(q), IsEmpty());

  q = Query();
  q.version = "2";
  EXPECT_EQ(ListArns(q), Arns({5, 3, 1}));
  q.statuses = {ExecutionStatus::kRunning};
  EXPECT_EQ(ListArns(q), Arns({5, 1}));

  q = Query();
  q.name = "e4";
  EXPECT_EQ(ListArns(q), Arns({4}));
  q.name = "E4";
  EXPECT_THAT(ListArns(q), IsEmpty());

  q = Query();
  q.started_after = T(10);   // inclusive
  q.started_before = T(40);  // exclusive
  EXPECT_EQ(ListArns(q), Arns({3, 2, 1}));
  q.started_after = T(10.001);
  EXPECT_EQ(ListArns(q), Arns({3, 2}));

  q = Query();
  q.function_arn = std::string(kFunction) + "-nope";
  EXPECT_THAT(ListArns(q), IsEmpty());
}

TEST_P(ListTest, PagesFollowMarkersInBothOrders) {
  for (bool reverse : {false, true}) {
    for (int64_t size : {1, 2, 4, 6}) {
      auto q = Query();
      q.reverse_order = reverse;
      q.max_items = size;
      auto page = store_->List(q);
      ASSERT_TRUE(page.ok());
      EXPECT_EQ(page->durable_executions->size(),
                static_cast<std::size_t>(std::min<int64_t>(size, 6)));
      EXPECT_EQ(page->next_marker.has_value(), size < 6);
      EXPECT_EQ(ListArns(q), reverse ? Arns({0, 1, 2, 3, 4, 5}) : Arns({5, 4, 3, 2, 1, 0}))
          << "page size " << size << (reverse ? " oldest first" : " newest first");
    }
  }
  // Filters apply across pages.
  auto q = Query();
  q.statuses = {ExecutionStatus::kRunning};
  q.max_items = 1;
  EXPECT_EQ(ListArns(q), Arns({5, 4, 1, 0}));
}

TEST_P(ListTest, ExecutionsStartedInTheSameMillisecondPageWithoutLoss) {
  for (int i = 0; i < 5; ++i) {
    Driver d(ExecutionArn("same" + std::to_string(i)), T(100));
    ASSERT_TRUE(d.Create(*store_).ok());
  }
  auto q = Query();
  q.started_after = T(100);
  q.max_items = 2;
  auto arns = ListArns(q);
  EXPECT_EQ(arns.size(), 5u);
  EXPECT_EQ(std::set<std::string>(arns.begin(), arns.end()).size(), 5u);
}

TEST_P(ListTest, RejectsBadArguments) {
  auto q = Query();
  q.max_items = kMaxPageItems + 1;
  EXPECT_EQ(store_->List(q).status().code(), Status::Code::kInvalidArgument);
  q = Query();
  q.marker = "bogus";
  EXPECT_EQ(store_->List(q).status().code(), Status::Code::kInvalidArgument);
}

// ---- Retention ----

TEST_P(ExecutionStoreTest, PurgeExpiredRespectsRetentionAndNeverTouchesRunning) {
  auto closed = [&](const std::string& name, int64_t retention_days) {
    Driver d(ExecutionArn(name), T(0), "{}", 3600, retention_days);
    EXPECT_TRUE(d.Create(*store_).ok());
    d.Begin(T(1));
    d.Checkpoint({upd::StepStart("s"), upd::StepSucceed("s", "1")}, T(2));
    d.Complete(engine::testing::Succeeded("1"), T(100));
    EXPECT_TRUE(d.Save(*store_).ok());
    return d.arn();
  };
  const std::string one_day = closed("one-day", 1);
  const std::string three_days = closed("three-days", 3);
  Driver running(ExecutionArn("running"), T(0), "{}", 3600, 1);
  ASSERT_TRUE(running.Create(*store_).ok());
  ASSERT_GT(CountRows("operations", one_day), 1);

  const int64_t end = T(100).ms;
  auto purge = [&](int64_t now_ms, int64_t limit = 100) {
    auto n = PurgeAndWait(*store_, protocol::Timestamp{now_ms}, limit);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  };
  EXPECT_EQ(purge(end + kDayMs), 0) << "retention has not passed yet";
  EXPECT_EQ(purge(end + kDayMs + 1), 1);
  EXPECT_EQ(store_->Load(one_day).value(), std::nullopt);
  for (const char* table : {"executions", "operations", "events", "timers"}) {
    EXPECT_EQ(CountRows(table, one_day), 0) << table;
  }
  EXPECT_TRUE(MustLoad(three_days).has_value());

  EXPECT_EQ(purge(end + 100 * kDayMs), 1);
  EXPECT_EQ(store_->Load(three_days).value(), std::nullopt);
  EXPECT_EQ(purge(end + 1000 * kDayMs), 0) << "a running execution is never purged";
  EXPECT_TRUE(MustLoad(running.arn()).has_value());
  EXPECT_EQ(CountRows("timers", running.arn()), 1);

  EXPECT_EQ(store_->PurgeExpired(T(0), 0, [](Result<int64_t>) {}).code(),
            Status::Code::kInvalidArgument);
}

TEST_P(ExecutionStoreTest, PurgeHonoursTheLimit) {
  for (int i = 0; i < 3; ++i) {
    Driver d(ExecutionArn("p" + std::to_string(i)), T(0), "{}", 3600, 1);
    ASSERT_TRUE(d.Create(*store_).ok());
    d.Stop(T(i));
    ASSERT_TRUE(d.Save(*store_).ok());
  }
  auto now = protocol::Timestamp{T(10).ms + kDayMs};
  EXPECT_EQ(PurgeAndWait(*store_, now, 2).value(), 2);
  EXPECT_EQ(PurgeAndWait(*store_, now, 2).value(), 1);
  EXPECT_EQ(store_->CountByStatus()->by_status, (std::array<int64_t, 5>{}));
}

TEST_P(ExecutionStoreTest, AnExpiredNameIsFreeAgain) {
  Driver old(ExecutionArn("reuse"), T(0), "{}", 3600, 1);
  ASSERT_TRUE(old.Create(*store_).ok());
  old.Stop(T(10));
  ASSERT_TRUE(old.Save(*store_).ok());

  std::string base = std::string(kFunction) + ":1/durable-execution/reuse/";
  Driver too_early(base + "second", protocol::Timestamp{T(10).ms + kDayMs});
  EXPECT_EQ(too_early.Create(*store_).code(), Status::Code::kAlreadyExists);

  // Not purged yet, but past retention: the new execution takes the name.
  Driver later(base + "third", protocol::Timestamp{T(10).ms + kDayMs + 1});
  ASSERT_TRUE(later.Create(*store_).ok());
  EXPECT_EQ(store_->FindByName(kFunction, "reuse").value(), later.arn());
  EXPECT_EQ(store_->Load(old.arn()).value(), std::nullopt);
  EXPECT_EQ(CountRows("events", old.arn()), 0);
}

// ---- Recovery, counts, durability ----

TEST_P(ExecutionStoreTest, RecoverableExecutionsAndCounts) {
  Driver queued(ExecutionArn("queued"), T(0));
  ASSERT_TRUE(queued.Create(*store_).ok());

  Driver running(ExecutionArn("running"), T(1));
  ASSERT_TRUE(running.Create(*store_).ok());
  running.Begin(T(2));
  ASSERT_TRUE(running.Save(*store_).ok());

  Driver idle(ExecutionArn("idle"), T(2));
  ASSERT_TRUE(idle.Create(*store_).ok());
  idle.Begin(T(3));
  idle.Checkpoint({upd::WaitStart("w", 60)}, T(4));
  idle.Complete(engine::testing::Pending(), T(5));
  ASSERT_EQ(idle.state.record.phase, engine::InvocationPhase::kIdle);
  ASSERT_TRUE(idle.Save(*store_).ok());

  Driver backoff(ExecutionArn("backoff"), T(3));
  ASSERT_TRUE(backoff.Create(*store_).ok());
  backoff.Begin(T(4));
  backoff.Complete(engine::InvocationFailure{engine::testing::Err("Runtime.ExitError")}, T(5));
  ASSERT_EQ(backoff.state.record.phase, engine::InvocationPhase::kRetryBackoff);
  ASSERT_TRUE(backoff.Save(*store_).ok());

  Driver done(ExecutionArn("done"), T(4));
  ASSERT_TRUE(done.Create(*store_).ok());
  done.Begin(T(5));
  done.Complete(engine::testing::Succeeded("1"), T(6));
  ASSERT_TRUE(done.Save(*store_).ok());

  EXPECT_EQ(store_->RecoverableExecutions().value(),
            (std::vector<std::string>{queued.arn(), running.arn()}));
  StatusCounts expected;
  expected[ExecutionStatus::kRunning] = 4;
  expected[ExecutionStatus::kSucceeded] = 1;
  EXPECT_EQ(store_->CountByStatus().value(), expected);
}

TEST_P(ExecutionStoreTest, ANewStoreOnTheSameDirectorySeesEverythingAcknowledged) {
  std::vector<Driver> drivers;
  for (int i = 0; i < 5; ++i) {
    drivers.emplace_back(ExecutionArn("durable" + std::to_string(i)), T(i));
    ASSERT_TRUE(drivers.back().Create(*store_).ok());
  }
  DriveRichExecution(drivers[0]);
  ASSERT_TRUE(drivers[0].Save(*store_).ok());
  auto timers = AllTimers();

  // Writes accepted but not yet acknowledged when the store closes are committed by the
  // close, and acknowledged.
  std::atomic<int> acked{0};
  for (int i = 5; i < 25; ++i) {
    drivers.emplace_back(ExecutionArn("durable" + std::to_string(i)), T(i));
    ASSERT_TRUE(store_
                    ->Create(drivers.back().state, drivers.back().pending,
                             [&acked](Status s) { acked += s.ok() ? 1 : 0; })
                    .ok());
  }
  Reopen();
  EXPECT_EQ(acked.load(), 20);

  for (const auto& d : drivers) {
    auto loaded = MustLoad(d.arn());
    ASSERT_TRUE(loaded.has_value()) << d.arn();
    EXPECT_EQ(*loaded, d.state);
  }
  EXPECT_EQ(store_->History(drivers[0].arn(), {})->events, drivers[0].history);
  EXPECT_EQ(AllTimers().size(), timers.size() + 20);
  EXPECT_EQ(store_->CountByStatus().value()[ExecutionStatus::kRunning], 25);
}

// ---- Concurrency and back-pressure ----

TEST_P(ExecutionStoreTest, ConcurrentSavesOfDifferentExecutionsShareCommits) {
  constexpr int kThreads = 8;
  constexpr int kSavesPerThread = 25;
  std::vector<Driver> drivers;
  for (int t = 0; t < kThreads; ++t) {
    drivers.emplace_back(ExecutionArn("conc" + std::to_string(t)), T(0));
    ASSERT_TRUE(drivers.back().Create(*store_).ok());
    drivers.back().Begin(T(1));
    ASSERT_TRUE(drivers.back().Save(*store_).ok());
  }
  const auto before = store_->writer_stats();

  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Driver& d = drivers[t];
      std::vector<std::future<Status>> acks;
      start.arrive_and_wait();
      for (int i = 0; i < kSavesPerThread; ++i) {
        std::string id = "s" + std::to_string(i);
        d.Checkpoint({upd::StepStart(id), upd::StepSucceed(id, std::to_string(i))}, T(2 + i));
        auto promise = std::make_shared<std::promise<Status>>();
        acks.push_back(promise->get_future());
        Status s = store_->Save(d.state, d.pending, d.saved_change,
                                [promise](Status st) { promise->set_value(st); });
        if (!s.ok()) {
          ++failures;
          return;
        }
        d.Persisted();
      }
      for (auto& ack : acks) {
        if (!ack.get().ok()) ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);

  const auto after = store_->writer_stats();
  const uint64_t saves = after.transactions - before.transactions;
  const uint64_t commits = after.commits - before.commits;
  EXPECT_EQ(saves, static_cast<uint64_t>(kThreads * kSavesPerThread));
  EXPECT_LT(commits, saves) << "group commit shares fsyncs between saves";
  for (const auto& d : drivers) {
    EXPECT_EQ(*MustLoad(d.arn()), d.state);
  }
}

TEST_P(ExecutionStoreTest, AFullWriteQueueRefusesAtOnce) {
  SqliteExecutionStore::Options options;
  options.writer.max_queue = 1;
  Reopen(options);
  // Hold the writer thread inside a Done callback so the queue cannot drain.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  Driver blocker(ExecutionArn("blocker"), T(0));
  ASSERT_TRUE(store_
                  ->Create(blocker.state, blocker.pending,
                           [&, released](Status) {
                             entered.set_value();
                             released.wait();
                           })
                  .ok());
  entered.get_future().wait();

  Driver queued(ExecutionArn("queued"), T(0));
  std::promise<Status> queued_done;
  ASSERT_TRUE(
      store_->Create(queued.state, queued.pending, [&](Status s) { queued_done.set_value(s); })
          .ok());
  Driver refused(ExecutionArn("refused"), T(0));
  bool refused_called = false;
  Status s = store_->Create(refused.state, refused.pending, [&](Status) { refused_called = true; });
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted) << s.ToString();

  release.set_value();
  EXPECT_TRUE(queued_done.get_future().get().ok());
  EXPECT_FALSE(refused_called);
  EXPECT_EQ(store_->Load(refused.arn()).value(), std::nullopt);
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(SettleLate, ExecutionStoreTest, ::testing::Values(std::size_t{1024}));
INSTANTIATE_TEST_SUITE_P(SettleEarly, ExecutionStoreTest, ::testing::Values(std::size_t{8}));
INSTANTIATE_TEST_SUITE_P(SettleLate, HistoryTest, ::testing::Values(std::size_t{1024}));
INSTANTIATE_TEST_SUITE_P(SettleEarly, HistoryTest, ::testing::Values(std::size_t{8}));
INSTANTIATE_TEST_SUITE_P(SettleLate, ListTest, ::testing::Values(std::size_t{1024}));
INSTANTIATE_TEST_SUITE_P(SettleEarly, ListTest, ::testing::Values(std::size_t{8}));

}  // namespace durafn::store::testing
