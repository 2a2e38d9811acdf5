// Seeded random walks through many executions: a simulated SDK sends random valid (and
// some invalid) checkpoints, while timers, callbacks, chained invokes, crashes and stops
// arrive in random order. After every call the engine's invariants must hold:
//   * EventIds are 1, 2, 3... with no gap, across all calls;
//   * a terminal operation never changes again;
//   * at most one invocation runs (a second BeginInvocation is refused);
//   * every accepted checkpoint rotates the token, and the old one is refused;
//   * NewExecutionState carries every operation the batch touched and every operation
//     changed since the handler last saw the state;
//   * a rejected call changes nothing.
#include <map>
#include <random>
#include <set>

#include "engine_test_util.h"

namespace durafn::engine::testing {
namespace {

using protocol::OperationAction;
using protocol::OperationStatus;
using protocol::OperationType;
using protocol::OperationUpdate;

class Walk {
 public:
  explicit Walk(uint32_t seed) : rng_(seed) {}

  // Runs `steps` random steps, starting new executions as earlier ones close.
  void Run(int steps) {
    NewExecution();
    for (int i = 0; i < steps && !::testing::Test::HasFatalFailure(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i));
      Step();
      CheckInvariants();
      if (h_.state.record.status != protocol::ExecutionStatus::kRunning &&
          h_.state.record.phase == InvocationPhase::kIdle) {
        ++executions_closed_;
        NewExecution();
      }
    }
    EXPECT_GT(executions_closed_, 0) << "the walk should close some executions";
    // The walk is only worth something if it reaches every kind of event.
    EXPECT_EQ(type_counts_.size(), protocol::EnumInfo<protocol::EventType>::kWire.size());
    EXPECT_GT(accepted_checkpoints_, 100);
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }

  void NewExecution() {
    h_ = Harness{};
    now_ = 0;
    next_id_ = 0;
    frozen_.clear();
    view_.clear();
    // Every execution of the walk reuses one ARN, so old tokens would be valid again.
    stale_tokens_.clear();
    h_.Start(T(now_), Chance(50), 200 + Pick(400));
    checked_events_ = 0;
  }

  void Step() {
    now_ += Pick(4) * 0.5;
    ExecutionRecord& rec = h_.state.record;
    int roll = Pick(100);
    if (rec.status != protocol::ExecutionStatus::kRunning) {
      // Closed under a running invocation (stop, timeout): it can only fail and end.
      ASSERT_EQ(rec.phase, InvocationPhase::kRunning);
      if (roll < 50) return ClosedCheckpoint();
      return EndInvocation();
    }
    if (rec.phase == InvocationPhase::kQueued && roll < 60) return Begin();
    if (rec.phase == InvocationPhase::kRunning) {
      if (roll < 45) return RandomCheckpoint();
      if (roll < 50) return InvalidCheckpoint();
      if (roll < 53) return StaleCheckpoint();
      if (roll < 55) return SecondBegin();
      if (roll < 57) return ReadState();
      if (roll < 67) return EndInvocation();
    }
    if (roll < 80) return FireSomeTimer();
    if (roll < 90) return CompleteSomeCallback();
    if (roll < 97) return CompleteSomeChainedInvoke();
    if (roll < 98) return FireExecutionTimeout();
    if (Chance(30)) {
      auto stopped = Stop(h_.state, std::nullopt, T(now_));
      ASSERT_TRUE(stopped.ok());
      h_.Take(stopped->outcome);
    }
  }

  // ---- invocations ----

  void Begin() {
    auto env = h_.Begin(T(now_));
    view_.clear();
    for (const auto& op : env.initial_execution_state.operations) {
      view_[op.id] = op;
    }
    seen_at_begin_ = h_.state.record.change_counter;
    ASSERT_EQ(env.initial_execution_state.operations.at(0).id,
              h_.state.record.execution_operation_id);
  }

  void SecondBegin() {
    const ExecutionState before = h_.state;
    auto again = BeginInvocation(h_.state, "intruder", T(now_));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, protocol::ErrorCode::kResourceConflict);
    EXPECT_EQ(h_.state, before);
  }

