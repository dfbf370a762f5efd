#include "service/pages.h"

#include <utility>

#include "core/diff.h"
#include "core/page_state.h"
#include "core/sha256.h"

namespace charta::service {

using core::Edition;
using core::EditionStatus;
using core::Instant;

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";

// What a page costs in the cache: its bytes and header lines, and its strings.
size_t pageBytes(const Page* p) {
  if (!p) return 0;
  return p->body->size() + (p->headerBlock ? p->headerBlock->size() : 0) + 256;
}

std::optional<core::EditionNo> previous(const core::Timeline& tl, const Edition& e) {
  if (e.no.value() < 2) return std::nullopt;
  auto before = core::EditionNo::of(e.no.value() - 1);
  if (!before || !tl.edition(*before)) return std::nullopt;
  return before;
}

thread_local bool cacheOnly = false;

}  // namespace

CacheOnly::CacheOnly() : was_(std::exchange(cacheOnly, true)) {}
CacheOnly::~CacheOnly() { cacheOnly = was_; }

struct Pages::Content {
  std::string title;
  render::RenderedText text;
};

std::string strongEtag(std::string_view sha256) {
  return "\"" + std::string(sha256.substr(0, 32)) + "\"";
}

std::shared_ptr<const Page> makePage(std::string bytes, std::string contentType,
                                     const PageFrame& frame, std::optional<Instant> changesAt) {
  auto page = std::make_shared<Page>();
  page->sha256 = core::sha256Hex(bytes);
  page->etag = strongEtag(page->sha256);
  page->contentType = std::move(contentType);
  page->body = std::make_shared<const std::string>(std::move(bytes));
  page->changesAt = changesAt;
  if (frame) page->headerBlock = frame(*page);
  return page;
}

Pages::Pages(Catalog& catalog, const render::Site& site, PagesOptions options)
    : catalog_(catalog),
      site_(site),
      options_(std::move(options)),
      contents_(options_.cacheBytes / 4),
      pages_(options_.cacheBytes - options_.cacheBytes / 4) {}

std::shared_ptr<const Page> Pages::page(std::string bytes, std::string contentType,
                                        std::optional<core::Lang> lang,
                                        std::optional<Instant> lastModified, bool immutable,
                                        std::optional<Instant> changesAt) const {
  auto p = std::make_shared<Page>();
  p->sha256 = core::sha256Hex(bytes);
  p->etag = strongEtag(p->sha256);
  p->contentType = std::move(contentType);
  p->body = std::make_shared<const std::string>(std::move(bytes));
  p->lang = std::move(lang);
  p->lastModified = lastModified;
  p->immutable = immutable;
  p->changesAt = changesAt;
  if (options_.frame) p->headerBlock = options_.frame(*p);
  return p;
}

std::shared_ptr<const Page> Pages::cached(
    const std::string& key, const std::function<std::shared_ptr<const Page>()>& make) {
  if (auto hit = pages_.find(key)) return hit;
  if (cacheOnly) throw NotCached();
  auto made = make();  // rendering happens outside the lock; a race renders twice, same bytes
  if (!made) return made;
  const size_t bytes = pageBytes(made.get());
  return pages_.insert(key, std::move(made), bytes);
}

render::LinkRules Pages::linkRules(const core::Document& doc, const core::Lang& lang) const {
  render::LinkRules rules;
  if (const std::string* path = doc.file(lang)) rules.textPath = *path;
  rules.base = site_.options().linkBase;
  auto add = [&](const core::Document& other) {
    for (const core::Lang& l : other.langs) {
      std::string query = l == other.controllingLang ? "" : "?lang=" + l.str();
      if (const std::string* path = other.file(l)) rules.pages.emplace(*path, other.route + query);
    }
  };
  add(doc);
  for (const auto& other : catalog_.snapshot()->documents) add(other->document);
  return rules;
}

