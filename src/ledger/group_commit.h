#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/merkle.h"
#include "ledger/ledger.h"
#include "ledger/sql_consents.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_log.h"

// Internal to src/ledger.
namespace charta::ledger::sql {

// The one writer of a ledger: a thread owning one connection that commits the appends of any
// number of threads in batches (group commit).
//
// A batch is one transaction: take the chain lock, look up the batch's subjects, idempotency keys
// and blocking (seeing everything committed by other processes), decide each request in order (so
// earlier events of the same batch count too), insert the appended ones with the Merkle nodes
// they complete, move the chain head, commit. The writer keeps the tree's frontier in memory and
// reloads it under the chain lock when another process appended. Callers are answered only after
// COMMIT returned; a failed batch fails all of its callers. Conflict and Blocked refuse one
// request, not the batch. After a failure the connection is dropped and the next batch opens a new
// one.
//
// Thread-safe. The destructor answers everything queued, then stops the thread.
class GroupCommit {
 public:
  // "session": the connection opened (and migrated) by the ledger; may be null (then one is
  // opened for the first batch). "dialect" must outlive this object.
  // "secret": the ledger's subject-lookup secret (meta).
  GroupCommit(const Dialect& dialect, const Options& options, std::unique_ptr<Session> session,
              std::string secret);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Appends "event" (normalized; "digest" its request digest) as Ledger::append does.
  AppendResult append(NewEvent event, Citation citation, std::string digest);

  // Runs "fn" in a write transaction of its own holding the chain lock (between batches) and
  // commits it when "fn" returns; an exception from "fn" rolls it back and reaches the caller
  // (charta's own errors unchanged, others as StorageError).
  void transact(std::function<void(Tx&)> fn);

  // Ledger::ping and Ledger::settings, run on the writer's connection between batches.
  void ping();
  Settings settings();

 private:
  enum class Job { kAppend, kTransact, kPing, kSettings };
  struct Request {
    Job job = Job::kAppend;
    std::optional<NewEvent> event;  // normalized
    Citation citation;
    std::string digest;
    std::function<void(Tx&)> fn;  // kTransact
    std::promise<AppendResult> appended;
    std::promise<Settings> done;  // for kTransact, kPing and kSettings
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
  // Begins a write transaction, locks the head and brings the frontier up to it.
  Tx begin();
  void end(Tx& tx);  // flushes and commits; keeps the frontier

  const Dialect& dialect_;
  Options options_;
  std::unique_ptr<Session> session_;  // the writer thread's only, once it runs
  std::string secret_;
  std::optional<core::merkle::Frontier> frontier_;  // of the committed log, when known
  PublicationCache publications_;                   // the writer thread's

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace charta::ledger::sql
