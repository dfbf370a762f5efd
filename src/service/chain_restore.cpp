// The chained editions served where git lost or changed them, and how tampering is named.
#include <Poco/JSON/Object.h>

#include <sstream>

#include "core/publication.h"
#include "core/sha256.h"
#include "service/chain.h"
#include "service/webhooks.h"

namespace charta::service {

using ledger::ChainedPublication;

std::string_view Tampering::kindName() const {
  return kind == Kind::kMissing ? "edition-missing" : "edition-changed";
}

std::string Tampering::line() const {
  return doc.str() + " " + edition.str() + " " + std::string(kindName()) + ": " + detail;
}

WebhookEvent tamperedEvent(const Tampering& t, core::Instant at) {
  // A stable id per finding: the same tampering found again (another instance, a restart) is the
  // same event, which the outbox and the receivers drop.
  std::string h = core::sha256Hex("repository.tampered|" + t.line()).substr(0, 32);
  h[12] = '8';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  const std::string id = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                         h.substr(16, 4) + "-" + h.substr(20, 12);
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("id", id);
  o.set("type", "repository.tampered");
  o.set("occurred_at", core::formatRfc3339(at, core::almatyOffset(at), false));
  o.set("document", t.doc.str());
  o.set("edition", t.edition.str());
  o.set("finding", std::string(t.kindName()));
  if (t.seq > 0) o.set("seq", static_cast<Poco::Int64>(t.seq));
  o.set("detail", t.detail);
  Poco::JSON::Object::Ptr links = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  links->set("verify", "/api/v1/ledger/verify");
  o.set("links", links);
  std::ostringstream body;
  o.stringify(body);
  return WebhookEvent{id, "repository.tampered", at, body.str()};
}

std::optional<core::Edition> EditionChain::chainedEdition(const ChainedPublication& p,
                                                          const core::Edition* git) const {
  std::optional<core::Edition> e;
  if (git) {
    e = *git;  // its own tag is the chained one: only the withdrawal is put back
  } else {
    auto published = core::parseRfc3339(p.facts.publishedAt);
    auto effective = core::parseRfc3339Zoned(p.facts.effectiveFrom);
    if (!published || !effective || !refs_.hasCommit(p.facts.commit)) return std::nullopt;
    e = core::Edition{p.facts.doc,
                      p.facts.edition,
                      p.facts.commit,
                      *published,
                      effective->instant,
                      effective->offset,
                      p.facts.material,
                      {},
                      "",
                      core::Person{},
                      std::nullopt,
                      std::nullopt};
    e->imported = p.facts.imported;
    // The chained tag object outlives its ref until git prunes it: it names the publisher.
    if (auto tag = refs_.tag(p.facts.tag); tag && tag->target == p.facts.commit.str()) {
      e->publisher = tag->tagger;
    }
  }
  e->withdrawal.reset();
  if (p.withdrawal) {
    auto at = core::parseRfc3339(p.withdrawal->facts.withdrawnAt);
    core::Person by;
    if (auto tag = refs_.tag(p.withdrawal->facts.tag)) by = tag->tagger;
    if (at) e->withdrawal = core::Withdrawal{*at, by, p.withdrawal->facts.reason};
  }
  return e;
}

std::shared_ptr<DocumentState> EditionChain::restored(
    const core::DocumentId& doc, const DocumentState* d,
    const std::vector<ChainedPublication>& chained, const std::map<int, bool>& numbers) const {
  std::vector<core::Edition> editions;
  std::map<int, core::Document> atEdition;
  if (d) {
    for (const core::Edition& e : d->timeline.editions()) {
      if (numbers.count(e.no.value())) continue;
      editions.push_back(e);
      atEdition.emplace(e.no.value(), d->at(e));
    }
  }
  bool changed = false;
  for (const ChainedPublication& p : chained) {
    auto n = numbers.find(p.facts.edition.value());
    if (n == numbers.end()) continue;
    const core::Edition* git = d && n->second ? d->timeline.edition(p.facts.edition) : nullptr;
    auto e = chainedEdition(p, git);
    if (!e) continue;  // its objects are gone: nothing left to serve
    std::optional<core::Document> entry;
    if (git) {
      entry = d->at(*git);
    } else {
      try {
        core::Registry registry = repo_.registry(p.facts.commit);
        if (const core::Document* found = registry.document(doc)) entry = *found;
      } catch (const std::exception&) {
        continue;  // charta.xml at the chained commit cannot be read
      }
    }
    if (!entry) continue;
    atEdition.emplace(e->no.value(), std::move(*entry));
    editions.push_back(std::move(*e));
    changed = true;
  }
  if (!changed || editions.empty()) return nullptr;
  core::Document newest = atEdition.rbegin()->second;
  return std::make_shared<DocumentState>(
      DocumentState{std::move(newest), core::Timeline(std::move(editions)), std::move(atEdition)});
}

void EditionChain::install(Snapshot& snap, const core::DocumentId& doc,
                           std::shared_ptr<DocumentState> state) {
  if (!state) return;
  const std::string& route = state->document.route;
  auto byId = snap.byId.find(doc.str());
  if (byId != snap.byId.end()) {
    const std::size_t index = byId->second;
    const std::string& old = snap.documents[index]->document.route;
    if (old != route) {
      if (snap.byRoute.count(route)) return;  // the chained route is another document's now
      snap.byRoute.erase(old);
      snap.byRoute.emplace(route, index);
    }
    snap.documents[index] = std::move(state);
    return;
  }
  if (snap.byRoute.count(route)) return;
  snap.byRoute.emplace(route, snap.documents.size());
  snap.byId.emplace(doc.str(), snap.documents.size());
  snap.declared.insert(doc.str());
  snap.documents.push_back(std::move(state));
}

}  // namespace charta::service
