#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/registry.h"
#include "core/timeline.h"
#include "repository/policy_repository.h"

namespace charta::service {

// One published document: its charta.xml entry and its editions.
struct DocumentState {
  core::Document document;  // charta.xml entry at its newest edition
  core::Timeline timeline;
  std::map<int, core::Document> atEdition;  // charta.xml entry at each edition's revision

  // charta.xml's entry at edition "e" (the newest entry when the edition has none).
  const core::Document& at(const core::Edition& e) const;
};

// What the repository held at one moment: immutable, shared by readers.
struct Snapshot {
  uint64_t generation = 0;  // 0: nothing loaded yet
  std::string fingerprint;  // of the refs it was built from
  std::string baseUrl;      // absolute, no trailing slash; may be empty
  std::vector<std::shared_ptr<const DocumentState>> documents;  // published ones
  std::map<std::string, size_t, std::less<>> byRoute;           // route -> index in documents
  std::map<std::string, size_t, std::less<>> byId;
  std::set<std::string> declared;  // ids in charta.xml at the branch tip, published or not

  const DocumentState* find(const core::DocumentId& id) const;
  // The public URL of an edition's page ("https://shop.kz/personal-data/v3").
  std::string editionUrl(const DocumentState& d, core::EditionNo no) const;
};

struct CatalogOptions {
  std::string baseUrl;  // overrides charta.xml base-url when not empty
  // Called with each new snapshot before it is served, and may change it (the evidence chain
  // records the editions and puts back what git lost: EditionChain::settle). False: it could not
  // finish now; the snapshot is served and the next refresh takes another.
  std::function<bool(Snapshot&)> settle;
};

// The documents and editions of a policy repository as one immutable snapshot, taken afresh when
// the repository's refs change (a publication by this process, the CLI, a `git push`). Readers
// keep the snapshot they started with while a refresh takes the next one. Also reads the texts of
// editions, which never change. Safe for concurrent use.
class Catalog {
 public:
  Catalog(repository::PolicyRepository& repo, CatalogOptions options);

  // Reloads documents and timelines when the repository's refs changed since the last call.
  // Returns true when a new snapshot was taken. A charta.xml broken at the branch tip keeps the
  // documents already served.
  // throws RepositoryError / InvalidInput: the repository cannot be read (the old snapshot stays).
  bool refresh();

  std::shared_ptr<const Snapshot> snapshot() const;

  // The first moment after "now" at which any document's edition in force changes.
  std::optional<core::Instant> nextSwitchAfter(core::Instant now) const;

  // Reads afresh from the repository the texts of every edition in force or upcoming at "now",
  // in every language, so that git checks their bytes against their object ids. Pages already
  // rendered stay served from memory (they were rendered from verified bytes); this finds a
  // damaged object before a restart would need it.
  // throws RepositoryError: an object is damaged or missing (the message names it).
  void verifyTexts(core::Instant now);

  // The text of edition "e" of "d" in "lang"; nullopt: no text in that language.
  // throws RepositoryError.
  std::optional<repository::DocumentText> text(const DocumentState& d, const core::Edition& e,
                                               const core::Lang& lang) const;

  // The SHA-256 of that text, kept once read (editions are immutable).
  std::optional<std::string> textSha256(const DocumentState& d, const core::Edition& e,
                                        const core::Lang& lang);

  repository::PolicyRepository& repository() const { return repo_; }

 private:
  repository::PolicyRepository& repo_;
  CatalogOptions options_;

  mutable std::mutex snapMu_;
  std::shared_ptr<const Snapshot> snap_;
  std::mutex refreshMu_;

  std::mutex shaMu_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> textShas_;
};

}  // namespace charta::service
