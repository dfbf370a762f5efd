#pragma once

#include "ledger/sql_dialect.h"

// Internal to src/ledger: the schema, created or brought up to date at open.
namespace charta::ledger::sql {

inline constexpr int kSchemaVersion = 2;

// Creates the schema (v2) or brings it up to kSchemaVersion, in one transaction serialised
// between processes. From v1: the v1 chain is verified first (a broken one is refused and left as
// it is), every event re-encoded as v2 (same id, seq and recorded_at; subject -> pseudonym;
// evidence -> personal + keyed digest; request digest keyed), the chain and the Merkle nodes
// rebuilt, `ledger.migrated` appended with the v1 head, the v1 table dropped.
// Returns what it did, in one line ("" when the schema was already current).
// throws SchemaTooNew: the schema is newer than this build knows (nothing is changed).
// throws StorageError: the v1 chain does not verify.
std::string migrate(Session& s, const Dialect& d);

// The meta values of a migrated database.
struct Meta {
  std::string ledgerId;
  std::string secret;  // the subject-lookup secret: raw bytes
};
Meta readMeta(Session& s, const Dialect& d);

}  // namespace charta::ledger::sql
