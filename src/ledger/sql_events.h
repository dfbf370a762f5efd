#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/chain.h"
#include "ledger/ledger.h"
#include "ledger/sql_dialect.h"
#include "ledger/verify.h"

// Internal to src/ledger: the rows of schema version 1 (consent_events), read on any dialect to
// verify and migrate a v1 ledger. Every value is bound, never spliced.
namespace charta::ledger::sql {

using Poco::Data::Statement;

// The columns every event query returns, as text (edition and recorded_at cast; absent optional
// fields as ''), in the order Rows binds them.
inline constexpr std::string_view kColumns =
    "seq, id, subject, document, CAST(edition AS TEXT), commit_id, text_sha256, "
    "COALESCE(page_sha256, ''), language, purposes, event_type, CAST(recorded_at AS TEXT), "
    "collection_method, COALESCE(form_id, ''), COALESCE(evidence, ''), "
    "COALESCE(idempotency_key, ''), request_digest, prev_hash, hash";

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

// Re-reads the whole chain on "s", inside a read transaction, and checks it (ChainChecker), a
// page of rows at a time.
VerifyReport verifyChainV1(Session& s, const Dialect& d);

}  // namespace charta::ledger::sql
