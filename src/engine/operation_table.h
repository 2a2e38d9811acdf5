// The operations of one execution: insertion-ordered (the order of the envelope, §3.2 rule
// 2) with an index by id. Entries are never removed, so a position is a stable cursor.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/operation.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

// Service-side settings of a CALLBACK that the Operation object does not carry.
struct CallbackSettings {
  int64_t timeout_seconds = 0;            // 0: no overall timeout
  int64_t heartbeat_timeout_seconds = 0;  // 0: no heartbeat timeout
  std::optional<protocol::Timestamp> timeout_deadline;
  std::optional<protocol::Timestamp> heartbeat_deadline;  // moved by each heartbeat
  bool operator==(const CallbackSettings&) const = default;
};

// What the service must remember about a CHAINED_INVOKE: its target (to restart it after a
// crash) and its ChainedInvokeStarted event (to fill in the target's identity later).
struct ChainedInvokeRecord {
  std::string function_name;
  std::optional<std::string> tenant_id;
  std::optional<std::string> input_payload;
  std::optional<std::string> executed_version;
  std::optional<std::string> durable_execution_arn;
  int64_t started_event_id = 0;
  protocol::Timestamp started_at;
  bool operator==(const ChainedInvokeRecord&) const = default;
};

struct OperationEntry {
  protocol::Operation op;
  // Value of ExecutionRecord::change_counter when `op` last changed; the checkpoint response
  // carries every operation changed after the handler's watermark (§5.6). Set it through
  // OperationTable::MarkChanged (or Append/Replace), which keeps the table's change list.
  int64_t changed_at = 0;
  std::optional<int64_t> wait_seconds;         // WAIT: the requested duration, for WaitSucceeded
  std::optional<CallbackSettings> callback;    // CALLBACK only
  std::optional<ChainedInvokeRecord> chained;  // CHAINED_INVOKE only
  bool operator==(const OperationEntry&) const = default;
};

class OperationTable {
 public:
  // The entry with `id`, or nullptr. Pointers are invalidated by Append.
  const OperationEntry* Find(std::string_view id) const;
  OperationEntry* Find(std::string_view id);

  // Position of `id` in creation order, or nullopt.
  std::optional<std::size_t> PositionOf(std::string_view id) const;

  // Adds `entry` at the end. Requires that no entry has its id.
  OperationEntry& Append(OperationEntry entry);
  // Replaces the entry at `pos` by `entry`, which must have its id (a stored copy of a
  // newer version of it).
  void Replace(std::size_t pos, OperationEntry entry);

  // Sets `entry`'s changed_at to `counter`, the execution's change counter, which only grows.
  // `entry` must be one of this table's entries.
  void MarkChanged(OperationEntry& entry, int64_t counter);

  // Calls f(position, entry) for each entry whose changed_at is above `counter`, in creation
  // order. Costs about the number of such entries when the table still remembers the changes
  // after `counter` (the last kRememberedChanges), and a scan of the table otherwise: the
  // callers ask for what changed since the last checkpoint or save, which is a few entries
  // of a table that may hold thousands.
  template <class F>
  void ForEachChangedSince(int64_t counter, F&& f) const {
    if (counter < forgotten_through_) {
      for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].changed_at > counter) f(i, entries_[i]);
      }
      return;
    }
    std::vector<std::size_t> positions;
    for (auto it = changes_.rbegin(); it != changes_.rend() && it->first > counter; ++it) {
      // An entry changed twice is listed twice; its newest change stands for it.
      if (entries_[it->second].changed_at == it->first) positions.push_back(it->second);
    }
    std::sort(positions.begin(), positions.end());
    for (std::size_t pos : positions)
      f(pos, entries_[pos]);
  }

  // Calls keep(entry) for each entry appended, replaced or changed since the last pass, and
  // each entry the last pass kept, in creation order; `keep` returns whether the next pass
  // must see the entry again even if it does not change. The engine so looks only at the
  // operations that may have a timer running, not at every operation of a long history.
  // `keep` may change entries (MarkChanged) but not append any.
  template <class F>
  void ForEachActive(F&& keep) {
    std::vector<std::size_t> visit = std::move(active_);
    active_.clear();
    std::sort(visit.begin(), visit.end());
    visit.erase(std::unique(visit.begin(), visit.end()), visit.end());
    [[maybe_unused]] const std::size_t size = entries_.size();
    for (std::size_t pos : visit) {
      if (keep(entries_[pos])) active_.push_back(pos);
    }
    assert(entries_.size() == size);
  }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const OperationEntry& at(std::size_t pos) const { return entries_.at(pos); }
  OperationEntry& at(std::size_t pos) { return entries_.at(pos); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  auto begin() { return entries_.begin(); }
  auto end() { return entries_.end(); }

  // Checks that the index and the list agree (O(n); for invariant checks).
  bool IndexConsistent() const;
  // Entries in the index (equal to size(); for invariant checks).
  std::size_t indexed() const { return index_.size(); }

  bool operator==(const OperationTable& other) const { return entries_ == other.entries_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // How many recent changes ForEachChangedSince can answer from: a bound on memory per
  // cached execution.
  static constexpr std::size_t kRememberedChanges = 64;
  void Activate(std::size_t pos);

  std::vector<OperationEntry> entries_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  // (changed_at, position) of the latest MarkChanged calls, oldest first; every change
  // above forgotten_through_ is listed.
  std::vector<std::pair<int64_t, std::size_t>> changes_;
  int64_t forgotten_through_ = 0;
  // Positions for ForEachActive, unsorted, maybe repeated (bounded by Activate).
  std::vector<std::size_t> active_;
};

}  // namespace durafn::engine