  void ReadState() {
    protocol::GetDurableExecutionStateRequest req;
    req.checkpoint_token = h_.token;
    req.max_items = 1 + Pick(5);
    const ExecutionState before = h_.state;
    auto page = GetState(h_.state, req, h_.limits);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(h_.state, before);
  }

  void EndInvocation() {
    int roll = Pick(100);
    InvocationResult result = Pending();
    if (roll < 15) {
      result = InvocationFailure{Err("Runtime.ExitError")};
    } else if (roll < 20) {
      result = Succeeded("\"done\"");
    } else if (roll < 23) {
      result = Output(protocol::InvocationStatus::kFailed, std::nullopt, Err("Error"));
    }
    h_.Complete(result, T(now_));
    EXPECT_NE(h_.state.record.phase, InvocationPhase::kRunning);
  }

  // ---- checkpoints ----

  std::string NewId() { return "op" + std::to_string(++next_id_); }

  // A random STARTED context to nest under, or none.
  std::optional<std::string> SomeParent(const std::set<std::string>& closed_in_batch) {
    std::vector<std::string> open;
    for (const auto& e : h_.state.ops) {
      if (e.op.type == OperationType::kContext && e.op.status == OperationStatus::kStarted &&
          !closed_in_batch.count(e.op.id)) {
        open.push_back(e.op.id);
      }
    }
    if (open.empty() || Chance(50)) return std::nullopt;
    return open[Pick(static_cast<int>(open.size()))];
  }

  // Existing operations of `type` in one of `statuses`, not yet used by this batch.
  std::vector<std::string> Existing(OperationType type, std::set<OperationStatus> statuses,
                                    const std::set<std::string>& used) {
    std::vector<std::string> ids;
    for (const auto& e : h_.state.ops) {
      if (e.op.type == type && statuses.count(e.op.status) && !used.count(e.op.id)) {
        ids.push_back(e.op.id);
      }
    }
    return ids;
  }

  std::vector<OperationUpdate> RandomBatch() {
    std::vector<OperationUpdate> batch;
    std::set<std::string> used;
    std::set<std::string> closed_contexts;
    int n = 1 + Pick(4);
    for (int i = 0; i < n; ++i) {
      auto pick_from = [&](std::vector<std::string> ids) -> std::optional<std::string> {
        if (ids.empty()) return std::nullopt;
        return ids[Pick(static_cast<int>(ids.size()))];
      };
      switch (Pick(12)) {
        case 0: {  // a new step, maybe finished in the same batch
          std::string id = NewId();
          auto start = upd::StepStart(id);
          start.parent_id = SomeParent(closed_contexts);
          batch.push_back(start);
          if (Chance(50)) {
            auto done =
                Chance(50) ? upd::StepSucceed(id, "1") : upd::StepRetry(id, 1 + Pick(5), Err("E"));
            batch.push_back(done);
          }
          used.insert(id);
          break;
        }
        case 1: {  // an existing step moves on
          auto id = pick_from(Existing(OperationType::kStep,
                                       {OperationStatus::kStarted, OperationStatus::kReady}, used));
          if (!id) break;
          int what = Pick(4);
          if (what == 0 && h_.Op(*id).status == OperationStatus::kReady) {
            batch.push_back(upd::StepStart(*id));
          } else if (what <= 1) {
            batch.push_back(upd::StepSucceed(*id, "\"v\""));
          } else if (what == 2) {
            batch.push_back(upd::StepFail(*id, Err("E")));
          } else {
            batch.push_back(Chance(50) ? upd::StepRetry(*id, 1 + Pick(3), Err("E"))
                                       : upd::StepRetry(*id, 1 + Pick(3), std::nullopt, "\"s\""));
          }
          used.insert(*id);
          break;
        }
        case 2: {
          std::string id = NewId();
          auto start = upd::ContextStart(id, "RunInChildContext");
          start.parent_id = SomeParent(closed_contexts);
          batch.push_back(start);
          used.insert(id);
          break;
        }
        case 3: {  // close a context (its children may stay open: the engine allows it)
          auto id = pick_from(Existing(OperationType::kContext, {OperationStatus::kStarted}, used));
          if (!id) break;
          auto done = upd::ContextSucceed(*id, "\"c\"", "RunInChildContext");
          if (Chance(30)) done.context_options = protocol::ContextOptions{true};
          if (Chance(25)) {
            done.action = OperationAction::kFail;
            done.payload.reset();
            done.error = Err("ChildContextError");
          }
          batch.push_back(done);
          used.insert(*id);
          closed_contexts.insert(*id);
          break;
        }
        case 4:
        case 5: {
          std::string id = NewId();
          auto w = upd::WaitStart(id, 1 + Pick(20));
          w.parent_id = SomeParent(closed_contexts);
          batch.push_back(w);
          used.insert(id);
          break;
        }
        case 6: {
          auto id = pick_from(Existing(OperationType::kWait, {OperationStatus::kStarted}, used));
          if (!id) break;
          batch.push_back(U(*id, OperationType::kWait, OperationAction::kCancel));
          used.insert(*id);
          break;
        }
        case 7:
        case 8: {
          std::string id = NewId();
          batch.push_back(upd::CallbackStart(id, Pick(3) * 10, Pick(3) * 5));
          used.insert(id);
          break;
        }
        case 9: {
          std::string id = NewId();
          batch.push_back(upd::InvokeStart(id, "target:1", "{}"));
          used.insert(id);
          break;
        }
        case 10: {
          OperationType type =
              Chance(50) ? OperationType::kChainedInvoke : OperationType::kCallback;
          auto id = pick_from(Existing(type, {OperationStatus::kStarted}, used));
          if (!id || !Chance(40)) break;
          batch.push_back(U(*id, type, OperationAction::kCancel));
          used.insert(*id);
          break;
        }
        case 11:
          break;
      }
    }
    // Rarely the handler checkpoints its own outcome; it is always the last update.
    if (Chance(3) || h_.state.ops.size() > 150)
      batch.push_back(upd::ExecSucceed(NewId(), "\"big\""));
    return batch;
  }

