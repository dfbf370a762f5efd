#pragma once

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/merkle.h"
#include "ledger/canonical.h"
#include "ledger/ledger.h"
#include "ledger/sql_dialect.h"

// Internal to src/ledger: the v2 log on any dialect (Poco::Data). Every value is bound.
namespace charta::ledger::sql {

namespace merkle = core::merkle;

// Stored Merkle nodes are the perfect subtrees of at least 2^kStoredLevel leaves; lower ones are
// computed from at most 2^kStoredLevel events' bytes.
inline constexpr unsigned kStoredLevel = 4;

// The chain head: the seq and hash of the last event.
struct Head {
  std::int64_t seq = 0;
  std::string hash;
};

// Reads the chain head inside a write transaction, taking the chain lock (Dialect::beginWrite).
// throws StorageError: the chain head row is missing.
Head lockHead(Session& s, const Dialect& d);
void writeHead(Session& s, const Dialect& d, const Head& head);

std::string blobText(const Poco::Data::BLOB& blob);
Poco::Data::BLOB toBlob(const std::string& bytes);

// The perfect subtree hashes of the log as stored on "s" (merkle_nodes, and events' bytes below
// kStoredLevel). The callback throws StorageError when a node or an event is missing.
merkle::PerfectHash storedPerfect(Session& s, const Dialect& d);

// One write transaction holding the chain lock: appends events to the chain and the Merkle tree.
class Tx {
 public:
  Tx(Session& s, const Dialect& d, Head head, merkle::Frontier frontier)
      : session(s), dialect(d), head_(std::move(head)), frontier_(std::move(frontier)) {}

  Session& session;
  const Dialect& dialect;

  const Head& head() const { return head_; }
  const merkle::Frontier& frontier() const { return frontier_; }

  // Sets the event's seq and prev_hash, and its id (a UUID of version 7) and recorded_at (now) when
  // absent; queues its row and the Merkle nodes it completes. Returns where it is chained.
  Chained append(CanonicalEvent& event);

  // Another table's rows for this transaction: "insert" is "INSERT INTO t (cols) VALUES (?, ...)
  // ..." with one of "params" per placeholder. On PostgreSQL flush() sends them with the events
  // and the chain head in one statement (data-modifying WITH clauses: one round trip); elsewhere
  // they run at once.
  void write(std::string insert, std::vector<Param> params);

  // Writes the queued rows and nodes and moves the chain head (before the commit).
  void flush();

 private:
  struct Write {
    std::string insert;
    std::vector<Param> params;
  };
  bool combines() const;
  void flushCombined();

  Head head_;
  merkle::Frontier frontier_;
  std::vector<Write> writes_;
  std::vector<Param> rows_;   // kEventParams per event, in the order of the events' columns
  std::vector<Param> nodes_;  // kNodeParams per Merkle node
  std::size_t rowCount_ = 0, nodeCount_ = 0;
};

// The event stored at "seq": its canonical bytes; nullopt when there is none.
std::optional<std::string> bytesAt(Session& s, const Dialect& d, std::int64_t seq);

// Decodes stored bytes. throws StorageError: they are not canonical bytes (verify says where).
DecodedEvent decodeStored(const std::string& bytes, std::int64_t seq);
// The decoded event views "bytes": a temporary would leave it dangling.
DecodedEvent decodeStored(std::string&& bytes, std::int64_t seq) = delete;

// A stored subject-kind event as an Event: "subject" the clear id (nullopt: erased),
// "evidence" kept in `personal`.
Event toEvent(const DecodedEvent& d, const std::string& hash,
              const std::optional<std::string>& subject,
              const std::optional<std::string>& evidence);

// Where a decoded event is chained.
Chained chainedOf(const DecodedEvent& e, const std::string& hash);

}  // namespace charta::ledger::sql
