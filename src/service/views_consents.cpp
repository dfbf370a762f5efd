// The JSON of what the consent ledger holds (see views.h).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "ledger/validate.h"
#include "service/audit.h"
#include "service/evidence.h"
#include "service/views.h"

namespace charta::service {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// Event times are shown in Kazakhstan's offset of the day.
std::string moment(core::Instant t) { return core::formatRfc3339(t, core::almatyOffset(t)); }

Object::Ptr noticeJson(const ledger::Event& e, const ReceiptOptions& options) {
  auto notice = jsonObject();
  if (options.noticeUrl) {
    if (std::string url = options.noticeUrl(e); !url.empty()) notice->set("url", url);
  }
  notice->set("document", e.doc.str());
  notice->set("edition", e.edition.value());
  notice->set("commit", e.commit.str());
  notice->set("text_sha256", e.textSha256);
  if (e.pageSha256) notice->set("page_sha256", *e.pageSha256);
  notice->set("language", e.lang.str());
  if (e.publication) notice->set("publication", static_cast<Poco::Int64>(*e.publication));
  return notice;
}

Object::Ptr chainJson(const ledger::Event& e) {
  auto chain = jsonObject();
  chain->set("seq", static_cast<Poco::Int64>(e.seq));
  chain->set("prev_hash", e.prevHash);
  chain->set("hash", e.hash);
  chain->set("request_digest", e.requestDigest);
  chain->set("hash_algorithm", "SHA-256");
  chain->set("hash_format", "charta-event/2");
  return chain;
}

Array::Ptr receipts(const std::vector<ledger::Event>& events, const ReceiptOptions& options) {
  Array::Ptr list = new Array;
  for (const auto& e : events) list->add(receipt(e, options));
  return list;
}

}  // namespace

Object::Ptr receipt(const ledger::Event& e, const ReceiptOptions& options) {
  auto r = jsonObject();
  r->set("receipt_version", "charta/2");
  r->set("record_id", e.id);
  // An erased subject's events link to nobody: the id is gone, the pseudonym stays in the chain.
  r->set("pii_principal_id", e.subjectErased ? Var() : Var(e.subject));
  r->set("subject_pseudonym", e.pseudonym);
  if (e.subjectErased) r->set("subject_erased", true);
  r->set("privacy_notice", noticeJson(e, options));
  Array::Ptr purposes = new Array;
  for (const auto& p : e.purposes) purposes->add(p.str());
  r->set("purposes", purposes);
  r->set("event_type", std::string(core::eventTypeName(e.type)));
  r->set("event_time", moment(e.recordedAt));
  r->set("collection_method", e.collectionMethod);
  if (e.formId) r->set("form_id", *e.formId);
  r->set("jurisdiction", options.jurisdiction);
  if (e.reason) r->set("reason", *e.reason);
  if (e.evidence) {
    try {
      Poco::JSON::Parser parser;
      parser.setDepth(ledger::kMaxEvidenceDepth + 1);
      r->set("evidence", parser.parse(*e.evidence));
    } catch (...) {
      r->set("evidence_text", *e.evidence);  // stored before validation existed or tampered
    }
  }
  if (e.evidenceSha256) r->set("evidence_sha256", *e.evidenceSha256);
  r->set("chain", chainJson(e));
  return r;
}

Object::Ptr subjectEventsJson(std::string_view subject, const std::vector<ledger::Event>& events,
                              const ReceiptOptions& options) {
  auto o = jsonObject();
  o->set("pii_principal_id", std::string(subject));
  o->set("events", receipts(events, options));
  return o;
}

Object::Ptr subjectExport(std::string_view subject, const std::vector<ledger::Event>& events,
                          core::Instant exportedAt, const ReceiptOptions& options) {
  auto x = jsonObject();
  x->set("pii_principal_id", std::string(subject));
  x->set("exported_at", moment(exportedAt));
  x->set("jurisdiction", options.jurisdiction);
  x->set("events", receipts(events, options));
  return x;
}

Object::Ptr citationJson(const EditionCitation& c) {
  auto o = jsonObject();
  o->set("document", c.document.str());
  o->set("edition", c.edition.no.str());
  o->set("commit", c.edition.commit.str());
  o->set("effective_from",
         core::formatRfc3339(c.edition.effectiveFrom, c.edition.effectiveOffset, false));
  o->set("url", c.url);
  return o;
}

