#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/consent.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/time.h"

namespace charta::ledger {

using EventType = core::ConsentEventType;

// A consent event as the caller asks for it to be recorded: who, which exact text they were shown,
// what they decided, and how it was collected. Validated by Ledger::append (see there).
struct NewEvent {
  std::string subject;  // opaque id from the shop: 1-128 bytes of UTF-8, no control characters
  core::DocumentId doc;
  core::EditionNo edition;
  core::CommitId commit;                  // the edition's commit
  std::string textSha256;                 // SHA-256 of the text shown (64 lower-case hex)
  std::optional<std::string> pageSha256;  // SHA-256 of the exact page bytes, when known
  core::Lang lang;                        // the language of the text shown
  std::vector<core::PurposeId> purposes;  // given/withdrawn: 1-64; blocked/unblocked: none
  EventType type = EventType::kGiven;
  std::string collectionMethod;               // "web-form", "api", "import" (lower-case token)
  std::optional<std::string> formId;          // 1-128 printable ASCII
  std::optional<std::string> evidence;        // a JSON object, at most 4 KiB (e.g. user agent)
  std::optional<std::string> idempotencyKey;  // 1-128 printable ASCII; unique in the ledger
};

// A recorded consent event. Immutable once appended.
struct Event : NewEvent {
  std::string id;             // UUID v4, random, lower-case ("3f0c...-4...")
  std::int64_t seq;           // 1, 2, 3... dense: the chain order
  core::Instant recordedAt;   // the server's clock (UTC, ms) when the event was appended
  std::string requestDigest;  // see chain.h: what an idempotency key is compared by
  std::string prevHash;       // the hash of event seq-1; 64 zeros for seq 1
  std::string hash;           // see chain.h
};

struct AppendResult {
  Event event;
  bool replayed = false;  // true: the idempotency key had been seen with the same request, and
                          // "event" is the one stored then; nothing was appended now
};

// What verify() found wrong at one place of the chain.
enum class FindingKind {
  kChanged,     // the stored fields of the event do not hash to its stored hash
  kRemoved,     // events are missing (a gap in seq, or fewer events than the chain head says)
  kInserted,    // an event the chain does not account for (beyond the chain head, or forged)
  kReordered,   // an intact event sits at another seq than the one it was chained at
  kBrokenLink,  // prev_hash does not match the previous event's hash (e.g. an event was changed
                // and re-hashed), or the chain head does not match the last event
};
std::string_view findingKindName(FindingKind kind);  // "changed", "removed", ...

struct Finding {
  FindingKind kind;
  std::int64_t seq;  // where it was found; for kRemoved the first missing seq
  std::string id;    // the event's id; empty for kRemoved
  std::string detail;
};

struct VerifyReport {
  bool ok = true;            // no findings
  std::int64_t checked = 0;  // events read
  std::int64_t headSeq = 0;  // the chain head as recorded in the database
  std::string headHash;
  std::vector<Finding> findings;  // ordered by seq
};

// The database failed or is unusable (cannot open, locked for too long, connection lost, schema
// newer than this build). Retrying later may succeed.
class StorageError : public Error {
 public:
  using Error::Error;
};

// The subject is blocked (clause 6.2.4): a `given` event is refused until an `unblocked` one.
class Blocked : public Error {
 public:
  using Error::Error;
};

// The consent ledger: one append-only, hash-chained sequence of consent events.
//
// Thread-safe: every method may be called from any number of threads at once. Concurrent appends
// are committed together by one writer thread (group commit); several processes may share one
// database (SQLite file or PostgreSQL) and the chain stays linear.
//
// Subject ids never appear in exception messages.
class Ledger {
 public:
  virtual ~Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends "event" and returns it as recorded. Durable when it returns (the transaction holding
  // it has committed with the backend's full durability).
  //
  // With an idempotency key already in the ledger: the same request (same request digest) returns
  // the stored event with replayed=true and appends nothing.
  //
  // throws InvalidInput: a field is malformed (subject, hashes, purposes for the event type,
  //   collection method, form id, evidence not a JSON object or above 4 KiB, idempotency key).
  // throws Conflict: the idempotency key was used for a different request.
  // throws Blocked: a `given` event for a blocked subject. The check is atomic with the append.
  // throws StorageError: the database failed and the whole batch holding the event was rolled
  //   back; only a failure inside COMMIT itself can leave it unknown whether the event is stored.
  //   Retrying with the same idempotency key is always safe.
  virtual AppendResult append(const NewEvent& event) = 0;

  // Returns the event with id "id", or nullopt (also for a malformed id).
  // throws StorageError.
  virtual std::optional<Event> find(std::string_view id) const = 0;

  // Returns the events of "subject" (of document "doc" when set, plus that subject's blocked and
  // unblocked events of any document), ordered by seq. throws StorageError.
  virtual std::vector<Event> bySubject(std::string_view subject,
                                       const std::optional<core::DocumentId>& doc) const = 0;
  std::vector<Event> bySubject(std::string_view subject) const {
    return bySubject(subject, std::nullopt);
  }

  // Whether the latest `blocked`/`unblocked` event of "subject" is a `blocked`.
  // throws StorageError.
  virtual bool isBlocked(std::string_view subject) const = 0;

  // Re-reads the whole chain in one consistent snapshot and checks every event's hash, every link,
  // seq density and the chain head. Memory is proportional to the number of findings only.
  // throws StorageError (the findings themselves are values, not errors).
  virtual VerifyReport verify() const = 0;

  // Readiness: the writer thread takes the chain lock in a write transaction and rolls it back.
  // throws StorageError: the ledger cannot write now.
  virtual void ping() = 0;

  // The number of events appended (the chain head's seq). throws StorageError.
  virtual std::int64_t count() const = 0;

  // The durability settings in effect on the writer's connection, as name/value pairs (SQLite:
  // journal_mode, synchronous, busy_timeout; PostgreSQL: synchronous_commit, fsync, ...).
  // throws StorageError.
  virtual std::vector<std::pair<std::string, std::string>> settings() = 0;

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

 protected:
  Ledger() = default;
};

struct Options {
  std::size_t maxBatch = 256;                    // events per group-commit transaction
  std::chrono::microseconds linger{0};           // how long the writer waits for more events before
                                                 // committing a batch that is not full; 0: no wait
  std::chrono::milliseconds busyTimeout{10000};  // SQLite: wait this long for another process's
                                                 // write lock
  std::size_t readers = 4;                       // pooled connections for find/bySubject/verify...
};

// Opens (and creates or migrates) the ledger at "uri":
//   sqlite:path/to/consents.db, sqlite:///abs/path.db or a bare path   -> SQLite
//   postgresql://user[:password]@host[:port]/db[?key=value&...]        -> PostgreSQL
//   (postgres:// too; query parameters are passed to libpq, e.g. sslmode=require)
// Schema migrations run at open, in one transaction, serialized between processes.
// throws InvalidInput: the URI is malformed.
// throws StorageError: the database cannot be opened or migrated, or its schema is newer than this
//   build knows.
std::unique_ptr<Ledger> openLedger(std::string_view uri, const Options& options = {});

// The ledger at "uri", opened on first use rather than now: while it cannot be opened (the
// database is down, the SQLite file is damaged), every call throws StorageError with the reason,
// and the next call at least "retry" later tries again. A server uses it to start, serve pages
// and report the ledger not ready, instead of refusing to start.
std::unique_ptr<Ledger> openLedgerLazily(
    std::string_view uri, const Options& options = {},
    std::chrono::milliseconds retry = std::chrono::milliseconds(1000));

}  // namespace charta::ledger