std::shared_ptr<const Pages::Content> Pages::content(const DocumentState& d, const Edition& e,
                                                     const core::Lang& lang) {
  std::string key = e.commit.str() + "|" + d.document.id.str() + "|" + lang.str();
  if (auto hit = contents_.find(key)) return hit;
  if (!d.atEdition.count(e.no.value())) return nullptr;
  auto text = catalog_.text(d, e, lang);
  if (!text) return nullptr;
  auto c = std::make_shared<Content>();
  c->title = text->title;
  c->text = render::renderMarkdown(text->body(), d.at(e).structure, linkRules(d.at(e), lang));
  const size_t bytes = c->title.size() + c->text.html.size() +
                       256 * (c->text.clauses.size() + c->text.sections.size());
  return contents_.insert(key, std::move(c), bytes);
}

std::shared_ptr<const Page> Pages::edition(const DocumentState& d, const Edition& e,
                                           const core::Lang& lang, Instant now) {
  const core::Timeline& tl = d.timeline;
  const core::PageState state = core::pageStateAt(tl, e, now);
  const std::string variant = state.variant();
  std::optional<core::Edition> upcoming;
  if (state.upcoming) upcoming = *tl.edition(*state.upcoming);
  // Superseded and withdrawn pages never change again: they name no other edition.
  bool final =
      state.status == EditionStatus::kSuperseded || state.status == EditionStatus::kWithdrawn;
  std::string key =
      "ed|" + d.document.id.str() + "|" + e.no.str() + "|" + lang.str() + "|" + variant;
  auto made = cached(key, [&]() -> std::shared_ptr<const Page> {
    auto c = content(d, e, lang);
    if (!c) return nullptr;
    render::EditionPageModel model{d.at(e),       e,       lang, c->title, c->text, state.status,
                                   state.inForce, upcoming};
    model.changesFrom = previous(tl, e);
    Instant modified = e.effectiveFrom <= now ? e.effectiveFrom : e.publishedAt;
    return page(site_.editionPage(model), kHtml, lang, modified, final,
                final ? std::nullopt : tl.nextSwitchAfter(now));
  });
  if (made) archive(*made, d, e, lang, variant);
  return made;
}

void Pages::archive(const Page& p, const DocumentState& d, const Edition& e, const core::Lang& lang,
                    const std::string& variant) {
  if (!options_.archive) return;
  {
    std::shared_lock lock(archivedMu_);
    if (archived_.count(p.sha256)) return;
  }
  if (cacheOnly) throw NotCached();
  try {
    options_.archive->storePage(
        ledger::PageRecord{p.sha256, *p.body, d.document.id, e.no, lang, variant, core::now()});
  } catch (const ledger::StorageError&) {
    if (options_.archiveRequired) throw;
    return;  // served all the same; archived by a later request once the ledger can write
  }
  std::unique_lock lock(archivedMu_);
  archived_.insert(p.sha256);
}

std::shared_ptr<const Page> Pages::edition(const core::DocumentId& doc, core::EditionNo no,
                                           const core::Lang& lang, Instant now) {
  auto snap = catalog_.snapshot();
  const DocumentState* d = snap->find(doc);
  if (!d) return nullptr;
  const Edition* e = d->timeline.edition(no);
  if (!e) return nullptr;
  return edition(*d, *e, lang, now);
}

std::shared_ptr<const Page> Pages::archive(const Snapshot& snap, const DocumentState& d,
                                           const core::Lang& lang, Instant now, size_t pageNo) {
  const size_t pages =
      render::archivePages(d.timeline.editions().size(), site_.options().archivePageSize);
  if (pageNo < 1 || pageNo > pages) return nullptr;
  std::string key = "arch|" + std::to_string(snap.generation) + "|" + d.document.id.str() + "|" +
                    lang.str() + "|" + std::to_string(d.timeline.epochAt(now)) + "|" +
                    std::to_string(pageNo);
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    render::ArchivePageModel model{d.document, lang, "", {}, pageNo};
    for (const Edition& e : d.timeline.editions()) {
      model.entries.push_back(render::ArchiveEntry{e, d.timeline.statusAt(e, now)});
    }
    if (const Edition* current = d.timeline.inForceAt(now)) {
      if (auto c = content(d, *current, lang)) model.title = c->title;
    }
    return page(site_.archivePage(model), kHtml, lang, std::nullopt, false,
                d.timeline.nextSwitchAfter(now));
  });
}

