#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace charta::service {

// Every kind of failure a caller of charta must tell apart, whichever layer finds it. The API
// answers each kind with one HTTP status and one problem type (the table in api/problems.cpp); the
// CLI exits with one code per kind (app/exit_codes.cpp). Malformed requests are 400 and exit 2;
// requests the rules refuse are 422 (each refusal with its own type) and exit 2.
enum class Fault {
  // The request is malformed: the caller can fix it (400).
  kInvalidRequest,        // a missing or malformed argument, body member or header
  kInvalidJson,           // a body that is not one JSON object of valid UTF-8, or too deep
  kUnknownField,          // a body member the resource does not take
  kInvalidParameter,      // a query parameter or option unknown, repeated, missing or malformed
  kInvalidTime,           // a time that is not RFC 3339 with an offset
  kInvalidDocumentId,     // a document id in a path
  kInvalidEdition,        // an edition in a path that is not v<N>
  kInvalidCursor,         // a page cursor this API did not return
  kTokenInQuery,          // a credential in the query string
  kUnsupportedMediaType,  // 415: a body that is not application/json
  kMethodNotAllowed,      // 405
  // Who asks.
  kUnauthorized,         // 401: no or unknown bearer token
  kForbidden,            // 403: the token lacks the role
  kTooManyAuthFailures,  // 429: the client failed to authenticate too often
  // What is asked for does not exist (404).
  kNotFound,          // no such resource, commit or consent event
  kDocumentNotFound,  // no such (published, or declared) document
  kEditionNotFound,   // no such edition of the document
  kTextNotFound,      // the edition has no text in that language
  kNotInForce,        // no edition of the document is in force at that moment
  // The rules refuse the request (422).
  kPublicationRefused,  // a publication rule (backdating, same text, unknown revision...)
  kLintRefused,         // lint errors the previous edition did not have; extra "findings"
  kWithdrawalRefused,   // the edition has taken effect, or no reason
  kInvalidRegistry,     // charta.xml is missing or invalid at the revision (lint, publishing)
  kNoticePeriod,        // a material edition would take effect inside its notice period
  kApprovalsMissing,    // fewer approvals of the revision than charta.xml asks for
  kUnknownDocument,     // a consent names no published document; extra "documents"
  kEditionNotInForce,   // a consent names an edition not in force nor superseded
  kUnknownLanguage,     // a consent names a language the edition has no text in
  kUnknownPurpose,      // a consent names a purpose outside the edition's catalogue
  kPageMismatch,        // a consent's page_sha256 is not the page served now
  // Somebody else changed or holds the same thing.
  kConflict,              // 409
  kPublicationConflict,   // 409: another publisher took the number first
  kForeignTag,            // 409: a tag that is no edition holds the next edition's name
  kAlreadyWithdrawn,      // 409
  kReplicaReadOnly,       // 409: publications happen on the primary
  kSubjectBlocked,        // 409: clause 6.2.4
  kIdempotencyKeyReused,  // 409: the key was used for another request
  kPreconditionFailed,    // 412: the document changed since the caller looked
  kSubjectErased,         // 410: the subject was erased; its events link to nobody any more
  kPreconditionRequired,  // 428: a write that needs If-Match came without it
  kRepositoryBusy,        // 503: a fresh git lock of another writer, or the process is short of
                          // descriptors or memory; retry after retryAfter
  kRepositoryUnreadable,  // 503: a git object cannot be read intact
  kLedgerUnavailable,     // 503: the consent ledger cannot be reached; retry
  kInternal,              // 500: anything else (the reason is logged, never shown)
};

// A failure of one kind, with what a caller needs to act on it. The message is one line that
// never holds a subject id.
class Failure : public Error {
 public:
  Failure(Fault fault, const std::string& detail, Poco::JSON::Object::Ptr extra = nullptr)
      : Error(detail), fault_(fault), extra_(std::move(extra)) {}
  Fault fault() const { return fault_; }
  // Members the API adds to the problem object (the edition in force, the catalogue, the
  // findings...); nullptr: none.
  const Poco::JSON::Object::Ptr& extra() const { return extra_; }
  // When retrying may succeed (kRepositoryBusy, kLedgerUnavailable, kTooManyAuthFailures).
  std::optional<std::chrono::seconds> retryAfter;
  // What the adapter reported, for the log only (a path, a database message): never sent.
  std::string cause;

 private:
  Fault fault_;
  Poco::JSON::Object::Ptr extra_;
};

// The failure "e" is, for errors thrown without a kind by the adapters (repository, ledger,
// publishing): InvalidInput is kInvalidRequest (charta.xml's InvalidRegistry kInvalidRegistry),
// NotFound kNotFound, Conflict kConflict (a ForeignTag kForeignTag), Unavailable kRepositoryBusy
// (also a RepositoryUnavailable), a repository error kRepositoryUnreadable, a ledger storage error
// kLedgerUnavailable, anything else kInternal; the publishing refusals (lint, replica, an
// unexpected edition) and the ledger's Blocked have their own kinds. Functions that know what a
// plain error means where they call (a refusal of publishing is kPublicationRefused) say so
// themselves.
Failure failureOf(const std::exception& e);

}  // namespace charta::service
