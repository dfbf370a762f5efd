#include "http/api_documents.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>

#include "http/edition_json.h"
#include "render/site.h"

namespace charta::http {

using core::Edition;
using core::Instant;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr std::string_view kPrefix = "/api/v1/";

Object::Ptr newObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string apiDocPath(const core::DocumentId& doc) { return "/api/v1/documents/" + doc.str(); }

Poco::Dynamic::Var timeOrNull(const std::optional<Instant>& t, std::chrono::minutes offset) {
  return t ? Poco::Dynamic::Var(core::formatRfc3339(*t, offset, false)) : Poco::Dynamic::Var();
}

// The offset to show a switch moment in: that of the edition taking effect then, else UTC+5.
std::chrono::minutes switchOffset(const core::Timeline& tl, Instant at) {
  auto up = tl.upcomingAt(at);
  return up.empty() ? core::kKazakhstanOffset : up.front()->effectiveOffset;
}

// "public, max-age=N" with N capped by the seconds left until "changesAt".
std::string cacheControlUntil(std::optional<Instant> changesAt, Instant now, int maxAge) {
  long age = maxAge;
  if (changesAt) {
    auto left = std::chrono::floor<std::chrono::seconds>(*changesAt - now).count();
    age = std::clamp<long>(left, 0, maxAge);
  }
  return "public, max-age=" + std::to_string(age);
}

const char* kImmutable = "public, max-age=31536000, immutable";

// A cached answer: bytes, ETag and the static header lines that go with them.
struct Prepared {
  std::shared_ptr<const std::string> body;
  std::string etag;
  std::shared_ptr<const std::string> headerBlock;
  std::string contentType;
  int status = 200;
  std::optional<Instant> changesAt;
};

std::shared_ptr<const Prepared> prepare(int status, std::string bytes, std::string contentType,
                                        std::optional<Instant> changesAt) {
  auto p = std::make_shared<Prepared>();
  p->etag = strongEtag(bytes);
  std::string block = "ETag: " + p->etag + "\r\n";
  for (const auto& [k, v] : securityHeaders()) block += k + ": " + v + "\r\n";
  p->headerBlock = std::make_shared<const std::string>(std::move(block));
  p->body = std::make_shared<const std::string>(std::move(bytes));
  p->contentType = std::move(contentType);
  p->status = status;
  p->changesAt = changesAt;
  return p;
}

// Sends "p" (or 304 when If-None-Match names its ETag) with "cacheControl".
Reply send(const Request& req, const Prepared& p, std::string cacheControl, const char* route) {
  Reply r;
  r.route = route;
  r.contentType = p.contentType;
  r.headerBlock = p.headerBlock;
  r.headers.emplace_back("Cache-Control", std::move(cacheControl));
  if (p.status == 200 && ifNoneMatch(req, p.etag)) {
    r.status = 304;
    return r;
  }
  r.status = p.status;
  r.shared = p.body;
  return r;
}

// JSON bytes answered with ETag/304; "cacheControl" as given.
Reply sendJson(const Request& req, const Poco::Dynamic::Var& value, std::string cacheControl,
               const char* route) {
  auto p = prepare(200, toJson(value), "application/json", std::nullopt);
  return send(req, *p, std::move(cacheControl), route);
}

std::string absoluteUrl(const SiteSnapshot& snap, const std::string& path) {
  return snap.baseUrl + path;
}

std::string langQuery(const core::Document& d, const core::Lang& lang) {
  return lang == d.controllingLang ? "" : "?lang=" + lang.str();
}

// texts: per language of the edition, the hashes of the exact text and of the page shown.
Array::Ptr textsJson(repository::PolicyRepository& repo, SiteService& pages,
                     const SiteSnapshot& snap, const core::Document& docAt, const Edition& e,
                     Instant at) {
  Array::Ptr texts = new Array;
  for (const core::Lang& lang : docAt.langs) {
    auto text = repo.text(docAt, e.commit, lang);
    if (!text) continue;
    Object::Ptr t = newObject();
    t->set("lang", lang.str());
    t->set("controlling", lang == docAt.controllingLang);
    t->set("text_sha256", text->sha256);
    auto page = pages.editionPage(e.doc, e.no, lang, at);
    t->set("page_sha256", page ? Poco::Dynamic::Var(page->sha256) : Poco::Dynamic::Var());
    t->set("page_url",
           absoluteUrl(snap, render::editionPath(docAt.route, e.no) + langQuery(docAt, lang)));
    t->set("text_url",
           apiDocPath(e.doc) + "/editions/" + e.no.str() + "?format=markdown&lang=" + lang.str());
    texts->add(t);
  }
  return texts;
}

std::optional<std::string> rawQueryParam(const Request& req, std::string_view name) {
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return percentDecode(pair.substr(eq + 1), false);
  }
  return std::nullopt;
}

