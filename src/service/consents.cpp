#include "service/consents.h"

#include <Poco/JSON/Array.h>

#include "core/page_state.h"
#include "service/errors.h"
#include "service/views.h"

namespace charta::service {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const DocumentState& published(const Snapshot& snap, const core::DocumentId& doc) {
  if (const DocumentState* d = snap.find(doc)) return *d;
  auto extra = jsonObject();
  Array::Ptr docs = new Array;
  for (const auto& d : snap.documents) docs->add(d->document.id.str());
  extra->set("documents", docs);
  throw Failure(Fault::kUnknownDocument, "There is no published document \"" + doc.str() + "\".",
                extra);
}

std::string refusalDetail(core::Uncitable why, const core::DocumentId& doc,
                          const core::NamedEdition& named, const core::Timeline& tl) {
  const std::string& d = doc.str();
  switch (why) {
    case core::Uncitable::kUnknown:
      if (named.edition) {
        return d + " has no edition " + named.edition->str() +
               "; a consent must name an edition that is or was in force.";
      }
      return "Commit " + named.commit->str() + " is not an edition of " + d + ".";
    case core::Uncitable::kMismatch:
      return "\"commit\" is not the commit of " + d + " " + named.edition->str() + ".";
    case core::Uncitable::kDraft:
      return "Commit " + named.commit->str() + " is a draft of " + d + ", not a published edition.";
    case core::Uncitable::kNone:
      return "No edition of " + d + " is in force yet.";
    case core::Uncitable::kUpcoming:
    case core::Uncitable::kWithdrawn:
    case core::Uncitable::kSuperseded:
      break;
  }
  // The edition exists: name it.
  const core::Edition* e = named.edition ? tl.edition(*named.edition) : nullptr;
  if (!e && named.commit) {
    for (const core::Edition& x : tl.editions()) {
      if (x.commit == *named.commit) e = &x;
    }
  }
  std::string which = e ? d + " " + e->no.str() : d;
  if (why == core::Uncitable::kWithdrawn) {
    if (const core::Edition* winner = e ? tl.outrankedBy(*e) : nullptr) {
      return which + " never takes effect: " + winner->no.str() +
             ", published later for the same moment, takes effect instead.";
    }
    return which + " was withdrawn before it took effect.";
  }
  if (why == core::Uncitable::kSuperseded) {
    auto until = e ? core::inForceUntil(tl, *e) : std::nullopt;
    return which + " is no longer in force" +
           (until ? " (since " + core::formatRfc3339(*until, e->effectiveOffset, false) + ")"
                  : std::string()) +
           "; show the edition in force and ask again.";
  }
  return which + " is not in force yet" +
         (e ? " (effective " + core::formatRfc3339(e->effectiveFrom, e->effectiveOffset, false) +
                  ")."
            : ".");
}

[[noreturn]] void refuseEdition(const Snapshot& snap, const DocumentState& d, core::Instant now,
                                core::Uncitable why, const std::string& detail) {
  auto extra = jsonObject();
  extra->set("edition_status", std::string(core::uncitableName(why)));
  auto inForce = inForceCitation(snap, d, now);
  extra->set("in_force", inForce ? Var(citationJson(*inForce)) : Var());
  throw Failure(Fault::kEditionNotInForce, detail, extra);
}

// The edition that "named" cites, or the refusal.
const core::Edition& cite(const Snapshot& snap, const DocumentState& d,
                          const core::NamedEdition& named, core::Instant now,
                          const repository::PolicyRepository& repo,
                          std::optional<std::chrono::milliseconds> supersededGrace = std::nullopt) {
  auto onBranch = [&](const core::CommitId& commit) {
    try {
      return repo.onBranch(commit);
    } catch (const std::exception&) {
      return false;
    }
  };
  core::Citation c = core::citeEdition(d.timeline, named, now, onBranch, supersededGrace);
  if (c.edition) return *c.edition;
  refuseEdition(snap, d, now, *c.refused,
                refusalDetail(*c.refused, d.document.id, named, d.timeline));
}

// A form shown just before a switch stays a fair basis for a consent, unless an edition now in
// force asks again for one of its purposes (a material change for them): the subject must see it.
void refuseIfRenewed(const Snapshot& snap, const DocumentState& d, const core::Edition& e,
                     const std::vector<core::PurposeId>& purposes, core::Instant now) {
  const core::Edition* renewing = core::renewingEdition(d.timeline, e.no, purposes, now);
  if (!renewing) return;
  refuseEdition(snap, d, now, core::Uncitable::kSuperseded,
                d.document.id.str() + " " + e.no.str() + " is no longer in force: " +
                    renewing->no.str() + " changed the terms of a purpose asked for (since " +
                    core::formatRfc3339(renewing->effectiveFrom, renewing->effectiveOffset, false) +
                    "); show the edition in force and ask again.");
}

[[noreturn]] void refuseLanguage(const core::Document& doc, const core::Edition& e,
                                 const core::Lang& lang) {
  auto extra = jsonObject();
  Array::Ptr langs = new Array;
  for (const auto& l : doc.langs) langs->add(l.str());
  extra->set("languages", langs);
  throw Failure(Fault::kUnknownLanguage,
                doc.id.str() + " " + e.no.str() + " has no text in \"" + lang.str() + "\".", extra);
}

}  // namespace

