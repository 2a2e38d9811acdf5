// The operations of one execution: insertion-ordered (the order of the envelope, §3.2 rule
// 2) with an index by id. Entries are never removed, so a position is a stable cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
  // carries every operation changed after the handler's watermark (§5.6).
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
  std::vector<OperationEntry> entries_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
};

}  // namespace durafn::engine
