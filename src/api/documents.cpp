// The public read API (no token needed):
//   GET /api/v1/documents
//   GET /api/v1/documents/{doc}
//   GET /api/v1/documents/{doc}/current[?at=RFC3339]
//   GET /api/v1/documents/{doc}/editions[?limit=&cursor=]    newest first, Link rel="next"
//   GET /api/v1/documents/{doc}/editions/{edition}[?format=json|markdown|html][&lang=]
// Every answer has a strong ETag and honours If-None-Match (304); Cache-Control of answers that
// change at a scheduled switch never reaches past it.
#include <Poco/JSON/Array.h>

#include <algorithm>

#include "api/current.h"
#include "api/modules.h"
#include "api/request.h"
#include "service/views.h"

namespace charta::api {

using core::Edition;
using core::Instant;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;
using service::DocumentState;
using service::Fault;
using service::jsonObject;
using service::Snapshot;

namespace {

const DocumentState& published(const Snapshot& snap, const core::DocumentId& doc) {
  const DocumentState* d = snap.find(doc);
  if (!d) {
    throw Problem(Fault::kDocumentNotFound, "No published document \"" + doc.str() + "\".");
  }
  return *d;
}

Var timeOrNull(const std::optional<Instant>& t, std::chrono::minutes offset) {
  return t ? Var(core::formatRfc3339(*t, offset, false)) : Var();
}

Object::Ptr summaryJson(const Snapshot& snap, const DocumentState& d, Instant now) {
  Object::Ptr o = jsonObject();
  const core::Document& doc = d.document;
  o->set("id", doc.id.str());
  o->set("title", doc.title);
  o->set("route", doc.route);
  o->set("page_url", snap.baseUrl + doc.route);
  o->set("controlling_lang", doc.controllingLang.str());
  Array::Ptr langs = new Array;
  for (const auto& l : doc.langs) langs->add(l.str());
  o->set("langs", langs);
  const Edition* inForce = d.timeline.inForceAt(now);
  o->set("in_force", inForce ? Var(inForce->no.str()) : Var());
  auto up = d.timeline.upcomingAt(now);
  o->set("next_switch",
         timeOrNull(d.timeline.nextSwitchAfter(now),
                    up.empty() ? core::kKazakhstanOffset : up.front()->effectiveOffset));
  Object::Ptr links = jsonObject();
  links->set("self", apiDocPath(doc.id));
  links->set("current", apiDocPath(doc.id) + "/current");
  links->set("editions", apiDocPath(doc.id) + "/editions");
  o->set("links", links);
  return o;
}

Object::Ptr editionLinks(const Edition& e) {
  std::string self = apiDocPath(e.doc) + "/editions/" + e.no.str();
  Object::Ptr links = jsonObject();
  links->set("self", self);
  links->set("markdown", self + "?format=markdown");
  links->set("html", self + "?format=html");
  return links;
}

// Edition pages of the editions API: "b<N>" continues with the editions numbered below N.
int cursorParam(const http::Request& req) {
  auto c = req.queryParam("cursor");
  if (!c) return 0;  // from the newest
  auto no = c->size() > 1 && (*c)[0] == 'b' ? core::EditionNo::parse(c->substr(1)) : std::nullopt;
  if (!no || "b" + std::to_string(no->value()) != *c) {
    throw Problem(Fault::kInvalidCursor, "The cursor is not one this API returned.");
  }
  return no->value();
}

// "?lang=" among the edition's languages (nullopt: absent).
std::optional<core::Lang> langParam(const http::Request& req, const core::Document& docAt,
                                    core::EditionNo no) {
  auto l = req.queryParam("lang");
  if (!l) return std::nullopt;
  auto wanted = core::Lang::parse(*l);
  if (!wanted) throw Problem(Fault::kInvalidParameter, "lang is not a language tag.");
  auto found = std::find_if(docAt.langs.begin(), docAt.langs.end(), [&](const core::Lang& x) {
    return core::iequals(x.str(), wanted->str());
  });
  if (found == docAt.langs.end()) {
    throw Problem(Fault::kTextNotFound, "Edition " + no.str() + " has no text in that language.");
  }
  return *found;
}

class DocumentsApi : public ApiModule {
 public:
  DocumentsApi(service::Catalog& catalog, service::Pages& pages, CurrentAnswers& current,
               int maxAgeSeconds)
      : catalog_(catalog), pages_(pages), current_(current), maxAge_(maxAgeSeconds) {}

