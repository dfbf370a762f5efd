#pragma once

#include <memory>
#include <string>

#include "api/current.h"
#include "api/router.h"
#include "http/metrics.h"
#include "service/audit.h"
#include "service/catalog.h"
#include "service/consents.h"
#include "service/evidence.h"
#include "service/evidence_bundle.h"
#include "service/pages.h"
#include "service/preview.h"
#include "service/publications.h"
#include "service/revisions.h"

// The resources of the JSON API, one module each. Every route parses its request, calls one
// service function and formats the result with the view of service/views.h. Safe for concurrent
// use.
namespace charta::api {

// GET /api/v1/documents[/{doc}[/current|/editions[/{edition}]]] (public; documents.cpp).
std::unique_ptr<ApiModule> makeDocumentsApi(service::Catalog& catalog, service::Pages& pages,
                                            CurrentAnswers& current, int maxAgeSeconds);

// The legal team's writes (role legal; publications.cpp):
//   POST /api/v1/documents/{doc}/publications                   If-Match: the ETag of `current`
//   POST /api/v1/documents/{doc}/editions/{edition}/withdrawal  If-Match optional
// The rules and refusals are those of `charta publish` and `charta withdraw`: the same
// service::Publications. The If-Match check and the write are one step in this process, so of
// several requests with the same ETag exactly one succeeds; a publication by another process in
// between makes the edition number differ from the one expected when the ETag matched
// (PublishRequest::expectedNo), and that is a 412 too. After a write the catalog is refreshed at
// once (read-your-writes). "publisherEmail" is the tagger's (default api@charta.invalid); the name
// is the token's.
std::unique_ptr<ApiModule> makePublicationsApi(service::Publications& publications,
                                               service::Catalog& catalog, CurrentAnswers& current,
                                               http::Metrics& metrics, std::string publisherEmail);

// GET /api/v1/documents/{doc}/revisions (role legal) and GET /api/v1/documents/{doc}/diff
// (public between editions; naming a draft commit needs role legal or auditor) (revisions.cpp).
std::unique_ptr<ApiModule> makeRevisionsApi(const service::Revisions& revisions);

// The legal team's review of a draft, role legal (review.cpp):
//   POST /api/v1/documents/{doc}/revisions/{commit}/approvals   the token's name approves it (201,
//                                                               who approved it, how many count)
//   GET  /api/v1/documents/{doc}/revisions/{commit}/page?lang=     the draft's page, as it would
//                                                                   be served if published now
//   GET  /api/v1/documents/{doc}/revisions/{commit}/redline?lang=  its changes against the edition
//                                                                   in force
// The pages carry the preview notice, noindex and X-Robots-Tag: noindex. "publisherEmail" is the
// approver's e-mail (default api@charta.invalid); the name is the token's.
std::unique_ptr<ApiModule> makeReviewApi(service::Publishing& publishing,
                                         const service::Previews& previews,
                                         service::Catalog& catalog, std::string publisherEmail);

// The consents and the ledger (consents.cpp):
//   POST /api/v1/consents                           site     201 receipt + Location; 200 replay
//   POST /api/v1/withdrawals                        site     same
//   GET  /api/v1/consents/{id}                      auditor  the receipt of one event
//   GET  /api/v1/consents/{id}/evidence             auditor  its evidence bundle, a tar archive
//                                                             (anchors the event first if no
//                                                             anchor holds it; 409 on a replica)
//   GET  /api/v1/subjects/{subject}/consents        auditor  (?document= narrows it)
//   GET  /api/v1/subjects/{subject}/status?document=D  site or auditor
//   GET  /api/v1/subjects/{subject}/export          auditor  everything held about the subject
//   POST /api/v1/subjects/{subject}/block           legal    clause 6.2.4; an event too
//   POST /api/v1/subjects/{subject}/unblock         legal    (block/unblock: "reason" chained)
//   POST /api/v1/subjects/{subject}/erasure         legal    {"reason"}: 201, 200 when erased
//                                                             before; status, export and
//                                                             consents of it are 410 then
//   GET  /api/v1/ledger/verify[?since_anchor=true]  auditor  the log, its anchors in git and
//                                                             the record of editions: 200 when
//                                                             the walk ends within 3 s, else 202
//   POST /api/v1/ledger/verifications[?since_anchor=true]  auditor  202 + Location: the walk
//                                                             off the request (verifications.h)
//   GET  /api/v1/ledger/verifications/{id}          auditor  its state, progress and report
// Subject ids never appear in problem details, logs or metrics (routes are templates). Counts
// charta_consents_written_total{event=...} and charta_consents_refused_total{reason=...}.
std::unique_ptr<ApiModule> makeConsentsApi(service::Consents& consents,
                                           const service::Evidence& evidence,
                                           const service::EvidenceBundles& bundles,
                                           const service::Audit& audit, http::Metrics& metrics);

// GET /api/v1/openapi.json: the OpenAPI 3.1 document of the whole API, read from "path" now.
// throws Error: the file cannot be read or is not JSON.
std::unique_ptr<ApiModule> makeOpenApiModule(const std::string& path);

}  // namespace charta::api
