#include "cli/logs_tail.h"

#include <charconv>

namespace durafn::cli {

std::optional<int64_t> ParseSince(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  char unit = text.back();
  int64_t scale = 0;
  switch (unit) {
    case 's':
      scale = 1000;
      break;
    case 'm':
      scale = 60'000;
      break;
    case 'h':
      scale = 3'600'000;
      break;
    case 'd':
      scale = 86'400'000;
      break;
    case 'w':
      scale = 7 * 86'400'000LL;
      break;
    default:
      return std::nullopt;
  }
  auto digits = text.substr(0, text.size() - 1);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n < 0 ||
      n > 100LL * 365 * 86'400'000 / scale) {
    return std::nullopt;
  }
  return n * scale;
}

bool SeenEvents::Insert(const std::string& id) {
  if (!set_.insert(id).second) return false;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

}  // namespace durafn::cli
