#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"
#include "core/edition.h"
#include "core/lint.h"
#include "core/registry.h"
#include "core/timeline.h"
#include "ledger/ledger.h"
#include "repository/policy_repository.h"
#include "service/publishing.h"
#include "service/verifications.h"

namespace charta::service {

struct RevisionDiff;  // service/revisions.h

// The one JSON of each thing charta shows: `charta --json <command>` prints it and the API sends
// it, so a field has one name, one type and one way of being absent (null, never 0 or ""). Key
// order is kept. Times are RFC 3339 with an offset. Pure functions; thread-safe.

// An empty JSON object that keeps its keys in the order they are set, as every answer does.
Poco::JSON::Object::Ptr jsonObject();

// ---- editions ----------------------------------------------------------------------------------

// One edition: {document, edition: "v3", number, commit, published_at, effective_from, status,
// material, renew_purposes, summary, publisher: {name, email}, forced?, withdrawal: {at, by,
// reason}|null}. Times in the offset the edition was published with; "status" at "now".
Poco::JSON::Object::Ptr editionJson(const core::Edition& e, const core::Timeline& timeline,
                                    core::Instant now);

// A publication just made: editionJson plus what publishing noticed: warnings (new lint
// warnings, purposes that may need renewal) and suggested_renew_purposes.
Poco::JSON::Object::Ptr publicationJson(const core::Edition& e, const core::Timeline& timeline,
                                        const PublishNotes& notes, core::Instant now);

// The edition in force at "at" and what is known to follow: editionJson (status at "now") plus
// at, upcoming: [editionJson...] and next_switch|null.
Poco::JSON::Object::Ptr inForceJson(const core::Edition& e, const core::Timeline& timeline,
                                    core::Instant at, core::Instant now);

// The schedule of a static export made at "at" (schedule.json of `charta build-site`):
// {generated_at, next_switch|null, documents: [{document, route, in_force|null,
// next_switch|null}]}: rebuild at next_switch.
struct Snapshot;  // service/catalog.h
Poco::JSON::Object::Ptr scheduleJson(const Snapshot& snap, core::Instant at);

// ---- revisions, texts, redlines, lint ----------------------------------------------------------

// One commit that changes a document: {commit, author, email, time, subject, message,
// editions: ["v2"...], draft}.
Poco::JSON::Object::Ptr revisionJson(const core::RevisionInfo& r,
                                     const std::vector<core::EditionNo>& editions);

// A redline (see service/revisions.h):
//   {document, lang, from: {revision, edition|null, commit}, to: {...},
//    summary: {unchanged, changed, moved, added, removed, split, merged},
//    touched_purposes: [id...],
//    clauses: [{status, kind: clause|heading|preamble, old_number|null, new_number|null,
//               text_changed, purposes: [id...],
//               ops: [{op: equal|delete|insert, text, space_before}]}]}
// Unchanged clauses are listed without their words (ops: []).
Poco::JSON::Object::Ptr diffJson(const core::DocumentId& doc, const RevisionDiff& d);

// One lint finding: {severity, rule, file, line|null, clause|null, message, hint,
// inherited_from|null, blocks}.
Poco::JSON::Object::Ptr lintFindingJson(const core::LintFinding& f);

// The findings of "report" as an array of lintFindingJson; only those that block when
// "blockingOnly".
Poco::JSON::Array::Ptr lintFindingsJson(const core::LintReport& report, bool blockingOnly);

// The lint of one revision: {document, revision, commit, baseline|null, errors, warnings,
// blocking, findings: [lintFindingJson...]}.
Poco::JSON::Object::Ptr lintReportJson(const core::DocumentId& doc, const std::string& revision,
                                       const core::CommitId& commit,
                                       std::optional<core::EditionNo> baseline,
                                       const core::LintReport& report);

// ---- consents ----------------------------------------------------------------------------------

struct ReceiptOptions {
  std::string jurisdiction = "KZ";
  // The public URL of the edition an event names (e.g. https://shop.kz/personal-data/v3); the
  // ledger does not know routes. Unset or returning "": privacy_notice.url is omitted.
  std::function<std::string(const ledger::Event&)> noticeUrl;
};

// The consent receipt of one event, whose field names follow ISO/IEC TS 27560 where it has one:
//
//   { "receipt_version": "charta/2",
//     "record_id": "<event id>",
//     "pii_principal_id": "<subject>" | null (erased),
//     "subject_pseudonym": "<hex>",   (the subject as the chain holds it)
//     "subject_erased": true,         (only when erased)
//     "privacy_notice": { "url", "document", "edition", "commit", "text_sha256", "page_sha256",
//                         "language", "publication" },  (the seq of the chained publication)
//     "purposes": ["marketing"], "event_type": "given",
//     "event_time": "2026-03-05T09:00:00.123+05:00",   (RFC 3339, Kazakhstan time)
//     "collection_method": "web-form", "form_id": "...", "jurisdiction": "KZ",
//     "reason": "...",                (blocked, unblocked)
//     "evidence": { ... }, "evidence_sha256": "<hex HMAC under the subject's key>",
//     "chain": { "seq", "prev_hash", "hash", "request_digest", "hash_algorithm": "SHA-256",
//                "hash_format": "charta-event/2" } }
//
// Optional fields are omitted when absent.
Poco::JSON::Object::Ptr receipt(const ledger::Event& event, const ReceiptOptions& options = {});

// The events of one subject: {pii_principal_id, events: [receipt...]}.
Poco::JSON::Object::Ptr subjectEventsJson(std::string_view subject,
                                          const std::vector<ledger::Event>& events,
                                          const ReceiptOptions& options);

// Everything the ledger holds about one subject (a data-subject access export):
//   { "pii_principal_id", "exported_at", "jurisdiction", "events": [ receipt... ] }
Poco::JSON::Object::Ptr subjectExport(std::string_view subject,
                                      const std::vector<ledger::Event>& events,
                                      core::Instant exportedAt, const ReceiptOptions& options = {});

// The consent status of a subject (see service/evidence.h): {document, at, in_force:
// {document, edition, commit, effective_from, url}|null, blocked, blocked_at?, purposes:
// [{purpose, clause, state, given_under?, given_at?, withdrawn_at?, renewal_for?}]}.
struct EditionCitation;  // service/evidence.h
struct SubjectStatus;    // service/evidence.h
Poco::JSON::Object::Ptr subjectStatusJson(const SubjectStatus& status);
Poco::JSON::Object::Ptr citationJson(const EditionCitation& c);

// The erasure of a subject (service::Consents::erase): {subject_erased: true, record_id,
// event_type: "subject.erased", event_time, reason, by, chain: {seq, prev_hash, hash,
// hash_algorithm, hash_format}}, or {subject_erased: true, already_erased: true}.
struct Erasure;  // service/consents.h
Poco::JSON::Object::Ptr erasureJson(const Erasure& erasure);

// What `ledger verify` found (service/audit.h): {ok, backend, checked, head_seq, head_hash,
// from_seq, tree_size, root, anchors: {ref, repository_checked, count, checked, timestamps,
// since_anchor, latest: {commit, tree_size}|null}, findings: [{kind, seq, id|null, detail}]}.
struct AuditReport;  // service/audit.h
Poco::JSON::Object::Ptr auditReportJson(const AuditReport& report, std::string_view backend);

// The JSON of one verification (service/verifications.h): {id, state, since_anchor, started_at,
// finished_at, checked, report: auditReportJson|null, error|null}.
Poco::JSON::Object::Ptr verificationJson(const Verifications::Snapshot& job,
                                         std::string_view backend);

// Compact JSON text of "object" (UTF-8, not \u-escaped). Members of a parsed object come sorted,
// so the same object always gives the same text.
std::string toJsonText(const Poco::JSON::Object::Ptr& object);

}  // namespace charta::service
