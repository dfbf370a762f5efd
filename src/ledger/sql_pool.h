#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "ledger/sql_dialect.h"

// Internal to src/ledger.
namespace charta::ledger::sql {

// A handful of read connections, created on demand, reused, dropped after a failure. Thread-safe:
// a caller waits while all "max" connections are in use.
class Pool {
 public:
  Pool(std::size_t max, std::function<std::unique_ptr<Session>()> connect)
      : max_(std::max<std::size_t>(max, 1)), connect_(std::move(connect)) {}

  // Runs "fn" on a pooled connection and returns its result. A failure on a reused connection is
  // retried once on a new one (the server may have dropped an idle connection); charta's own
  // errors are not retried.
  // throws StorageError "<doing>: <reason>": the connection or "fn" failed.
  template <typename Fn>
  auto with(std::string_view doing, Fn&& fn) {
    for (int attempt = 0;; ++attempt) {
      bool fresh = false;
      std::unique_ptr<Session> s = acquire(fresh);
      try {
        auto result = fn(*s);
        release(std::move(s));
        return result;
      } catch (const Error&) {
        release(std::move(s));
        throw;
      } catch (...) {
        drop();
        if (fresh || attempt > 0) rethrowAsStorage(doing);
      }
    }
  }

 private:
  std::unique_ptr<Session> acquire(bool& fresh) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
    ++open_;
    lock.unlock();
    fresh = true;
    try {
      return connect_();
    } catch (...) {
      drop();
      rethrowAsStorage("opening a ledger connection");
    }
  }
  void release(std::unique_ptr<Session> s) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(s));
    cv_.notify_one();
  }
  void drop() {
    std::lock_guard lock(mutex_);
    --open_;
    cv_.notify_one();
  }

  std::size_t max_;
  std::function<std::unique_ptr<Session>()> connect_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Session>> idle_;
  std::size_t open_ = 0;
};

}  // namespace charta::ledger::sql