Object::Ptr subjectStatusJson(const SubjectStatus& s) {
  auto o = jsonObject();
  o->set("document", s.document.str());
  o->set("at", moment(s.at));
  o->set("in_force", s.inForce ? Var(citationJson(*s.inForce)) : Var());
  o->set("blocked", s.status.blocked);
  if (s.status.blockedAt) o->set("blocked_at", moment(*s.status.blockedAt));
  Array::Ptr purposes = new Array;
  for (const auto& p : s.status.purposes) {
    auto po = jsonObject();
    po->set("purpose", p.purpose.str());
    for (const auto& c : s.catalogue) {
      if (c.id == p.purpose) po->set("clause", c.clause);
    }
    po->set("state", std::string(core::purposeStateName(p.state)));
    if (p.givenUnder) po->set("given_under", p.givenUnder->str());
    if (p.givenAt) po->set("given_at", moment(*p.givenAt));
    if (p.withdrawnAt) po->set("withdrawn_at", moment(*p.withdrawnAt));
    if (p.renewalFor) po->set("renewal_for", p.renewalFor->str());
    purposes->add(po);
  }
  o->set("purposes", purposes);
  return o;
}

Object::Ptr erasureJson(const Erasure& erasure) {
  auto o = jsonObject();
  o->set("subject_erased", true);
  if (!erasure.event) {
    o->set("already_erased", true);
    return o;
  }
  const ledger::Chained& e = *erasure.event;
  o->set("record_id", e.id);
  o->set("event_type", "subject.erased");
  o->set("event_time", moment(e.recordedAt));
  o->set("reason", erasure.reason);
  o->set("by", erasure.by);
  auto chain = jsonObject();
  chain->set("seq", static_cast<Poco::Int64>(e.seq));
  chain->set("prev_hash", e.prevHash);
  chain->set("hash", e.hash);
  chain->set("hash_algorithm", "SHA-256");
  chain->set("hash_format", "charta-event/2");
  o->set("chain", chain);
  return o;
}

Object::Ptr auditReportJson(const AuditReport& rep, std::string_view backend) {
  auto o = jsonObject();
  o->set("ok", rep.ok());
  o->set("backend", std::string(backend));
  o->set("checked", static_cast<Poco::Int64>(rep.log.checked));
  o->set("head_seq", static_cast<Poco::Int64>(rep.log.headSeq));
  o->set("head_hash", rep.log.headHash);
  o->set("from_seq", static_cast<Poco::Int64>(rep.log.fromSeq));
  o->set("tree_size", static_cast<Poco::UInt64>(rep.log.treeSize));
  o->set("root", rep.log.root);
  auto anchors = jsonObject();
  anchors->set("ref", std::string(repository::kAnchorsRef));
  anchors->set("repository_checked", rep.repositoryChecked);
  anchors->set("count", static_cast<Poco::Int64>(rep.anchors));
  anchors->set("checked", static_cast<Poco::Int64>(rep.log.anchorsChecked));
  anchors->set("timestamps", static_cast<Poco::Int64>(rep.timestamps));
  anchors->set("other_ledgers", static_cast<Poco::Int64>(rep.foreignAnchors));
  anchors->set("since_anchor", rep.sinceAnchor);
  if (rep.latestAnchor) {
    auto latest = jsonObject();
    latest->set("commit", *rep.latestAnchor);
    latest->set("tree_size", static_cast<Poco::UInt64>(rep.latestAnchorSize));
    anchors->set("latest", latest);
  } else {
    anchors->set("latest", Var());
  }
  o->set("anchors", anchors);
  Array::Ptr findings = new Array;
  for (const auto& f : rep.findings) {
    auto fo = jsonObject();
    fo->set("kind", f.kind);
    fo->set("seq", static_cast<Poco::Int64>(f.seq));
    fo->set("id", f.id.empty() ? Var() : Var(f.id));
    fo->set("detail", f.detail);
    findings->add(fo);
  }
  o->set("findings", findings);
  return o;
}

std::string toJsonText(const Object::Ptr& obj) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(obj, out);
  return out.str();
}

Object::Ptr verificationJson(const Verifications::Snapshot& job, std::string_view backend) {
  auto o = jsonObject();
  o->set("id", job.id);
  o->set("state", std::string(stateName(job.state)));
  o->set("since_anchor", job.sinceAnchor);
  o->set("started_at", core::formatRfc3339(job.startedAt));
  o->set("finished_at", job.finishedAt ? Poco::Dynamic::Var(core::formatRfc3339(*job.finishedAt))
                                       : Poco::Dynamic::Var());
  o->set("checked", static_cast<Poco::Int64>(job.checked));
  o->set("report", job.report ? Poco::Dynamic::Var(auditReportJson(*job.report, backend))
                              : Poco::Dynamic::Var());
  std::string error;
  if (job.failure) {
    try {
      std::rethrow_exception(job.failure);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown failure";
    }
  }
  o->set("error", error.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(error));
  return o;
}

}  // namespace charta::service
