#include "api/execution_service.h"

#include <cassert>
#include <random>

#include "engine/apply.h"
#include "engine/callback_id.h"
#include "protocol/thread_name.h"

namespace durafn::api {
namespace {

using protocol::ApiError;
using protocol::ErrorCode;

ApiError StoreError(const Status& s) {
  if (s.code() == Status::Code::kResourceExhausted) {
    return {ErrorCode::kTooManyRequests, "The server is busy, retry later: " + s.message()};
  }
  if (s.code() == Status::Code::kFailedPrecondition) {
    return {ErrorCode::kService, "The execution changed concurrently; retry: " + s.message()};
  }
  return {ErrorCode::kService, "Internal error: " + s.message()};
}

ApiError UnknownExecution(const std::string& arn) {
  return {ErrorCode::kResourceNotFound, "Durable execution not found: " + arn};
}

// Read more than this many timers at once only in several refills.
constexpr int64_t kMaxTimersPerRefill = 1'000'000;
// How often expired executions are purged, and how many per transaction.
constexpr int64_t kPurgeIntervalMs = 60'000;
constexpr int64_t kPurgeBatch = 1000;
// How soon a timer whose firing, or an invocation whose start, could not be saved is tried
// again, and how many such invocations wait at most (beyond it, recovery at the next start
// finds them: they stay queued in the store).
constexpr int64_t kTimerRetryMs = 100;
constexpr std::size_t kMaxRequeued = 100'000;

// Failures that say "not now" rather than "never" (the store or a shard was full, a write
// raced): the same request can succeed later.
bool Transient(const ApiError& e) {
  return e.code == ErrorCode::kTooManyRequests || e.code == ErrorCode::kService;
}

}  // namespace

ExecutionService::ExecutionService(store::ExecutionStore& store, Clock clock,
                                   ExecutionServiceOptions options)
    : store_(store), clock_(std::move(clock)), options_(options), timers_(protocol::Timestamp{0}) {
  assert(options_.shards > 0);
  for (int i = 0; i < options_.shards; ++i)
    shards_.push_back(std::make_unique<Shard>());
}

ExecutionService::~ExecutionService() {
  Stop();
}

ExecutionService::Shard& ExecutionService::ShardFor(const std::string& arn) {
  return *shards_[std::hash<std::string>{}(arn) % shards_.size()];
}

bool ExecutionService::Post(const std::string& arn, std::function<void()> task, bool urgent) {
  Shard& shard = ShardFor(arn);
  {
    std::lock_guard lock(shard.mu);
    if (shard.stopping ||
        shard.tasks.size() + shard.urgent_tasks.size() >= options_.max_queued_tasks_per_shard) {
      return false;
    }
    (urgent ? shard.urgent_tasks : shard.tasks).push_back(std::move(task));
  }
  shard.cv.notify_one();
  return true;
}

template <class T>
void ExecutionService::PostOrReject(const std::string& arn, const Callback<T>& done,
                                    std::function<void()> task) {
  if (!Post(arn, std::move(task))) {
    done(ApiError{ErrorCode::kTooManyRequests, "Too many requests for this server; retry later"});
  }
}

void ExecutionService::RunShard(Shard& shard) {
  std::unique_lock lock(shard.mu);
  for (;;) {
    shard.cv.wait(lock, [&] {
      return !shard.running &&
             (shard.stopping || !shard.tasks.empty() || !shard.urgent_tasks.empty());
    });
    auto& queue = shard.urgent_tasks.empty() ? shard.tasks : shard.urgent_tasks;
    if (queue.empty()) return;  // stopping, and every task has run
    std::function<void()> task = std::move(queue.front());
    queue.pop_front();
    shard.running = true;
    lock.unlock();
    task();
    shard.cached.store(shard.cache.size(), std::memory_order_relaxed);
    lock.lock();
    shard.running = false;
  }
}

bool ExecutionService::RunInline(const std::string& arn, const std::function<bool()>& task) {
  Shard& shard = ShardFor(arn);
  {
    std::lock_guard lock(shard.mu);
    if (!shard.inline_allowed || shard.stopping || shard.running || !shard.tasks.empty() ||
        !shard.urgent_tasks.empty()) {
      return false;
    }
    shard.running = true;
  }
  // Hands the shard back even if `task` throws: the I/O thread survives a handler's
  // exception, and a shard left "running" would never run a task again.
  struct Release {
    Shard& shard;
    ~Release() {
      shard.cached.store(shard.cache.size(), std::memory_order_relaxed);
      bool wake;
      {
        std::lock_guard lock(shard.mu);
        shard.running = false;
        // The shard thread skipped what was posted meanwhile (it waits for `running`).
        wake = shard.stopping || !shard.tasks.empty() || !shard.urgent_tasks.empty();
      }
      if (wake) shard.cv.notify_one();
    }
  } release{shard};
  return task();
}

ExecutionService::Cached* ExecutionService::Lookup(Shard& shard, const std::string& arn,
                                                   ApiError* error) {
  auto it = shard.cache.find(arn);
  if (it != shard.cache.end()) return &it->second;
  auto loaded = store_.Load(arn);
  if (!loaded.ok()) {
    *error = StoreError(loaded.status());
    return nullptr;
  }
  if (!loaded->has_value()) {
    *error = UnknownExecution(arn);
    return nullptr;
  }
  if (shard.cache.size() >= options_.max_cached_per_shard) {
    // Bounded memory: drop an arbitrary entry. If it had a write in flight, a later load may
    // see the older state and its save is refused (FailedPrecondition), so nothing is lost.
    shard.cache.erase(shard.cache.begin());
  }
  int64_t counter = (**loaded).record.change_counter;
  auto [pos, inserted] = shard.cache.emplace(arn, Cached{std::move(**loaded), counter});
  assert(inserted);
  return &pos->second;
}

void ExecutionService::Persist(Shard& shard, const std::string& arn, Cached& cached,
                               engine::Outcome outcome, std::function<void(Status)> on_durable,
                               const store::TimerRow* fired, bool allow_skip) {
  int64_t saved = cached.saved_counter;
  cached.saved_counter = cached.state.record.change_counter;
  // What the effects need once the write is durable; the cached state may move on by then.
  auto closed_record = std::make_shared<std::optional<engine::ExecutionRecord>>(std::nullopt);
  for (const auto& e : outcome.effects) {
    if (std::holds_alternative<engine::ExecutionClosed>(e)) *closed_record = cached.state.record;
  }
  auto function_arn = cached.state.record.function_arn;
  const auto& rec = cached.state.record;
  // Skip-time mode: once this write is durable and no invocation is in flight, the clock may
  // jump to the next timer.
  bool may_skip = allow_skip && rec.skip_time &&
                  rec.status == protocol::ExecutionStatus::kRunning &&
                  (rec.phase == engine::InvocationPhase::kIdle ||
                   rec.phase == engine::InvocationPhase::kRetryBackoff);
  // No invocation in flight: waiting on a timer, callback or chained invoke, or for a worker
  // (queued), or ended. Nothing but the store is needed until the next event.
  const bool idle = rec.status != protocol::ExecutionStatus::kRunning ||
                    rec.phase != engine::InvocationPhase::kRunning;
  const int64_t counter = rec.change_counter;
  auto effects = std::make_shared<std::vector<engine::Effect>>(outcome.effects);
  auto done = [this, arn, function_arn, effects, closed_record, on_durable, may_skip, idle, counter,
               &shard](Status s) {
    if (!s.ok()) {
      // The cached state is ahead of the store: forget it, the next call reloads.
      Post(arn, [&shard, arn] { shard.cache.erase(arn); });
      on_durable(s);
      return;
    }
    if (idle) EvictIfUnchanged(shard, arn, counter);
    on_durable(s);
    engine::ExecutionState view;
    view.record.arn = arn;
    view.record.function_arn = function_arn;
    if (*closed_record) view.record = **closed_record;
    RunEffects(view, *effects);
    if (may_skip) Post(arn, [this, arn] { SkipToNextTimer(arn); });
  };
  Status s = fired ? store_.SaveTimerFired(*fired, cached.state, outcome, saved, done)
                   : store_.Save(cached.state, outcome, saved, done);
  if (!s.ok()) {
    shard.cache.erase(arn);
    on_durable(s);
    return;
  }
  // The caller's invocation may just have ended: record the results that waited for it, as a
  // task of its own (not inside this Persist, whose caller still holds `cached`).
  if (cached.state.record.phase != engine::InvocationPhase::kRunning &&
      shard.deferred_chained.count(arn) > 0 &&
      !Post(arn, [this, &shard, arn] { FlushDeferredChained(shard, arn); })) {
    FlushLater(arn);
  }
}

void ExecutionService::EvictIfUnchanged(Shard& shard, const std::string& arn, int64_t counter) {
  // Below the cap (the common case) no task is posted: the size seen here is at most one task
  // old, and the task checks it again.
  if (shard.cached.load(std::memory_order_relaxed) <= options_.idle_cached_per_shard) return;
  // Kept if anything changed since: the cached state may then be ahead of the store.
  Post(arn, [this, &shard, arn, counter] {
    auto it = shard.cache.find(arn);
    if (it != shard.cache.end() && shard.cache.size() > options_.idle_cached_per_shard &&
        it->second.state.record.change_counter == counter) {
      shard.cache.erase(it);
      std::lock_guard lock(stats_mu_);
      ++stats_.idle_evictions;
    }
  });
}

void ExecutionService::RunEffects(const engine::ExecutionState& state,
                                  const std::vector<engine::Effect>& effects) {
  const std::string& arn = state.record.arn;
  for (const auto& effect : effects) {
    if (const auto* t = std::get_if<engine::StartTimer>(&effect)) {
      std::lock_guard lock(timer_mu_);
      timers_.Set({arn, t->operation_id, static_cast<int>(t->kind)}, t->due);
      timer_cv_.notify_one();
    } else if (const auto* c = std::get_if<engine::CancelTimer>(&effect)) {
      std::lock_guard lock(timer_mu_);
      timers_.Cancel({arn, c->operation_id, static_cast<int>(c->kind)});
    } else if (std::holds_alternative<engine::QueueInvocation>(effect)) {
      if (sink_) sink_->QueueDurableInvocation(state.record.function_arn, arn);
    } else if (const auto* ci = std::get_if<engine::StartChainedInvoke>(&effect)) {
      if (chained_) chained_->StartChainedInvoke(arn, *ci);
    } else if (std::holds_alternative<engine::ExecutionClosed>(effect)) {
      NotifyClosed(state.record);
    }
    // StopChainedInvoke: the target keeps running; its completion is ignored by the engine
    // because the operation is already CANCELLED.
  }
}

void ExecutionService::NotifyClosed(const engine::ExecutionRecord& record) {
  std::vector<Waiter> ready;
  {
    std::lock_guard lock(waiter_mu_);
    auto [begin, end] = waiters_.equal_range(record.arn);
    for (auto it = begin; it != end; ++it)
      ready.push_back(std::move(it->second));
    waiters_.erase(begin, end);
  }
  for (auto& w : ready)
    w.done(record);
}

std::string ExecutionService::NewNonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string nonce(20, '0');
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i)
    nonce[i] = kHex[(a >> (4 * i)) & 0xf];
  for (int i = 16; i < 20; ++i)
    nonce[i] = kHex[(b >> (4 * (i - 16))) & 0xf];
  return nonce;
}