int intParam(const Request& req, std::string_view name, int fallback, int lo, int hi) {
  auto v = req.queryParam(name);
  if (!v) return fallback;
  bool digits = !v->empty() && v->size() <= 6 &&
                std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
  int n = digits ? std::stoi(*v) : -1;
  if (n < lo || n > hi) {
    throw ApiError(400, "invalid-parameter", "Bad Request",
                   std::string(name) + " must be a whole number from " + std::to_string(lo) +
                       " to " + std::to_string(hi) + ".");
  }
  return n;
}

// The read API. Answers of `current` are cached per state (snapshot generation, document and the
// editions in force and upcoming at the moment asked), so polling is a lookup and a write.
class DocumentsApi : public ApiModule {
 public:
  DocumentsApi(repository::PolicyRepository& repo, SiteService& pages, DocumentsApiOptions options)
      : repo_(repo), pages_(pages), options_(options) {}

  std::vector<std::string> routes() const override {
    return {"GET /api/v1/documents", "GET /api/v1/documents/{doc}",
            "GET /api/v1/documents/{doc}/current", "GET /api/v1/documents/{doc}/editions",
            "GET /api/v1/documents/{doc}/editions/{edition}"};
  }

  std::optional<Reply> handle(Request& req, Instant now, const Caller&) override {
    if (req.path.substr(0, 17) != "/api/v1/documents") return std::nullopt;
    auto segs = pathSegments(req.path, kPrefix);
    if (!segs || segs->empty() || (*segs)[0] != "documents") return std::nullopt;
    const auto& s = *segs;
    // The write API shares the prefix: leave its routes to it.
    if (s.size() == 3 && (s[2] == "revisions" || s[2] == "publications")) return std::nullopt;
    if (s.size() == 5 && s[2] == "editions" && s[4] == "withdrawal") return std::nullopt;
    if (s.size() > 4 || (s.size() >= 3 && s[2] != "current" && s[2] != "editions") ||
        (s.size() == 4 && s[2] != "editions")) {
      return std::nullopt;
    }
    requireMethod(req, {"GET", "HEAD"});
    if (s.size() == 1) return list(req, now);
    core::DocumentId doc = documentParam(s[1]);
    if (s.size() == 2) return document(req, doc, now);
    if (s[2] == "current") return current(req, doc, now);
    if (s.size() == 3) return editions(req, doc, now);
    return edition(req, doc, editionParam(s[3]), now);
  }

 private:
  const DocumentState& published(const SiteSnapshot& snap, const core::DocumentId& doc) {
    const DocumentState* d = snap.find(doc);
    if (!d) {
      throw ApiError(404, "document-not-found", "Not Found",
                     "No published document \"" + doc.str() + "\".");
    }
    return *d;
  }

