#include "store/markers.h"

#include <charconv>

#include "engine/opaque_id.h"

namespace durafn::store {
namespace {

constexpr std::string_view kHistoryTag = "history-v1";
constexpr std::string_view kListTag = "list-v1";

// A decimal int64 with an optional '-', nothing else (from_chars accepts no '+' or spaces).
std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The fields of `marker` after `tag`, or nullopt if it is not a marker of that listing.
std::optional<std::vector<std::string>> Unpack(std::string_view marker, std::string_view tag,
                                               std::size_t count) {
  auto packed = engine::Base64Decode(marker);
  if (!packed) return std::nullopt;
  auto fields = engine::UnpackFields(*packed, count + 1);
  if (!fields || (*fields)[0] != tag) return std::nullopt;
  fields->erase(fields->begin());
  return fields;
}

Status BadMarker() {
  return Status::InvalidArgument("Marker: not a marker returned by this call");
}

}  // namespace

std::string FormatHistoryMarker(int64_t next_event_id) {
  std::string id = std::to_string(next_event_id);
  return engine::Base64Encode(engine::PackFields({kHistoryTag, id}));
}

Result<int64_t> ParseHistoryMarker(std::string_view marker) {
  auto fields = Unpack(marker, kHistoryTag, 1);
  if (!fields) return BadMarker();
  auto id = ParseInt((*fields)[0]);
  if (!id || *id < 1) return BadMarker();
  return *id;
}

std::string FormatListMarker(const ListCursor& cursor) {
  std::string start = std::to_string(cursor.start_ms);
  return engine::Base64Encode(engine::PackFields({kListTag, start, cursor.arn}));
}

Result<ListCursor> ParseListMarker(std::string_view marker) {
  auto fields = Unpack(marker, kListTag, 2);
  if (!fields) return BadMarker();
  auto start = ParseInt((*fields)[0]);
  if (!start || (*fields)[1].empty()) return BadMarker();
  return ListCursor{*start, std::move((*fields)[1])};
}

}  // namespace durafn::store