Status ExecutionService::Start() {
  assert(!started_);
  protocol::Timestamp now = clock_();
  auto horizon_end = protocol::Timestamp{now.ms + options_.timer_horizon.count()};
  Status load_error;
  {
    std::lock_guard lock(timer_mu_);
    timers_.RefillFrom(horizon_end, [&](protocol::Timestamp from, protocol::Timestamp to) {
      std::vector<scheduler::Timer> out;
      auto rows = store_.TimersDue(from, to, kMaxTimersPerRefill);
      if (!rows.ok()) {
        load_error = rows.status();
        return out;
      }
      for (auto& r : *rows) {
        out.push_back({{r.execution_arn, r.operation_id, static_cast<int>(r.kind)}, r.due});
      }
      return out;
    });
  }
  if (!load_error.ok()) return load_error;
  started_ = true;
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    s->thread = std::thread([this, s] {
      SetThreadName("shard");
      RunShard(*s);
    });
  }
  timer_thread_ = std::thread([this] {
    SetThreadName("timers");
    RunTimers();
  });
  Status recovered = Recover();
  if (!recovered.ok()) return recovered;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    shard->inline_allowed = true;
  }
  return Status::Ok();
}

void ExecutionService::Stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard lock(timer_mu_);
    timer_stopping_ = true;
  }
  timer_cv_.notify_all();
  timer_thread_.join();
  for (auto& shard : shards_) {
    {
      std::lock_guard lock(shard->mu);
      shard->stopping = true;
    }
    shard->cv.notify_all();
    shard->thread.join();
  }
  std::multimap<std::string, Waiter> waiters;
  {
    std::lock_guard lock(waiter_mu_);
    waiters.swap(waiters_);
  }
  for (auto& [arn, w] : waiters)
    w.done(std::nullopt);
}