  Object::Ptr summary(const SiteSnapshot& snap, const DocumentState& d, Instant now) {
    Object::Ptr o = newObject();
    const core::Document& doc = d.document;
    o->set("id", doc.id.str());
    o->set("title", doc.title);
    o->set("route", doc.route);
    o->set("page_url", absoluteUrl(snap, doc.route));
    o->set("controlling_lang", doc.controllingLang.str());
    Array::Ptr langs = new Array;
    for (const auto& l : doc.langs) langs->add(l.str());
    o->set("langs", langs);
    const Edition* inForce = d.timeline.inForceAt(now);
    o->set("in_force", inForce ? Poco::Dynamic::Var(inForce->no.str()) : Poco::Dynamic::Var());
    o->set("next_switch",
           timeOrNull(d.timeline.nextSwitchAfter(now), switchOffset(d.timeline, now)));
    Object::Ptr links = newObject();
    links->set("self", apiDocPath(doc.id));
    links->set("current", apiDocPath(doc.id) + "/current");
    links->set("editions", apiDocPath(doc.id) + "/editions");
    o->set("links", links);
    return o;
  }

  Reply list(const Request& req, Instant now) {
    requireQueryParams(req, {});
    auto snap = pages_.snapshot();
    Array::Ptr docs = new Array;
    std::optional<Instant> next;
    for (const auto& d : snap->documents) {
      docs->add(summary(*snap, *d, now));
      auto n = d->timeline.nextSwitchAfter(now);
      if (n && (!next || *n < *next)) next = n;
    }
    Object::Ptr o = newObject();
    o->set("documents", docs);
    return sendJson(req, o, cacheControlUntil(next, now, options_.maxAgeSeconds),
                    "/api/v1/documents");
  }

