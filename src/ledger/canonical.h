#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace charta::ledger {

// The canonical bytes of one event of the v2 log: what its chain hash and its Merkle leaf are
// computed from, and what the database stores (events.bytes). Format:
//
//   "charta-event/2\n"
//   then, for each field of the event's kind below in this order, either
//     <name> ":" <decimal byte length of value> ":" <value> "\n"     (field present)
//     <name> ":-\n"                                                  (optional field absent, ?)
//
//   common, first:  id (UUID, lower-case), seq (decimal), kind (below), recorded_at (decimal
//                   milliseconds since 1970-01-01T00:00:00Z)
//   then the kind's fields:
//     consent.given, consent.withdrawn, subject.blocked, subject.unblocked:
//       subject (the pseudonym: 64 hex), document, edition (decimal), publication? (seq of the
//       chained edition.published event cited), commit (40 hex), text_sha256, page_sha256?,
//       language, purposes (sorted, joined by ","; "" for blocked/unblocked), collection_method,
//       form_id?, evidence_sha256? (hex HMAC-SHA256 under the subject's key of the evidence
//       JSON), reason?, idempotency_key?, request_digest (hex HMAC-SHA256 under the subject's
//       key of the v1 request digest, see chain.h)
//     subject.erased:      subject (pseudonym), reason, by
//     edition.published:   document, edition, tag (tag object id), commit, published_at
//                          (RFC 3339 with ms), effective_from (as in the trailer), material
//                          ("yes"/"no"), imported ("yes"/"no"), texts ("<lang>=<sha256>" sorted
//                          by lang, joined by ","), registry_sha256, observed_via (cli|api|git)
//     edition.withdrawn:   document, edition, tag (the withdrawal tag object id), withdrawn_at,
//                          reason, observed_via
//     ledger.migrated:     from_format, from_head_seq, from_head_hash, events
//   last, common:   prev_hash (64 hex: the chain hash of event seq-1; 64 zeros for seq 1)
//
//   chain hash  = lower-case hex SHA-256(canonical bytes)
//   Merkle leaf = SHA-256(0x00 || canonical bytes)          (RFC 9162; leaf index = seq - 1)
//
// Every value carries its length, so no two field lists give the same bytes. Nothing personal is
// in the bytes: the subject is a keyed pseudonym, the evidence a keyed digest; both keys live in
// erasable tables (see ledger.h, erase).

inline constexpr std::string_view kEventFormat = "charta-event/2";

enum class Kind {
  kConsentGiven,
  kConsentWithdrawn,
  kSubjectBlocked,
  kSubjectUnblocked,
  kSubjectErased,
  kEditionPublished,
  kEditionWithdrawn,
  kLedgerMigrated,
};
std::string_view kindName(Kind kind);  // "consent.given", ...
std::optional<Kind> parseKind(std::string_view name);
bool isSubjectKind(Kind kind);  // the four consent-type kinds

// The field names of "kind", in order, the common ones included; a trailing '?' marks an
// optional field (the '?' is not part of the name).
const std::vector<std::string_view>& fieldNames(Kind kind);

// One event's field values in the order of fieldNames(kind); nullopt: absent.
struct CanonicalEvent {
  Kind kind = Kind::kConsentGiven;
  std::vector<std::optional<std::string>> values;

  // The value of field "name"; nullopt when absent. throws std::logic_error: no such field.
  const std::optional<std::string>& get(std::string_view name) const;
  // The value of field "name"; nullopt when absent or when the kind has no such field.
  std::optional<std::string> value(std::string_view name) const;
  // Sets field "name". throws std::logic_error: no such field.
  void set(std::string_view name, std::optional<std::string> value);

  // A new event of "kind" with every field absent and "kind" set.
  static CanonicalEvent of(Kind kind);
};

// The canonical bytes. throws std::logic_error: a required field is absent (a bug, not input).
std::string encode(const CanonicalEvent& event);

// One event decoded in place: views into the bytes it was decoded from.
struct DecodedEvent {
  Kind kind = Kind::kConsentGiven;
  std::vector<std::optional<std::string_view>> values;  // in the order of fieldNames(kind)

  std::optional<std::string_view> get(std::string_view name) const;  // nullopt: absent/unknown
  CanonicalEvent owned() const;
};

// Decodes "bytes" strictly (header, every field of the kind in order, exact lengths, nothing
// after the last field). Returns "" and fills "out", or the reason they are not canonical bytes.
std::string decode(std::string_view bytes, DecodedEvent& out);

// Positions of the common fields in every kind's list.
inline constexpr std::size_t kIdField = 0, kSeqField = 1, kKindField = 2, kRecordedAtField = 3;

}  // namespace charta::ledger
