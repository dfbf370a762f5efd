#include "service/evidence.h"

#include "service/errors.h"

namespace charta::service {

Evidence::Evidence(const ledger::Ledger& ledger, const Catalog* catalog, std::string jurisdiction)
    : ledger_(ledger), catalog_(catalog), jurisdiction_(std::move(jurisdiction)) {}

std::optional<ledger::Event> Evidence::event(std::string_view id) const { return ledger_.find(id); }

namespace {

// Throws kSubjectErased when "subject" was erased and nothing was recorded for it since.
void refuseErased(const ledger::Ledger& ledger, std::string_view subject) {
  if (ledger.subjectState(subject) == ledger::SubjectState::kErased) {
    throw Failure(Fault::kSubjectErased,
                  "This subject was erased: the events recorded for it remain as evidence, and "
                  "nothing links them to it any more.");
  }
}

}  // namespace

std::vector<ledger::Event> Evidence::events(std::string_view subject,
                                            const std::optional<core::DocumentId>& doc) const {
  refuseErased(ledger_, subject);
  return ledger_.bySubject(subject, doc);
}

SubjectStatus Evidence::status(std::string_view subject, const core::DocumentId& doc,
                               core::Instant now) const {
  auto snap = catalog_ ? catalog_->snapshot() : std::make_shared<const Snapshot>();
  const DocumentState* d = snap->find(doc);
  if (!d) {
    throw Failure(Fault::kDocumentNotFound,
                  "There is no published document \"" + doc.str() + "\".");
  }
  refuseErased(ledger_, subject);
  std::vector<core::ConsentFact> facts;
  for (const auto& e : ledger_.bySubject(subject, doc)) {
    facts.push_back(core::ConsentFact{e.seq, e.type, e.doc, e.edition, e.purposes, e.recordedAt});
  }
  SubjectStatus out{doc, now, inForceCitation(*snap, *d, now), {}, {}};
  if (out.inForce) out.catalogue = d->at(out.inForce->edition).purposes;
  out.status = core::consentStatus(facts, doc, d->timeline, out.catalogue, now);
  return out;
}

ReceiptOptions Evidence::receiptOptions() const {
  ReceiptOptions o;
  o.jurisdiction = jurisdiction_;
  if (!catalog_) return o;
  auto snap = catalog_->snapshot();
  // The page the person was shown: in another language than the controlling one, that
  // language's page (as the site serves it, with ?lang=).
  o.noticeUrl = [snap](const ledger::Event& e) -> std::string {
    const DocumentState* d = snap->find(e.doc);
    if (!d) return "";
    std::string url = snap->editionUrl(*d, e.edition);
    const core::Edition* edition = d->timeline.edition(e.edition);
    const core::Document& doc = edition ? d->at(*edition) : d->document;
    if (!core::iequals(e.lang.str(), doc.controllingLang.str())) url += "?lang=" + e.lang.str();
    return url;
  };
  return o;
}

}  // namespace charta::service
