// The opaque NextMarker strings of history and list pages.
//
// A marker is the key where the next page starts (keyset paging), so a page never skips or
// repeats rows because others were inserted or deleted meanwhile. The key is packed with a
// tag naming the listing and base64-encoded: clients must treat it as opaque, and a marker
// of one listing is rejected by the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace durafn::store {

// History: the EventId the next page starts at (inclusive, in either direction).
std::string FormatHistoryMarker(int64_t next_event_id);
// InvalidArgument unless `marker` came from FormatHistoryMarker.
Result<int64_t> ParseHistoryMarker(std::string_view marker);

// List: the (start time, ARN) of the last execution returned; the next page continues
// strictly after it in the listing's order.
struct ListCursor {
  int64_t start_ms = 0;
  std::string arn;
  bool operator==(const ListCursor&) const = default;
};
std::string FormatListMarker(const ListCursor& cursor);
// InvalidArgument unless `marker` came from FormatListMarker.
Result<ListCursor> ParseListMarker(std::string_view marker);

}  // namespace durafn::store
