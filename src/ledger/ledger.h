#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/consent.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/merkle.h"
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

// What a consent-type event adds to NewEvent (see Ledger::append).
struct Citation {
  // The seq of the chained `edition.published` event of the edition consented to. Unset: the
  // ledger cites the one chained for (document, edition), if any (see Options::requirePublication).
  std::optional<std::int64_t> publication;
  // Why a subject is blocked or unblocked: 1-1024 bytes of UTF-8. Only for those two types.
  std::optional<std::string> reason;
};

// A recorded consent-type event. Immutable once appended.
struct Event : NewEvent {
  std::string id;              // UUID v7 (time-ordered, random), lower-case ("0193...-7...")
  std::int64_t seq = 0;        // 1, 2, 3... dense: the chain order (shared with every kind)
  core::Instant recordedAt{};  // the server's clock (UTC, ms) when the event was appended
  std::string requestDigest;   // hex HMAC-SHA256 under the subject's key of the request
                               // digest of chain.h: what an idempotency key is compared by
  std::string prevHash;        // the hash of event seq-1; 64 zeros for seq 1
  std::string hash;            // SHA-256 of the canonical bytes (canonical.h)
  std::string pseudonym;       // the subject as the chain holds it (hex HMAC-SHA256)
  std::optional<std::int64_t> publication;    // seq of the edition.published event cited
  std::optional<std::string> reason;          // blocked/unblocked
  std::optional<std::string> evidenceSha256;  // as chained (the evidence is kept apart)
  bool subjectErased = false;  // the subject was erased: subject is "" and evidence nullopt
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
  kMismatch,    // an indexed column does not say what the event's canonical bytes say
  kMerkle,      // a stored Merkle node is not the hash of the events it covers
  kAnchor,      // the log does not match an anchor given to verify (truncated, rewritten or
                // recomputed), or two anchors are not consistent
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
  std::int64_t fromSeq = 1;       // the first event checked (after the anchor with sinceAnchor)
  std::uint64_t treeSize = 0;     // the Merkle tree of the events read: its size and root (hex)
  std::string root;
  std::int64_t anchorsChecked = 0;
};

// A tree head committed outside the database (an anchor in git): the log must still have it.
struct Anchor {
  std::uint64_t treeSize = 0;
  std::string root;               // hex MTH of events 1..treeSize
  std::int64_t chainHeadSeq = 0;  // == treeSize in anchors charta writes
  std::string chainHeadHash;      // hex chain hash of event chainHeadSeq
  std::string name;               // how findings name it (e.g. the anchor commit id)
};

struct VerifyOptions {
  std::vector<Anchor> anchors;  // any order
  // Check only the events after the latest anchor: the stored Merkle nodes at its size must give
  // its root and its chain head must be stored, then the new events must extend both.
  bool sinceAnchor = false;
};

// What checkTail found: the events appended since the previous call, checked.
struct TailReport {
  bool ok = true;                   // no finding now or in any earlier call (findings stick)
  std::int64_t checkedThrough = 0;  // the last seq checked
  std::int64_t newEvents = 0;       // checked by this call
  std::vector<Finding> findings;    // the first findings ever made, at most 16
};

// The facts of one publication as charta observed it (an `edition.published` event).
struct PublicationFacts {
  core::DocumentId doc;
  core::EditionNo edition;
  std::string tag;  // the tag object id, 40 hex
  core::CommitId commit;
  std::string publishedAt;    // RFC 3339 with milliseconds and offset
  std::string effectiveFrom;  // as in the Effective-From trailer (RFC 3339)
  bool material = false;
  bool imported = false;
  std::vector<std::pair<core::Lang, std::string>> texts;  // language -> text SHA-256 (hex)
  std::string registrySha256;                             // SHA-256 of charta.xml at the commit
  std::string observedVia;  // "cli", "api" or "git"; not part of the facts compared
};

// The facts of one withdrawal of a scheduled edition (an `edition.withdrawn` event).
struct WithdrawalFacts {
  core::DocumentId doc;
  core::EditionNo edition;
  std::string tag;          // the withdrawal tag object id, 40 hex
  std::string withdrawnAt;  // RFC 3339
  std::string reason;       // 1-1024 bytes of UTF-8
  std::string observedVia;  // "cli", "api" or "git"; not part of the facts compared
};

// Where an event sits in the log.
struct Chained {
  std::int64_t seq = 0;
  std::string id;
  core::Instant recordedAt{};
  std::string prevHash;
  std::string hash;
};

