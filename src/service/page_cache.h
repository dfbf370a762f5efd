#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace charta::service {

// Values made once and served many times, kept within a budget of bytes: when an insertion takes
// the total over it, the least recently used values are dropped until three quarters of the
// budget remain (one pass over the entries for many insertions). A lookup takes the shared lock
// only and marks its entry used with a relaxed atomic, so concurrent readers never wait on each
// other. A value given out stays valid while its holder keeps it (shared_ptr), evicted or not.
// Safe for concurrent use.
template <typename T>
class PageCache {
 public:
  explicit PageCache(size_t budget) : budget_(budget) {}

  // The value under "key", or nullptr.
  std::shared_ptr<const T> find(const std::string& key) const {
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    it->second.used.store(tick_.fetch_add(1, std::memory_order_relaxed), std::memory_order_relaxed);
    return it->second.value;
  }

  // Keeps "value" (counted as "bytes") under "key" unless a value is there already, and returns
  // the one kept. A value larger than the whole budget is returned but not kept.
  std::shared_ptr<const T> insert(const std::string& key, std::shared_ptr<const T> value,
                                  size_t bytes) {
    bytes += key.size() + kEntryOverhead;
    std::unique_lock lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second.value;
    if (bytes > budget_) return value;
    const bool evicting = bytes_ + bytes > budget_;
    if (evicting) evict(budget_ / 4 * 3 - std::min(bytes, budget_ / 4 * 3));
    auto [it, added] = entries_.try_emplace(key);
    it->second.value = std::move(value);
    it->second.bytes = bytes;
    it->second.used.store(tick_.fetch_add(1, std::memory_order_relaxed));
    bytes_ += bytes;
    std::shared_ptr<const T> kept = it->second.value;
    lock.unlock();
#if defined(__GLIBC__)
    // glibc keeps what is freed in the arena of the thread that freed it (up to 8 a core): without
    // this the pages dropped stay in the RSS, which then grows with every page ever served.
    if (evicting) malloc_trim(0);
#endif
    return kept;
  }

  size_t bytes() const {
    std::shared_lock lock(mu_);
    return bytes_;
  }
  size_t size() const {
    std::shared_lock lock(mu_);
    return entries_.size();
  }
  size_t budget() const { return budget_; }

 private:
  // What an entry costs beyond its key and value: the node, the hash bucket, the control block.
  static constexpr size_t kEntryOverhead = 160;

  struct Entry {
    std::shared_ptr<const T> value;
    size_t bytes = 0;
    mutable std::atomic<uint64_t> used{0};
  };

  // Drops the least recently used entries until at most "target" bytes remain.
  // REQUIRES: mu_ held exclusively.
  void evict(size_t target) {
    std::vector<std::pair<uint64_t, const std::string*>> order;
    order.reserve(entries_.size());
    for (const auto& [key, e] : entries_) order.emplace_back(e.used.load(), &key);
    std::sort(order.begin(), order.end());
    std::vector<std::string> drop;
    size_t left = bytes_;
    for (const auto& [used, key] : order) {
      if (left <= target) break;
      left -= entries_.find(*key)->second.bytes;
      drop.push_back(*key);
    }
    for (const std::string& key : drop) entries_.erase(key);
    bytes_ = left;
  }

  const size_t budget_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  size_t bytes_ = 0;
  mutable std::atomic<uint64_t> tick_{0};
};

}  // namespace charta::service
