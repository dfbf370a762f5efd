#include "service/catalog.h"

#include <algorithm>

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

namespace {

// What charta.xml at the tip of the branch adds to "snap": the documents declared there (or, when
// it is invalid, those declared when it last was valid), or why it cannot be used.
void readBranch(repository::PolicyRepository& repo, Snapshot& snap, const Snapshot& old) {
  try {
    core::Registry head = repo.registry(repo.head());
    for (const auto& d : head.documents) snap.declared.insert(d.id.str());
  } catch (const repository::InvalidRegistry& e) {
    snap.branchProblem = e.what();
    snap.declared = old.declared;
  }
}

// Adds the document "id", whose editions are "eds", to "snap" (unless another took its route).
void addDocument(Snapshot& snap, const core::DocumentId& id, repository::DocumentEditions eds) {
  for (const auto& p : eds.problems) snap.tagProblems.push_back(p.str());
  if (eds.timeline.empty()) return;  // nothing published: nothing to serve
  core::Document newest = eds.documents.rbegin()->second;
  if (auto taken = snap.byRoute.find(newest.route); taken != snap.byRoute.end()) {
    snap.tagProblems.push_back("document " + id.str() + " is not served: its route " +
                               newest.route + " is that of " +
                               snap.documents[taken->second]->document.id.str());
    return;
  }
  snap.declared.insert(id.str());
  snap.byRoute.emplace(newest.route, snap.documents.size());
  snap.byId.emplace(id.str(), snap.documents.size());
  snap.documents.push_back(std::make_shared<DocumentState>(
      DocumentState{std::move(newest), std::move(eds.timeline), std::move(eds.documents)}));
}

// The base URL of charta.xml at the edition published last: what the site is, as published.
std::string publishedBaseUrl(const repository::PolicyRepository& repo, const Snapshot& snap) {
  const Edition* last = nullptr;
  for (const auto& d : snap.documents) {
    for (const Edition& e : d->timeline.editions()) {
      if (!last || e.publishedAt > last->publishedAt) last = &e;
    }
  }
  return last ? repo.registry(last->commit).baseUrl : "";
}

int64_t millis(Instant t) { return t.time_since_epoch().count(); }

}  // namespace

bool Catalog::refresh() {
  std::lock_guard refreshLock(refreshMu_);
  auto old = snapshot();
  const Instant started = core::now();
  std::string fingerprint = repo_.refsFingerprint();
  const bool changed = old->generation == 0 || old->fingerprint != fingerprint;
  if (!changed && old->settled) return false;

  auto snap = std::make_shared<Snapshot>();
  snap->generation = old->generation + 1;
  snap->fingerprint = fingerprint;
  readBranch(repo_, *snap, *old);
  for (const auto& id : repo_.documentsWithTags()) addDocument(*snap, id, repo_.editions(id));
  snap->baseUrl = options_.baseUrl.empty() ? publishedBaseUrl(repo_, *snap) : options_.baseUrl;
  while (!snap->baseUrl.empty() && snap->baseUrl.back() == '/') snap->baseUrl.pop_back();
  if (options_.settle) snap->settled = options_.settle(*snap);  // false: again at the next call
  guardNextSwitch(*snap, started);
  std::lock_guard lock(snapMu_);
  snap_ = std::move(snap);
  return changed;
}

void Catalog::guardNextSwitch(const Snapshot& snap, Instant t) {
  int64_t next = INT64_MAX;
  for (const auto& d : snap.documents) {
    if (auto n = d->timeline.nextSwitchAfter(t)) next = std::min(next, millis(*n));
  }
  int64_t current = guardAt_.load();
  while (next < current && !guardAt_.compare_exchange_weak(current, next)) {
  }
}

Instant Catalog::now() {
  {
    std::shared_lock lock(momentMu_);
    const Instant t = core::now();
    if (millis(t) < guardAt_.load()) return t;
  }
  std::unique_lock lock(momentMu_);
  if (millis(core::now()) >= guardAt_.load()) confirmSwitch();
  return core::now();
}

std::optional<Instant> Catalog::nowWithoutWaiting() {
  std::shared_lock lock(momentMu_, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  const Instant t = core::now();
  if (millis(t) < guardAt_.load()) return t;
  return std::nullopt;
}

void Catalog::confirmSwitch() {
  try {
    // A withdrawal being written by another process ends first (it holds the lock for
    // milliseconds; a stuck one does not hold the site for more than two seconds).
    auto held = repo_.lockWithdrawals(std::chrono::seconds(2));
    const Instant confirmed = core::now();
    guardAt_.store(INT64_MAX);
    refresh();
    guardNextSwitch(*snapshot(), confirmed);
  } catch (const std::exception&) {
    // The tags cannot be read now: serve what is known, and try again in a second.
    const Instant t = core::now();
    guardAt_.store(millis(t + std::chrono::seconds(1)));
    guardNextSwitch(*snapshot(), t);
  }
}

Edition Catalog::withdrawing(const std::function<Edition(Instant)>& withdraw) {
  std::unique_lock lock(momentMu_);
  auto held = repo_.lockWithdrawals();
  Edition e = withdraw(core::now());
  refresh();
  return e;
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
