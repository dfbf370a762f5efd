#include "ledger/chain.h"

#include "core/sha256.h"

namespace charta::ledger {
namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ':';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

void optionalField(std::string& out, std::string_view name,
                   const std::optional<std::string>& value) {
  if (value) {
    field(out, name, *value);
  } else {
    out += name;
    out += ":-\n";
  }
}

}  // namespace

std::string joinPurposes(const std::vector<core::PurposeId>& purposes) {
  std::string out;
  for (const auto& p : purposes) {
    if (!out.empty()) out += ',';
    out += p.str();
  }
  return out;
}

std::string canonicalBytes(const ChainFields& f) {
  std::string out = "charta-consent-event/1\n";
  out.reserve(512 + f.subject.size() + (f.evidence ? f.evidence->size() : 0));
  field(out, "id", f.id);
  field(out, "seq", f.seq);
  field(out, "subject", f.subject);
  field(out, "document", f.document);
  field(out, "edition", f.edition);
  field(out, "commit", f.commit);
  field(out, "text_sha256", f.textSha256);
  optionalField(out, "page_sha256", f.pageSha256);
  field(out, "language", f.language);
  field(out, "purposes", f.purposes);
  field(out, "event_type", f.eventType);
  field(out, "recorded_at", f.recordedAt);
  field(out, "collection_method", f.collectionMethod);
  optionalField(out, "form_id", f.formId);
  optionalField(out, "evidence", f.evidence);
  optionalField(out, "idempotency_key", f.idempotencyKey);
  field(out, "request_digest", f.requestDigest);
  field(out, "prev_hash", f.prevHash);
  return out;
}

std::string chainHash(const ChainFields& fields) { return core::sha256Hex(canonicalBytes(fields)); }

ChainFields chainFields(const Event& e) {
  ChainFields f;
  f.id = e.id;
  f.seq = std::to_string(e.seq);
  f.subject = e.subject;
  f.document = e.doc.str();
  f.edition = std::to_string(e.edition.value());
  f.commit = e.commit.str();
  f.textSha256 = e.textSha256;
  f.pageSha256 = e.pageSha256;
  f.language = e.lang.str();
  f.purposes = joinPurposes(e.purposes);
  f.eventType = std::string(core::eventTypeName(e.type));
  f.recordedAt = std::to_string(e.recordedAt.time_since_epoch().count());
  f.collectionMethod = e.collectionMethod;
  f.formId = e.formId;
  f.evidence = e.evidence;
  f.idempotencyKey = e.idempotencyKey;
  f.requestDigest = e.requestDigest;
  f.prevHash = e.prevHash;
  return f;
}

std::string requestDigest(const NewEvent& e) {
  std::string out = "charta-consent-request/1\n";
  field(out, "subject", e.subject);
  field(out, "document", e.doc.str());
  field(out, "edition", std::to_string(e.edition.value()));
  field(out, "commit", e.commit.str());
  field(out, "text_sha256", e.textSha256);
  optionalField(out, "page_sha256", e.pageSha256);
  field(out, "language", e.lang.str());
  field(out, "purposes", joinPurposes(e.purposes));
  field(out, "event_type", core::eventTypeName(e.type));
  field(out, "collection_method", e.collectionMethod);
  optionalField(out, "form_id", e.formId);
  optionalField(out, "evidence", e.evidence);
  return core::sha256Hex(out);
}

}  // namespace charta::ledger