  std::vector<std::string> routes() const override {
    return {"GET /api/v1/documents", "GET /api/v1/documents/{doc}",
            "GET /api/v1/documents/{doc}/current", "GET /api/v1/documents/{doc}/editions",
            "GET /api/v1/documents/{doc}/editions/{edition}"};
  }

  std::optional<http::Reply> handle(http::Request& req, Instant now, const Caller&) override {
    if (req.path.substr(0, 17) != "/api/v1/documents") return std::nullopt;
    auto segs = pathSegments(req.path, "/api/v1/");
    if (!segs || segs->empty() || (*segs)[0] != "documents") return std::nullopt;
    const auto& s = *segs;
    bool mine = s.size() <= 2 || (s.size() == 3 && (s[2] == "current" || s[2] == "editions")) ||
                (s.size() == 4 && s[2] == "editions");
    if (!mine) return std::nullopt;  // revisions, publications, diff, withdrawals: not here
    requireMethod(req, {"GET", "HEAD"});
    if (s.size() == 1) return list(req, now);
    core::DocumentId doc = documentParam(s[1]);
    if (s.size() == 2) return document(req, doc, now);
    if (s[2] == "current") return current(req, doc, now);
    if (s.size() == 3) return editions(req, doc, now);
    return edition(req, doc, editionParam(s[3]), now);
  }

 private:
  std::string until(const core::Timeline& tl, Instant now) const {
    return cacheControlUntil(tl.nextSwitchAfter(now), now, maxAge_);
  }

  http::Reply list(const http::Request& req, Instant now) {
    requireQueryParams(req, {});
    auto snap = catalog_.snapshot();
    Array::Ptr docs = new Array;
    for (const auto& d : snap->documents) docs->add(summaryJson(*snap, *d, now));
    Object::Ptr o = jsonObject();
    o->set("documents", docs);
    return sendJson(req, o, cacheControlUntil(catalog_.nextSwitchAfter(now), now, maxAge_),
                    "/api/v1/documents");
  }

  http::Reply document(const http::Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {});
    auto snap = catalog_.snapshot();
    const DocumentState& d = published(*snap, id);
    Object::Ptr o = summaryJson(*snap, d, now);
    Array::Ptr purposes = new Array;
    const Edition* inForce = d.timeline.inForceAt(now);
    for (const auto& p : (inForce ? d.at(*inForce) : d.document).purposes) {
      Object::Ptr po = jsonObject();
      po->set("id", p.id.str());
      po->set("clause", p.clause);
      po->set("title", p.title);
      purposes->add(po);
    }
    o->set("purposes", purposes);
    o->set("editions", static_cast<int>(d.timeline.editions().size()));
    return sendJson(req, o, until(d.timeline, now), "/api/v1/documents/{doc}");
  }

  http::Reply current(const http::Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {"at"});
    auto at = atParam(req);
    auto snap = catalog_.snapshot();
    auto a = current_.at(*snap, id, at.value_or(now));
    if (!a) throw Problem(Fault::kDocumentNotFound, "No document \"" + id.str() + "\".");
    // A moment well in the past has a settled answer; otherwise it lasts until the next switch
    // (and at most max-age: an unannounced publication may change it).
    std::string cc = a->status != 200 ? "no-cache"
                     : at && *at < now - std::chrono::seconds(2)
                         ? "public, max-age=86400"
                         : cacheControlUntil(a->page->changesAt, now, maxAge_);
    return send(req, *a->page, std::move(cc), "/api/v1/documents/{doc}/current", a->status);
  }

