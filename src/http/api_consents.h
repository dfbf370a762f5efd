#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
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
// The body of POST /api/v1/consents and /api/v1/withdrawals, checked on its own (the edition,
// language and purposes are then checked against the repository).
struct ConsentBody {
  std::string subject;
  core::DocumentId document;
  std::optional<core::EditionNo> edition;
  std::optional<core::CommitId> commit;
  core::Lang language;
  std::vector<core::PurposeId> purposes;
  std::string collectionMethod;
  std::optional<std::string> formId;
  std::optional<std::string> evidence;    // canonical JSON text of the "evidence" object
  std::optional<std::string> pageSha256;  // lower case
};
// throws ApiError 415 or 400: not a JSON object, an unknown member, a missing or malformed one.
ConsentBody parseConsentBody(const Request& req);

// The body of POST /api/v1/subjects/{subject}/block and /unblock (may be empty).
struct BlockBody {
  std::optional<core::DocumentId> document;  // nullopt: the first document in force
  std::string collectionMethod = "api";
  std::optional<std::string> formId;
  std::optional<std::string> evidence;
};
// throws ApiError 415 or 400, as parseConsentBody.
BlockBody parseBlockBody(const Request& req);

std::unique_ptr<ApiModule> makeConsentApi(ledger::Ledger& ledger, SiteService& pages,
                                          repository::PolicyRepository& repo, Metrics& metrics,
                                          ConsentApiOptions options = {});

}  // namespace charta::http
