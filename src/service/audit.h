#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "repository/anchors.h"
#include "service/anchoring.h"
#include "service/chain.h"

namespace charta::service {

// One thing `ledger verify` found wrong, whichever part found it.
struct AuditFinding {
  // The log's kinds (ledger::findingKindName: "changed", "removed", ..., "anchor"), and
  // "anchor" (an anchor commit that is no anchor of this ledger, or out of order), "timestamp"
  // (a time-stamp token that does not match its anchor or its signer), "edition-missing",
  // "edition-changed" (git against the chain).
  std::string kind;
  std::int64_t seq = 0;  // where in the log, when it is about an event
  std::string id;        // the event id, or the anchor commit; may be empty
  std::string detail;
};

// What verifying the evidence found: the log against itself and every anchor of this ledger in
// git (each anchor also against the one before it), the anchors' time-stamp tokens, and the record
// of editions in git against the chain.
struct AuditReport {
  ledger::VerifyReport log;
  std::vector<AuditFinding> findings;  // every finding, the log's first
  bool sinceAnchor = false;
  std::int64_t anchors = 0;     // anchor commits of this ledger in refs/charta/anchors
  std::int64_t timestamps = 0;  // time-stamp tokens checked
  // Anchors of other ledgers in the same ref: skipped, but counted (a log whose ledger id was
  // changed would have only those: `ledger verify` names them).
  std::int64_t foreignAnchors = 0;
  std::optional<std::string> latestAnchor;  // its commit
  std::uint64_t latestAnchorSize = 0;
  bool repositoryChecked = false;  // false: no repository was given (only the log was checked)

  bool ok() const { return findings.empty(); }
};

// `charta ledger verify` and GET /api/v1/ledger/verify: the log, the anchors in git and the
// record of editions, checked together. Reads only. Safe for concurrent use.
class Audit {
 public:
  // "anchors" and "record" may be null (no repository): only the log is checked then.
  // "tsaCaFile": the CAs time-stamp tokens are checked against (empty: their imprint only).
  Audit(const ledger::Ledger& ledger, const repository::AnchorChain* anchors,
        const EditionChain* record, std::string tsaCaFile);

  // Verifies everything, or with "sinceAnchor" the log from its latest anchor on (the anchors
  // still each against the one before).
  // throws ledger::StorageError, RepositoryError.
  AuditReport verify(bool sinceAnchor) const { return verify(sinceAnchor, nullptr); }
  // The same, calling "progress" with the events checked so far after each batch (on another
  // thread; an exception from it stops the walk and reaches the caller).
  AuditReport verify(bool sinceAnchor, std::function<void(std::int64_t)> progress) const;

 private:
  // The anchors of this ledger as the log's verify takes them; findings for the rest.
  std::vector<ledger::Anchor> readAnchors(AuditReport& report) const;

  const ledger::Ledger& ledger_;
  const repository::AnchorChain* anchors_;
  const EditionChain* record_;
  std::string tsaCaFile_;
};

}  // namespace charta::service