  http::Reply editions(const http::Request& req, const core::DocumentId& id, Instant now) {
    requireQueryParams(req, {"limit", "cursor"});
    int limit = intParam(req, "limit", 20, 1, 100);
    int before = cursorParam(req);
    auto snap = catalog_.snapshot();
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
      Object::Ptr o = service::editionJson(*it, d.timeline, now);
      o->set("links", editionLinks(*it));
      items->add(o);
      last = it->no.value();
    }
    std::string next = more ? "b" + std::to_string(last) : "";
    Object::Ptr o = jsonObject();
    o->set("document", id.str());
    o->set("editions", items);
    o->set("next_cursor", more ? Var(next) : Var());
    http::Reply r = sendJson(req, o, until(d.timeline, now), "/api/v1/documents/{doc}/editions");
    if (more) {
      r.headers.emplace_back("Link", "<" + apiDocPath(id) +
                                         "/editions?limit=" + std::to_string(limit) +
                                         "&cursor=" + next + ">; rel=\"next\"");
    }
    return r;
  }

  http::Reply edition(const http::Request& req, const core::DocumentId& id, core::EditionNo no,
                      Instant now) {
    requireQueryParams(req, {"format", "lang"});
    auto snap = catalog_.snapshot();
    const DocumentState& d = published(*snap, id);
    const Edition* e = d.timeline.edition(no);
    if (!e) {
      throw Problem(Fault::kEditionNotFound,
                    "No edition " + no.str() + " of \"" + id.str() + "\".");
    }
    const core::Document& docAt = d.at(*e);
    std::string format = req.queryParam("format").value_or("json");
    if (format != "json" && format != "markdown" && format != "html") {
      throw Problem(Fault::kInvalidParameter, "format must be json, markdown or html.");
    }
    core::Lang lang = langParam(req, docAt, no).value_or(docAt.controllingLang);
    const char* route = "/api/v1/documents/{doc}/editions/{edition}";
    auto noText = [&] {
      return Problem(Fault::kTextNotFound,
                     "Edition " + no.str() + " has no text in that language.");
    };
    if (format == "markdown") {
      auto text = catalog_.text(d, *e, lang);
      if (!text) throw noText();
      // The exact file: its SHA-256 is the text_sha256 a consent cites.
      auto page = answer(std::move(text->bytes), "text/markdown; charset=utf-8");
      http::Reply r = send(req, *page, kImmutable, route);
      r.headers.emplace_back("Content-Language", lang.str());
      return r;
    }
    if (format == "html") {
      auto page = pages_.edition(d, *e, lang, now);
      if (!page) throw noText();
      return send(req, *page,
                  page->immutable ? std::string(kImmutable)
                                  : cacheControlUntil(page->changesAt, now, maxAge_),
                  route);
    }
    Object::Ptr o = service::editionJson(*e, d.timeline, now);
    o->set("title", docAt.title);
    o->set("texts", textsJson(pages_, *snap, d, *e, now));
    o->set("links", editionLinks(*e));
    // Superseded and withdrawn editions never change again.
    auto status = d.timeline.statusAt(*e, now);
    bool final =
        status == core::EditionStatus::kSuperseded || status == core::EditionStatus::kWithdrawn;
    return sendJson(req, o, final ? std::string("public, max-age=86400") : until(d.timeline, now),
                    route);
  }

  service::Catalog& catalog_;
  service::Pages& pages_;
  CurrentAnswers& current_;
  int maxAge_;
};

}  // namespace

std::unique_ptr<ApiModule> makeDocumentsApi(service::Catalog& catalog, service::Pages& pages,
                                            CurrentAnswers& current, int maxAgeSeconds) {
  return std::make_unique<DocumentsApi>(catalog, pages, current, maxAgeSeconds);
}

}  // namespace charta::api