std::optional<EditionCitation> inForceCitation(const Snapshot& snap, const DocumentState& d,
                                               core::Instant now) {
  const core::Edition* e = d.timeline.inForceAt(now);
  if (!e) return std::nullopt;
  return EditionCitation{d.document.id, *e, snap.editionUrl(d, e->no)};
}

Consents::Consents(ledger::Ledger& ledger, Catalog& catalog, Pages& pages, ConsentOptions options)
    : ledger_(ledger), catalog_(catalog), pages_(pages), options_(options) {}

bool Consents::citablePage(const DocumentState& d, const core::Edition& e, const core::Lang& lang,
                           const std::string& sha256, const std::optional<std::string>& served,
                           core::Instant now) const {
  if (served == sha256) return true;
  std::optional<ledger::PageRecord> archived = ledger_.page(sha256);  // StorageError: 503
  return archived && archived->doc == d.document.id && archived->edition == e.no &&
         archived->lang == lang &&
         core::pageVariantCitable(d.timeline, e, archived->variant, now, options_.pageGrace);
}

ledger::AppendResult Consents::append(const ledger::NewEvent& event,
                                      const ledger::Citation& citation) {
  try {
    return ledger_.append(event, citation);
  } catch (const ledger::NotChained&) {
    // The edition is served but not chained yet (the ledger was out of reach when it was found):
    // the server chains it at its next look at the repository.
    Failure f(Fault::kLedgerUnavailable,
              "The edition is not recorded in the ledger yet; retry with the same "
              "Idempotency-Key.");
    f.retryAfter = std::chrono::seconds(1);
    throw f;
  } catch (const ledger::Blocked&) {
    throw Failure(Fault::kSubjectBlocked,
                  "The subject's personal data is blocked on request (clause 6.2.4): no consent "
                  "can be recorded until it is unblocked.");
  } catch (const Conflict&) {
    throw Failure(Fault::kIdempotencyKeyReused,
                  "This Idempotency-Key was already used for a different request.");
  }
}

