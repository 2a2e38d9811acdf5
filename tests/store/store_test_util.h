// Test support for the execution store: a temporary data directory, synchronous wrappers of
// the asynchronous writes, and executions driven through the real engine so the states the
// store sees are the ones the server produces.
#pragma once

#include <algorithm>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "protocol/arn.h"
#include "store/execution_store.h"
#include "store/sqlite_execution_store.h"

namespace durafn::store::testing {

using engine::testing::T;
namespace upd = engine::testing::upd;

inline constexpr char kFunction[] = "arn:aws:lambda:us-east-1:123456789012:function:orders";

// arn:...:function:orders:VERSION/durable-execution/NAME/id-NAME.
inline std::string ExecutionArn(const std::string& name, const std::string& version = "1",
                                const std::string& function = kFunction) {
  return function + ":" + version + "/durable-execution/" + name + "/id-" + name;
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Parameterized tests' names hold '/', which would nest directories left behind.
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    path_ = std::filesystem::temp_directory_path() /
            ("durafn-store-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a write method and waits for its Done: the refusal if it was refused, else the
// durable outcome.
template <class Submit>
Status Wait(Submit&& submit) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Status s = submit([&promise](Status st) { promise.set_value(std::move(st)); });
  if (!s.ok()) return s;
  return future.get();
}

inline Result<int64_t> PurgeAndWait(ExecutionStore& store, protocol::Timestamp now, int64_t limit) {
  std::promise<Result<int64_t>> promise;
  auto future = promise.get_future();
  Status s = store.PurgeExpired(now, limit,
                                [&promise](Result<int64_t> r) { promise.set_value(std::move(r)); });
  if (!s.ok()) return s;
  return future.get();
}

// One execution driven through the engine like the shell does. Outcomes accumulate in
// `pending` until the next Create/Save, which consumes them.
class Driver {
 public:
  engine::ExecutionState state;
  engine::Outcome pending;
  std::vector<protocol::Event> history;  // every event so far
  int64_t saved_change = 0;              // record.change_counter as of the last persisted write
  std::string token;
  std::string request_id;
  int invocations = 0;
  int nonces = 0;
  engine::Limits limits;

  // Starts `arn` (name and version taken from it) at `now`.
  explicit Driver(const std::string& arn, protocol::Timestamp now,
                  std::optional<std::string> input = "{\"order\":1}", int64_t timeout = 3600,
                  int64_t retention_days = 14) {
    auto parsed = protocol::ParseDurableExecutionArn(arn);
    EXPECT_TRUE(parsed.ok()) << arn;
    engine::StartExecutionParams p;
    p.arn = arn;
    p.name = parsed.ok() ? parsed->execution_name : "";
    p.function_arn = parsed.ok() ? parsed->FunctionArn() : "";
    p.version = parsed.ok() ? parsed->version : "";
    p.input = std::move(input);
    p.execution_timeout_seconds = timeout;
    p.retention_days = retention_days;
    auto started = engine::StartExecution(p, now, limits);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    if (!started.ok()) return;
    state = std::move(started->state);
    Take(std::move(started->outcome));
  }

  const std::string& arn() const { return state.record.arn; }

  void Begin(protocol::Timestamp now) {
    request_id = "req-" + std::to_string(++invocations);
    auto began = engine::BeginInvocation(state, request_id, now, limits);
    ASSERT_TRUE(began.ok()) << began.error().message;
    token = began->envelope.checkpoint_token;
    Take(std::move(began->outcome));
  }

  void Checkpoint(std::vector<protocol::OperationUpdate> updates, protocol::Timestamp now) {
    protocol::CheckpointDurableExecutionRequest req;
    req.durable_execution_arn = arn();
    req.checkpoint_token = token;
    req.updates = std::move(updates);
    req.client_token = "ct-" + std::to_string(state.record.token_sequence);
    auto result = engine::Checkpoint(state, req, now, limits,
                                     [this] { return "nonce" + std::to_string(++nonces); });
    ASSERT_TRUE(result.ok()) << result.error().message;
    if (result->response.checkpoint_token) token = *result->response.checkpoint_token;
    Take(std::move(result->outcome));
  }

  void Complete(const engine::InvocationResult& result, protocol::Timestamp now) {
    auto out = engine::CompleteInvocation(state, request_id, result, now, limits);
    ASSERT_TRUE(out.ok()) << out.error().message;
    Take(std::move(*out));
  }

  void Fire(engine::TimerKind kind, std::string_view op, protocol::Timestamp now) {
    Take(engine::FireTimer(state, kind, op, now));
  }

  void Callback(std::string_view op_id, const engine::CallbackCompletion& c,
                protocol::Timestamp now) {
    const auto* e = state.ops.Find(op_id);
    ASSERT_NE(e, nullptr);
    std::string callback_id = *e->op.callback_details->callback_id;
    auto out = engine::CompleteCallback(state, callback_id, c, now, limits);
    ASSERT_TRUE(out.ok()) << out.error().message;
    Take(std::move(*out));
  }

  void Stop(protocol::Timestamp now) {
    auto out = engine::Stop(state, std::nullopt, now, limits);
    ASSERT_TRUE(out.ok()) << out.error().message;
    Take(std::move(out->outcome));
  }

  // Persists the start (and whatever is pending) as a new execution.
  Status Create(ExecutionStore& store) {
    Status s = Wait([&](ExecutionStore::Done d) { return store.Create(state, pending, d); });
    if (s.ok()) Persisted();
    return s;
  }

  // Persists what changed since the last write.
  Status Save(ExecutionStore& store) {
    Status s =
        Wait([&](ExecutionStore::Done d) { return store.Save(state, pending, saved_change, d); });
    if (s.ok()) Persisted();
    return s;
  }

  // Fires `timer` and persists the outcome with SaveTimerFired.
  Status FireAndSave(ExecutionStore& store, const TimerRow& timer, protocol::Timestamp now) {
    Fire(timer.kind, timer.operation_id, now);
    Status s = Wait([&](ExecutionStore::Done d) {
      return store.SaveTimerFired(timer, state, pending, saved_change, d);
    });
    if (s.ok()) Persisted();
    return s;
  }

  // Marks the pending outcome as persisted (for writes submitted without waiting).
  void Persisted() {
    pending = {};
    saved_change = state.record.change_counter;
  }

 private:
  void Take(engine::Outcome out) {
    for (auto& e : out.events)
      history.push_back(e);
    for (auto& e : out.events)
      pending.events.push_back(std::move(e));
    for (auto& e : out.effects)
      pending.effects.push_back(std::move(e));
  }
};

// A state with one of everything: steps (one retried), a wait, callbacks (one with
// timeouts, one completed), a child context, a chained invoke; the invocation still running.
inline void DriveRichExecution(Driver& d) {
  using protocol::ErrorObject;
  d.Begin(T(1));
  d.Checkpoint({upd::StepStart("s1"), upd::StepSucceed("s1", "\"enriched\"")}, T(2));
  d.Checkpoint({upd::StepStart("s2"), upd::StepRetry("s2", 5, engine::testing::Err("Oops"))}, T(3));
  d.Checkpoint({upd::WaitStart("w1", 30)}, T(4));
  d.Checkpoint({upd::CallbackStart("cb1", 600, 60), upd::CallbackStart("cb2")}, T(5));
  d.Checkpoint({upd::ContextStart("ctx", "RunInChildContext")}, T(6));
  auto child = upd::StepStart("ctx-s1");
  child.parent_id = "ctx";
  child.name = "child step";
  d.Checkpoint({child}, T(6.5));
  d.Checkpoint({upd::InvokeStart("inv", "other-function", "{\"x\":1}")}, T(7));
  d.Callback("cb2", engine::CallbackSuccess{"\"approved\""}, T(8));
  d.Callback("cb1", engine::CallbackHeartbeat{}, T(9));
}

}  // namespace durafn::store::testing
