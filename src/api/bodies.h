#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "http/wire.h"
#include "service/consents.h"

// The JSON bodies of the write API, parsed and checked on their own before anything is looked up
// or written. Every malformed body is a Problem: 415 (not application/json), 400 invalid-json
// (not one JSON object of valid UTF-8 nested at most 8 deep, or a member named twice), 400
// unknown-field, 400 invalid-request (a member missing or malformed), 400 invalid-time.
namespace charta::api {

// The body of "req" as one JSON object with members only from "allowed" (when not empty).
Poco::JSON::Object::Ptr parseJsonBody(const http::Request& req,
                                      const std::set<std::string>& allowed = {}, int maxDepth = 8);

// POST /api/v1/documents/{doc}/publications.
struct PublicationBody {
  std::optional<core::RevisionSpec> revision;       // nullopt: the branch head
  std::optional<core::ZonedInstant> effectiveFrom;  // nullopt: now
  bool material = false;
  std::vector<core::PurposeId> renewPurposes;
  std::string summary;
  std::optional<std::string> force;  // the reason for publishing despite lint errors
};
PublicationBody parsePublicationBody(const http::Request& req);

// The "reason" of POST /api/v1/documents/{doc}/editions/{edition}/withdrawal (required).
std::string parseWithdrawalBody(const http::Request& req);

// POST /api/v1/consents and /api/v1/withdrawals: everything but the event type and the
// idempotency key.
service::ConsentRequest parseConsentBody(const http::Request& req);

// POST /api/v1/subjects/{subject}/block and /unblock (the body may be empty; "reason", when
// given, is chained with the event): everything but the event type, the subject and the
// idempotency key.
service::BlockRequest parseBlockBody(const http::Request& req);

// POST /api/v1/subjects/{subject}/erasure: its required "reason" (1-1024 bytes).
std::string parseErasureBody(const http::Request& req);

// A subject id from a path: 1-128 bytes of UTF-8 without control characters.
std::string subjectParam(std::string subject);

// The Idempotency-Key header (quotes of the structured-field form stripped), if any.
std::optional<std::string> idempotencyKey(const http::Request& req);

}  // namespace charta::api