  void RandomCheckpoint() {
    std::vector<OperationUpdate> batch = RandomBatch();
    std::string old_token = h_.token;
    int64_t seen_before = h_.state.record.handler_seen_change;
    std::map<std::string, int64_t> changed_before;
    for (const auto& e : h_.state.ops) {
      changed_before[e.op.id] = e.changed_at;
    }

    auto result = h_.TryCheckpoint(
        batch, T(now_),
        Chance(30) ? std::optional("ct-" + std::to_string(next_id_)) : std::nullopt);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ++accepted_checkpoints_;
    const auto& response = result->response;
    const auto& ops = *response.new_execution_state.operations;
    std::set<std::string> in_response;
    for (const auto& op : ops) {
      in_response.insert(op.id);
    }

    // Every operation the batch touched is in the response...
    for (const auto& u : batch) {
      if (u.type != OperationType::kExecution) {
        EXPECT_TRUE(in_response.count(u.id)) << u.id << " missing from NewExecutionState";
      }
    }
    // ...and so is every operation changed since the handler last saw the state.
    for (const auto& e : h_.state.ops) {
      auto before = changed_before.find(e.op.id);
      bool changed = before == changed_before.end() || e.changed_at != before->second ||
                     e.changed_at > seen_before;
      if (changed) {
        EXPECT_TRUE(in_response.count(e.op.id)) << e.op.id;
      }
    }
    for (const auto& op : ops) {
      EXPECT_EQ(op, h_.Op(op.id)) << "the response shows the stored operation";
      view_[op.id] = op;
    }
    // The handler's merged view now equals the stored state for everything it knows.
    for (const auto& [id, op] : view_) {
      EXPECT_EQ(op, h_.Op(id)) << id;
    }

    if (h_.state.record.status == protocol::ExecutionStatus::kRunning) {
      ASSERT_TRUE(response.checkpoint_token.has_value());
      EXPECT_NE(*response.checkpoint_token, old_token) << "tokens rotate";
      stale_tokens_.push_back(old_token);
    } else {
      EXPECT_FALSE(response.checkpoint_token.has_value());
    }
  }

