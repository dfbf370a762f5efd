#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
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

  // charta.xml's entry at edition "e" (every edition has one: a tag whose commit's charta.xml
  // does not declare the document is not an edition).
  const core::Document& at(const core::Edition& e) const;
};

// What the repository held at one moment: immutable, shared by readers.
struct Snapshot {
  uint64_t generation = 0;  // 0: nothing loaded yet
  std::string fingerprint;  // of the refs it was built from
  bool settled = true;      // false: the record of editions could not be settled with it yet
  std::string baseUrl;      // absolute, no trailing slash; may be empty
  std::vector<std::shared_ptr<const DocumentState>> documents;  // published ones
  std::map<std::string, size_t, std::less<>> byRoute;           // route -> index in documents
  std::map<std::string, size_t, std::less<>> byId;
  // Ids of documents published, or declared in charta.xml at the branch tip (or, while the tip's
  // is invalid, when it last was valid).
  std::set<std::string> declared;
  // Why charta.xml at the tip of the branch cannot be used ("charta.xml at <commit>: <reason>"):
  // drafts cannot be linted or published until it is mended. Empty: it is valid. The site is
  // served from the editions whatever it says.
  std::string branchProblem;
  // One line for each tag that is named as charta names editions but is not one
  // ("refs/tags/<doc>/v7: <reason>"), and for each document that cannot be served (its route
  // taken by another). Never served.
  std::vector<std::string> tagProblems;

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
//
// The documents served are those that have editions, found from the tags, each edition with
// charta.xml of its own commit: a commit on the branch whose charta.xml is invalid changes
// nothing that is served (it is reported as Snapshot::branchProblem).
//
// Withdrawals and the switch to an edition are ordered: a reader reads the clock with now() and
// only then takes a snapshot; a withdrawal (withdrawing()) holds the lock readers take from the
// reading of its clock until the snapshot with it is published. So a withdrawal accepted before
// an edition's moment is in every snapshot a reader uses at or after the moment, and one asked
// after the moment is refused: nothing treats a withdrawn edition as in force. Against other
// processes (the CLI withdrawing while a server runs) the first now() at or after a scheduled
// moment takes the repository's withdrawal lock (waiting for a withdrawal being written) and
// reads the tags again before any reader sees the switch.
class Catalog {
 public:
  Catalog(repository::PolicyRepository& repo, CatalogOptions options);

  // Reloads documents and timelines when the repository's refs changed since the last call, or
  // the last snapshot could not be settled. Returns true when the refs changed.
  // throws RepositoryError, RepositoryUnavailable: the repository cannot be read (the old snapshot
  //   stays).
  bool refresh();

  std::shared_ptr<const Snapshot> snapshot() const;

  // The clock, read in order with withdrawals; take the snapshot after it. At the first reading
  // at or after a scheduled moment, reads the tags again first (under the withdrawal lock of the
  // repository); when that fails, the snapshot already taken is used and the reading is tried
  // again a second later.
  core::Instant now();
  // The same reading when it needs no waiting: nullopt when a withdrawal or a switch holds the
  // clock, or the moment of a switch has come and the tags must be read again first (now() does
  // that). For a thread that must not block (an event loop).
  std::optional<core::Instant> nowWithoutWaiting();

  // Runs "withdraw" with the clock read under the lock readers take and under the repository's
  // withdrawal lock, and publishes the snapshot with its result before releasing them.
  // throws what "withdraw" throws; RepositoryError when the snapshot cannot be taken afterwards.
  core::Edition withdrawing(const std::function<core::Edition(core::Instant)>& withdraw);

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

  // Reads the tags again at a scheduled moment. REQUIRES: momentMu_ held exclusively.
  void confirmSwitch();
  // Lowers the moment at which now() confirms a switch to the next one after "t" in "snap".
  void guardNextSwitch(const Snapshot& snap, core::Instant t);

  mutable std::mutex snapMu_;
  std::shared_ptr<const Snapshot> snap_;
  std::mutex refreshMu_;
  std::shared_mutex momentMu_;  // readers of the clock (shared), withdrawals and switches
  // The next scheduled moment not yet confirmed, in milliseconds since the epoch.
  std::atomic<int64_t> guardAt_{INT64_MAX};

  std::mutex shaMu_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> textShas_;
};

}  // namespace charta::service