Status ExecutionService::Recover() {
  auto arns = store_.RecoverableExecutions();
  if (!arns.ok()) return arns.status();
  for (const auto& arn : *arns) {
    Post(arn, [this, arn] {
      Shard& shard = ShardFor(arn);
      ApiError error;
      Cached* c = Lookup(shard, arn, &error);
      if (!c) return;
      auto& rec = c->state.record;
      if (rec.phase == engine::InvocationPhase::kRunning && rec.invocation) {
        // The worker that held it is gone with the old process: a failed invocation, which
        // the engine retries.
        engine::InvocationFailure failure{protocol::ErrorObject{
            "Runtime.ExitError", "The server restarted while the invocation was running",
            std::nullopt, std::nullopt}};
        auto out = engine::CompleteInvocation(c->state, rec.invocation->request_id, failure,
                                              Now(c->state), options_.limits);
        if (out.ok()) Persist(shard, arn, *c, std::move(*out), [](Status) {});
      } else if (rec.phase == engine::InvocationPhase::kQueued && sink_) {
        sink_->QueueDurableInvocation(rec.function_arn, arn);
      }
    });
  }
  // Chained invokes in flight: the waits for their targets died with the old process. Starting
  // them again finds a durable target by its derived name (and waits for it) or runs a plain
  // target once more.
  auto chained = store_.PendingChainedInvokes();
  if (!chained.ok()) return chained.status();
  for (const auto& key : *chained) {
    Post(key.arn, [this, key] {
      ApiError error;
      Cached* c = Lookup(ShardFor(key.arn), key.arn, &error);
      if (!c || !chained_) return;
      const engine::OperationEntry* e = c->state.ops.Find(key.operation_id);
      if (!e || !e->chained || e->op.status != protocol::OperationStatus::kStarted) return;
      chained_->StartChainedInvoke(
          key.arn, engine::StartChainedInvoke{e->op.id, e->chained->function_name,
                                              e->chained->input_payload, e->chained->tenant_id});
    });
  }
  return Status::Ok();
}

