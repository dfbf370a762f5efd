#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/chain.h"
#include "ledger/ledger.h"
#include "ledger/sql_dialect.h"
#include "ledger/verify.h"

// Internal to src/ledger: the rows of the consent_events and chain_head tables, read and written
// on any dialect. Every value is bound, never spliced.
namespace charta::ledger::sql {

using Poco::Data::Statement;

inline constexpr std::size_t kChunk = 128;  // rows per multi-row INSERT, values per IN list

// The columns every event query returns, as text (edition and recorded_at cast; absent optional
// fields as ''), in the order Rows binds them.
inline constexpr std::string_view kColumns =
    "seq, id, subject, document, CAST(edition AS TEXT), commit_id, text_sha256, "
    "COALESCE(page_sha256, ''), language, purposes, event_type, CAST(recorded_at AS TEXT), "
    "collection_method, COALESCE(form_id, ''), COALESCE(evidence, ''), "
    "COALESCE(idempotency_key, ''), request_digest, prev_hash, hash";

// The statements creating the tables consent_events (with its index by subject) and chain_head
// (its one row at the genesis), "integer" being the type of the 64-bit integer columns (SQLite:
// INTEGER, which makes seq the rowid; PostgreSQL: BIGINT). Each dialect adds its triggers.
std::vector<std::string> createTables(std::string_view integer);

// Column vectors for "SELECT kColumns ...".
struct Rows {
  std::vector<Poco::Int64> seq;
  std::vector<std::string> id, subject, document, edition, commit, textSha256, pageSha256, language,
      purposes, eventType, recordedAt, collectionMethod, formId, evidence, idempotencyKey,
      requestDigest, prevHash, hash;

  void into(Statement& st);
  std::size_t size() const { return seq.size(); }
  StoredRow row(std::size_t i) const;
};

// Rebuilds an Event from stored text. throws StorageError: a field no longer parses (tampering;
// verify() says where).
Event toEvent(const StoredRow& r);

// "SELECT kColumns FROM consent_events <where>" with "values" bound to its placeholders.
template <typename... Values>
Rows selectEvents(Session& s, const Dialect& d, std::string_view where, Values&... values) {
  using Poco::Data::Keywords::use;
  Rows rows;
  Statement st(s);
  st << d.sql("SELECT " + std::string(kColumns) + " FROM consent_events " + std::string(where));
  (st, ..., use(values));
  rows.into(st);
  st.execute();
  return rows;
}

// Whether the latest blocked/unblocked event of "subject" is a `blocked`.
bool blockedIn(Session& s, const Dialect& d, std::string& subject);

// The chain head: the seq and hash of the last event.
struct Head {
  std::int64_t seq = 0;
  std::string hash;
};

// Reads the chain head inside a write transaction, taking the chain lock (Dialect::beginWrite).
// throws StorageError: the chain head row is missing.
Head lockHead(Session& s, const Dialect& d);
void writeHead(Session& s, const Dialect& d, const Head& head);

// One event as bound to the INSERT.
struct InsertRow {
  Poco::Int64 seq, edition, recordedAt;
  std::string id, subject, document, commit, textSha256, pageSha256, language, purposes, eventType,
      collectionMethod, formId, evidence, idempotencyKey, requestDigest, prevHash, hash;

  static InsertRow of(const Event& ev, const ChainFields& f);
};

// Inserts "rows" in multi-row INSERTs of up to kChunk rows each.
void insertRows(Session& s, const Dialect& d, std::vector<InsertRow>& rows);

// The stored events whose idempotency key is one of "keys", by key.
std::map<std::string, Event> storedByKey(Session& s, const Dialect& d,
                                         std::vector<std::string>& keys);

// Whether each of "subjects" is blocked, as committed: its latest blocked/unblocked event.
// Subjects with no such event are left out.
std::map<std::string, bool> blockingOf(Session& s, const Dialect& d,
                                       std::vector<std::string>& subjects);

// Re-reads the whole chain on "s", inside a read transaction, and checks it (ChainChecker), a
// page of rows at a time.
VerifyReport verifyChain(Session& s, const Dialect& d);

}  // namespace charta::ledger::sql