  Reply document(const Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {});
    auto snap = pages_.snapshot();
    const DocumentState& d = published(*snap, id);
    Object::Ptr o = summary(*snap, d, now);
    Array::Ptr purposes = new Array;
    const Edition* inForce = d.timeline.inForceAt(now);
    const core::Document& at = inForce ? d.atEdition.at(inForce->no.value()) : d.document;
    for (const auto& p : at.purposes) {
      Object::Ptr po = newObject();
      po->set("id", p.id.str());
      po->set("clause", p.clause);
      po->set("title", p.title);
      purposes->add(po);
    }
    o->set("purposes", purposes);
    o->set("editions", static_cast<int>(d.timeline.editions().size()));
    return sendJson(req, o,
                    cacheControlUntil(d.timeline.nextSwitchAfter(now), now, options_.maxAgeSeconds),
                    "/api/v1/documents/{doc}");
  }

  Reply current(const Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {"at"});
    auto at = atParam(req);
    Instant when = at.value_or(now);
    auto snap = pages_.snapshot();
    std::shared_ptr<const Prepared> p = cachedCurrent(*snap, id, when);
    if (!p) {
      throw ApiError(404, "document-not-found", "Not Found", "No document \"" + id.str() + "\".");
    }
    // A moment well in the past has a settled answer; otherwise it lasts until the next switch
    // (and at most max-age: an unannounced publication may change it).
    std::string cc = at && *at < now - std::chrono::seconds(2)
                         ? std::string("public, max-age=86400")
                         : cacheControlUntil(p->changesAt, now, options_.maxAgeSeconds);
    if (p->status != 200) cc = "no-cache";
    return send(req, *p, std::move(cc), "/api/v1/documents/{doc}/current");
  }

  std::shared_ptr<const Prepared> cachedCurrent(const SiteSnapshot& snap,
                                                const core::DocumentId& id, Instant at) {
    // The answer is a function of the state at "at": key on what it shows.
    std::string key = std::to_string(snap.generation) + "|" + id.str();
    if (const DocumentState* d = snap.find(id)) {
      const Edition* e = d->timeline.inForceAt(at);
      key += "|" + (e ? e->no.str() : std::string("-"));
      for (const Edition* u : d->timeline.upcomingAt(at)) key += "|" + u->no.str();
      auto next = d->timeline.nextSwitchAfter(at);
      key += "|" + (next ? std::to_string(next->time_since_epoch().count()) : std::string("-"));
    } else {
      key += "|unpublished";
    }
    {
      std::shared_lock lock(mu_);
      auto it = current_.find(key);
      if (it != current_.end()) return it->second;
    }
    auto view = buildCurrentView(repo_, pages_, snap, id, at);
    if (!view) return nullptr;
    auto p = std::make_shared<Prepared>();
    p->body = view->body;
    p->etag = view->etag;
    std::string block = "ETag: " + p->etag + "\r\n";
    for (const auto& [k, v] : securityHeaders()) block += k + ": " + v + "\r\n";
    p->headerBlock = std::make_shared<const std::string>(std::move(block));
    p->contentType = view->status == 200 ? "application/json" : "application/problem+json";
    p->status = view->status;
    p->changesAt = view->nextSwitch;
    std::unique_lock lock(mu_);
    if (current_.size() > 1024) current_.clear();
    return current_.emplace(key, std::move(p)).first->second;
  }

  Reply editions(const Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {"limit", "cursor"});
    int limit = intParam(req, "limit", 20, 1, 100);
    int before = 0;  // 0: from the newest
    if (auto c = req.queryParam("cursor")) {
      // Opaque to clients: "b<N>" continues with the editions numbered below N.
      auto no =
          c->size() > 1 && (*c)[0] == 'b' ? core::EditionNo::parse(c->substr(1)) : std::nullopt;
      if (!no || "b" + std::to_string(no->value()) != *c) {
        throw ApiError(400, "invalid-cursor", "Bad Request",
                       "The cursor is not one this API returned.");
      }
      before = no->value();
    }
    auto snap = pages_.snapshot();
    const DocumentState& d = published(*snap, id);
    const auto& all = d.timeline.editions();  // by number, ascending
    Array::Ptr items = new Array;
    int last = 0;
    bool more = false;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (before && it->no.value() >= before) continue;
      if (static_cast<int>(items->size()) == limit) {
        more = true;
        break;
      }
      Object::Ptr o = editionJson(*it, d.timeline, now);
      o->set("links", editionLinks(*it));
      items->add(o);
      last = it->no.value();
    }
    Object::Ptr o = newObject();
    o->set("document", id.str());
    o->set("editions", items);
    std::string next;
    if (more) {
      next = "b" + std::to_string(last);
      o->set("next_cursor", next);
    } else {
      o->set("next_cursor", Poco::Dynamic::Var());
    }
    Reply r = sendJson(
        req, o, cacheControlUntil(d.timeline.nextSwitchAfter(now), now, options_.maxAgeSeconds),
        "/api/v1/documents/{doc}/editions");
    if (more) {
      r.headers.emplace_back("Link", "<" + apiDocPath(id) +
                                         "/editions?limit=" + std::to_string(limit) +
                                         "&cursor=" + next + ">; rel=\"next\"");
    }
    return r;
  }

  static Object::Ptr editionLinks(const Edition& e) {
    Object::Ptr links = newObject();
    links->set("self", apiDocPath(e.doc) + "/editions/" + e.no.str());
    links->set("markdown", apiDocPath(e.doc) + "/editions/" + e.no.str() + "?format=markdown");
    links->set("html", apiDocPath(e.doc) + "/editions/" + e.no.str() + "?format=html");
    return links;
  }

  Reply edition(const Request& req, const core::DocumentId& id, core::EditionNo no, Instant now) {
    requireQueryParams(req, {"format", "lang"});
    auto snap = pages_.snapshot();
    const DocumentState& d = published(*snap, id);
    const Edition* e = d.timeline.edition(no);
    if (!e) {
      throw ApiError(404, "edition-not-found", "Not Found",
                     "No edition " + no.str() + " of \"" + id.str() + "\".");
    }
    const core::Document& docAt = d.atEdition.at(no.value());
    std::string format = req.queryParam("format").value_or("json");
    if (format != "json" && format != "markdown" && format != "html") {
      throw ApiError(400, "invalid-parameter", "Bad Request",
                     "format must be json, markdown or html.");
    }
    core::Lang lang = docAt.controllingLang;
    if (auto l = req.queryParam("lang")) {
      auto wanted = core::Lang::parse(*l);
      auto found =
          wanted
              ? std::find_if(docAt.langs.begin(), docAt.langs.end(),
                             [&](const core::Lang& x) { return iequals(x.str(), wanted->str()); })
              : docAt.langs.end();
      if (!wanted) {
        throw ApiError(400, "invalid-parameter", "Bad Request", "lang is not a language tag.");
      }
      if (found == docAt.langs.end()) {
        throw ApiError(404, "text-not-found", "Not Found",
                       "Edition " + no.str() + " has no text in that language.");
      }
      lang = *found;
    }
    if (format == "markdown") {
      auto text = repo_.text(docAt, e->commit, lang);
      if (!text) {
        throw ApiError(404, "text-not-found", "Not Found",
                       "Edition " + no.str() + " has no text in that language.");
      }
      // The exact file: its SHA-256 is the text_sha256 a consent cites.
      auto p = prepare(200, std::move(text->bytes), "text/markdown; charset=utf-8", std::nullopt);
      Reply r = send(req, *p, kImmutable, "/api/v1/documents/{doc}/editions/{edition}");
      r.headers.emplace_back("Content-Language", lang.str());
      return r;
    }
    if (format == "html") {
      auto page = pages_.editionPage(id, no, lang, now);
      if (!page) {
        throw ApiError(404, "text-not-found", "Not Found",
                       "Edition " + no.str() + " has no text in that language.");
      }
      Reply r;
      r.route = "/api/v1/documents/{doc}/editions/{edition}";
      r.contentType = page->contentType;
      r.headerBlock = page->headerBlock;  // ETag, Content-Language and security headers
      r.headers.emplace_back("Cache-Control",
                             page->immutable
                                 ? std::string(kImmutable)
                                 : cacheControlUntil(page->changesAt, now, options_.maxAgeSeconds));
      if (ifNoneMatch(req, page->etag)) {
        r.status = 304;
      } else {
        r.shared = page->body;
      }
      return r;
    }
    Object::Ptr o = editionJson(*e, d.timeline, now);
    o->set("title", docAt.title);
    o->set("texts", textsJson(repo_, pages_, *snap, docAt, *e, now));
    o->set("links", editionLinks(*e));
    // Superseded and withdrawn editions never change again.
    auto status = d.timeline.statusAt(*e, now);
    bool final =
        status == core::EditionStatus::kSuperseded || status == core::EditionStatus::kWithdrawn;
    return sendJson(
        req, o,
        final ? std::string("public, max-age=86400")
              : cacheControlUntil(d.timeline.nextSwitchAfter(now), now, options_.maxAgeSeconds),
        "/api/v1/documents/{doc}/editions/{edition}");
  }

  repository::PolicyRepository& repo_;
  SiteService& pages_;
  DocumentsApiOptions options_;
  std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Prepared>> current_;
};