void ExecutionService::RunTimers() {
  std::unique_lock lock(timer_mu_);
  while (!timer_stopping_) {
    protocol::Timestamp now = clock_();
    // Keep the in-memory horizon ahead of the clock.
    if (now.ms + options_.timer_horizon.count() / 2 > timers_.horizon_end().ms) {
      auto from = timers_.horizon_end();
      auto to = protocol::Timestamp{now.ms + options_.timer_horizon.count()};
      lock.unlock();
      auto rows = store_.TimersDue(from, to, kMaxTimersPerRefill);
      lock.lock();
      if (rows.ok()) {
        if (static_cast<int64_t>(rows->size()) == kMaxTimersPerRefill) {
          to = rows->back().due;  // the rest (due >= to) comes with the next refill
        }
        timers_.RefillFrom(to, [&](protocol::Timestamp, protocol::Timestamp end) {
          std::vector<scheduler::Timer> out;
          for (auto& r : *rows) {
            if (r.due < end) {
              out.push_back({{r.execution_arn, r.operation_id, static_cast<int>(r.kind)}, r.due});
            }
          }
          return out;
        });
      }
    }
    // Retention: closed executions past their retention are deleted in small batches.
    if (now.ms >= next_purge_ms_) {
      next_purge_ms_ = now.ms + kPurgeIntervalMs;
      Status s = store_.PurgeExpired(now, kPurgeBatch, [this](Result<int64_t> purged) {
        // A full batch means more are due: look again soon rather than in a minute.
        if (purged.ok() && *purged == kPurgeBatch) {
          std::lock_guard lock(timer_mu_);
          next_purge_ms_ = 0;
        }
      });
      (void)s;  // a full write queue just postpones the purge to the next interval
    }
    if (!retries_.empty() && retries_.front().first <= now.ms) {
      std::vector<std::function<void()>> ready;
      while (!retries_.empty() && retries_.front().first <= now.ms) {
        ready.push_back(std::move(retries_.front().second));
        retries_.pop_front();
      }
      lock.unlock();
      for (auto& task : ready)
        task();
      lock.lock();
      continue;
    }
    auto due = timers_.PopDue(now);
    if (!due.empty()) {
      lock.unlock();
      for (auto& t : due) {
        FireTimer(store::TimerRow{t.key.execution_arn, static_cast<engine::TimerKind>(t.key.kind),
                                  t.key.operation_id, t.due});
      }
      lock.lock();
      continue;
    }
    // Expire sync waiters whose time is up.
    {
      std::vector<Waiter> expired;
      auto steady_now = std::chrono::steady_clock::now();
      {
        std::lock_guard wl(waiter_mu_);
        for (auto it = waiters_.begin(); it != waiters_.end();) {
          if (it->second.deadline <= steady_now) {
            expired.push_back(std::move(it->second));
            it = waiters_.erase(it);
          } else {
            ++it;
          }
        }
      }
      if (!expired.empty()) {
        lock.unlock();
        for (auto& w : expired)
          w.done(std::nullopt);
        lock.lock();
      }
    }
    auto next = timers_.NextDue();
    int64_t wait_ms = 1000;
    if (next) wait_ms = std::clamp<int64_t>(next->ms - clock_().ms, 0, 1000);
    if (!retries_.empty()) {
      wait_ms = std::min(wait_ms, std::max<int64_t>(retries_.front().first - clock_().ms, 0));
    }
    timer_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
  }
}

