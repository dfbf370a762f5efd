#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/sql_dialect.h"

// Internal to src/ledger.
namespace charta::ledger::sql {

// The one writer of a ledger: a thread owning one connection that commits the appends of any
// number of threads in batches (group commit).
//
// A batch is one transaction: take the chain lock, look up the batch's idempotency keys and its
// subjects' blocking (seeing everything committed by other processes), decide each request in
// order (so earlier events of the same batch count too), insert the appended ones, move the chain
// head, commit. Callers are answered only after COMMIT returned; a failed batch fails all of its
// callers. Conflict and Blocked refuse one request, not the batch. After a failure the connection
// is dropped and the next batch opens a new one.
//
// Thread-safe. The destructor answers everything queued, then stops the thread.
class GroupCommit {
 public:
  // "session": the connection opened (and migrated) by the ledger; may be null (then one is
  // opened for the first batch). "dialect" must outlive this object.
  GroupCommit(const Dialect& dialect, const Options& options, std::unique_ptr<Session> session);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Appends "event" (normalized; "digest" its request digest) as Ledger::append does.
  AppendResult append(NewEvent event, std::string digest);

  // Ledger::ping and Ledger::settings, run on the writer's connection between batches.
  void ping();
  Settings settings();

 private:
  enum class Job { kAppend, kPing, kSettings };
  struct Request {
    Job job = Job::kAppend;
    std::optional<NewEvent> event;  // normalized
    std::string digest;
    std::promise<AppendResult> appended;
    std::promise<Settings> done;  // for kPing and kSettings
  };
  struct Outcome;

  void submit(Request* r);
  Settings runJob(Job job);
  std::vector<Request*> nextBatch();
  void loop();
  Session& session();
  void runOne(Request& r);
  void runBatch(const std::vector<Request*>& batch);
  std::vector<Outcome> commitBatch(const std::vector<Request*>& batch);

  const Dialect& dialect_;
  Options options_;
  std::unique_ptr<Session> session_;  // the writer thread's only, once it runs

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace charta::ledger::sql
