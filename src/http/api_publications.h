#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/site_service.h"
#include "repository/policy_repository.h"

namespace charta::http {

struct PublicationsApiOptions {
  std::string
      publisherEmail;  // of the tagger (default api@charta.invalid); the name is the token's
  // The repository is a replica kept in sync with the primary by git fetch: a tag made here
  // would diverge from the primary (or be overwritten by the next fetch), so publications and
  // withdrawals are refused with 409 replica-read-only. Revisions can still be read.
  bool replica = false;
};

// The write API of the legal team (bearer token with role `legal`):
//   GET  /api/v1/documents/{doc}/revisions[?limit=]             drafts and published commits
//   POST /api/v1/documents/{doc}/publications                   If-Match: the ETag of `current`
//   POST /api/v1/documents/{doc}/editions/{edition}/withdrawal  If-Match optional
// Publishing and withdrawing call service::Publishing::publish/withdraw, the code the CLI uses, so
// the rules and refusals are the same: a refusal (backdating, same text, missing clause...) is a
// 422 problem (lint errors: type lint-refused with the blocking findings; "force" publishes
// anyway, recorded), the answer carries the same warnings as `charta --json publish`, a lost race
// 409, a stale If-Match 412, a missing one 428. Conflicts of both kinds are counted in
// charta_publication_conflicts_total. The precondition check and the publication are serialised in
// this process, so of several requests with the same If-Match exactly one succeeds; a publication
// by another process in between makes the edition number differ from the one expected when the
// ETag matched (PublishRequest::expectedNo), and that is a 412 too. On a replica
// (options.replica) both writes answer 409 replica-read-only after the role check. After a write
// the site snapshot is refreshed at once (read-your-writes). Safe for concurrent use.
// The body of POST /api/v1/documents/{doc}/publications, checked on its own.
struct PublicationBody {
  std::optional<core::RevisionSpec> revision;       // nullopt: the branch head
  std::optional<core::ZonedInstant> effectiveFrom;  // nullopt: now
  bool material = false;
  std::vector<core::PurposeId> renewPurposes;
  std::string summary;
  std::optional<std::string> force;  // the reason for publishing despite lint errors
};
// throws ApiError 415 or 400: not a JSON object, an unknown member, a malformed one.
PublicationBody parsePublicationBody(const Request& req);

// The "reason" of POST /api/v1/documents/{doc}/editions/{edition}/withdrawal.
// throws ApiError 415 or 400: as parsePublicationBody, or no reason.
std::string parseWithdrawalBody(const Request& req);

std::unique_ptr<ApiModule> makePublicationsApi(repository::PolicyRepository& repo,
                                               SiteService& pages, Metrics& metrics,
                                               PublicationsApiOptions options);

}  // namespace charta::http
