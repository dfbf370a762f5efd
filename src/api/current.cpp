#include "api/current.h"

#include <Poco/JSON/Array.h>

#include "api/problems.h"
#include "api/request.h"
#include "render/site.h"
#include "service/views.h"

namespace charta::api {

using core::Edition;
using core::Instant;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;
using service::jsonObject;

std::string apiDocPath(const core::DocumentId& doc) { return "/api/v1/documents/" + doc.str(); }

namespace {

// The offset to show a switch moment in: that of the edition taking effect then, else UTC+5.
std::chrono::minutes switchOffset(const core::Timeline& tl, Instant at) {
  auto up = tl.upcomingAt(at);
  return up.empty() ? core::kKazakhstanOffset : up.front()->effectiveOffset;
}

Var nextSwitch(const core::Timeline& tl, Instant at) {
  auto next = tl.nextSwitchAfter(at);
  return next ? Var(core::formatRfc3339(*next, switchOffset(tl, at), false)) : Var();
}

Var upcoming(const core::Timeline& tl, Instant at) {
  auto up = tl.upcomingAt(at);
  return up.empty() ? Var() : Var(service::editionJson(*up.front(), tl, at));
}

std::string langQuery(const core::Document& d, const core::Lang& lang) {
  return lang == d.controllingLang ? "" : "?lang=" + lang.str();
}

}  // namespace

// texts: per language of the edition, the hashes of the exact text and of the page shown.
Array::Ptr textsJson(service::Pages& pages, const service::Snapshot& snap,
                     const service::DocumentState& d, const Edition& e, Instant at) {
  const core::Document& docAt = d.at(e);
  Array::Ptr texts = new Array;
  for (const auto& t : pages.texts(d, e, at)) {
    Object::Ptr o = jsonObject();
    o->set("lang", t.lang.str());
    o->set("controlling", t.controlling);
    o->set("text_sha256", t.textSha256);
    o->set("page_sha256", t.pageSha256 ? Var(*t.pageSha256) : Var());
    o->set("page_url",
           snap.baseUrl + render::editionPath(docAt.route, e.no) + langQuery(docAt, t.lang));
    o->set("text_url",
           apiDocPath(e.doc) + "/editions/" + e.no.str() + "?format=markdown&lang=" + t.lang.str());
    texts->add(o);
  }
  return texts;
}

CurrentAnswers::CurrentAnswers(service::Pages& pages) : pages_(pages) {}

CurrentAnswers::Answer CurrentAnswers::build(const service::Snapshot& snap,
                                             const service::DocumentState* d,
                                             const core::DocumentId& doc, Instant at) {
  const Edition* e = d ? d->timeline.inForceAt(at) : nullptr;
  if (!e) {
    auto extra = jsonObject();
    extra->set("document", doc.str());
    extra->set("upcoming", d ? upcoming(d->timeline, at) : Var());
    extra->set("next_switch", d ? nextSwitch(d->timeline, at) : Var());
    auto problem =
        problemObject(service::Fault::kNotInForce,
                      "No edition of \"" + doc.str() + "\" is in force at that moment.", extra);
    return Answer{404, service::makePage(toJson(problem), "application/problem+json", frame,
                                         d ? d->timeline.nextSwitchAfter(at) : std::nullopt)};
  }
  Object::Ptr o = service::editionJson(*e, d->timeline, at);
  o->set("title", d->at(*e).title);
  o->set("page_url", snap.baseUrl + d->document.route);
  o->set("texts", textsJson(pages_, snap, *d, *e, at));
  o->set("upcoming", upcoming(d->timeline, at));
  o->set("next_switch", nextSwitch(d->timeline, at));
  Object::Ptr links = jsonObject();
  links->set("self", apiDocPath(doc) + "/current");
  links->set("edition", apiDocPath(doc) + "/editions/" + e->no.str());
  links->set("editions", apiDocPath(doc) + "/editions");
  o->set("links", links);
  return Answer{200, service::makePage(toJson(o), "application/json", frame,
                                       d->timeline.nextSwitchAfter(at))};
}

std::optional<CurrentAnswers::Answer> CurrentAnswers::at(const service::Snapshot& snap,
                                                         const core::DocumentId& doc, Instant at) {
  // The answer is a function of the state at "at": key on what it shows.
  std::string key = std::to_string(snap.generation) + "|" + doc.str();
  const service::DocumentState* d = snap.find(doc);
  if (d) {
    const Edition* e = d->timeline.inForceAt(at);
    key += "|" + (e ? e->no.str() : std::string("-"));
    for (const Edition* u : d->timeline.upcomingAt(at)) key += "|" + u->no.str();
    auto next = d->timeline.nextSwitchAfter(at);
    key += "|" + (next ? std::to_string(next->time_since_epoch().count()) : std::string("-"));
  } else if (!snap.declared.count(doc.str())) {
    return std::nullopt;  // neither published nor declared
  } else {
    key += "|unpublished";
  }
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  Answer a = build(snap, d, doc, at);
  std::unique_lock lock(mu_);
  if (cache_.size() > 1024) cache_.clear();
  return cache_.emplace(key, std::move(a)).first->second;
}

}  // namespace charta::api
