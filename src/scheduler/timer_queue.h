// The in-memory side of durable timers: the timers due within a horizon, in due order.
//
// The store is the truth for timers; this queue holds only those due before `horizon_end()`
// so a million pending timers do not mean a million heap entries. The owner refills it from
// the store (RefillFrom) as the horizon moves forward. Cancelling is lazy: a cancelled or
// replaced entry stays in the heap until it reaches the top, then is skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/timestamp.h"

namespace durafn::scheduler {

// What a timer is for; one timer per (execution, operation, kind) at a time.
struct TimerKey {
  std::string execution_arn;
  std::string operation_id;  // "" for execution-level timers (execution timeout, retries)
  int kind = 0;              // the engine's timer kind, opaque here

  bool operator==(const TimerKey&) const = default;
};

struct TimerKeyHash {
  std::size_t operator()(const TimerKey& k) const;
};

struct Timer {
  TimerKey key;
  protocol::Timestamp due;
};

class TimerQueue {
 public:
  // Timers due at or after `horizon_end` are not held (the store keeps them).
  explicit TimerQueue(protocol::Timestamp horizon_end) : horizon_end_(horizon_end) {}

  // Sets (or moves) the timer `key` to `due`. Returns false, holding nothing, when `due` is
  // beyond the horizon: the caller relies on the store and a later refill for it.
  bool Set(const TimerKey& key, protocol::Timestamp due);
  // Forgets `key`; a no-op if it is not held.
  void Cancel(const TimerKey& key);

  // Removes and returns every live timer due at or before `now`, earliest first.
  std::vector<Timer> PopDue(protocol::Timestamp now);
  // The earliest live due time, if any (skips cancelled entries).
  std::optional<protocol::Timestamp> NextDue();

  // Moves the horizon to `new_end` (not backwards) and adds the timers that `load` returns
  // for [old_end, new_end): the store's timers in that window.
  void RefillFrom(protocol::Timestamp new_end,
                  const std::function<std::vector<Timer>(protocol::Timestamp from,
                                                         protocol::Timestamp to)>& load);

  protocol::Timestamp horizon_end() const { return horizon_end_; }
  // Live timers held.
  std::size_t size() const { return live_.size(); }

 private:
  struct Entry {
    protocol::Timestamp due;
    uint64_t generation;  // matches live_[key] while this entry is current
    TimerKey key;
    bool operator>(const Entry& o) const { return due > o.due; }
  };
  void DropStaleTop();

  protocol::Timestamp horizon_end_;
  uint64_t next_generation_ = 1;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<TimerKey, uint64_t, TimerKeyHash> live_;  // key -> current generation
};

}  // namespace durafn::scheduler