struct ChainedWithdrawal {
  WithdrawalFacts facts;
  Chained chained;
};

struct ChainedPublication {
  PublicationFacts facts;
  Chained chained;
  std::optional<ChainedWithdrawal> withdrawal;
};

template <typename T>
struct Recorded {
  T stored;               // as chained (now or before)
  bool appended = false;  // false: the same facts were already chained; nothing was appended
};

// One archived page variant (the `pages` table): stored once, by the SHA-256 of its bytes.
struct PageRecord {
  std::string sha256;  // hex SHA-256 of bytes
  std::string bytes;   // empty in listings
  core::DocumentId doc;
  core::EditionNo edition;
  core::Lang lang;
  std::string variant;  // e.g. "in-force", "notice:v4", "superseded", "withdrawn" (1-128 ASCII)
  core::Instant firstServedAt{};
};

enum class SubjectState {
  kUnknown,  // the ledger never saw the subject id
  kActive,   // events of the subject are linked to it (its key exists)
  kErased,   // erased, and nothing recorded since: its events link to nothing any more
};

struct TreeHead {
  std::uint64_t size = 0;
  core::merkle::Hash root{};
};

// The database failed or is unusable (cannot open, locked for too long, connection lost, schema
// newer than this build). Retrying later may succeed.
class StorageError : public Error {
 public:
  using Error::Error;
};

// The ledger's schema is newer than this build knows (a downgrade): nothing was changed, and
// retrying with this build cannot succeed.
class SchemaTooNew : public StorageError {
 public:
  using StorageError::StorageError;
};

// The subject is blocked (clause 6.2.4): a `given` event is refused until an `unblocked` one.
class Blocked : public Error {
 public:
  using Error::Error;
};

// A consent cites an edition the chain has no `edition.published` event of (with
// Options::requirePublication, or an explicit Citation::publication that is not one).
class NotChained : public Error {
 public:
  using Error::Error;
};

// Other facts for an edition already chained (edition.published or edition.withdrawn): what git
// shows now is not what was chained. Never a second row. Carries both, as canonical fields
// (name, value; absent values as "-"), and the names of the fields that differ.
class EditionChanged : public Conflict {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  EditionChanged(const std::string& message, Fields chained, Fields observed,
                 std::vector<std::string> differing)
      : Conflict(message),
        chained_(std::move(chained)),
        observed_(std::move(observed)),
        differing_(std::move(differing)) {}
  const Fields& chained() const { return chained_; }
  const Fields& observed() const { return observed_; }
  const std::vector<std::string>& differing() const { return differing_; }

 private:
  Fields chained_, observed_;
  std::vector<std::string> differing_;
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
  AppendResult append(const NewEvent& event) { return append(event, Citation{}); }

  // The same, with the publication cited and a reason (blocked/unblocked). The subject enters the
  // chain as its pseudonym (a new random key on its first event, or its first after an erasure);
  // the evidence is kept apart (erasable) and chained as its keyed digest.
  // throws InvalidInput: as above; a reason on a given/withdrawn event or malformed; the cited
  //   publication's commit, or its text SHA-256 of the language, is not the event's.
  // throws NotChained: the cited seq is no edition.published of (document, edition), or none is
  //   chained and Options::requirePublication is set.
  virtual AppendResult append(const NewEvent& event, const Citation& citation) = 0;

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
  VerifyReport verify() const { return verify(VerifyOptions{}); }

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

  // --- The log of every provable event (canonical.h); see also verify(options), checkTail.

  // The ledger's id (a UUID made when the database was created): anchors name it.
  virtual std::string ledgerId() const = 0;

  // Chains the publication "facts" once per (document, edition): the same facts again (whatever
  // observedVia) return the stored event with appended=false. Serialised with every other writer
  // by the chain lock, so several servers on one database record it once.
  // throws InvalidInput: a malformed field (tag, hashes, times, observedVia, no texts).
  // throws EditionChanged: other facts are chained for that edition.
  // throws StorageError.
  virtual Recorded<ChainedPublication> recordPublication(const PublicationFacts& facts) = 0;

  // Chains the withdrawal of a chained edition, once, like recordPublication.
  // throws NotChained: the edition is not chained. throws InvalidInput, EditionChanged,
  //   StorageError.
  virtual Recorded<ChainedWithdrawal> recordWithdrawal(const WithdrawalFacts& facts) = 0;

  // The chained publications of "doc" by edition number, each with its withdrawal if chained.
  // throws StorageError.
  virtual std::vector<ChainedPublication> publications(const core::DocumentId& doc) const = 0;

