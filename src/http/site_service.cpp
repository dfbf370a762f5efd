#include "http/site_service.h"

#include <algorithm>
#include <functional>

#include "core/diff.h"
#include "core/error.h"
#include "core/sha256.h"
#include "http/negotiate.h"

namespace charta::http {

using core::Edition;
using core::EditionStatus;
using core::Instant;

namespace {

std::string quoteEtag(std::string_view sha) { return "\"" + std::string(sha.substr(0, 32)) + "\""; }

std::string lastModified(Instant t) {
  return httpDate(std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
}

}  // namespace

struct SiteService::Content {
  std::string title;
  render::RenderedText text;
  std::string textSha256;
};

const DocumentState* SiteSnapshot::find(const core::DocumentId& id) const {
  auto it = byId.find(id.str());
  return it == byId.end() ? nullptr : documents[it->second].get();
}

const std::vector<std::pair<std::string, std::string>>& securityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Permissions-Policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()"},
  };
  return headers;
}

std::shared_ptr<const Page> makePage(
    std::string bytes, std::string contentType,
    const std::vector<std::pair<std::string, std::string>>& headers, bool immutable,
    std::optional<Instant> changesAt) {
  auto page = std::make_shared<Page>();
  page->sha256 = core::sha256Hex(bytes);
  page->etag = quoteEtag(page->sha256);
  page->contentType = std::move(contentType);
  page->immutable = immutable;
  page->changesAt = changesAt;
  std::string block;
  block += "ETag: " + page->etag + "\r\n";
  for (const auto& [k, v] : headers) block += k + ": " + v + "\r\n";
  for (const auto& [k, v] : securityHeaders()) block += k + ": " + v + "\r\n";
  page->headerBlock = std::make_shared<const std::string>(std::move(block));
  page->body = std::make_shared<const std::string>(std::move(bytes));
  return page;
}

SiteService::SiteService(repository::PolicyRepository& repo, const render::Site& site,
                         SiteOptions options)
    : repo_(repo),
      site_(site),
      options_(std::move(options)),
      snap_(std::make_shared<SiteSnapshot>()) {}

std::shared_ptr<const SiteSnapshot> SiteService::snapshot() const {
  std::lock_guard lock(snapMu_);
  return snap_;
}

bool SiteService::refresh() {
  std::lock_guard refreshLock(refreshMu_);
  auto old = snapshot();
  std::string fingerprint = repo_.refsFingerprint();
  if (old->generation > 0 && old->fingerprint == fingerprint) return false;

  auto snap = std::make_shared<SiteSnapshot>();
  snap->generation = old->generation + 1;
  snap->fingerprint = fingerprint;
  // The documents are those of charta.xml at the branch tip; a draft that breaks charta.xml
  // must not take the site down, so then the documents already served are kept.
  std::vector<core::DocumentId> ids;
  std::string headBaseUrl;
  try {
    core::Registry head = repo_.registry(repo_.head());
    for (const auto& d : head.documents) ids.push_back(d.id);
    headBaseUrl = head.baseUrl;
  } catch (const InvalidInput&) {
    for (const auto& d : old->documents) ids.push_back(d->document.id);
    headBaseUrl = old->baseUrl;
  }
  for (const auto& id : ids) {
    core::Timeline timeline = repo_.timeline(id);
    if (timeline.empty()) continue;  // nothing published: nothing to serve
    std::map<int, core::Document> atEdition;
    for (const Edition& e : timeline.editions()) {
      core::Registry reg = repo_.registry(e.commit);
      if (const core::Document* d = reg.document(id)) atEdition.emplace(e.no.value(), *d);
    }
    if (atEdition.empty()) continue;
    core::Document newest = atEdition.rbegin()->second;
    if (snap->byRoute.count(newest.route)) continue;  // first declared wins
    snap->byRoute.emplace(newest.route, snap->documents.size());
    snap->byId.emplace(id.str(), snap->documents.size());
    snap->documents.push_back(std::make_shared<DocumentState>(
        DocumentState{std::move(newest), std::move(timeline), std::move(atEdition)}));
  }
  snap->baseUrl = options_.baseUrl.empty() ? headBaseUrl : options_.baseUrl;
  while (!snap->baseUrl.empty() && snap->baseUrl.back() == '/') snap->baseUrl.pop_back();
  {
    std::lock_guard lock(snapMu_);
    snap_ = std::move(snap);
  }
  std::unique_lock cacheLock(cacheMu_);
  if (pages_.size() > 4096) pages_.clear();
  return true;
}