class OpenApiModule : public ApiModule {
 public:
  explicit OpenApiModule(std::string bytes)
      : page_(prepare(200, std::move(bytes), "application/json", std::nullopt)) {}
  std::vector<std::string> routes() const override { return {"GET /api/v1/openapi.json"}; }
  std::optional<Reply> handle(Request& req, Instant, const Caller&) override {
    if (req.path != "/api/v1/openapi.json") return std::nullopt;
    requireMethod(req, {"GET", "HEAD"});
    return send(req, *page_, "public, max-age=3600", "/api/v1/openapi.json");
  }

 private:
  std::shared_ptr<const Prepared> page_;
};

}  // namespace

std::optional<CurrentView> buildCurrentView(repository::PolicyRepository& repo, SiteService& pages,
                                            const SiteSnapshot& snap, const core::DocumentId& doc,
                                            Instant at) {
  const DocumentState* d = snap.find(doc);
  CurrentView view;
  const Edition* e = d ? d->timeline.inForceAt(at) : nullptr;
  if (!e) {
    if (!d) {
      // Declared but never published? Then the answer is "nothing in force" all the same.
      core::Registry head = repo.registry(repo.head());
      if (!head.document(doc)) return std::nullopt;
    }
    Object::Ptr o = newObject();
    o->set("type", "https://charta.dev/problems/not-in-force");
    o->set("title", "Not Found");
    o->set("status", 404);
    o->set("detail", "No edition of \"" + doc.str() + "\" is in force at that moment.");
    o->set("document", doc.str());
    if (d) {
      auto up = d->timeline.upcomingAt(at);
      o->set("upcoming", up.empty()
                             ? Poco::Dynamic::Var()
                             : Poco::Dynamic::Var(editionJson(*up.front(), d->timeline, at)));
      view.nextSwitch = d->timeline.nextSwitchAfter(at);
      o->set("next_switch", timeOrNull(view.nextSwitch, switchOffset(d->timeline, at)));
    } else {
      o->set("upcoming", Poco::Dynamic::Var());
      o->set("next_switch", Poco::Dynamic::Var());
    }
    view.status = 404;
    std::string bytes = toJson(o);
    view.etag = strongEtag(bytes);
    view.body = std::make_shared<const std::string>(std::move(bytes));
    return view;
  }
  const core::Document& docAt = d->atEdition.at(e->no.value());
  Object::Ptr o = editionJson(*e, d->timeline, at);
  o->set("title", docAt.title);
  o->set("page_url", absoluteUrl(snap, d->document.route));
  o->set("texts", textsJson(repo, pages, snap, docAt, *e, at));
  auto up = d->timeline.upcomingAt(at);
  o->set("upcoming", up.empty() ? Poco::Dynamic::Var()
                                : Poco::Dynamic::Var(editionJson(*up.front(), d->timeline, at)));
  view.nextSwitch = d->timeline.nextSwitchAfter(at);
  o->set("next_switch", timeOrNull(view.nextSwitch, switchOffset(d->timeline, at)));
  Object::Ptr links = newObject();
  links->set("self", apiDocPath(doc) + "/current");
  links->set("edition", apiDocPath(doc) + "/editions/" + e->no.str());
  links->set("editions", apiDocPath(doc) + "/editions");
  o->set("links", links);
  std::string bytes = toJson(o);
  view.etag = strongEtag(bytes);
  view.body = std::make_shared<const std::string>(std::move(bytes));
  return view;
}

