// The pure parts of `durafn logs tail`: reading --since and remembering which events were
// already shown while polling CloudWatch Logs' FilterLogEvents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace durafn::cli {

// "30s", "10m", "2h", "1d", "1w" (a duration back from now) as milliseconds; nullopt when
// malformed.
std::optional<int64_t> ParseSince(std::string_view text);

// Remembers the most recent `capacity` event ids so a follow poll that overlaps the last
// one prints nothing twice. Bounded: the oldest ids are forgotten first.
class SeenEvents {
 public:
  explicit SeenEvents(std::size_t capacity = 100'000) : capacity_(capacity) {}
  // True the first time `id` is seen.
  bool Insert(const std::string& id);
  std::size_t size() const { return set_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> set_;
};

}  // namespace durafn::cli
