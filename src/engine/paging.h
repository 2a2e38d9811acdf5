// Internal to the engine: the ordered operation list that invocation envelopes and
// GetDurableExecutionState pages share (§3.2), with pruning and byte-bounded pages.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/execution.h"
#include "protocol/operation.h"
#include "protocol/timestamp.h"

namespace durafn::engine {

// For each table position, whether the operation is left out of pages: its parent CONTEXT
// closed without ReplayChildren, or its parent is left out (§3.2 rule 4). The SDK replays a
// closed context from its stored result and never needs those children.
std::vector<bool> PrunedOperations(const ExecutionState& state);

struct Page {
  std::vector<protocol::Operation> operations;
  std::optional<std::size_t> next_position;  // where the next page starts; none when done
};

// The operations not pruned from table position `start` on: at most `max_items`, and at
// most `max_bytes` of JSON (encoded with `format`) except that a page holds at least one.
Page CollectPage(const ExecutionState& state, std::size_t start, std::size_t max_items,
                 std::size_t max_bytes, protocol::TimeFormat format);

// Markers are table positions; opaque to clients.
std::string FormatMarker(std::size_t position);
// The position in `marker`, if it is one FormatMarker could produce for a table of `size`.
std::optional<std::size_t> ParseMarker(std::string_view marker, std::size_t size);

}  // namespace durafn::engine
