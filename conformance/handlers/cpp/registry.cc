#include "registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace conformance {
namespace {

// Function-local statics: registration runs from other translation units' initialisers,
// whose order relative to this one is unspecified.
std::map<std::string, durafn::DurableHandler, std::less<>>& durable_table() {
  static std::map<std::string, durafn::DurableHandler, std::less<>> table;
  return table;
}
std::map<std::string, durafn::PlainHandler, std::less<>>& plain_table() {
  static std::map<std::string, durafn::PlainHandler, std::less<>> table;
  return table;
}

std::map<std::string, std::string, std::less<>>& not_implemented_table() {
  static std::map<std::string, std::string, std::less<>> table;
  return table;
}

[[noreturn]] void duplicate(const std::string& id) {
  std::fprintf(stderr, "conformance: handler %s registered twice\n", id.c_str());
  std::abort();
}

template <class Table>
std::vector<std::string> keys(const Table& table) {
  std::vector<std::string> out;
  for (const auto& [id, handler] : table)
    out.push_back(id);
  return out;
}

}  // namespace

bool register_durable(std::string id, durafn::DurableHandler handler) {
  if (find_plain(id) != nullptr || not_implemented_table().count(id) != 0 ||
      !durable_table().emplace(id, std::move(handler)).second)
    duplicate(id);
  return true;
}

bool register_plain(std::string id, durafn::PlainHandler handler) {
  if (find_durable(id) != nullptr || not_implemented_table().count(id) != 0 ||
      !plain_table().emplace(id, std::move(handler)).second)
    duplicate(id);
  return true;
}

bool register_not_implemented(std::string id, std::string reason) {
  if (find_durable(id) != nullptr || find_plain(id) != nullptr ||
      !not_implemented_table().emplace(id, std::move(reason)).second)
    duplicate(id);
  return true;
}

const durafn::DurableHandler* find_durable(std::string_view id) {
  auto it = durable_table().find(id);
  return it == durable_table().end() ? nullptr : &it->second;
}

const durafn::PlainHandler* find_plain(std::string_view id) {
  auto it = plain_table().find(id);
  return it == plain_table().end() ? nullptr : &it->second;
}

std::string function_name(std::string_view id) {
  // The runner deploys under a prefix of its choice and tells the functions which.
  const char* prefix = std::getenv("CONFORMANCE_FUNCTION_PREFIX");
  return (prefix && *prefix ? std::string(prefix) : std::string("conformance-")) + std::string(id);
}

std::vector<std::string> durable_ids() {
  return keys(durable_table());
}
std::vector<std::string> plain_ids() {
  return keys(plain_table());
}
std::vector<std::pair<std::string, std::string>> not_implemented() {
  return {not_implemented_table().begin(), not_implemented_table().end()};
}

}  // namespace conformance