  // The documents that have a chained `edition.published` event, in order of id: those whose
  // editions the record must still show. throws StorageError.
  virtual std::vector<core::DocumentId> publishedDocuments() const = 0;

  // Erases "subject", in one transaction: appends `subject.erased` (pseudonym, reason, by), then
  // deletes the subject's key, its pseudonym and clear id from the lookup row and every evidence
  // kept for its events. The chain still verifies; its events remain, linked to nobody. SQLite:
  // the freed pages are zeroed (secure_delete) and the WAL is checkpointed and truncated.
  // Returns the erasure event; nullopt when the subject was already erased and nothing has been
  // recorded for it since.
  // throws InvalidInput: subject, reason (1-1024 bytes UTF-8) or by (1-128) malformed.
  // throws NotFound: the ledger never saw the subject. throws StorageError.
  virtual std::optional<Chained> erase(std::string_view subject, std::string_view reason,
                                       std::string_view by) = 0;

  // Whether "subject" is unknown, active or erased. throws StorageError.
  virtual SubjectState subjectState(std::string_view subject) const = 0;
  // The key of "subject" (32 raw bytes), under which its pseudonym and evidence digests are the
  // HMAC-SHA256 of its id and evidence: nullopt when unknown or erased. For an evidence bundle
  // that lets a third party check them. throws StorageError.
  virtual std::optional<std::string> subjectKey(std::string_view subject) const = 0;

  // The Merkle tree head of events 1..size (RFC 9162; leaf index = seq - 1), in O(log n) reads.
  // throws InvalidInput: size > count(). throws StorageError.
  virtual TreeHead treeHead(std::uint64_t size) const = 0;
  // The inclusion proof of event "seq" in the tree of "size" events (core::merkle::verifyInclusion
  // with leafHash(canonicalBytes(seq)), index seq - 1). throws InvalidInput: not 1 <= seq <= size
  // <= count(). throws StorageError.
  virtual std::vector<core::merkle::Hash> inclusionProof(std::int64_t seq,
                                                         std::uint64_t size) const = 0;
  // The consistency proof of the tree of "first" events with the tree of "second".
  // throws InvalidInput: not 0 < first <= second <= count(). throws StorageError.
  virtual std::vector<core::merkle::Hash> consistencyProof(std::uint64_t first,
                                                           std::uint64_t second) const = 0;
  // The canonical bytes of event "seq" as stored; nullopt when there is none. throws StorageError.
  virtual std::optional<std::string> canonicalBytes(std::int64_t seq) const = 0;

  // Re-reads the log (from the latest anchor with options.sinceAnchor) in one snapshot, in
  // constant memory: every event's bytes against its hash, indexed columns and seq; every link;
  // the chain head; the stored Merkle nodes; the tree head at each anchor's size against its root
  // and chain head; each anchor against the previous one by a consistency proof.
  // throws StorageError.
  virtual VerifyReport verify(const VerifyOptions& options) const = 0;

  // Readiness: checks the events appended since the previous call (the first call starts at the
  // chain head) and that the event checked last is still stored unchanged, at a constant cost
  // per event. A finding sticks: the chain does not heal. Thread-safe. throws StorageError.
  virtual TailReport checkTail() = 0;

  // The page archive. storePage stores "page" once, durably, before it returns; false when a page
  // with those bytes was already archived (its first record is kept).
  // throws InvalidInput: sha256 is not the SHA-256 of bytes, or a field is malformed.
  // throws StorageError.
  virtual bool storePage(const PageRecord& page) = 0;
  virtual std::optional<PageRecord> page(std::string_view sha256) const = 0;
  // The variants archived of one edition and language, without their bytes, by first_served_at.
  virtual std::vector<PageRecord> pageVariants(const core::DocumentId& doc, core::EditionNo edition,
                                               const core::Lang& lang) const = 0;

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
  // Consents must cite a chained edition.published (NotChained otherwise). Off while callers do
  // not chain the editions they serve yet; a consent then cites the edition's event if chained.
  bool requirePublication = false;
  // SQLite: the ledger file and its -wal/-shm are made 0600, whatever the umask; with a group
  // name, 0640 and owned by that group (give the folder the same group and its setgid bit, so
  // that the -wal and -shm files SQLite makes later get it too). A ledger file that users other
  // than its owner can write is refused.
  std::optional<std::string> fileGroup;
  // Called once per schema change made at open (a new ledger created, a migration applied), with
  // one line saying what was done.
  std::function<void(const std::string&)> onMigrated;
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
