#include "engine/operation_table.h"

#include <algorithm>
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
  // A change this table did not see: ForEachChangedSince must not trust its list below it.
  forgotten_through_ = std::max(forgotten_through_, entry.changed_at);
  entries_.push_back(std::move(entry));
  Activate(entries_.size() - 1);
  return entries_.back();
}

void OperationTable::Replace(std::size_t pos, OperationEntry entry) {
  assert(pos < entries_.size() && entries_[pos].op.id == entry.op.id);
  forgotten_through_ = std::max(forgotten_through_, entry.changed_at);
  entries_[pos] = std::move(entry);
  Activate(pos);
}

void OperationTable::MarkChanged(OperationEntry& entry, int64_t counter) {
  assert(&entry >= entries_.data() && &entry < entries_.data() + entries_.size());
  assert(counter > entry.changed_at);
  assert(changes_.empty() || counter > changes_.back().first);
  const auto pos = static_cast<std::size_t>(&entry - entries_.data());
  entry.changed_at = counter;
  if (changes_.size() == kRememberedChanges) {
    // Forget the older half at once, so that the cost per change stays constant.
    const std::size_t half = kRememberedChanges / 2;
    forgotten_through_ = std::max(forgotten_through_, changes_[half - 1].first);
    changes_.erase(changes_.begin(), changes_.begin() + half);
  }
  changes_.emplace_back(counter, pos);
  Activate(pos);
}

void OperationTable::Activate(std::size_t pos) {
  active_.push_back(pos);
  // Between two passes an entry may change many times; repeats are dropped before they
  // outnumber the table.
  if (active_.size() > 2 * entries_.size() + 16) {
    std::sort(active_.begin(), active_.end());
    active_.erase(std::unique(active_.begin(), active_.end()), active_.end());
  }
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
