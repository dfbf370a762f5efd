#include "api/site.h"

#include "api/request.h"
#include "http/negotiate.h"
#include "render/site.h"

namespace charta::api {

using core::Edition;
using core::Instant;

namespace {

// The language of a page of "docAt": ?lang= when it names one of its languages (in any case: tags
// are case-insensitive), else Accept-Language, else the controlling language. nullopt: ?lang= is
// not a language tag at all (a malformed request).
std::optional<core::Lang> chooseLang(const http::Request& req, const core::Document& docAt) {
  if (auto q = req.queryParam("lang")) {
    if (!core::Lang::parse(*q)) return std::nullopt;
    if (const core::Lang* own = docAt.language(*q)) return *own;
  }
  if (auto al = req.header("Accept-Language")) {
    if (auto chosen = http::negotiateLanguage(*al, docAt.langs)) return chosen;
  }
  return docAt.controllingLang;
}

// The number of an older page ("2" of "versions/2", "3.atom" of "feed/3.atom"): digits without a
// leading zero, then "suffix"; nullopt otherwise.
std::optional<size_t> pageNumber(std::string_view s, std::string_view suffix) {
  if (s.size() <= suffix.size() || s.substr(s.size() - suffix.size()) != suffix)
    return std::nullopt;
  s.remove_suffix(suffix.size());
  if (s.size() > 6 || s[0] == '0') return std::nullopt;
  size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

}  // namespace

SiteRoutes::SiteRoutes(service::Catalog& catalog, service::Pages& pages, int maxAgeSeconds)
    : catalog_(catalog), pages_(pages), maxAge_(maxAgeSeconds) {}

http::Reply SiteRoutes::error(const http::Request& req, int status, std::string_view titleKey,
                              std::string_view detailKey) {
  static const std::vector<core::Lang> kLangs = render::pageLanguages();
  core::Lang lang = *core::Lang::parse("ru");
  if (auto al = req.header("Accept-Language")) {
    if (auto chosen = http::negotiateLanguage(*al, kLangs)) lang = *chosen;
  }
  auto page = pages_.error(status, titleKey, detailKey, lang);
  http::Reply r;
  r.status = status;
  r.contentType = page->contentType;
  r.shared = page->body;
  r.headerBlock = page->headerBlock;
  r.headers.emplace_back("Cache-Control", "no-store");
  r.route = status == 400 ? "bad_request" : "not_found";
  return r;
}

http::Reply SiteRoutes::serve(const http::Request& req, const service::Page& page, Instant now,
                              const char* route) {
  std::string cc = page.immutable ? kImmutable : cacheControlUntil(page.changesAt, now, maxAge_);
  return send(req, page, std::move(cc), route);
}

std::optional<http::Reply> SiteRoutes::get(const http::Request& req, Instant now) {
  auto snap = catalog_.snapshot();
  std::string_view path = req.path;
  if (path == "/robots.txt") return serve(req, *pages_.robots(*snap), now, "robots");
  if (path == render::kSitemapPath) return serve(req, *pages_.sitemap(*snap, now), now, "sitemap");
  if (path.substr(0, 8) == "/assets/") {
    auto page = pages_.asset(path.substr(8));
    if (!page) return error(req, 404, "error.404", "error.no-file");
    return send(req, *page, "public, max-age=3600", "asset");
  }
  if (auto r = changes(req, *snap, path, now)) return r;
  // A document route, or one of its sub-paths.
  if (auto it = snap->byRoute.find(path); it != snap->byRoute.end()) {
    return document(req, *snap, *snap->documents[it->second], "", now);
  }
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  auto it = snap->byRoute.find(path.substr(0, slash));
  if (it == snap->byRoute.end()) {
    // "<route>/versions/<N>" and "<route>/feed/<K>.atom": the older pages of the archive and feed.
    size_t up = path.rfind('/', slash - 1);
    std::string_view rest = up == std::string_view::npos ? "" : path.substr(up + 1);
    if (rest.rfind("versions/", 0) != 0 && rest.rfind("feed/", 0) != 0) return std::nullopt;
    it = snap->byRoute.find(path.substr(0, up));
    if (it == snap->byRoute.end()) return std::nullopt;
    return document(req, *snap, *snap->documents[it->second], rest, now);
  }
  return document(req, *snap, *snap->documents[it->second], path.substr(slash + 1), now);
}

std::optional<http::Reply> SiteRoutes::quick(const http::Request& req, Instant now) {
  try {
    service::CacheOnly fromMemory;
    auto r = get(req, now);
    if (r && (r->status == 200 || r->status == 304)) return r;
  } catch (const std::exception&) {
    // service::NotCached, or anything else: a worker answers it (and reports what went wrong).
  }
  return std::nullopt;
}

// "<route>/changes/v<A>...v<B>": what changed from edition A to edition B.
std::optional<http::Reply> SiteRoutes::changes(const http::Request& req,
                                               const service::Snapshot& snap, std::string_view path,
                                               Instant now) {
  size_t c = path.find("/changes/");
  if (c == std::string_view::npos || c == 0) return std::nullopt;
  auto it = snap.byRoute.find(path.substr(0, c));
  if (it == snap.byRoute.end()) return std::nullopt;
  const service::DocumentState& d = *snap.documents[it->second];
  std::string_view pair = path.substr(c + 9);
  size_t dots = pair.find("...");
  auto a = core::EditionNo::parseName(pair.substr(0, dots));
  auto b = dots == std::string_view::npos ? std::nullopt
                                          : core::EditionNo::parseName(pair.substr(dots + 3));
  if (!a || !b || *a >= *b) {
    return error(req, 404, "error.404", "error.no-page");
  }
  const Edition* from = d.timeline.edition(*a);
  const Edition* to = d.timeline.edition(*b);
  if (!from || !to) return error(req, 404, "error.404", "error.no-edition");
  auto lang = chooseLang(req, d.at(*to));
  if (!lang) return error(req, 400, "error.400", "error.bad-lang");
  auto page = lang ? pages_.changes(d, *from, *to, *lang) : nullptr;
  if (!page) return error(req, 404, "error.404", "error.no-translation");
  return serve(req, *page, now, "changes");
}

http::Reply SiteRoutes::document(const http::Request& req, const service::Snapshot& snap,
                                 const service::DocumentState& d, std::string_view rest,
                                 Instant now) {
  if (rest == "feed.atom") return serve(req, *pages_.feed(snap, d, now), now, "feed");
  if (rest.rfind("feed/", 0) == 0) {
    auto k = pageNumber(rest.substr(5), ".atom");
    auto page = k ? pages_.feed(snap, d, now, *k) : nullptr;
    if (!page) return error(req, 404, "error.404", "error.no-page");
    return serve(req, *page, now, "feed");
  }
  size_t archivePage = 1;
  if (rest.rfind("versions/", 0) == 0) {
    auto n = pageNumber(rest.substr(9), "");
    if (!n || *n < 2) return error(req, 404, "error.404", "error.no-page");
    archivePage = *n;
    rest = "versions";
  }
  // Which edition, for the language choice.
  const Edition* e = nullptr;
  if (rest.empty()) {
    e = d.timeline.inForceAt(now);
    if (!e) return error(req, 404, "error.not-in-force", "error.no-edition-in-force");
  } else if (rest != "versions") {
    auto no = core::EditionNo::parseName(rest);
    if (!no) return error(req, 404, "error.404", "error.no-page");
    e = d.timeline.edition(*no);
    if (!e) return error(req, 404, "error.404", "error.no-edition");
  }
  auto lang = chooseLang(req, e ? d.at(*e) : d.document);
  if (!lang) return error(req, 400, "error.400", "error.bad-lang");
  if (!e) {
    auto page = pages_.archive(snap, d, *lang, now, archivePage);
    if (!page) return error(req, 404, "error.404", "error.no-page");
    return serve(req, *page, now, "archive");
  }
  auto page = pages_.edition(d, *e, *lang, now);
  if (!page) return error(req, 404, "error.404", "error.no-translation");
  return serve(req, *page, now, rest.empty() ? "page" : "edition");
}

}  // namespace charta::api
