#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/consent.h"
#include "core/ids.h"
#include "core/time.h"
#include "ledger/ledger.h"
#include "service/catalog.h"
#include "service/pages.h"

namespace charta::service {

// A consent (`given`) or a withdrawal of consent (`withdrawn`), as the shop reports it.
struct ConsentRequest {
  ledger::EventType type = ledger::EventType::kGiven;
  std::string subject;  // valid per core::isValidSubject
  core::DocumentId document;
  core::NamedEdition shown;  // the edition the subject was shown; a withdrawal may name none
  core::Lang language;
  std::vector<core::PurposeId> purposes;
  std::string collectionMethod;
  std::optional<std::string> formId;
  std::optional<std::string> evidence;    // canonical JSON text of an object
  std::optional<std::string> pageSha256;  // lower-case hex: the exact page shown, if known
  std::optional<std::string> idempotencyKey;
};

// Blocking (clause 6.2.4) or unblocking a subject's personal data.
struct BlockRequest {
  ledger::EventType type = ledger::EventType::kBlocked;  // or kUnblocked
  std::string subject;
  std::optional<core::DocumentId> document;  // nullopt: the first document with an edition in force
  std::string collectionMethod = "api";
  std::optional<std::string> formId;
  std::optional<std::string> evidence;
  std::optional<std::string> idempotencyKey;
  std::optional<std::string> reason;  // why: 1-1024 bytes of UTF-8, chained with the event
};

// The erasure of a subject, as recorded (nothing when it was already erased).
struct Erasure {
  std::optional<ledger::Chained> event;  // the subject.erased event; nullopt: erased before
  std::string reason;
  std::string by;
};

// How long a form stays valid after what it showed changed (consent.page_grace_s,
// consent.superseded_grace_s).
struct ConsentOptions {
  // A page variant (core::PageState) archived and shown this long before a consent is still a
  // fair page to cite: a form opened before an edition was announced or took effect.
  std::chrono::milliseconds pageGrace = std::chrono::hours(24);
  // A consent citing an edition that stopped being in force longer ago than this is refused.
  std::chrono::milliseconds supersededGrace = std::chrono::hours(24);
};

// Recording consent events in the ledger, each citing the exact edition the subject was shown:
// document, edition, commit, text SHA-256 and, when the shop names it, page SHA-256. The rules
// are core::citeEdition and core::checkConsent; the ledger refuses a blocked subject's consents.
// Safe for concurrent use.
class Consents {
 public:
  Consents(ledger::Ledger& ledger, Catalog& catalog, Pages& pages, ConsentOptions options = {});

  // Records "req" at "now". An idempotency key seen with the same request returns the event
  // stored then (replayed), appending nothing.
  // throws Failure:
  //   kInvalidRequest      a consent that names no edition
  //   kUnknownDocument     no published document (extra "documents")
  //   kEditionNotInForce   the edition cannot be cited (extra "edition_status", "in_force"); a
  //                        consent citing one superseded longer than supersededGrace ago too
  //   kUnknownLanguage     no text in that language (extra "languages")
  //   kUnknownPurpose      a purpose outside the edition's catalogue (extra "edition", "catalogue")
  //   kPageMismatch        neither the page served now nor an archived variant of it shown
  //                        within pageGrace (extra "page_url", "page_sha256")
  //   kSubjectBlocked, kIdempotencyKeyReused, kLedgerUnavailable (retryAfter)
  ledger::AppendResult record(ConsentRequest req, core::Instant now);

  // Records a `blocked` or `unblocked` event of "req.subject", under the edition in force of its
  // document (it concerns the subject as a whole).
  // throws Failure kUnknownDocument, kEditionNotInForce, kIdempotencyKeyReused,
  //   kLedgerUnavailable.
  ledger::AppendResult block(BlockRequest req, core::Instant now);

  // Erases "subject" (ledger::Ledger::erase): its key, its id and the evidence kept for its
  // events are destroyed; a `subject.erased` event (pseudonym, reason, by) is chained. "by": the
  // token's name or the CLI's user.
  // throws Failure kInvalidRequest (reason, by), kNotFound (the ledger never saw the subject),
  //   kLedgerUnavailable.
  Erasure erase(const std::string& subject, const std::string& reason, const std::string& by);

 private:
  ledger::AppendResult append(const ledger::NewEvent& event, const ledger::Citation& citation);
  // Whether "sha256" names a page of "e" in "lang" that a consent at "now" may cite.
  bool citablePage(const DocumentState& d, const core::Edition& e, const core::Lang& lang,
                   const std::string& sha256, const std::optional<std::string>& served,
                   core::Instant now) const;

  ledger::Ledger& ledger_;
  Catalog& catalog_;
  Pages& pages_;
  ConsentOptions options_;
};

// The edition in force of a document, as consent answers name it: what to show instead.
struct EditionCitation {
  core::DocumentId document;
  core::Edition edition;
  std::string url;
};
std::optional<EditionCitation> inForceCitation(const Snapshot& snap, const DocumentState& d,
                                               core::Instant now);

}  // namespace charta::service
