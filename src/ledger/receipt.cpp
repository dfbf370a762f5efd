#include "ledger/receipt.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "ledger/chain.h"
#include "ledger/validate.h"

namespace charta::ledger {
namespace {

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string eventTime(core::Instant t) { return core::formatRfc3339(t, core::almatyOffset(t)); }

}  // namespace

Poco::JSON::Object::Ptr receipt(const Event& e, const ReceiptOptions& options) {
  auto r = object();
  r->set("receipt_version", "charta/1");
  r->set("record_id", e.id);
  r->set("pii_principal_id", e.subject);

  auto notice = object();
  if (options.noticeUrl) {
    if (std::string url = options.noticeUrl(e); !url.empty()) notice->set("url", url);
  }
  notice->set("document", e.doc.str());
  notice->set("edition", e.edition.value());
  notice->set("commit", e.commit.str());
  notice->set("text_sha256", e.textSha256);
  if (e.pageSha256) notice->set("page_sha256", *e.pageSha256);
  notice->set("language", e.lang.str());
  r->set("privacy_notice", notice);

  Poco::JSON::Array::Ptr purposes = new Poco::JSON::Array;
  for (const auto& p : e.purposes) purposes->add(p.str());
  r->set("purposes", purposes);
  r->set("event_type", std::string(core::eventTypeName(e.type)));
  r->set("event_time", eventTime(e.recordedAt));
  r->set("collection_method", e.collectionMethod);
  if (e.formId) r->set("form_id", *e.formId);
  r->set("jurisdiction", options.jurisdiction);
  if (e.evidence) {
    try {
      Poco::JSON::Parser parser;
      parser.setDepth(kMaxEvidenceDepth + 1);
      r->set("evidence", parser.parse(*e.evidence));
    } catch (...) {
      r->set("evidence_text", *e.evidence);  // stored before validation existed or tampered
    }
  }

  auto chain = object();
  chain->set("seq", static_cast<Poco::Int64>(e.seq));
  chain->set("prev_hash", e.prevHash);
  chain->set("hash", e.hash);
  chain->set("request_digest", e.requestDigest);
  chain->set("hash_algorithm", "SHA-256");
  chain->set("hash_format", "charta-consent-event/1");
  r->set("chain", chain);
  return r;
}

Poco::JSON::Object::Ptr subjectExport(std::string_view subject, const std::vector<Event>& events,
                                      core::Instant exportedAt, const ReceiptOptions& options) {
  auto x = object();
  x->set("pii_principal_id", std::string(subject));
  x->set("exported_at", eventTime(exportedAt));
  x->set("jurisdiction", options.jurisdiction);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const Event& e : events) list->add(receipt(e, options));
  x->set("events", list);
  return x;
}

std::string toJsonText(const Poco::JSON::Object::Ptr& obj) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(obj, out);
  return out.str();
}

}  // namespace charta::ledger
