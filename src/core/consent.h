#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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

// The newest edition after "given" that the renewal rule above makes ask again for one of
// "purposes" at "now"; null when there is none.
const Edition* renewingEdition(const Timeline& timeline, EditionNo given,
                               const std::vector<PurposeId>& purposes, Instant now);

// Whether the subject is blocked at "now": the latest `blocked`/`unblocked` event recorded at or
// before "now" is a `blocked`. REQUIRES: "events" ordered by seq.
bool isBlocked(const std::vector<ConsentFact>& events, Instant now);

// ---- Acceptance: which edition a consent cites, and whether it may be recorded. ----

// What a consent or a withdrawal of consent says of the edition the subject was shown.
struct NamedEdition {
  std::optional<EditionNo> edition;  // "v3"
  std::optional<CommitId> commit;    // the edition's commit
};

// Why the edition named cannot be cited; the name is the refusal's "edition_status".
enum class Uncitable {
  kUnknown,     // no such edition, or a commit that is no edition and not on the branch
  kMismatch,    // the commit named is not the commit of the edition named
  kDraft,       // a commit on the branch that no edition was published from
  kNone,        // nothing named, and no edition is in force yet
  kUpcoming,    // published, but not in force yet
  kWithdrawn,   // withdrawn before it took effect
  kSuperseded,  // stopped being in force longer ago than the grace allows
};
std::string_view uncitableName(Uncitable reason);  // "unknown", "mismatch", "draft", ...

struct Citation {
  const Edition* edition = nullptr;  // the edition cited, into the timeline; null when refused
  std::optional<Uncitable> refused;  // why nothing can be cited
};

// The edition that a consent event recorded at "now" cites. A consent cites what the subject can
// have been shown as the policy: an edition in force at "now", or one superseded by then (a page
// shown a moment before a switch is still a fair basis); never a draft, an upcoming or a
// withdrawn edition.
//   - "named.edition": that edition; with "named.commit" too, it must be that edition's commit.
//   - only "named.commit": the newest edition of that commit in force or superseded at "now",
//     else the newest edition of that commit (refused by its status); no edition of it at all:
//     kDraft when "onBranch(commit)", else kUnknown ("onBranch" is asked only then).
//   - nothing named: the edition in force at "now" (kNone before the first). A withdrawal may
//     name nothing; a consent names what was shown, which the caller requires.
// With "supersededGrace", an edition that stopped being in force (inForceUntil) longer than that
// before "now" is refused too (kSuperseded): a form that old is stale, the subject must be shown
// the edition in force. A withdrawal of consent is given none: it may always name what it ends.
Citation citeEdition(const Timeline& timeline, const NamedEdition& named, Instant now,
                     const std::function<bool(const CommitId&)>& onBranch,
                     std::optional<std::chrono::milliseconds> supersededGrace = std::nullopt);

// Why a consent citing an edition cannot be recorded.
enum class ConsentRefusal { kUnknownLanguage, kUnknownPurpose, kPageMismatch };

struct ConsentCheck {
  std::optional<ConsentRefusal> refused;  // nullopt: the consent may be recorded
  std::optional<PurposeId> purpose;       // kUnknownPurpose: the first purpose not in the catalogue
};

// The acceptance rules of a consent once its edition is cited, in this order, against "cited"
// (charta.xml's entry at the cited edition's commit):
//   - "lang" must be a language the edition has a text in (kUnknownLanguage);
//   - every one of "purposes" must be in the edition's catalogue (kUnknownPurpose);
//   - when the client names the page it showed ("pageShown", a SHA-256), it must be the page of
//     that edition in that language as served now ("pageServed"; nullopt: none is served)
//     (kPageMismatch).
// The last rule, that a blocked subject (clause 6.2.4) gives no consent, is the ledger's: it is
// checked atomically with the append.
ConsentCheck checkConsent(const Document& cited, const Lang& lang,
                          const std::vector<PurposeId>& purposes,
                          const std::optional<std::string>& pageShown,
                          const std::function<bool(const std::string&)>& pageCitable);

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