void SiteService::verifyTexts(Instant now) {
  auto snap = snapshot();
  for (const auto& d : snap->documents) {
    std::vector<const Edition*> editions = d->timeline.upcomingAt(now);
    if (const Edition* e = d->timeline.inForceAt(now)) editions.push_back(e);
    for (const Edition* e : editions) {
      auto docAt = d->atEdition.find(e->no.value());
      if (docAt == d->atEdition.end()) continue;
      for (const core::Lang& lang : docAt->second.langs) repo_.text(docAt->second, e->commit, lang);
    }
  }
}

std::optional<Instant> SiteService::nextSwitchAfter(Instant now) const {
  auto snap = snapshot();
  std::optional<Instant> next;
  for (const auto& d : snap->documents) {
    auto n = d->timeline.nextSwitchAfter(now);
    if (n && (!next || *n < *next)) next = n;
  }
  return next;
}

std::shared_ptr<const Page> SiteService::cached(
    const std::string& key, const std::function<std::shared_ptr<const Page>()>& make) {
  {
    std::shared_lock lock(cacheMu_);
    auto it = pages_.find(key);
    if (it != pages_.end()) return it->second;
  }
  auto page = make();  // rendering happens outside the lock; a race renders twice, same bytes
  std::unique_lock lock(cacheMu_);
  return pages_.emplace(key, std::move(page)).first->second;
}

std::shared_ptr<const SiteService::Content> SiteService::content(const DocumentState& d,
                                                                 const Edition& e,
                                                                 const core::Lang& lang) {
  std::string key = e.commit.str() + "|" + d.document.id.str() + "|" + lang.str();
  {
    std::shared_lock lock(cacheMu_);
    auto it = contents_.find(key);
    if (it != contents_.end()) return it->second;
  }
  auto docAt = d.atEdition.find(e.no.value());
  if (docAt == d.atEdition.end()) return nullptr;
  auto text = repo_.text(docAt->second, e.commit, lang);
  if (!text) return nullptr;
  auto c = std::make_shared<Content>();
  c->title = text->title;
  c->text = render::renderMarkdown(text->body());
  c->textSha256 = text->sha256;
  std::unique_lock lock(cacheMu_);
  return contents_.emplace(key, std::move(c)).first->second;
}

std::shared_ptr<const Page> SiteService::editionPageAt(const SiteSnapshot&, const DocumentState& d,
                                                       const Edition& e, const core::Lang& lang,
                                                       Instant now) {
  const core::Timeline& tl = d.timeline;
  EditionStatus status = tl.statusAt(e, now);
  const Edition* inForce = tl.inForceAt(now);
  std::optional<core::Edition> upcoming;
  std::optional<core::EditionNo> inForceNo;
  if (status == EditionStatus::kInForce) {
    inForceNo = e.no;
    auto up = tl.upcomingAt(now);
    if (!up.empty()) upcoming = *up.front();
  } else if (status == EditionStatus::kUpcoming && inForce) {
    inForceNo = inForce->no;
  }
  // Superseded and withdrawn pages never change again: they name no other edition.
  bool final = status == EditionStatus::kSuperseded || status == EditionStatus::kWithdrawn;
  std::string key = "ed|" + d.document.id.str() + "|" + e.no.str() + "|" + lang.str() + "|" +
                    core::statusName(status) + "|" + (inForceNo ? inForceNo->str() : "-") + "|" +
                    (upcoming ? upcoming->no.str() : "-");
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    auto c = content(d, e, lang);
    if (!c) return nullptr;
    render::EditionPageModel model{
        d.atEdition.at(e.no.value()), e, lang, c->title, c->text, status, inForceNo, upcoming};
    if (e.no.value() > 1 && tl.edition(*core::EditionNo::of(e.no.value() - 1))) {
      model.changesFrom = core::EditionNo::of(e.no.value() - 1);
    }
    std::string html = site_.editionPage(model);
    Instant modified = e.effectiveFrom <= now ? e.effectiveFrom : e.publishedAt;
    return makePage(std::move(html), "text/html; charset=utf-8",
                    {{"Content-Language", lang.str()},
                     {"Vary", "Accept-Language"},
                     {"Last-Modified", lastModified(modified)}},
                    final, final ? std::nullopt : tl.nextSwitchAfter(now));
  });
}

