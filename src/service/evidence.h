#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"
#include "core/registry.h"
#include "ledger/ledger.h"
#include "service/catalog.h"
#include "service/consents.h"
#include "service/views.h"

namespace charta::service {

// The consent status of one subject for one document at one moment.
struct SubjectStatus {
  core::DocumentId document;
  core::Instant at;
  std::optional<EditionCitation> inForce;
  std::vector<core::Purpose> catalogue;  // of the edition in force
  core::ConsentStatus status;
};

// What the ledger proves: the receipts of events, everything about one subject, and a subject's
// consent status under the edition in force (the check of the chain: service/audit.h). Reads
// only.
// Safe for concurrent use.
class Evidence {
 public:
  // "catalog" names the editions' public URLs and timelines; nullptr (the repository cannot be
  // read): receipts omit the URL, and status() is not available.
  Evidence(const ledger::Ledger& ledger, const Catalog* catalog, std::string jurisdiction = "KZ");

  // The event with id "id" (nullopt: none). throws Failure kLedgerUnavailable (as all below).
  std::optional<ledger::Event> event(std::string_view id) const;

  // The events of "subject" (of "doc" when set, plus its blocked and unblocked events), by seq.
  // throws Failure kSubjectErased: the subject was erased and nothing was recorded for it since.
  std::vector<ledger::Event> events(std::string_view subject,
                                    const std::optional<core::DocumentId>& doc) const;

  // The status at "now" of "subject" for "doc": each purpose of the edition in force.
  // throws Failure kDocumentNotFound: "doc" is not published; kSubjectErased (as events()).
  SubjectStatus status(std::string_view subject, const core::DocumentId& doc,
                       core::Instant now) const;

  std::string_view backend() const { return ledger_.backend(); }

  // How receipts name the editions' pages and the jurisdiction.
  ReceiptOptions receiptOptions() const;

 private:
  const ledger::Ledger& ledger_;
  const Catalog* catalog_;
  std::string jurisdiction_;
};

}  // namespace charta::service
