// Site::editionPage: the page of one edition in one language.
#include "render/page.h"
#include "render/site.h"

namespace charta::render {
namespace {

using namespace detail;

// The dl of the header: the number, when it takes (took) effect, when it was published (and
// withdrawn), what changed.
void addMeta(pugi::xml_node header, const EditionPageModel& m, const Strings& s,
             const core::TimeZone& z) {
  const core::Edition& e = m.edition;
  pugi::xml_node dl = addElement(header, "dl", "edition-meta");
  auto row = [&](std::string_view label) {
    addText(addElement(dl, "dt"), label);
    return addElement(dl, "dd");
  };
  addText(row(s.edition), std::to_string(e.no.value()));
  std::string_view effectiveLabel = s.inForceSince;
  switch (m.status) {
    case Status::kInForce:
      break;
    case Status::kUpcoming:
      effectiveLabel = s.takesEffect;
      break;
    case Status::kSuperseded:
      effectiveLabel = s.tookEffect;
      break;
    case Status::kWithdrawn:
      effectiveLabel = s.wasToTakeEffect;
      break;
  }
  addTime(row(effectiveLabel), e.effectiveFrom, m.lang, z);
  addTime(row(s.published), e.publishedAt, m.lang, z);
  if (m.status == Status::kWithdrawn && e.withdrawal) {
    addTime(row(s.withdrawnAt), e.withdrawal->at, m.lang, z);
  }
  if (!e.summary.empty()) addText(row(s.changes), e.summary);
}

// The links of the header: every edition, the previous one, the changes against it.
void addNav(pugi::xml_node header, const EditionPageModel& m, const Strings& s) {
  const core::Edition& e = m.edition;
  const std::string& route = m.document.route;
  pugi::xml_node nav = addElement(header, "nav", "edition-nav");
  setAttr(nav, "aria-label", s.editionsNav);
  pugi::xml_node ul = addElement(nav, "ul");
  addLink(addElement(ul, "li"), archivePath(route), s.allEditions);
  if (e.no.value() > 1) {
    auto prev = core::EditionNo::of(e.no.value() - 1);
    pugi::xml_node a =
        addLink(addElement(ul, "li"), editionPath(route, *prev),
                std::string(s.previous) + " (" + std::to_string(prev->value()) + ")");
    setAttr(a, "rel", "prev");
  }
  if (m.changesFrom) {
    addLink(addElement(ul, "li"), changesPath(route, *m.changesFrom, e.no),
            composeText(s.changesSince, {{'N', std::to_string(m.changesFrom->value())}}));
  }
}

// " The edition in force is <a>edition N</a>." when one is.
void addInForce(pugi::xml_node p, const EditionPageModel& m, const Strings& s) {
  if (!m.inForce) return;
  addText(p, " ");
  compose(p, s.noticeCurrentIs, [&](char k, pugi::xml_node at) {
    if (k == 'L') addLink(at, m.document.route, editionLabel(s.editionLowerN, *m.inForce));
  });
}

// In force: the next edition, published and not yet in force, if any.
void addNextNotice(pugi::xml_node article, const EditionPageModel& m, const Strings& s,
                   const core::TimeZone& z) {
  if (!m.upcoming) return;
  const core::Edition& next = *m.upcoming;
  addNotice(article, "next", [&](pugi::xml_node p) {
    compose(p, s.noticeNext, [&](char k, pugi::xml_node at) {
      if (k == 'L') {
        addLink(at, editionPath(m.document.route, next.no), editionLabel(s.editionLowerN, next.no));
      }
      if (k == 'T') addTime(at, next.effectiveFrom, m.lang, z);
    });
  });
}

void addWithdrawnNotice(pugi::xml_node article, const EditionPageModel& m, const Strings& s,
                        const core::TimeZone& z) {
  const core::Edition& e = m.edition;
  addNotice(article, "withdrawn", [&](pugi::xml_node p) {
    compose(p, s.noticeWithdrawn, [&](char k, pugi::xml_node at) {
      if (k == 'T') addTime(at, e.withdrawal ? e.withdrawal->at : e.publishedAt, m.lang, z);
    });
    if (e.withdrawal && !e.withdrawal->reason.empty()) {
      addText(p, " ");
      compose(p, s.noticeReason, [&](char k, pugi::xml_node at) {
        if (k == 'R') addText(at, e.withdrawal->reason);
      });
    }
    addInForce(p, m, s);
  });
}

// The notice of the edition's status: upcoming, superseded, withdrawn, or the next edition.
void addStatusNotice(pugi::xml_node article, const EditionPageModel& m, const Strings& s,
                     const core::TimeZone& z) {
  switch (m.status) {
    case Status::kInForce:
      addNextNotice(article, m, s, z);
      break;
    case Status::kUpcoming:
      addNotice(article, "upcoming", [&](pugi::xml_node p) {
        compose(p, s.noticeUpcoming, [&](char k, pugi::xml_node at) {
          if (k == 'T') addTime(at, m.edition.effectiveFrom, m.lang, z);
        });
        addInForce(p, m, s);
      });
      break;
    case Status::kSuperseded:
      addNotice(article, "superseded", [&](pugi::xml_node p) {
        if (m.inForce) {
          compose(p, s.noticeSuperseded, [&](char k, pugi::xml_node at) {
            if (k == 'L') addLink(at, m.document.route, editionLabel(s.editionLowerN, *m.inForce));
          });
        } else {
          addText(p, s.noticeSupersededNoCurrent);
        }
      });
      break;
    case Status::kWithdrawn:
      addWithdrawnNotice(article, m, s, z);
      break;
  }
}

// A translation: which language's text prevails, and a link to it (the same edition).
void addControllingNotice(pugi::xml_node article, const EditionPageModel& m, const Strings& s) {
  const core::Lang& controlling = m.document.controllingLang;
  if (m.lang == controlling) return;
  addNotice(article, "controlling", [&](pugi::xml_node p) {
    compose(p, s.noticeControlling, [&](char k, pugi::xml_node at) {
      if (k != 'L') return;
      pugi::xml_node a =
          addLink(at, editionPath(m.document.route, m.edition.no) + "?lang=" + controlling.str(),
                  languageName(controlling));
      setAttr(a, "hreflang", controlling.str());
      setAttr(a, "lang", controlling.str());
    });
  });
}

// The table of contents: the text's sections.
void addContents(pugi::xml_node article, const RenderedText& text, const Strings& s) {
  if (text.sections.empty()) return;
  pugi::xml_node toc = addElement(article, "nav", "toc");
  setAttr(toc, "aria-labelledby", "toc-title");
  pugi::xml_node h2 = addElement(toc, "h2");
  setAttr(h2, "id", "toc-title");
  addText(h2, s.toc);
  pugi::xml_node ol = addElement(toc, "ol");
  for (const Section& sec : text.sections) {
    addNewline(ol);
    std::string label = sec.number.empty() ? sec.title : sec.number + ". " + sec.title;
    addLink(addElement(ol, "li"), "#" + sec.anchor, label);
  }
  addNewline(ol);
  addNewline(article);
}

}  // namespace

std::string Site::editionPage(const EditionPageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const core::TimeZone& z = options_.zone;
  std::string title = documentTitle(m.title, m.document);
  Page page(*layout_, m.lang);
  fillDocumentPage(page, m.document, title + " — " + editionLabel(s.editionLowerN, m.edition.no),
                   title, m.lang, s);

  pugi::xml_node article = addElement(page.slot("main"), "article", "policy");
  addNewline(article);
  pugi::xml_node header = addElement(article, "header", "policy-header");
  addNewline(article);
  addText(addElement(header, "h1"), title);
  addMeta(header, m, s, z);
  addNav(header, m, s);
  addStatusNotice(article, m, s, z);
  addControllingNotice(article, m, s);
  addContents(article, m.text, s);

  pugi::xml_node body = addElement(article, "div", "policy-text");
  addNewline(body);
  appendFragment(body, m.text.html, "rendering an edition page: the text");
  addNewline(article);
  return page.finish();
}

}  // namespace charta::render
