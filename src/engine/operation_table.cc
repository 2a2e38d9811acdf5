#include "engine/operation_table.h"

#include <cassert>

namespace durafn::engine {

const OperationEntry* OperationTable::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

OperationEntry* OperationTable::Find(std::string_view id) {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

std::optional<std::size_t> OperationTable::PositionOf(std::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

OperationEntry& OperationTable::Append(OperationEntry entry) {
  assert(!entry.op.id.empty());
  auto [it, inserted] = index_.emplace(entry.op.id, entries_.size());
  assert(inserted && "operation ids are unique within an execution");
  (void)it;
  (void)inserted;
  entries_.push_back(std::move(entry));
  return entries_.back();
}

bool OperationTable::IndexConsistent() const {
  if (index_.size() != entries_.size()) return false;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    auto it = index_.find(entries_[i].op.id);
    if (it == index_.end() || it->second != i) return false;
  }
  return true;
}

}  // namespace durafn::engine