  void InvalidCheckpoint() {
    std::vector<OperationUpdate> batch = RandomBatch();
    int where = Pick(static_cast<int>(batch.size()) + 1);
    OperationUpdate bad;
    switch (Pick(4)) {
      case 0:
        bad = upd::WaitStart(NewId(), 0);
        break;
      case 1:
        bad = upd::StepStart(NewId());
        bad.parent_id = "no-such-parent";
        break;
      case 2:
        bad = U(NewId(), OperationType::kWait, OperationAction::kSucceed);
        break;
      default:
        bad = upd::StepStart("bad id!");
        break;
    }
    // Keep an EXECUTION update last so the batch fails for the planted reason only.
    if (!batch.empty() && batch.back().type == OperationType::kExecution) {
      where = std::min(where, static_cast<int>(batch.size()) - 1);
    }
    batch.insert(batch.begin() + where, bad);
    const ExecutionState before = h_.state;
    std::size_t events = h_.history.size();
    auto result = h_.TryCheckpoint(batch, T(now_));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, protocol::ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(h_.state, before) << "a rejected batch changes nothing";
    EXPECT_EQ(h_.history.size(), events);
  }

  void ClosedCheckpoint() {
    const ExecutionState before = h_.state;
    auto result = h_.TryCheckpoint(RandomBatch(), T(now_));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message.rfind("Invalid Checkpoint Token", 0), 0u);
    EXPECT_EQ(h_.state, before);
  }

  void StaleCheckpoint() {
    if (stale_tokens_.empty()) return;
    std::string token = stale_tokens_[Pick(static_cast<int>(stale_tokens_.size()))];
    const ExecutionState before = h_.state;
    auto result = h_.TryCheckpoint({}, T(now_), std::nullopt, token);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message.rfind("Invalid Checkpoint Token", 0), 0u);
    EXPECT_EQ(h_.state, before);
  }

  // ---- the service side ----

  void FireSomeTimer() {
    std::vector<StartTimer> timers;
    for (const auto& e : PendingEffects(h_.state)) {
      const auto* t = std::get_if<StartTimer>(&e);
      // The execution timeout ends everything; let it win only now and then.
      if (t && (t->kind != TimerKind::kExecutionTimeout || Chance(3))) timers.push_back(*t);
    }
    if (timers.empty()) return;
    const StartTimer& t = timers[Pick(static_cast<int>(timers.size()))];
    // Sometimes deliver it early (must be ignored), usually jump the clock to it.
    if (Chance(80)) now_ = std::max(now_, static_cast<double>(t.due.ms - T(0).ms) / 1000);
    h_.Fire(t.kind, t.operation_id, T(now_));
  }

  void FireExecutionTimeout() {
    h_.Fire(TimerKind::kExecutionTimeout, h_.state.record.execution_operation_id,
            T(now_ + (Chance(20) ? 1000 : 0)));
  }

  void CompleteSomeCallback() {
    std::vector<std::string> ids;
    for (const auto& e : h_.state.ops) {
      if (e.op.type == OperationType::kCallback) ids.push_back(e.op.id);
    }
    if (ids.empty()) return;
    std::string id = ids[Pick(static_cast<int>(ids.size()))];
    CallbackCompletion c = CallbackHeartbeat{};
    if (Chance(40)) {
      c = CallbackSuccess{"\"cb\""};
    } else if (Chance(40)) {
      c = CallbackFailure{Err("Rejected")};
    }
    const ExecutionState before = h_.state;
    auto out = CompleteCallback(h_.state, h_.CallbackIdOf(id), c, T(now_), h_.limits);
    if (out.ok()) {
      h_.Take(*out);
    } else {
      EXPECT_EQ(h_.state, before);
    }
  }

  void CompleteSomeChainedInvoke() {
    std::vector<std::string> ids;
    for (const auto& e : h_.state.ops) {
      if (e.op.type == OperationType::kChainedInvoke) ids.push_back(e.op.id);
    }
    if (ids.empty()) return;
    std::string id = ids[Pick(static_cast<int>(ids.size()))];
    static const OperationStatus kEnds[] = {OperationStatus::kSucceeded, OperationStatus::kFailed,
                                            OperationStatus::kTimedOut, OperationStatus::kStopped};
    ChainedInvokeCompletion c{kEnds[Pick(4)], "\"r\"", std::nullopt};
    if (c.status != OperationStatus::kSucceeded) c = {c.status, std::nullopt, Err("E")};
    if (Chance(50)) {
      auto rec = RecordChainedInvokeTarget(h_.state, id, "1", "arn:child");
      ASSERT_TRUE(rec.ok());
      ASSERT_LT(rec->event_id, h_.state.record.next_event_id);
      EXPECT_EQ(rec->type(), protocol::EventType::kChainedInvokeStarted);
      EXPECT_EQ(h_.history.at(rec->event_id - 1).id, rec->id) << "same event, amended";
    }
    auto out = CompleteChainedInvoke(h_.state, id, c, T(now_));
    ASSERT_TRUE(out.ok());
    h_.Take(*out);
  }

  // ---- invariants ----

  void CheckInvariants() {
    AssertInvariants(h_.state);
    const auto& history = h_.history;
    for (std::size_t i = checked_events_; i < history.size(); ++i) {
      ASSERT_EQ(history[i].event_id, static_cast<int64_t>(i) + 1) << "EventIds are consecutive";
    }
    for (std::size_t i = checked_events_; i < history.size(); ++i) {
      type_counts_[history[i].type()]++;
    }
    checked_events_ = history.size();
    EXPECT_EQ(h_.state.record.next_event_id, static_cast<int64_t>(history.size()) + 1);
    for (const auto& e : h_.state.ops) {
      auto frozen = frozen_.find(e.op.id);
      if (frozen != frozen_.end()) {
        EXPECT_EQ(e.op, frozen->second) << "terminal operation " << e.op.id << " changed";
      } else if (protocol::IsTerminal(e.op.status)) {
        frozen_.emplace(e.op.id, e.op);
      }
    }
    const ExecutionRecord& rec = h_.state.record;
    EXPECT_EQ(rec.phase == InvocationPhase::kRunning, rec.invocation.has_value());
    if (rec.status != protocol::ExecutionStatus::kRunning) {
      EXPECT_TRUE(PendingEffects(h_.state).empty());
    }
    CheckChangeLists();
  }

  // The table's shortcuts agree with a scan: what changed after a counter (remembered or
  // not), and the operations with a timer running are among those CompleteDue looks at.
  void CheckChangeLists() {
    const OperationTable& ops = h_.state.ops;
    const int64_t counter = h_.state.record.change_counter;
    for (int64_t back : {0, 1, 2, 5, 20, 40, 70, 200}) {
      const int64_t since = std::max<int64_t>(0, counter - back);
      std::vector<std::size_t> listed, scanned;
      ops.ForEachChangedSince(since, [&](std::size_t pos, const OperationEntry& e) {
        EXPECT_GT(e.changed_at, since);
        listed.push_back(pos);
      });
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (ops.at(i).changed_at > since) scanned.push_back(i);
      }
      ASSERT_EQ(listed, scanned) << "changed since " << since << " of " << counter;
    }
    OperationTable copy = ops;
    std::set<std::string> active;
    copy.ForEachActive([&](const OperationEntry& e) {
      active.insert(e.op.id);
      return true;
    });
    for (const OperationEntry& e : ops) {
      const protocol::Operation& op = e.op;
      bool timed = (op.status == OperationStatus::kStarted &&
                    (op.type == OperationType::kWait || op.type == OperationType::kCallback)) ||
                   (op.type == OperationType::kStep && op.status == OperationStatus::kPending);
      if (timed) {
        EXPECT_TRUE(active.contains(op.id)) << op.id << " may have a timer running";
      }
    }
  }

  std::mt19937 rng_;
  Harness h_;
  double now_ = 0;
  int next_id_ = 0;
  std::size_t checked_events_ = 0;
  int executions_closed_ = 0;
  int accepted_checkpoints_ = 0;
  int64_t seen_at_begin_ = 0;
  std::map<std::string, protocol::Operation> frozen_;
  std::map<std::string, protocol::Operation> view_;
  std::vector<std::string> stale_tokens_;
  std::map<protocol::EventType, int> type_counts_;
};

class RandomWalk : public ::testing::TestWithParam<uint32_t> {};

TEST_P(RandomWalk, KeepsInvariants) {
  Walk(GetParam()).Run(4000);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomWalk, ::testing::Values(1u, 2u, 3u, 42u, 2024u, 31337u));

}  // namespace
}  // namespace durafn::engine::testing
