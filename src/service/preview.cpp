#include "service/preview.h"

#include "core/publication.h"
#include "render/site.h"
#include "service/errors.h"
#include "service/pages.h"

namespace charta::service {

using core::Edition;
using core::Instant;

namespace {

constexpr const char* kNoindex = "<meta name=\"robots\" content=\"noindex\"/>";

// The preview notice in "lang" (the page strings' "notice.preview"), escaped for XHTML.
std::string noticeText(const core::Lang& lang) {
  std::string out;
  for (char c : render::pageString(lang, "notice.preview")) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// "at" of the notice: right after the opening tag of the first "<tag" in "bytes".
size_t afterOpening(const std::string& bytes, std::string_view tag) {
  size_t open = bytes.find(std::string("<") + std::string(tag));
  if (open == std::string::npos) return std::string::npos;
  size_t close = bytes.find('>', open);
  return close == std::string::npos ? close : close + 1;
}

}  // namespace

std::string markPreview(std::string bytes, const core::Lang& lang) {
  const size_t main = afterOpening(bytes, "main");
  if (main != std::string::npos) {
    bytes.insert(main, "<div class=\"notice notice-preview\" role=\"note\"><p><strong>" +
                           noticeText(lang) + "</strong></p></div>");
  }
  const size_t head = afterOpening(bytes, "head");
  if (head != std::string::npos) bytes.insert(head, kNoindex);
  return bytes;
}

// The document's state as it would be with the draft published at "now".
struct Previews::Draft {
  DocumentState state;
  Edition edition;
  std::optional<Edition> inForce;
};

Previews::Previews(Catalog& catalog, const render::Site& site, const Publishing& publishing)
    : catalog_(catalog), site_(site), publishing_(publishing) {}

Previews::Draft Previews::draft(const PreviewRequest& req, Instant now) const {
  repository::PolicyRepository& repo = catalog_.repository();
  const core::CommitId revision = req.revision ? *req.revision : repo.head();
  if (!repo.onBranch(revision)) {
    throw Failure(Fault::kNotFound, "revision " + revision.str() + " is not on the branch");
  }
  core::Registry reg = repo.registry(revision);
  const core::Document* doc = reg.document(req.doc);
  if (!doc) {
    throw Failure(Fault::kDocumentNotFound, "charta.xml at " + revision.str() +
                                                " declares no document \"" + req.doc.str() + "\"");
  }
  const repository::DocumentEditions eds = repo.editions(req.doc);
  std::vector<Edition> editions = eds.timeline.editions();
  std::map<int, core::Document> atEdition = eds.documents;
  Edition e{req.doc,
            core::nextEditionNo(eds.timeline),
            revision,
            now,
            req.effectiveFrom.value_or(now),
            req.effectiveOffset,
            req.material,
            req.renewPurposes,
            req.summary,
            core::defaultPublisher(),
            std::nullopt,
            std::nullopt};
  std::optional<Edition> inForce;
  if (const Edition* f = eds.timeline.inForceAt(now)) inForce = *f;
  editions.push_back(e);
  atEdition.insert_or_assign(e.no.value(), *doc);
  return Draft{DocumentState{*doc, core::Timeline(std::move(editions)), std::move(atEdition)}, e,
               inForce};
}

Preview Previews::preview(const PreviewRequest& req, Instant now) const {
  const Draft d = draft(req, now);
  Pages pages(catalog_, site_);  // a cache of its own: the draft's number is no edition's yet
  Preview out{d.edition,
              d.state.document,
              d.inForce ? std::optional(d.inForce->no) : std::nullopt,
              {},
              {},
              publishing_.lint(req.doc, d.edition.commit, d.edition.effectiveFrom,
                               d.edition.effectiveOffset),
              publishing_.approvals(req.doc, d.edition.commit)};
  for (const core::Lang& lang : d.state.document.langs) {
    if (auto p = pages.edition(d.state, d.edition, lang, now)) {
      out.pages.emplace(lang.str(), markPreview(*p->body, lang));
    }
    if (!d.inForce) continue;
    if (auto p = pages.changes(d.state, *d.inForce, d.edition, lang)) {
      out.redlines.emplace(lang.str(), markPreview(*p->body, lang));
    }
  }
  return out;
}

std::string Previews::page(const PreviewRequest& req, const std::optional<core::Lang>& lang,
                           bool redline, Instant now) const {
  const Draft d = draft(req, now);
  const std::string tag = lang ? lang->str() : d.state.document.controllingLang.str();
  const core::Lang* own = d.state.document.language(tag);
  if (!own) throw Failure(Fault::kTextNotFound, "the draft has no text in \"" + tag + "\"");
  Pages pages(catalog_, site_);
  std::shared_ptr<const Page> p;
  if (!redline) {
    p = pages.edition(d.state, d.edition, *own, now);
  } else if (d.inForce) {
    p = pages.changes(d.state, *d.inForce, d.edition, *own);
  } else {
    throw Failure(Fault::kNotInForce,
                  "no edition of " + req.doc.str() +
                      " is in force: there is nothing to compare the draft with");
  }
  if (!p) throw Failure(Fault::kTextNotFound, "the draft has no text in \"" + tag + "\"");
  return markPreview(*p->body, *own);
}

}  // namespace charta::service
