#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "ledger/ledger.h"

namespace charta::ledger {

struct ReceiptOptions {
  std::string jurisdiction = "KZ";
  // The public URL of the edition an event names (e.g. https://shop.kz/personal-data/v3); the
  // ledger does not know routes. Unset or returning "": privacy_notice.url is omitted.
  std::function<std::string(const Event&)> noticeUrl;
};

// The consent receipt of one event, as JSON whose field names follow ISO/IEC TS 27560 where it
// has one (key order preserved):
//
//   { "receipt_version": "charta/1",
//     "record_id": "<event id>", "pii_principal_id": "<subject>",
//     "privacy_notice": { "url", "document", "edition", "commit", "text_sha256", "page_sha256",
//                         "language" },
//     "purposes": ["marketing"], "event_type": "given",
//     "event_time": "2026-03-05T09:00:00.123+05:00",   (RFC 3339, Kazakhstan time)
//     "collection_method": "web-form", "form_id": "...", "jurisdiction": "KZ",
//     "evidence": { ... },
//     "chain": { "seq", "prev_hash", "hash", "request_digest", "hash_algorithm": "SHA-256",
//                "hash_format": "charta-consent-event/1" } }
//
// Optional fields are omitted when absent. Pure; thread-safe.
Poco::JSON::Object::Ptr receipt(const Event& event, const ReceiptOptions& options = {});

// Everything the ledger holds about one subject (a data-subject access export):
//   { "pii_principal_id", "exported_at", "jurisdiction", "events": [ receipt... ] }
Poco::JSON::Object::Ptr subjectExport(std::string_view subject, const std::vector<Event>& events,
                                      core::Instant exportedAt, const ReceiptOptions& options = {});

// Compact JSON text of "object" (UTF-8, not \u-escaped).
std::string toJsonText(const Poco::JSON::Object::Ptr& object);

}  // namespace charta::ledger