std::shared_ptr<const Page> SiteService::editionPage(const core::DocumentId& doc,
                                                     core::EditionNo no, const core::Lang& lang,
                                                     Instant now) {
  auto snap = snapshot();
  const DocumentState* d = snap->find(doc);
  if (!d) return nullptr;
  const Edition* e = d->timeline.edition(no);
  if (!e) return nullptr;
  return editionPageAt(*snap, *d, *e, lang, now);
}

std::shared_ptr<const Page> SiteService::archivePage(const SiteSnapshot& snap,
                                                     const DocumentState& d, const core::Lang& lang,
                                                     Instant now) {
  std::string key = "arch|" + std::to_string(snap.generation) + "|" + d.document.id.str() + "|" +
                    lang.str() + "|" + std::to_string(d.timeline.epochAt(now));
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    render::ArchivePageModel model{d.document, lang, "", {}};
    for (const Edition& e : d.timeline.editions()) {
      model.entries.push_back(render::ArchiveEntry{e, d.timeline.statusAt(e, now)});
    }
    const Edition* current = d.timeline.inForceAt(now);
    if (current) {
      if (auto c = content(d, *current, lang)) model.title = c->title;
    }
    return makePage(site_.archivePage(model), "text/html; charset=utf-8",
                    {{"Content-Language", lang.str()}, {"Vary", "Accept-Language"}}, false,
                    d.timeline.nextSwitchAfter(now));
  });
}

std::shared_ptr<const Page> SiteService::changesPage(const DocumentState& d, const Edition& from,
                                                     const Edition& to, const core::Lang& lang) {
  std::string key =
      "chg|" + d.document.id.str() + "|" + from.no.str() + "|" + to.no.str() + "|" + lang.str();
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    const core::Document& docFrom = d.atEdition.at(from.no.value());
    const core::Document& docTo = d.atEdition.at(to.no.value());
    auto a = repo_.text(docFrom, from.commit, lang);
    auto b = repo_.text(docTo, to.commit, lang);
    if (!a || !b) return nullptr;
    render::ChangesPageModel model{docTo, from, to, lang, b->title, {}};
    model.diff = core::diffTexts(a->body(), b->body(), {docFrom.purposes, docTo.purposes});
    return makePage(site_.changesPage(model), "text/html; charset=utf-8",
                    {{"Content-Language", lang.str()}, {"Vary", "Accept-Language"}}, true,
                    std::nullopt);
  });
}

std::shared_ptr<const Page> SiteService::feedPage(const SiteSnapshot& snap, const DocumentState& d,
                                                  Instant now) {
  std::string key = "feed|" + std::to_string(snap.generation) + "|" + d.document.id.str();
  return cached(key, [&]() -> std::shared_ptr<const Page> {
    render::FeedModel model{d.document, d.document.controllingLang, "", snap.baseUrl,
                            d.timeline.editions()};
    const Edition* current = d.timeline.inForceAt(now);
    if (current) {
      if (auto c = content(d, *current, d.document.controllingLang)) model.title = c->title;
    }
    return makePage(site_.atomFeed(model), "application/atom+xml; charset=utf-8", {}, false,
                    std::nullopt);
  });
}

std::shared_ptr<const Page> SiteService::sitemapPage(const SiteSnapshot& snap, Instant now) {
  size_t epochs = 0;
  for (const auto& d : snap.documents) epochs += d->timeline.epochAt(now);
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
    return makePage(site_.sitemap(snap.baseUrl, entries), "application/xml; charset=utf-8", {},
                    false, nextSwitchAfter(now));
  });
}