std::optional<Instant> atParam(const Request& req) {
  auto raw = rawQueryParam(req, "at");
  if (!raw) return std::nullopt;
  auto t = core::parseRfc3339(*raw);
  if (!t) {
    throw ApiError(400, "invalid-time", "Bad Request",
                   "at must be an RFC 3339 time with an offset, like 2026-12-01T00:00:00+05:00 "
                   "(a local time without an offset is ambiguous).");
  }
  return t;
}

void requireQueryParams(const Request& req, std::initializer_list<std::string_view> allowed) {
  std::string_view q = req.query;
  std::vector<std::string_view> seen;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    std::string_view key = pair.substr(0, pair.find('='));
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw ApiError(400, "invalid-parameter", "Bad Request",
                     list.empty() ? "This resource takes no query parameters."
                                  : "Unknown query parameter; this resource takes " + list + ".");
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw ApiError(400, "invalid-parameter", "Bad Request", "A query parameter is repeated.");
    }
    seen.push_back(key);
  }
}

core::DocumentId documentParam(const std::string& segment) {
  auto id = core::DocumentId::parse(segment);
  if (!id) {
    throw ApiError(400, "invalid-document-id", "Bad Request",
                   "A document id is lower-case letters, digits and inner hyphens.");
  }
  return *id;
}

core::EditionNo editionParam(const std::string& segment) {
  auto no = core::EditionNo::parse(segment);
  if (!no || no->str() != segment) {
    throw ApiError(400, "invalid-edition", "Bad Request",
                   "An edition is named v<N>, like v3 (no leading zeros).");
  }
  return *no;
}

std::unique_ptr<ApiModule> makeDocumentsApi(repository::PolicyRepository& repo, SiteService& pages,
                                            DocumentsApiOptions options) {
  return std::make_unique<DocumentsApi>(repo, pages, options);
}

std::unique_ptr<ApiModule> makeOpenApiModule(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read the OpenAPI document " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  try {
    Poco::JSON::Parser().parse(bytes);
  } catch (const Poco::Exception& e) {
    throw Error("the OpenAPI document " + path + " is not JSON: " + e.displayText());
  }
  return std::make_unique<OpenApiModule>(std::move(bytes));
}

}  // namespace charta::http