std::shared_ptr<const Page> Pages::changes(const DocumentState& d, const Edition& from,
                                           const Edition& to, const core::Lang& lang) {
  std::string key =
      "chg|" + d.document.id.str() + "|" + from.no.str() + "|" + to.no.str() + "|" + lang.str();
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    const core::Document& docFrom = d.at(from);
    const core::Document& docTo = d.at(to);
    auto a = catalog_.text(d, from, lang);
    auto b = catalog_.text(d, to, lang);
    if (!a || !b) return nullptr;
    render::ChangesPageModel model{docTo, from, to, lang, b->title, {}};
    model.diff =
        core::diffTexts(a->body(), b->body(), {docFrom.purposes, docTo.purposes, docTo.structure});
    return page(site_.changesPage(model), kHtml, lang, std::nullopt, true);
  });
}

std::shared_ptr<const Page> Pages::feed(const Snapshot& snap, const DocumentState& d, Instant now,
                                        size_t archive) {
  if (archive > render::feedArchives(d.timeline.editions().size(), site_.options().feedEntries)) {
    return nullptr;
  }
  // An entry's "updated" becomes its effective moment when that is reached: the feed changes at
  // each switch, as the pages do.
  std::string key = "feed|" + std::to_string(snap.generation) + "|" + d.document.id.str() + "|" +
                    std::to_string(d.timeline.epochAt(now)) + "|" + std::to_string(archive);
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    render::FeedModel model{d.document,   d.document.controllingLang, "",
                            snap.baseUrl, d.timeline.editions(),      archive,
                            now};
    if (const Edition* current = d.timeline.inForceAt(now)) {
      if (auto c = content(d, *current, d.document.controllingLang)) model.title = c->title;
    }
    return page(site_.atomFeed(model), "application/atom+xml; charset=utf-8", std::nullopt,
                std::nullopt, false, d.timeline.nextSwitchAfter(now));
  });
}

std::shared_ptr<const Page> Pages::sitemap(const Snapshot& snap, Instant now) {
  size_t epochs = 0;
  std::optional<Instant> next;
  for (const auto& d : snap.documents) {
    epochs += d->timeline.epochAt(now);
    auto n = d->timeline.nextSwitchAfter(now);
    if (n && (!next || *n < *next)) next = n;
  }
  std::string key = "sitemap|" + std::to_string(snap.generation) + "|" + std::to_string(epochs);
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    std::vector<render::SitemapEntry> entries;
    for (const auto& d : snap.documents) {
      const Edition* current = d->timeline.inForceAt(now);
      if (current) entries.push_back({d->document.route, current->effectiveFrom});
      entries.push_back({render::archivePath(d->document.route), std::nullopt});
      for (const Edition& e : d->timeline.editions()) {
        if (e.withdrawal) continue;
        entries.push_back({render::editionPath(d->document.route, e.no), e.publishedAt});
      }
    }
    return page(site_.sitemap(snap.baseUrl, entries), "application/xml; charset=utf-8",
                std::nullopt, std::nullopt, false, next);
  });
}

std::shared_ptr<const Page> Pages::robots(const Snapshot& snap) {
  return cached("robots|" + snap.baseUrl,
                [&] { return page(site_.robots(snap.baseUrl), "text/plain; charset=utf-8"); });
}

std::shared_ptr<const Page> Pages::asset(std::string_view name) {
  const render::Asset* a = site_.asset(std::string(name));
  if (!a) return nullptr;
  return cached("asset|" + std::string(name), [&] { return page(a->bytes, a->contentType); });
}

std::shared_ptr<const Page> Pages::error(int status, std::string_view titleKey,
                                         std::string_view detailKey, const core::Lang& lang) {
  return cached("err|" + std::to_string(status) + "|" + std::string(titleKey) + "|" +
                    std::string(detailKey) + "|" + lang.str(),
                [&] {
                  return page(site_.errorPage(status, render::pageString(lang, titleKey),
                                              render::pageString(lang, detailKey), lang),
                              kHtml, lang);
                });
}