Reply SiteService::errorReply(int status, std::string_view title, std::string_view detail) {
  auto page = cached(
      "err|" + std::to_string(status) + "|" + std::string(title) + "|" + std::string(detail), [&] {
        return makePage(site_.errorPage(status, title, detail, *core::Lang::parse("ru")),
                        "text/html; charset=utf-8", {}, false, std::nullopt);
      });
  Reply r;
  r.status = status;
  r.contentType = page->contentType;
  r.shared = page->body;
  r.headerBlock = page->headerBlock;
  r.headers.emplace_back("Cache-Control", "no-store");
  r.route = "not_found";
  return r;
}

Reply SiteService::serve(const Request& req, const std::shared_ptr<const Page>& page, Instant now,
                         const char* route, const std::optional<core::Lang>&) {
  Reply r;
  r.route = route;
  r.contentType = page->contentType;
  r.headerBlock = page->headerBlock;
  if (page->immutable) {
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  } else {
    long maxAge = options_.maxAgeSeconds;
    if (page->changesAt) {
      auto left = std::chrono::floor<std::chrono::seconds>(*page->changesAt - now).count();
      maxAge = std::clamp<long>(left, 0, maxAge);
    }
    r.headers.emplace_back("Cache-Control", "public, max-age=" + std::to_string(maxAge));
  }
  auto inm = req.header("If-None-Match");
  if (inm && etagListContains(*inm, page->etag, true)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.shared = page->body;
  return r;
}

std::optional<Reply> SiteService::get(const Request& req, Instant now) {
  auto snap = snapshot();
  std::string_view path = req.path;
  if (path == "/robots.txt") {
    auto page = cached("robots|" + snap->baseUrl, [&] {
      return makePage(site_.robots(snap->baseUrl), "text/plain; charset=utf-8", {}, false,
                      std::nullopt);
    });
    return serve(req, page, now, "robots", std::nullopt);
  }
  if (path == render::kSitemapPath) return serve(req, sitemapPage(*snap, now), now, "sitemap", {});
  if (path.substr(0, 8) == "/assets/") {
    std::string name(path.substr(8));
    const render::Asset* asset = site_.asset(name);
    if (!asset) return errorReply(404, "Not found", "There is no such file.");
    auto page = cached("asset|" + name, [&] {
      return makePage(asset->bytes, asset->contentType, {}, false, std::nullopt);
    });
    Reply r = serve(req, page, now, "asset", std::nullopt);
    if (r.status == 200 || r.status == 304) r.headers[0].second = "public, max-age=3600";
    return r;
  }

  // "<route>/changes/v<A>...v<B>": what changed from edition A to edition B.
  if (size_t c = path.find("/changes/"); c != std::string_view::npos && c > 0) {
    if (auto it = snap->byRoute.find(path.substr(0, c)); it != snap->byRoute.end()) {
      const DocumentState& doc = *snap->documents[it->second];
      std::string_view pair = path.substr(c + 9);
      size_t dots = pair.find("...");
      auto a = core::EditionNo::parse(pair.substr(0, dots));
      auto b = dots == std::string_view::npos ? std::nullopt
                                              : core::EditionNo::parse(pair.substr(dots + 3));
      if (!a || !b || a->str() != pair.substr(0, dots) || b->str() != pair.substr(dots + 3) ||
          *a >= *b) {
        return errorReply(404, "Not found", "There is no such page.");
      }
      const Edition* from = doc.timeline.edition(*a);
      const Edition* to = doc.timeline.edition(*b);
      if (!from || !to) return errorReply(404, "Not found", "There is no such edition.");
      const core::Document& docAt = doc.atEdition.at(to->no.value());
      core::Lang lang = docAt.controllingLang;
      if (auto q = req.queryParam("lang")) {
        auto wanted = core::Lang::parse(*q);
        auto found =
            wanted
                ? std::find_if(docAt.langs.begin(), docAt.langs.end(),
                               [&](const core::Lang& l) { return iequals(l.str(), wanted->str()); })
                : docAt.langs.end();
        if (found == docAt.langs.end()) {
          return errorReply(404, "Not found", "This text is not available in that language.");
        }
        lang = *found;
      } else if (auto al = req.header("Accept-Language")) {
        if (auto chosen = negotiateLanguage(*al, docAt.langs)) lang = *chosen;
      }
      auto page = changesPage(doc, *from, *to, lang);
      if (!page)
        return errorReply(404, "Not found", "This text is not available in that language.");
      return serve(req, page, now, "changes", lang);
    }
  }

  // A document route, or one of its sub-paths.
  const DocumentState* d = nullptr;
  std::string_view rest;
  if (auto it = snap->byRoute.find(path); it != snap->byRoute.end()) {
    d = snap->documents[it->second].get();
  } else {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    auto it2 = snap->byRoute.find(path.substr(0, slash));
    if (it2 == snap->byRoute.end()) return std::nullopt;
    d = snap->documents[it2->second].get();
    rest = path.substr(slash + 1);
  }
  if (rest == "feed.atom") return serve(req, feedPage(*snap, *d, now), now, "feed", std::nullopt);

  // Which edition, for the language choice.
  const Edition* e = nullptr;
  if (rest.empty()) {
    e = d->timeline.inForceAt(now);
    if (!e) return errorReply(404, "Not in force", "No edition of this document is in force yet.");
  } else if (rest != "versions") {
    auto no = core::EditionNo::parse(rest);
    if (!no || no->str() != rest) return errorReply(404, "Not found", "There is no such page.");
    e = d->timeline.edition(*no);
    if (!e) return errorReply(404, "Not found", "There is no such edition.");
  }
  const core::Document& docAt = e ? d->atEdition.at(e->no.value()) : d->document;
  core::Lang lang = docAt.controllingLang;
  if (auto q = req.queryParam("lang")) {
    auto wanted = core::Lang::parse(*q);
    auto found =
        wanted ? std::find_if(docAt.langs.begin(), docAt.langs.end(),
                              [&](const core::Lang& l) { return iequals(l.str(), wanted->str()); })
               : docAt.langs.end();
    if (found == docAt.langs.end()) {
      return errorReply(404, "Not found", "This text is not available in that language.");
    }
    lang = *found;
  } else if (auto al = req.header("Accept-Language")) {
    if (auto chosen = negotiateLanguage(*al, docAt.langs)) lang = *chosen;
  }
  if (rest == "versions")
    return serve(req, archivePage(*snap, *d, lang, now), now, "archive", lang);
  auto page = editionPageAt(*snap, *d, *e, lang, now);
  if (!page) return errorReply(404, "Not found", "This text is not available in that language.");
  return serve(req, page, now, rest.empty() ? "page" : "edition", lang);
}

std::vector<SiteService::File> SiteService::exportAll(Instant now) {
  auto snap = snapshot();
  std::vector<File> files;
  for (const auto& d : snap->documents) {
    const core::Document& doc = d->document;
    if (const Edition* current = d->timeline.inForceAt(now)) {
      files.push_back({doc.route, editionPageAt(*snap, *d, *current, doc.controllingLang, now)});
    }
    files.push_back(
        {render::archivePath(doc.route), archivePage(*snap, *d, doc.controllingLang, now)});
    files.push_back({render::feedPath(doc.route), feedPage(*snap, *d, now)});
    for (const Edition& e : d->timeline.editions()) {
      const core::Document& at = d->atEdition.at(e.no.value());
      files.push_back({render::editionPath(doc.route, e.no),
                       editionPageAt(*snap, *d, e, at.controllingLang, now)});
      if (const Edition* prev = e.no.value() > 1
                                    ? d->timeline.edition(*core::EditionNo::of(e.no.value() - 1))
                                    : nullptr) {
        files.push_back({render::changesPath(doc.route, prev->no, e.no),
                         changesPage(*d, *prev, e, at.controllingLang)});
      }
    }
  }
  files.push_back({std::string(render::kSitemapPath), sitemapPage(*snap, now)});
  files.push_back({"/robots.txt", makePage(site_.robots(snap->baseUrl), "text/plain; charset=utf-8",
                                           {}, false, std::nullopt)});
  for (const auto& [name, asset] : site_.assets()) {
    files.push_back({render::assetPath(name),
                     makePage(asset.bytes, asset.contentType, {}, false, std::nullopt)});
  }
  return files;
}

}  // namespace charta::http