void ExecutionService::FireTimer(store::TimerRow timer) {
  std::string arn = timer.execution_arn;
  // The timer has left the in-memory queue; its row stays in the store until the firing
  // commits. Whatever keeps the firing from committing must put it back, or the execution
  // would wait until the next restart.
  auto retry_later = [this, arn, op = timer.operation_id, kind = static_cast<int>(timer.kind)] {
    CountRetry(true);
    std::lock_guard lock(timer_mu_);
    timers_.Set({arn, op, kind}, protocol::Timestamp{clock_().ms + kTimerRetryMs});
    timer_cv_.notify_one();
  };
  bool posted = Post(
      arn,
      [this, timer = std::move(timer), retry_later] {
        Shard& shard = ShardFor(timer.execution_arn);
        ApiError error;
        Cached* c = Lookup(shard, timer.execution_arn, &error);
        if (!c) {
          // Gone (deleted) is final; a store that could not load it may do so later.
          if (error.code != ErrorCode::kResourceNotFound) retry_later();
          return;
        }
        auto outcome = engine::FireTimer(c->state, timer.kind, timer.operation_id, Now(c->state));
        // A refused or failed write (e.g. the store's queue is full) fires it again shortly.
        Persist(
            shard, timer.execution_arn, *c, std::move(outcome),
            [this, retry_later](Status s) {
              if (!s.ok()) return retry_later();
              std::lock_guard lock(stats_mu_);
              ++stats_.timers_fired;
            },
            &timer);
      },
      /*urgent=*/true);
  if (!posted) retry_later();  // the shard is saturated
}

void ExecutionService::StartExecution(StartExecutionRequest request,
                                      Callback<StartedExecution> done) {
  std::string arn = request.execution_arn;
  PostOrReject(arn, done, [this, request = std::move(request), done] {
    // Same name again: the existing execution if the input matches (§2.2).
    auto answer_existing = [this, request, done](const std::string& existing_arn) {
      auto record = store_.LoadRecord(existing_arn);
      if (!record.ok()) return done(StoreError(record.status()));
      if (!record->has_value()) return done(UnknownExecution(existing_arn));
      if ((**record).input_payload != request.input) {
        return done(ApiError{ErrorCode::kDurableExecutionAlreadyStarted,
                             "Durable execution with name " + request.name +
                                 " already exists with a different input: " + existing_arn});
      }
      done(StartedExecution{std::move(**record), true});
    };
    auto found = store_.FindByName(request.unqualified_function_arn, request.name);
    if (!found.ok()) return done(StoreError(found.status()));
    if (found->has_value()) return answer_existing(**found);

    engine::StartExecutionParams params{request.execution_arn,  request.name,
                                        request.function_arn,   request.version,
                                        request.input,          request.execution_timeout_seconds,
                                        request.retention_days, request.sync};
    auto started = engine::StartExecution(params, clock_(), options_.limits);
    if (!started.ok()) return done(started.error());
    if (request.skip_time) {
      if (!options_.allow_skip_time) {
        return done(ApiError{ErrorCode::kInvalidParameterValue,
                             "Skip-time mode is not enabled on this server (durafn serve "
                             "--skip-time)"});
      }
      started->state.record.skip_time = true;
    }
    Shard& shard = ShardFor(request.execution_arn);
    auto outcome = std::move(started->outcome);
    int64_t counter = started->state.record.change_counter;
    auto record = started->state.record;
    auto [pos, inserted] = shard.cache.insert_or_assign(request.execution_arn,
                                                        Cached{std::move(started->state), counter});
    (void)inserted;
    auto effects = outcome.effects;
    Status s = store_.Create(
        pos->second.state, outcome,
        [this, request, done, record, effects, answer_existing, &shard](Status st) {
          if (st.ok()) {
            {
              std::lock_guard lock(stats_mu_);
              ++stats_.executions_started;
            }
            // Queued for its first invocation: idle until a worker takes it.
            EvictIfUnchanged(shard, record.arn, record.change_counter);
            done(StartedExecution{record, false});
            engine::ExecutionState view;
            view.record = record;
            RunEffects(view, effects);
            return;
          }
          std::string arn = request.execution_arn;
          Post(arn, [&shard, arn] { shard.cache.erase(arn); });
          if (st.code() == Status::Code::kAlreadyExists) {
            // Lost a race with another start of the same name: answer from a shard thread,
            // since looking it up reads the database.
            Post(arn, [this, request, answer_existing, done] {
              auto found = store_.FindByName(request.unqualified_function_arn, request.name);
              if (!found.ok()) return done(StoreError(found.status()));
              if (!found->has_value()) return done(UnknownExecution(request.execution_arn));
              answer_existing(**found);
            });
            return;
          }
          done(StoreError(st));
        });
    if (!s.ok()) {
      shard.cache.erase(request.execution_arn);
      done(StoreError(s));
    }
  });
}

