#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "core/time.h"
#include "repository/policy_repository.h"
#include "service/catalog.h"
#include "service/publishing.h"

namespace charta::service {

// A publication as `charta publish` and POST …/publications ask for it.
struct PublishCommand {
  // Everything but the revision, which is resolved from "revision".
  PublishRequest request;
  // An edition ("v2": its commit) or a commit; nullopt: the branch tip.
  std::optional<core::RevisionSpec> revision;
};

// An edition just published or withdrawn, with the document's timeline after the write.
struct Published {
  core::Edition edition;
  core::Timeline timeline;
  PublishNotes notes;  // empty for a withdrawal
};

// Publishing and withdrawing editions, the one path of the CLI and the API: resolves what the
// caller named, calls Publishing (the rules and the compare-and-swap), and reports every refusal
// as a Failure of its kind. Nothing is written when a Failure is thrown. Safe for concurrent use.
class Publications {
 public:
  // "catalog": the server's, which a withdrawal is ordered with (Catalog::withdrawing); nullptr
  // in the CLI, where a withdrawal takes the repository's withdrawal lock alone.
  Publications(Publishing& publishing, const repository::PolicyRepository& repo,
               Catalog* catalog = nullptr);

  // Publishes the next edition of "cmd.request.doc" at "now".
  // throws Failure:
  //   kPublicationRefused  a rule refuses it (backdating, the same text, a missing clause, an
  //                        unknown revision or purpose...)
  //   kInvalidRegistry     charta.xml is missing or invalid at the revision
  //   kNoticePeriod        a material edition inside its notice period (material-notice-days)
  //   kApprovalsMissing    too few approvals of the revision (charta.xml approvals)
  //   kForeignTag          a tag that is no edition holds the next number's name (extra "tag")
  //   kLintRefused         lint errors the previous edition did not have; extra "findings"
  //                        (those that block); PublishRequest::force publishes anyway
  //   kPublicationConflict another publisher took the number first
  //   kPreconditionFailed  the edition would not get PublishRequest::expectedNo
  //   kReplicaReadOnly     the repository is a replica
  //   kRepositoryBusy      a fresh lock of another writer (retryAfter)
  // throws RepositoryError: the repository cannot be written.
  Published publish(PublishCommand cmd, core::Instant now);

  // Withdraws the scheduled edition "no" of "doc", strictly before it takes effect: the moment
  // of the decision is the clock read once the withdrawal holds the locks that order it with the
  // switch to the edition (the catalog's, and the repository's withdrawal lock).
  // throws Failure kWithdrawalRefused (it took effect; no reason), kEditionNotFound,
  //   kAlreadyWithdrawn, kReplicaReadOnly, kRepositoryBusy.
  Published withdraw(const core::DocumentId& doc, core::EditionNo no, const std::string& reason,
                     std::optional<core::Person> by);

  // Publishes v1 of every document of charta.xml at the branch tip that has no edition yet, as
  // received: lint errors in an imported text (the seed's "7.1..") are accepted with the
  // recorded reason "imported as received"; later editions are checked against it.
  // throws Failure as publish().
  std::vector<Published> publishFirstEditions(const std::optional<core::Person>& publisher,
                                              core::Instant now);

  // Called with each edition published or withdrawn here, once git holds it and before the call
  // returns: the server and the CLI chain it in the ledger and anchor it. The hook handles its
  // own failures (git holds the edition whatever it does). Set it before the first write.
  void onWritten(std::function<void(const core::Edition&)> hook) { written_ = std::move(hook); }
  // Called before each write; what it returns is held until onWritten's hook returned (the
  // server's EditionChain::holdWrites: its look at git waits for the edition to be chained).
  void holdWhileWriting(std::function<std::shared_ptr<void>()> hold) { hold_ = std::move(hold); }

 private:
  std::shared_ptr<void> held() { return hold_ ? hold_() : nullptr; }

  std::function<std::shared_ptr<void>()> hold_;
  std::function<void(const core::Edition&)> written_;
  Publishing& publishing_;
  const repository::PolicyRepository& repo_;
  Catalog* catalog_;
};

}  // namespace charta::service