ledger::AppendResult Consents::record(ConsentRequest req, core::Instant now) {
  auto snap = catalog_.snapshot();
  const DocumentState& d = published(*snap, req.document);
  if (req.type == ledger::EventType::kGiven && !req.shown.edition && !req.shown.commit) {
    throw Failure(Fault::kInvalidRequest,
                  "Name the edition shown: \"edition\" (like \"v3\") or \"commit\" (40 hex).");
  }
  const core::Edition& e =
      cite(*snap, d, req.shown, now, catalog_.repository(),
           req.type == ledger::EventType::kGiven ? std::optional(options_.supersededGrace)
                                                 : std::nullopt);
  if (req.type == ledger::EventType::kGiven) refuseIfRenewed(*snap, d, e, req.purposes, now);
  const core::Document& doc = d.at(e);
  if (const core::Lang* own = doc.language(req.language.str())) req.language = *own;  // "RU": ru
  std::optional<std::string> served;
  if (req.pageSha256) {
    if (auto page = pages_.edition(d, e, req.language, now)) served = page->sha256;
  }
  core::ConsentCheck check = core::checkConsent(
      doc, req.language, req.purposes, req.pageSha256,
      [&](const std::string& sha) { return citablePage(d, e, req.language, sha, served, now); });
  if (check.refused == core::ConsentRefusal::kUnknownLanguage) refuseLanguage(doc, e, req.language);
  if (check.refused == core::ConsentRefusal::kUnknownPurpose) {
    auto extra = jsonObject();
    extra->set("edition", e.no.str());
    Array::Ptr catalogue = new Array;
    for (const auto& c : doc.purposes) catalogue->add(c.id.str());
    extra->set("catalogue", catalogue);
    throw Failure(Fault::kUnknownPurpose,
                  "\"" + check.purpose->str() + "\" is not a purpose of " + doc.id.str() + " " +
                      e.no.str() + ".",
                  extra);
  }
  if (check.refused == core::ConsentRefusal::kPageMismatch) {
    auto extra = jsonObject();
    extra->set("page_url", snap->editionUrl(d, e.no));
    extra->set("page_sha256", served ? Var(*served) : Var());
    throw Failure(Fault::kPageMismatch,
                  "\"page_sha256\" is not the SHA-256 of the page of " + doc.id.str() + " " +
                      e.no.str() + " as served now; show the page again.",
                  extra);
  }
  auto textSha = catalog_.textSha256(d, e, req.language);
  if (!textSha) refuseLanguage(doc, e, req.language);
  return append(ledger::NewEvent{std::move(req.subject), req.document, e.no, e.commit, *textSha,
                                 std::move(req.pageSha256), req.language, std::move(req.purposes),
                                 req.type, std::move(req.collectionMethod), std::move(req.formId),
                                 std::move(req.evidence), std::move(req.idempotencyKey)},
                ledger::Citation{});
}

ledger::AppendResult Consents::block(BlockRequest req, core::Instant now) {
  auto snap = catalog_.snapshot();
  std::optional<core::DocumentId> docId = req.document;
  if (!docId) {
    // Blocking concerns the subject as a whole; it is recorded under the first document.
    for (const auto& state : snap->documents) {
      if (state->timeline.inForceAt(now)) {
        docId = state->document.id;
        break;
      }
    }
    if (!docId) {
      throw Failure(Fault::kEditionNotInForce, "No document has an edition in force yet.");
    }
  }
  const DocumentState& d = published(*snap, *docId);
  const core::Edition& e = cite(*snap, d, core::NamedEdition{}, now, catalog_.repository());
  const core::Document& doc = d.at(e);
  auto textSha = catalog_.textSha256(d, e, doc.controllingLang);
  if (!textSha) throw Error("the edition in force has no text in its controlling language");
  return append(ledger::NewEvent{std::move(req.subject),
                                 *docId,
                                 e.no,
                                 e.commit,
                                 *textSha,
                                 std::nullopt,
                                 doc.controllingLang,
                                 {},
                                 req.type,
                                 std::move(req.collectionMethod),
                                 std::move(req.formId),
                                 std::move(req.evidence),
                                 std::move(req.idempotencyKey)},
                ledger::Citation{std::nullopt, std::move(req.reason)});
}

Erasure Consents::erase(const std::string& subject, const std::string& reason,
                        const std::string& by) {
  try {
    return Erasure{ledger_.erase(subject, reason, by), reason, by};
  } catch (const NotFound&) {
    throw Failure(Fault::kNotFound, "The ledger holds nothing about this subject.");
  } catch (const InvalidInput& e) {
    throw Failure(Fault::kInvalidRequest, e.what());
  }
}

}  // namespace charta::service
