#include "api/http_message.h"

#include <cassert>

namespace durafn::api {

const std::string& Request::Label(std::string_view name) const {
  auto it = labels.find(name);
  assert(it != labels.end() && "the matched route pattern has no such label");
  static const std::string kNone;
  return it == labels.end() ? kNone : it->second;
}

std::optional<std::string_view> Request::QueryValue(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::vector<std::string_view> Request::QueryValues(std::string_view name) const {
  std::vector<std::string_view> values;
  auto [first, last] = query.equal_range(name);
  for (auto it = first; it != last; ++it)
    values.emplace_back(it->second);
  return values;
}

}  // namespace durafn::api
