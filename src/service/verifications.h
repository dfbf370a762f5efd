#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/time.h"
#include "service/audit.h"

namespace charta::service {

// Verifications run off the request (POST /api/v1/ledger/verifications, and GET
// /api/v1/ledger/verify once it has waited its while): each a thread of its own walking the log
// (Audit::verify), whose progress and report a request reads. At most one runs per scope (the
// whole log, or since the latest anchor): starting one while another of that scope runs returns
// the running one. The latest kKept finished ones are kept; older ones are forgotten.
// Thread-safe. The destructor stops the running walks (at their next batch) and joins them.
class Verifications {
 public:
  static constexpr std::size_t kKept = 8;

  enum class State { kRunning, kDone, kFailed };
  // What a request sees of one verification, copied under the lock.
  struct Snapshot {
    std::string id;
    bool sinceAnchor = false;
    State state = State::kRunning;
    core::Instant startedAt;
    std::optional<core::Instant> finishedAt;
    std::int64_t checked = 0;           // events checked so far
    std::optional<AuditReport> report;  // kDone
    std::exception_ptr failure;         // kFailed: what Audit::verify threw
  };

  // "onReport" is called on the verification's thread with each report made.
  Verifications(const Audit& audit, std::function<void(const AuditReport&)> onReport);
  ~Verifications();
  Verifications(const Verifications&) = delete;
  Verifications& operator=(const Verifications&) = delete;

  // Starts a verification of the scope, or finds the one of that scope still running.
  Snapshot start(bool sinceAnchor, core::Instant now);
  // The verification "id"; nullopt when unknown (never started, or forgotten).
  std::optional<Snapshot> find(std::string_view id) const;
  // The same after waiting up to "timeout" for it to finish.
  std::optional<Snapshot> wait(std::string_view id, std::chrono::milliseconds timeout) const;

 private:
  struct Job {
    Snapshot snap;
    std::atomic<std::int64_t> checked{0};
    std::thread thread;
  };
  void run(Job& job);
  Snapshot snapshot(const Job& job) const;  // under mutex_
  void forgetOld();                         // under mutex_

  const Audit& audit_;
  std::function<void(const AuditReport&)> onReport_;
  mutable std::mutex mutex_;
  mutable std::condition_variable finished_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;  // by id
  std::atomic<bool> stopping_{false};
};

std::string_view stateName(Verifications::State state);  // "running", "done", "failed"

}  // namespace charta::service
