#include "service/catalog.h"

#include "core/error.h"
#include "render/site.h"

namespace charta::service {

using core::Edition;
using core::Instant;

const core::Document& DocumentState::at(const Edition& e) const {
  auto it = atEdition.find(e.no.value());
  return it == atEdition.end() ? document : it->second;
}

const DocumentState* Snapshot::find(const core::DocumentId& id) const {
  auto it = byId.find(id.str());
  return it == byId.end() ? nullptr : documents[it->second].get();
}

std::string Snapshot::editionUrl(const DocumentState& d, core::EditionNo no) const {
  return baseUrl + render::editionPath(d.document.route, no);
}

Catalog::Catalog(repository::PolicyRepository& repo, CatalogOptions options)
    : repo_(repo), options_(std::move(options)), snap_(std::make_shared<Snapshot>()) {}

std::shared_ptr<const Snapshot> Catalog::snapshot() const {
  std::lock_guard lock(snapMu_);
  return snap_;
}

bool Catalog::refresh() {
  std::lock_guard refreshLock(refreshMu_);
  auto old = snapshot();
  std::string fingerprint = repo_.refsFingerprint();
  if (old->generation > 0 && old->fingerprint == fingerprint) return false;

  auto snap = std::make_shared<Snapshot>();
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
    snap->declared.insert(id.str());
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
  if (options_.settle && !options_.settle(*snap)) snap->fingerprint.clear();  // settle it later
  std::lock_guard lock(snapMu_);
  snap_ = std::move(snap);
  return true;
}

void Catalog::verifyTexts(Instant now) {
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

std::optional<Instant> Catalog::nextSwitchAfter(Instant now) const {
  auto snap = snapshot();
  std::optional<Instant> next;
  for (const auto& d : snap->documents) {
    auto n = d->timeline.nextSwitchAfter(now);
    if (n && (!next || *n < *next)) next = n;
  }
  return next;
}

std::optional<repository::DocumentText> Catalog::text(const DocumentState& d, const Edition& e,
                                                      const core::Lang& lang) const {
  return repo_.text(d.at(e), e.commit, lang);
}

std::optional<std::string> Catalog::textSha256(const DocumentState& d, const Edition& e,
                                               const core::Lang& lang) {
  auto key = std::make_tuple(e.doc.str(), e.commit.str(), lang.str());
  {
    std::lock_guard lock(shaMu_);
    if (auto it = textShas_.find(key); it != textShas_.end()) return it->second;
  }
  auto t = text(d, e, lang);
  if (!t) return std::nullopt;
  std::lock_guard lock(shaMu_);
  textShas_[key] = t->sha256;
  return t->sha256;
}

}  // namespace charta::service
