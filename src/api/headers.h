// HTTP header fields: an ordered list whose names compare case-insensitively (RFC 9110 §5.1),
// so that handlers and tests can look up "x-amzn-errortype" whatever casing a peer used.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace durafn::api {

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  // The value of the first field named `name`; nullopt when there is none.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every field named `name` with a single one.
  void Set(std::string name, std::string value);
  // Appends a field and keeps any existing ones of that name (repeated headers are legal).
  void Add(std::string name, std::string value);
  // Removes every field named `name`.
  void Remove(std::string_view name);

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace durafn::api
