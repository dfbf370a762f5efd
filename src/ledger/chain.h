#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"

namespace charta::ledger {

// The hash chain of the consent ledger.
//
// Each event's hash is the SHA-256, in lower-case hex (core::sha256Hex), of this byte string:
//
//   "charta-consent-event/1\n"
//   then, for each field below in this order, either
//     <name> ":" <decimal byte length of value> ":" <value> "\n"     (field present)
//     <name> ":-\n"                                                  (optional field absent)
//
//   id                 UUID, lower-case, with hyphens
//   seq                decimal, no sign, no leading zeros
//   subject            the subject id's bytes (UTF-8)
//   document           document id
//   edition            decimal edition number
//   commit             40 lower-case hex
//   text_sha256        64 lower-case hex
//   page_sha256        64 lower-case hex, optional
//   language           the language tag as stored
//   purposes           purpose ids, sorted, unique, joined by "," (ids never contain ",");
//                      the empty string for blocked/unblocked
//   event_type         given | withdrawn | blocked | unblocked
//   recorded_at        decimal milliseconds since 1970-01-01T00:00:00Z
//   collection_method  token
//   form_id            optional
//   evidence           the JSON text exactly as stored, optional
//   idempotency_key    optional
//   request_digest     64 lower-case hex (below)
//   prev_hash          64 lower-case hex: the hash of the event with seq-1, 64 zeros for seq 1
//
// Every value carries its length, so no two different field lists give the same byte string.
// The chain head (seq and hash of the last event) is kept in its own row, updated in the same
// transaction, so removing the newest events is detected too.
//
// The request digest, which an idempotency key is compared by, is the SHA-256 in hex of the same
// encoding under the header "charta-consent-request/1\n" with the fields subject, document,
// edition, commit, text_sha256, page_sha256, language, purposes, event_type, collection_method,
// form_id, evidence: the request as normalized, without anything the ledger adds.
//
// A hash chain without a secret proves order and integrity against edits that do not recompute
// the chain; an attacker who can rewrite the whole table can also rewrite the hashes. Anchor the
// head hash outside the database (print `charta ledger verify` output to an append-only log).

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The fields of one stored event as text, exactly as they enter the hash.
struct ChainFields {
  std::string id;
  std::string seq;
  std::string subject;
  std::string document;
  std::string edition;
  std::string commit;
  std::string textSha256;
  std::optional<std::string> pageSha256;
  std::string language;
  std::string purposes;
  std::string eventType;
  std::string recordedAt;
  std::string collectionMethod;
  std::optional<std::string> formId;
  std::optional<std::string> evidence;
  std::optional<std::string> idempotencyKey;
  std::string requestDigest;
  std::string prevHash;
};

// The byte string described above, and its hash.
std::string canonicalBytes(const ChainFields& fields);
std::string chainHash(const ChainFields& fields);

ChainFields chainFields(const Event& event);

// The request digest of an already normalized request (see normalize in validate.h).
std::string requestDigest(const NewEvent& event);

// "a,b,c" from sorted purposes.
std::string joinPurposes(const std::vector<core::PurposeId>& purposes);

}  // namespace charta::ledger