void ExecutionService::WaitForClose(
    const std::string& arn, std::chrono::milliseconds timeout,
    std::function<void(std::optional<engine::ExecutionRecord>)> done) {
  {
    std::lock_guard lock(waiter_mu_);
    waiters_.emplace(arn, Waiter{std::chrono::steady_clock::now() + timeout, std::move(done)});
  }
  // It may have closed before the waiter was registered.
  Post(arn, [this, arn] {
    auto record = store_.LoadRecord(arn);
    if (record.ok() && record->has_value() && protocol::IsTerminal((**record).status)) {
      NotifyClosed(**record);
    }
  });
}

void ExecutionService::Checkpoint(const std::string& arn,
                                  protocol::CheckpointDurableExecutionRequest request,
                                  Callback<protocol::CheckpointDurableExecutionResponse> done) {
  const auto received = std::chrono::steady_clock::now();
  // `inline_call`: on the caller's thread, which must not block on a store read.
  auto run = [this, arn, request = std::move(request), done, received](bool inline_call) {
    Shard& shard = ShardFor(arn);
    if (inline_call && !shard.cache.contains(arn)) return false;
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) {
      if (error.code == ErrorCode::kResourceNotFound)
        error.code = ErrorCode::kInvalidParameterValue;
      done(error);
      return true;
    }
    auto result = engine::Checkpoint(c->state, request, Now(c->state), options_.limits,
                                     [this] { return NewNonce(); });
    if (!result.ok()) {
      done(result.error());
      return true;
    }
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.checkpoints;
    }
    auto response =
        std::make_shared<protocol::CheckpointDurableExecutionResponse>(std::move(result->response));
    Persist(shard, arn, *c, std::move(result->outcome), [this, done, response, received](Status s) {
      if (!s.ok()) return done(StoreError(s));
      checkpoint_seconds_.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
      done(std::move(*response));
    });
    return true;
  };
  if (RunInline(arn, [&run] { return run(true); })) return;
  PostOrReject(arn, done, [run = std::move(run)] { run(false); });
}

void ExecutionService::GetState(const std::string& arn,
                                protocol::GetDurableExecutionStateRequest request,
                                Callback<protocol::GetDurableExecutionStateResponse> done) {
  PostOrReject(arn, done, [this, arn, request = std::move(request), done] {
    ApiError error;
    Cached* c = Lookup(ShardFor(arn), arn, &error);
    if (!c) {
      if (error.code == ErrorCode::kResourceNotFound)
        error.code = ErrorCode::kInvalidParameterValue;
      return done(error);
    }
    done(engine::GetState(c->state, request, options_.limits));
  });
}

void ExecutionService::Stop(const std::string& arn, std::optional<protocol::ErrorObject> error,
                            Callback<protocol::Timestamp> done) {
  PostOrReject(arn, done, [this, arn, error = std::move(error), done] {
    Shard& shard = ShardFor(arn);
    ApiError lookup_error;
    Cached* c = Lookup(shard, arn, &lookup_error);
    if (!c) return done(lookup_error);
    auto result = engine::Stop(c->state, error, Now(c->state), options_.limits);
    if (!result.ok()) return done(result.error());
    auto ts = result->stop_timestamp;
    Persist(shard, arn, *c, std::move(result->outcome), [done, ts](Status s) {
      if (s.ok()) return done(ts);
      done(StoreError(s));
    });
  });
}

void ExecutionService::CompleteCallback(const std::string& callback_id,
                                        engine::CallbackCompletion completion,
                                        Callback<bool> done) {
  auto parts = engine::ParseCallbackId(callback_id);
  if (!parts) return done(engine::InvalidParameter("Invalid callback id: " + callback_id));
  std::string arn = parts->execution_arn;
  PostOrReject(arn, done, [this, arn, callback_id, completion = std::move(completion), done] {
    Shard& shard = ShardFor(arn);
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) {
      if (error.code == ErrorCode::kResourceNotFound) {
        error.message = "Callback not found: " + callback_id;
      }
      return done(error);
    }
    auto result =
        engine::CompleteCallback(c->state, callback_id, completion, Now(c->state), options_.limits);
    if (!result.ok()) return done(result.error());
    Persist(shard, arn, *c, std::move(*result), [done](Status s) {
      if (s.ok()) return done(true);
      done(StoreError(s));
    });
  });
}

