#include "api/problems.h"

#include <map>

#include "api/request.h"
#include "http/replies.h"

namespace charta::api {

using service::Fault;

const ProblemType& problemType(Fault fault) {
  static const std::map<Fault, ProblemType> kTable = {
      {Fault::kInvalidRequest, {400, "invalid-request", "Bad Request"}},
      {Fault::kInvalidJson, {400, "invalid-json", "Bad Request"}},
      {Fault::kUnknownField, {400, "unknown-field", "Bad Request"}},
      {Fault::kInvalidParameter, {400, "invalid-parameter", "Bad Request"}},
      {Fault::kInvalidTime, {400, "invalid-time", "Bad Request"}},
      {Fault::kInvalidDocumentId, {400, "invalid-document-id", "Bad Request"}},
      {Fault::kInvalidEdition, {400, "invalid-edition", "Bad Request"}},
      {Fault::kInvalidCursor, {400, "invalid-cursor", "Bad Request"}},
      {Fault::kTokenInQuery, {400, "token-in-query", "Bad Request"}},
      {Fault::kUnsupportedMediaType, {415, "unsupported-media-type", "Unsupported Media Type"}},
      {Fault::kMethodNotAllowed, {405, "method-not-allowed", "Method Not Allowed"}},
      {Fault::kUnauthorized, {401, "unauthorized", "Unauthorized"}},
      {Fault::kForbidden, {403, "forbidden", "Forbidden"}},
      {Fault::kTooManyAuthFailures, {429, "too-many-auth-failures", "Too Many Requests"}},
      {Fault::kNotFound, {404, "not-found", "Not Found"}},
      {Fault::kDocumentNotFound, {404, "document-not-found", "Not Found"}},
      {Fault::kEditionNotFound, {404, "edition-not-found", "Not Found"}},
      {Fault::kTextNotFound, {404, "text-not-found", "Not Found"}},
      {Fault::kNotInForce, {404, "not-in-force", "Not Found"}},
      {Fault::kPublicationRefused, {422, "publication-refused", "Unprocessable Content"}},
      {Fault::kLintRefused, {422, "lint-refused", "Unprocessable Content"}},
      {Fault::kWithdrawalRefused, {422, "withdrawal-refused", "Unprocessable Content"}},
      {Fault::kInvalidRegistry, {422, "invalid-registry", "Unprocessable Content"}},
      {Fault::kNoticePeriod, {422, "notice-period", "Unprocessable Content"}},
      {Fault::kApprovalsMissing, {422, "approvals-missing", "Unprocessable Content"}},
      {Fault::kUnknownDocument, {422, "unknown-document", "Unknown Document"}},
      {Fault::kEditionNotInForce, {422, "edition-not-in-force", "Edition Not In Force"}},
      {Fault::kUnknownLanguage, {422, "unknown-language", "Unknown Language"}},
      {Fault::kUnknownPurpose, {422, "unknown-purpose", "Unknown Purpose"}},
      {Fault::kPageMismatch, {422, "page-mismatch", "Page Mismatch"}},
      {Fault::kConflict, {409, "conflict", "Conflict"}},
      {Fault::kPublicationConflict, {409, "publication-conflict", "Conflict"}},
      {Fault::kForeignTag, {409, "foreign-tag", "Conflict"}},
      {Fault::kAlreadyWithdrawn, {409, "already-withdrawn", "Conflict"}},
      {Fault::kReplicaReadOnly, {409, "replica-read-only", "Conflict"}},
      {Fault::kSubjectBlocked, {409, "subject-blocked", "Subject Blocked"}},
      {Fault::kIdempotencyKeyReused, {409, "idempotency-key-reused", "Idempotency Key Reused"}},
      {Fault::kPreconditionFailed, {412, "precondition-failed", "Precondition Failed"}},
      {Fault::kSubjectErased, {410, "subject-erased", "Gone"}},
      {Fault::kPreconditionRequired, {428, "precondition-required", "Precondition Required"}},
      {Fault::kRepositoryBusy, {503, "repository-busy", "Service Unavailable"}},
      {Fault::kRepositoryUnreadable, {503, "repository-unreadable", "Service Unavailable"}},
      {Fault::kLedgerUnavailable, {503, "ledger-unavailable", "Service Unavailable"}},
      {Fault::kInternal, {500, "internal", "Internal Server Error"}},
  };
  return kTable.at(fault);
}

Poco::JSON::Object::Ptr problemObject(Fault fault, const std::string& detail,
                                      const Poco::JSON::Object::Ptr& extra) {
  const ProblemType& t = problemType(fault);
  auto o = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("type", "https://charta.dev/problems/" + std::string(t.slug));
  o->set("title", std::string(t.title));
  o->set("status", t.status);
  o->set("detail", detail);
  if (extra) {
    for (const auto& name : extra->getNames()) o->set(name, extra->get(name));  // in their order
  }
  return o;
}

http::Reply problemReply(const service::Failure& failure) {
  const ProblemType& t = problemType(failure.fault());
  http::Reply r = http::problemReply(
      t.status, failure.extra()
                    ? toJson(problemObject(failure.fault(), failure.what(), failure.extra()))
                    : http::problemJson(t.status, t.slug, t.title, failure.what()));
  if (failure.retryAfter) {
    r.headers.emplace_back("Retry-After", std::to_string(failure.retryAfter->count()));
  }
  if (const auto* p = dynamic_cast<const Problem*>(&failure)) {
    for (const auto& h : p->headers) r.headers.push_back(h);
  }
  r.route = "api_error";
  return r;
}

}  // namespace charta::api
