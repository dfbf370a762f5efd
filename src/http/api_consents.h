#pragma once

#include <memory>
#include <string>

#include "http/api.h"
#include "http/metrics.h"
#include "http/site_service.h"
#include "ledger/ledger.h"
#include "repository/policy_repository.h"

namespace charta::http {

struct ConsentApiOptions {
  std::string jurisdiction = "KZ";  // the receipts' "jurisdiction"
};

// The consent API: records consents and withdrawals in the ledger, each linked to the exact
// edition (commit, text SHA-256 and, when the client names it, the page SHA-256) that the subject
// was shown, and answers auditors and the data subject's requests.
//
//   POST /api/v1/consents                           site     201 receipt + Location; 200 replay
//   POST /api/v1/withdrawals                        site     same
//   GET  /api/v1/consents/{id}                      auditor  the receipt of one event
//   GET  /api/v1/subjects/{subject}/consents        auditor  every event of the subject
//                                                            (?document= narrows it)
//   GET  /api/v1/subjects/{subject}/status?document=D  site or auditor
//   GET  /api/v1/subjects/{subject}/export          auditor  everything held about the subject
//   POST /api/v1/subjects/{subject}/block           legal    clause 6.2.4; an event too
//   POST /api/v1/subjects/{subject}/unblock         legal
//   GET  /api/v1/ledger/verify                      auditor  the hash chain, checked now
//
// Rules: the edition named (edition "v3"/3 or its 40-hex commit) must be in force or superseded
// at the moment of recording; a draft, upcoming, withdrawn or unknown edition is refused with 422
// and the edition in force in the problem ("in_force"); purposes must be in that edition's
// catalogue (422, "catalogue"); a page_sha256 must be that of the edition's page as served now
// (422, "page_sha256" tells the current one). A blocked subject's consents get 409
// subject-blocked; a reused Idempotency-Key with another body 409 idempotency-key-reused; a
// ledger that cannot write 503 with Retry-After. Subject ids never appear in problem details,
// logs or metrics (routes are templates).
//
// Counts charta_consents_written_total{event="given"|"withdrawn"|"blocked"|"unblocked"} and
// charta_consents_refused_total{reason=...}. Safe for concurrent use.
std::unique_ptr<ApiModule> makeConsentApi(ledger::Ledger& ledger, SiteService& pages,
                                          repository::PolicyRepository& repo, Metrics& metrics,
                                          ConsentApiOptions options = {});

}  // namespace charta::http