void ExecutionService::CompleteChainedInvoke(const std::string& arn,
                                             const std::string& operation_id,
                                             engine::ChainedInvokeCompletion completion) {
  Post(arn, [this, arn, operation_id, completion = std::move(completion)] {
    Shard& shard = ShardFor(arn);
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) return;
    if (c->state.record.phase == engine::InvocationPhase::kRunning) {
      // As on Lambda, where a target never finishes within the few milliseconds the caller
      // takes to suspend: the caller's InvocationCompleted comes first in the history.
      shard.deferred_chained.emplace(arn, std::pair(operation_id, completion));
      return;
    }
    ApplyChained(shard, arn, *c, operation_id, completion);
  });
}

void ExecutionService::ApplyChained(Shard& shard, const std::string& arn, Cached& cached,
                                    const std::string& operation_id,
                                    const engine::ChainedInvokeCompletion& completion) {
  auto result =
      engine::CompleteChainedInvoke(cached.state, operation_id, completion, Now(cached.state));
  if (!result.ok()) return;  // e.g. the execution ended meanwhile
  Persist(shard, arn, cached, std::move(*result), [this, arn, operation_id, completion](Status s) {
    // Not saved (store full): record it again shortly rather than lose the result.
    if (!s.ok()) {
      RetryLater([this, arn, operation_id, completion] {
        CompleteChainedInvoke(arn, operation_id, completion);
      });
    }
  });
}

void ExecutionService::FlushDeferredChained(Shard& shard, const std::string& arn) {
  auto range = shard.deferred_chained.equal_range(arn);
  if (range.first == range.second) return;
  std::vector<std::pair<std::string, engine::ChainedInvokeCompletion>> ready;
  for (auto it = range.first; it != range.second; ++it)
    ready.push_back(std::move(it->second));
  shard.deferred_chained.erase(range.first, range.second);
  for (auto& [operation_id, completion] : ready) {
    // Back through the normal path: it defers again if another invocation started already.
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) return;
    if (c->state.record.phase == engine::InvocationPhase::kRunning) {
      shard.deferred_chained.emplace(arn, std::pair(operation_id, std::move(completion)));
      continue;
    }
    ApplyChained(shard, arn, *c, operation_id, completion);
  }
}

void ExecutionService::RecordChainedTarget(const std::string& arn, const std::string& operation_id,
                                           std::optional<std::string> executed_version,
                                           std::optional<std::string> target_arn) {
  Post(arn, [this, arn, operation_id, executed_version, target_arn] {
    Shard& shard = ShardFor(arn);
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) return;
    auto event =
        engine::RecordChainedInvokeTarget(c->state, operation_id, executed_version, target_arn);
    if (!event.ok()) return;
    Status s = store_.ReplaceEvent(c->state, *event, [this, arn, &shard](Status st) {
      if (!st.ok()) Post(arn, [&shard, arn] { shard.cache.erase(arn); });
    });
    if (!s.ok()) shard.cache.erase(arn);
  });
}

void ExecutionService::RetryLater(std::function<void()> task) {
  bool queued = false;
  {
    std::lock_guard lock(timer_mu_);
    if (retries_.size() < kMaxRequeued) {
      retries_.emplace_back(clock_().ms + kTimerRetryMs, std::move(task));
      queued = true;
    }
  }
  CountRetry(queued);
  if (queued) timer_cv_.notify_one();
}

void ExecutionService::CountRetry(bool queued) {
  std::lock_guard lock(stats_mu_);
  ++(queued ? stats_.retries : stats_.retries_dropped);
}

void ExecutionService::Requeue(const std::string& arn) {
  bool posted = Post(arn, [this, arn] {
    ApiError error;
    Cached* c = Lookup(ShardFor(arn), arn, &error);
    if (!c) {
      if (Transient(error)) RetryLater([this, arn] { Requeue(arn); });
      return;
    }
    // Only if it still waits to start: it may have run meanwhile (a recovery queued it too).
    if (c->state.record.phase == engine::InvocationPhase::kQueued && sink_) {
      sink_->QueueDurableInvocation(c->state.record.function_arn, arn);
    }
  });
  if (!posted) RetryLater([this, arn] { Requeue(arn); });
}

