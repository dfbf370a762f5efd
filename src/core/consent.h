#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/registry.h"
#include "core/time.h"
#include "core/timeline.h"
#include "core/words.h"  // isValidUtf8

namespace charta::core {

// What a consent event records. `given` and `withdrawn` name one or more purposes of one document;
// `blocked` and `unblocked` (clause 6.2.4: blocking of the subject's personal data on request)
// concern the subject as a whole and name no purpose.
enum class ConsentEventType { kGiven, kWithdrawn, kBlocked, kUnblocked };

// "given", "withdrawn", "blocked", "unblocked".
std::string_view eventTypeName(ConsentEventType type);
std::optional<ConsentEventType> parseConsentEventType(std::string_view text);

// The part of a recorded consent event the status rules need.
struct ConsentFact {
  std::int64_t seq = 0;  // the ledger's chain order
  ConsentEventType type = ConsentEventType::kGiven;
  DocumentId doc;
  EditionNo edition;  // the edition the subject was shown
  std::vector<PurposeId> purposes;
  Instant at;  // when the ledger recorded it
};

// The state of one purpose of one document for one subject.
enum class PurposeState {
  kNeverGiven,       // no `given` event for it (a withdrawal alone also leaves it here)
  kGiven,            // the latest event for it is a `given`, and no later material edition asks
                     // for it again
  kWithdrawn,        // the latest event for it is a `withdrawn`
  kRenewalRequired,  // given, but a later material edition now in force names it in
                     // Renew-Purposes: the consent must be asked for again
};

std::string_view purposeStateName(PurposeState state);  // "never_given", "given", "withdrawn", ...

struct PurposeStatus {
  PurposeId purpose;
  PurposeState state = PurposeState::kNeverGiven;
  std::optional<EditionNo> givenUnder;  // the edition of the latest `given`, if any
  std::optional<Instant> givenAt;
  std::optional<Instant> withdrawnAt;   // set when state is kWithdrawn
  std::optional<EditionNo> renewalFor;  // set when kRenewalRequired: the newest such edition
};

// The consent status of one subject for one document at one moment.
struct ConsentStatus {
  std::optional<EditionNo> inForce;     // nullopt before the document's first edition
  std::vector<PurposeStatus> purposes;  // one per catalogue entry, in catalogue order
  bool blocked = false;
  std::optional<Instant> blockedAt;  // when the subject was blocked, if blocked
};

// Computes the status at "now" of the subject whose events are "events".
//
// "events" are all events of ONE subject, for any document, ordered by seq; events recorded after
// "now" are ignored. `given`/`withdrawn` events of other documents are ignored; `blocked` and
// `unblocked` apply whatever document they were recorded under.
// "catalogue" is the purpose catalogue of the edition in force at "now" (from charta.xml at that
// edition's commit); purposes outside it are not reported.
//
// Renewal rule: the latest `given` of purpose P under edition G needs renewal when the timeline
// holds an edition E with E.no > G, E.material, P in E.renewPurposes, E.effectiveFrom <= now and
// E not withdrawn before taking effect. Whether the subject gave consent before or after E took
// effect does not matter: they saw G's text, not E's.
//
// REQUIRES: "events" ordered by seq.
ConsentStatus consentStatus(const std::vector<ConsentFact>& events, const DocumentId& doc,
                            const Timeline& timeline, const std::vector<Purpose>& catalogue,
                            Instant now);

// Whether the subject is blocked at "now": the latest `blocked`/`unblocked` event recorded at or
// before "now" is a `blocked`. REQUIRES: "events" ordered by seq.
bool isBlocked(const std::vector<ConsentFact>& events, Instant now);

// ---- Validation of the ledger's free-form fields, shared by the HTTP edge and the ledger. ----

// A subject id is opaque to charta (the shop's user id, an e-mail hash...): 1-128 bytes of valid
// UTF-8 (no overlong forms, no surrogates) without control characters (C0, DEL, C1).
inline constexpr std::size_t kMaxSubjectBytes = 128;
bool isValidSubject(std::string_view subject);

// How a consent was collected: a token of 1-32 lower-case ASCII letters, digits and inner
// hyphens ("web-form", "api", "import", "call-centre").
bool isValidCollectionMethod(std::string_view method);

// The id of the form that collected a consent, or an idempotency key: 1-128 printable ASCII
// characters without spaces (0x21-0x7e).
inline constexpr std::size_t kMaxTokenBytes = 128;
bool isValidToken(std::string_view token);

// A SHA-256 in lower-case hex: exactly 64 characters of [0-9a-f].
bool isSha256Hex(std::string_view hex);

}  // namespace charta::core
