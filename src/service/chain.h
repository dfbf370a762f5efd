#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "ledger/ledger.h"
#include "repository/anchors.h"
#include "repository/policy_repository.h"
#include "service/catalog.h"

namespace charta::service {

// A place where git contradicts the evidence chain: an edition (or withdrawal) the chain holds
// that git lost, or shows with other facts. Someone changed the record of editions.
struct Tampering {
  enum class Kind {
    kMissing,  // "edition-missing": no edition under that number in git any more
    kChanged,  // "edition-changed": another tag, other facts, or its withdrawal gone or changed
  };
  Kind kind = Kind::kChanged;
  core::DocumentId doc;
  core::EditionNo edition;
  std::int64_t seq = 0;  // the chained event git contradicts
  std::string eventId;
  std::string detail;  // one line: what git shows against what the chain holds

  std::string_view kindName() const;
  std::string line() const;  // "personal-data v2 edition-changed: <detail>"
};

// The `repository.tampered` webhook event of "t", found at "at" (a stable id per finding).
struct WebhookEvent;
WebhookEvent tamperedEvent(const Tampering& t, core::Instant at);

// The record of editions in the evidence chain: every edition and withdrawal charta observes —
// published with the CLI or the API, or found in git after a push — is chained once as an
// `edition.published` / `edition.withdrawn` event (ledger::Ledger::recordPublication), and git is
// compared with the chain by the tag object ids the refs name (a tag object is immutable: the
// same id is the same facts). What git lost or changed is tampering: reported once to the sink,
// listed by tampering() until git agrees again, and put right in the snapshot served, which shows
// the chained edition from its commit while its objects exist.
//
// Safe for concurrent use.
class EditionChain {
 public:
  EditionChain(ledger::Ledger& ledger, const repository::PolicyRepository& repo,
               const repository::EditionRefs& refs);

  // Receives each tampering the first time settle() finds it (a log line, a metric, a webhook).
  void onTampering(std::function<void(const Tampering&)> sink);
  // Called after settle() appended events (the server anchors them).
  void onAppended(std::function<void()> appended);

  // The facts of edition "e" of "doc" (its charta.xml entry) as git holds them now, observed via
  // "via"; nullopt when the ref of "e" no longer names a tag of its commit (it moved meanwhile).
  // throws RepositoryError: an object cannot be read.
  std::optional<ledger::PublicationFacts> publicationFacts(const core::Edition& e,
                                                           const core::Document& doc,
                                                           const std::string& via) const;
  // The facts of the withdrawal of "e" (which has one); nullopt as above.
  std::optional<ledger::WithdrawalFacts> withdrawalFacts(const core::Edition& e,
                                                         const std::string& via) const;

  // Chains edition "e" and its withdrawal, if any, observed via "via" ("cli", "api", "git").
  // Returns true when an event was appended (false: chained before, by anyone).
  // throws ledger::StorageError; ledger::EditionChanged (a Conflict): the chain holds other facts
  //   for it; InvalidInput: git holds facts the chain cannot take; RepositoryError.
  bool record(const core::Edition& e, const std::string& via);

  // Held by a writer of editions (Publications::holdWhileWriting) from before its tag is written
  // until it has chained it: settle() waits for it, so the edition is chained as observed by its
  // writer (cli, api), not by the look at git that raced it.
  // A settle() on the holding thread itself (a withdrawal refreshes the catalog before it
  // returns) chains what it finds as observed via "via". Released when the result is destroyed.
  std::shared_ptr<void> holdWrites(const std::string& via);

  // Settles "snap" before it is served (Catalog's settle hook): chains what is new (via git),
  // finds tampering, and puts the chained editions back where git lost or changed them. Returns
  // false when the ledger cannot be reached: the snapshot is served as git shows it, and the next
  // refresh tries again.
  bool settle(Snapshot& snap);

  // The tampering the latest settle() found; empty when git and the chain agree.
  std::vector<Tampering> tampering() const;

  // Compares the repository with the chain now, writing nothing (`ledger verify`).
  // throws ledger::StorageError, RepositoryError.
  std::vector<Tampering> audit() const;

 private:
  struct Comparison;
  Comparison compare(const core::DocumentId& doc,
                     const std::vector<ledger::ChainedPublication>& chained,
                     const std::vector<core::Edition>& git) const;
  // Chains what "c" found new in git; true when anything was appended.
  bool chainNew(const DocumentState* d, Comparison& c, const std::string& via);
  // The document "doc" as the chain says it must be served, or nullptr when nothing changes.
  std::shared_ptr<DocumentState> restored(const core::DocumentId& doc, const DocumentState* d,
                                          const std::vector<ledger::ChainedPublication>& chained,
                                          const std::map<int, bool>& numbers) const;
  // Serves "state" as document "doc" of "snap" (nothing when it is null).
  static void install(Snapshot& snap, const core::DocumentId& doc,
                      std::shared_ptr<DocumentState> state);
  std::optional<core::Edition> chainedEdition(const ledger::ChainedPublication& p,
                                              const core::Edition* git) const;
  void report(std::vector<Tampering> found);

  ledger::Ledger& ledger_;
  const repository::PolicyRepository& repo_;
  const repository::EditionRefs& refs_;
  std::function<void(const Tampering&)> sink_;
  std::function<void()> appended_;
  std::recursive_mutex writeMu_;  // see holdWrites()
  std::thread::id writer_;        // the holder of writeMu_ in holdWrites (under writeMu_)
  std::string writerVia_;
  mutable std::mutex mu_;
  std::vector<Tampering> tampering_;
  std::set<std::string> reported_;
};

}  // namespace charta::service