void ExecutionService::BeginInvocation(const std::string& arn, const std::string& request_id,
                                       Callback<protocol::InvocationEnvelope> caller_done) {
  // The caller drops an invocation that could not start; a transient failure queues it again.
  Callback<protocol::InvocationEnvelope> done =
      [this, arn, caller_done](ApiResult<protocol::InvocationEnvelope> r) {
        if (!r.ok() && Transient(r.error())) RetryLater([this, arn] { Requeue(arn); });
        caller_done(std::move(r));
      };
  PostOrReject(arn, done, [this, arn, request_id, done] {
    Shard& shard = ShardFor(arn);
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) return done(error);
    auto result = engine::BeginInvocation(c->state, request_id, Now(c->state), options_.limits);
    if (!result.ok()) return done(result.error());
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.invocations_started;
    }
    auto envelope = std::make_shared<protocol::InvocationEnvelope>(std::move(result->envelope));
    Persist(shard, arn, *c, std::move(result->outcome), [done, envelope](Status s) {
      if (s.ok()) return done(std::move(*envelope));
      done(StoreError(s));
    });
  });
}

void ExecutionService::CompleteInvocation(const std::string& arn, const std::string& request_id,
                                          engine::InvocationResult result, Callback<bool> done) {
  PostOrReject(arn, done, [this, arn, request_id, result = std::move(result), done] {
    Shard& shard = ShardFor(arn);
    ApiError error;
    Cached* c = Lookup(shard, arn, &error);
    if (!c) return done(error);
    auto outcome =
        engine::CompleteInvocation(c->state, request_id, result, Now(c->state), options_.limits);
    if (!outcome.ok()) return done(outcome.error());
    Persist(shard, arn, *c, std::move(*outcome), [done](Status s) {
      if (s.ok()) return done(true);
      done(StoreError(s));
    });
  });
}

protocol::Timestamp ExecutionService::Now(const engine::ExecutionState& state) const {
  return protocol::Timestamp{clock_().ms + state.record.skipped_ms};
}

void ExecutionService::FlushLater(const std::string& arn) {
  RetryLater([this, arn] {
    if (!Post(arn, [this, arn] { FlushDeferredChained(ShardFor(arn), arn); })) FlushLater(arn);
  });
}

void ExecutionService::SkipLater(const std::string& arn) {
  RetryLater([this, arn] {
    if (!Post(arn, [this, arn] { SkipToNextTimer(arn); })) SkipLater(arn);
  });
}

void ExecutionService::SkipToNextTimer(const std::string& arn) {
  Shard& shard = ShardFor(arn);
  ApiError error;
  Cached* c = Lookup(shard, arn, &error);
  if (!c) return;
  auto& rec = c->state.record;
  if (!rec.skip_time || rec.status != protocol::ExecutionStatus::kRunning ||
      (rec.phase != engine::InvocationPhase::kIdle &&
       rec.phase != engine::InvocationPhase::kRetryBackoff)) {
    return;
  }
  // The next timer that ends a wait of the handler's own; the execution timeout counts only
  // when it comes first. With none, the execution waits for something external (a callback,
  // a chained invoke), which keeps real time.
  std::optional<engine::StartTimer> next, deadline;
  for (auto& t : engine::ArmedTimers(c->state)) {
    if (t.kind == engine::TimerKind::kExecutionTimeout) {
      deadline = t;
    } else if (!next || t.due < next->due) {
      next = t;
    }
  }
  if (!next) return;
  if (deadline && deadline->due < next->due) next = deadline;
  protocol::Timestamp now = Now(c->state);
  if (next->due > now) rec.skipped_ms += next->due.ms - now.ms;
  {
    std::lock_guard lock(timer_mu_);
    timers_.Cancel({arn, next->operation_id, static_cast<int>(next->kind)});
  }
  auto outcome = engine::FireTimer(c->state, next->kind, next->operation_id, Now(c->state));
  {
    std::lock_guard lock(stats_mu_);
    ++stats_.timers_fired;
  }
  // A fire that changed nothing would find the same timer again: stop there.
  bool progressed = !outcome.events.empty() || !outcome.effects.empty();
  store::TimerRow fired{arn, next->kind, next->operation_id, next->due};
  // Not saved (store full): the timer left memory but not the store; skip again shortly.
  Persist(
      shard, arn, *c, std::move(outcome),
      [this, arn](Status s) {
        if (!s.ok()) SkipLater(arn);
      },
      &fired, progressed);
}

ExecutionService::Stats ExecutionService::stats() const {
  Stats s;
  {
    std::lock_guard lock(stats_mu_);
    s = stats_;
  }
  for (const auto& shard : shards_)
    s.executions_cached += shard->cached.load(std::memory_order_relaxed);
  std::lock_guard lock(timer_mu_);
  s.timers_in_memory = timers_.size();
  return s;
}

}  // namespace durafn::api