std::vector<Pages::Text> Pages::texts(const DocumentState& d, const Edition& e, Instant at) {
  std::vector<Text> out;
  const core::Document& doc = d.at(e);
  for (const core::Lang& lang : doc.langs) {
    auto sha = catalog_.textSha256(d, e, lang);
    if (!sha) continue;
    auto p = edition(d, e, lang, at);
    out.push_back(
        Text{lang, lang == doc.controllingLang, *sha, p ? std::optional(p->sha256) : std::nullopt});
  }
  return out;
}

std::shared_ptr<const Snapshot> snapshotAt(const Snapshot& snap, Instant at) {
  auto out = std::make_shared<Snapshot>();
  out->generation = snap.generation;
  out->fingerprint = snap.fingerprint;
  out->baseUrl = snap.baseUrl;
  out->declared = snap.declared;
  for (const auto& d : snap.documents) {
    std::vector<Edition> editions;
    std::map<int, core::Document> atEdition;
    for (const Edition& e : d->timeline.editions()) {
      if (e.publishedAt > at) continue;
      editions.push_back(e);
      if (!e.withdrawnBy(at)) editions.back().withdrawal.reset();
      if (auto it = d->atEdition.find(e.no.value()); it != d->atEdition.end()) {
        atEdition.insert(*it);
      }
    }
    if (atEdition.empty()) continue;
    core::Document newest = atEdition.rbegin()->second;
    if (out->byRoute.count(newest.route)) continue;  // first declared wins, as in the catalog
    out->byRoute.emplace(newest.route, out->documents.size());
    out->byId.emplace(newest.id.str(), out->documents.size());
    out->documents.push_back(std::make_shared<DocumentState>(DocumentState{
        std::move(newest), core::Timeline(std::move(editions)), std::move(atEdition)}));
  }
  return out;
}

std::vector<Pages::File> Pages::exportAll(Instant at) {
  // A cache of its own: the pages of a past moment must not mix with those served now.
  Pages fresh(catalog_, site_, options_);
  return fresh.exportSnapshot(*snapshotAt(*catalog_.snapshot(), at), at);
}

std::vector<Pages::File> Pages::exportSnapshot(const Snapshot& snap, Instant now) {
  std::vector<File> files;
  for (const auto& d : snap.documents) {
    const core::Document& doc = d->document;
    if (const Edition* current = d->timeline.inForceAt(now)) {
      files.push_back({doc.route, edition(*d, *current, doc.controllingLang, now)});
    }
    const size_t editions = d->timeline.editions().size();
    for (size_t p = 1; p <= render::archivePages(editions, site_.options().archivePageSize); ++p) {
      files.push_back(
          {render::archivePath(doc.route, p), archive(snap, *d, doc.controllingLang, now, p)});
    }
    files.push_back({render::feedPath(doc.route), feed(snap, *d, now)});
    for (size_t k = 1; k <= render::feedArchives(editions, site_.options().feedEntries); ++k) {
      files.push_back({render::feedArchivePath(doc.route, k), feed(snap, *d, now, k)});
    }
    for (const Edition& e : d->timeline.editions()) {
      const core::Lang& lang = d->at(e).controllingLang;
      files.push_back({render::editionPath(doc.route, e.no), edition(*d, e, lang, now)});
      if (auto before = previous(d->timeline, e)) {
        files.push_back({render::changesPath(doc.route, *before, e.no),
                         changes(*d, *d->timeline.edition(*before), e, lang)});
      }
    }
  }
  files.push_back({std::string(render::kSitemapPath), sitemap(snap, now)});
  files.push_back({"/robots.txt", robots(snap)});
  for (const auto& [name, a] : site_.assets()) {
    files.push_back({render::assetPath(name), asset(name)});
  }
  return files;
}

}  // namespace charta::service
