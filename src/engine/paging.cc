#include "engine/paging.h"

#include <cassert>
#include <charconv>

#include "protocol/json_codec.h"

namespace durafn::engine {

std::vector<bool> PrunedOperations(const ExecutionState& state) {
  std::vector<bool> pruned(state.ops.size(), false);
  // Parents precede children (AssertInvariants), so one forward pass suffices.
  for (std::size_t i = 0; i < state.ops.size(); ++i) {
    const protocol::Operation& op = state.ops.at(i).op;
    if (!op.parent_id) continue;
    std::optional<std::size_t> p = state.ops.PositionOf(*op.parent_id);
    assert(p && *p < i);
    const protocol::Operation& parent = state.ops.at(*p).op;
    bool replay = parent.context_details && parent.context_details->replay_children.value_or(false);
    bool closed = parent.status == protocol::OperationStatus::kSucceeded ||
                  parent.status == protocol::OperationStatus::kFailed;
    pruned[i] = pruned[*p] || (closed && !replay);
  }
  return pruned;
}

Page CollectPage(const ExecutionState& state, std::size_t start, std::size_t max_items,
                 std::size_t max_bytes, protocol::TimeFormat format) {
  assert(max_items > 0);
  Page page;
  std::vector<bool> pruned = PrunedOperations(state);
  std::size_t bytes = 0;
  for (std::size_t i = start; i < state.ops.size(); ++i) {
    if (pruned[i]) continue;
    const protocol::Operation& op = state.ops.at(i).op;
    std::size_t size = protocol::Encode(op, format).dump().size();
    bool full = page.operations.size() == max_items ||
                (!page.operations.empty() && bytes + size > max_bytes);
    if (full) {
      page.next_position = i;
      break;
    }
    bytes += size;
    page.operations.push_back(op);
  }
  return page;
}

std::string FormatMarker(std::size_t position) {
  return std::to_string(position);
}

std::optional<std::size_t> ParseMarker(std::string_view marker, std::size_t size) {
  std::size_t pos = 0;
  auto [end, ec] = std::from_chars(marker.data(), marker.data() + marker.size(), pos);
  if (marker.empty() || ec != std::errc() || end != marker.data() + marker.size()) {
    return std::nullopt;
  }
  if (marker.size() > 1 && marker[0] == '0') return std::nullopt;
  // Position 0 is the EXECUTION operation, which only the first page carries.
  if (pos == 0 || pos > size) return std::nullopt;
  return pos;
}

}  // namespace durafn::engine
