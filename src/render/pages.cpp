// Site::archivePage and Site::changesPage: the editions of a document, and what changed between
// two of them.
#include <algorithm>

#include "render/page.h"
#include "render/redline.h"
#include "render/site.h"

namespace charta::render {

using namespace detail;

namespace {

// The links between the pages of an archive: newer (rel=prev), "page N of M", older (rel=next).
void addArchiveNav(pugi::xml_node section, const std::string& route, size_t pageNo, size_t pages,
                   const Strings& s) {
  pugi::xml_node nav = addElement(section, "nav", "archive-pages");
  setAttr(nav, "aria-label", s.archivePages);
  pugi::xml_node ul = addElement(nav, "ul");
  if (pageNo > 1) {
    setAttr(addLink(addElement(ul, "li"), archivePath(route, pageNo - 1), s.archiveNewer), "rel",
            "prev");
  }
  pugi::xml_node here = addElement(ul, "li");
  setAttr(here, "aria-current", "page");
  addText(here, composeText(s.archivePageOf,
                            {{'N', std::to_string(pageNo)}, {'M', std::to_string(pages)}}));
  if (pageNo < pages) {
    setAttr(addLink(addElement(ul, "li"), archivePath(route, pageNo + 1), s.archiveOlder), "rel",
            "next");
  }
  addNewline(section);
}

}  // namespace

std::string Site::archivePage(const ArchivePageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const std::string& route = m.document.route;
  std::string title = documentTitle(m.title, m.document);
  Page page(*layout_, m.lang);
  fillDocumentPage(page, m.document, title + " — " + std::string(s.allEditions), title, m.lang, s);

  pugi::xml_node section = addTitledSection(page.slot("main"), "archive", "archive-title", title);
  addText(addElement(section, "p", "archive-subtitle"), s.allEditions);
  addNewline(section);

  std::vector<const ArchiveEntry*> entries;
  for (const auto& entry : m.entries) entries.push_back(&entry);
  std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
    return a->edition.no.value() > b->edition.no.value();
  });
  const size_t per = std::max<size_t>(options_.archivePageSize, 1);
  const size_t pages = archivePages(entries.size(), per);
  const size_t pageNo = std::clamp<size_t>(m.page, 1, pages);
  entries.erase(entries.begin(),
                entries.begin() + static_cast<long>(std::min(entries.size(), (pageNo - 1) * per)));
  if (entries.size() > per) entries.resize(per);

  pugi::xml_node table = addElement(section, "table", "editions");
  addNewline(section);
  pugi::xml_node tr = addElement(addElement(table, "thead"), "tr");
  for (std::string_view h : {s.edition, s.published, s.effective, s.status, s.changes}) {
    pugi::xml_node th = addElement(tr, "th");
    setAttr(th, "scope", "col");
    addText(th, h);
  }
  pugi::xml_node tbody = addElement(table, "tbody");
  for (const ArchiveEntry* entry : entries) {
    const core::Edition& e = entry->edition;
    addNewline(tbody);
    pugi::xml_node row =
        addElement(tbody, "tr", (std::string("status-") + statusClass(entry->status)).c_str());
    pugi::xml_node th = addElement(row, "th");
    setAttr(th, "scope", "row");
    addLink(th, editionPath(route, e.no), editionLabel(s.editionN, e.no));
    if (e.imported) {
      addText(th, " ");
      addText(addElement(th, "span", "imported"), s.imported);
    }
    addTime(addElement(row, "td"), e.publishedAt, m.lang, options_.zone);
    addTime(addElement(row, "td"), e.effectiveFrom, m.lang, options_.zone);
    pugi::xml_node status = addElement(row, "td");
    if (entry->status == Status::kWithdrawn && e.withdrawal && !e.withdrawal->reason.empty()) {
      addText(status, composeText(s.archiveWithdrawn, {{'R', e.withdrawal->reason}}));
    } else {
      addText(status, statusWord(s, entry->status));
    }
    pugi::xml_node changes = addElement(row, "td");
    addText(changes, e.summary);
    if (e.no.value() > 1) {
      if (!e.summary.empty()) addText(changes, " ");
      addLink(changes, changesPath(route, *core::EditionNo::of(e.no.value() - 1), e.no),
              composeText(s.changesIn, {{'N', std::to_string(e.no.value())}}));
    }
    if (!e.approvedBy.empty()) {
      std::string who;
      for (const core::Person& p : e.approvedBy) who += (who.empty() ? "" : ", ") + p.name;
      addText(addElement(changes, "p", "approved-by"), composeText(s.approvedBy, {{'P', who}}));
    }
  }
  addNewline(tbody);
  if (pages > 1) addArchiveNav(section, route, pageNo, pages, s);
  return page.finish();
}

std::string Site::changesPage(const ChangesPageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const std::string& route = m.document.route;
  std::string title = documentTitle(m.title, m.document);
  std::string fromLabel = editionLabel(s.editionLowerN, m.from.no);
  std::string toLabel = editionLabel(s.editionLowerN, m.to.no);
  std::string query = m.lang == m.document.controllingLang ? "" : "?lang=" + m.lang.str();
  Page page(*layout_, m.lang);
  fillDocumentPage(page, m.document,
                   title + " — " + composeText(s.changesTitle, {{'A', fromLabel}, {'B', toLabel}}),
                   title, m.lang, s);

  pugi::xml_node main = page.slot("main");
  pugi::xml_node article = addElement(main, "article", "changes");
  addNewline(article);
  pugi::xml_node header = addElement(article, "header", "policy-header");
  addNewline(article);
  addText(addElement(header, "h1"), title);
  pugi::xml_node lead = addElement(header, "p", "changes-lead");
  compose(lead, s.changesLead, [&](char k, pugi::xml_node at) {
    if (k == 'A') addLink(at, editionPath(route, m.from.no) + query, fromLabel);
    if (k == 'B') addLink(at, editionPath(route, m.to.no) + query, toLabel);
  });
  pugi::xml_node dl = addElement(header, "dl", "edition-meta");
  auto row = [&](std::string_view label) {
    addText(addElement(dl, "dt"), label);
    return addElement(dl, "dd");
  };
  addTime(row(s.effective), m.to.effectiveFrom, m.lang, options_.zone);
  addTime(row(s.published), m.to.publishedAt, m.lang, options_.zone);
  if (!m.to.summary.empty()) addText(row(s.changes), m.to.summary);
  pugi::xml_node nav = addElement(header, "nav", "edition-nav");
  setAttr(nav, "aria-label", s.editionsNav);
  addLink(addElement(addElement(nav, "ul"), "li"), archivePath(route), s.allEditions);

  RedlineOptions options{m.lang,
                         editionPath(route, m.from.no) + query,
                         editionPath(route, m.to.no) + query,
                         fromLabel,
                         toLabel,
                         m.document.purposes};
  std::string fragment = redlineHtml(m.diff, options);
  pugi::xml_node body = addElement(article, "div", "changes-body");
  addNewline(body);
  appendFragment(body, fragment, "rendering a changes page: the redline");
  addNewline(article);
  return page.finish();
}

}  // namespace charta::render
