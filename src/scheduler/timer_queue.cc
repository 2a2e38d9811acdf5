#include "scheduler/timer_queue.h"

#include <cassert>

namespace durafn::scheduler {

std::size_t TimerKeyHash::operator()(const TimerKey& k) const {
  std::size_t h = std::hash<std::string>{}(k.execution_arn);
  h ^= std::hash<std::string>{}(k.operation_id) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h ^ (static_cast<std::size_t>(k.kind) * 0x100000001b3ULL);
}

bool TimerQueue::Set(const TimerKey& key, protocol::Timestamp due) {
  if (due >= horizon_end_) {
    Cancel(key);  // an older, nearer setting of the same timer must not fire
    return false;
  }
  uint64_t gen = next_generation_++;
  live_[key] = gen;
  heap_.push(Entry{due, gen, key});
  return true;
}

void TimerQueue::Cancel(const TimerKey& key) {
  live_.erase(key);
}

void TimerQueue::DropStaleTop() {
  while (!heap_.empty()) {
    const Entry& top = heap_.top();
    auto it = live_.find(top.key);
    if (it != live_.end() && it->second == top.generation) return;
    heap_.pop();
  }
}

std::vector<Timer> TimerQueue::PopDue(protocol::Timestamp now) {
  std::vector<Timer> due;
  for (DropStaleTop(); !heap_.empty() && heap_.top().due <= now; DropStaleTop()) {
    Entry e = heap_.top();
    heap_.pop();
    live_.erase(e.key);
    due.push_back(Timer{std::move(e.key), e.due});
  }
  return due;
}

std::optional<protocol::Timestamp> TimerQueue::NextDue() {
  DropStaleTop();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

void TimerQueue::RefillFrom(
    protocol::Timestamp new_end,
    const std::function<std::vector<Timer>(protocol::Timestamp, protocol::Timestamp)>& load) {
  if (new_end <= horizon_end_) return;
  protocol::Timestamp from = horizon_end_;
  horizon_end_ = new_end;
  for (auto& t : load(from, new_end)) {
    assert(t.due >= from && t.due < new_end && "store returned a timer outside the window");
    // A timer already set by a newer decision wins over the stored copy of the same key.
    if (live_.count(t.key)) continue;
    Set(t.key, t.due);
  }
}

}  // namespace durafn::scheduler
