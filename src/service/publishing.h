#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/error.h"
#include "core/lint.h"
#include "repository/policy_repository.h"

namespace charta::service {

// What a publication asks for. Times are absolute; "now" is passed in so rules can be tested.
struct PublishRequest {
  core::DocumentId doc;
  std::optional<core::CommitId> revision;      // default: the tip of the branch
  std::optional<core::Instant> effectiveFrom;  // default: the moment of publication (9.2)
  std::chrono::minutes effectiveOffset{core::kKazakhstanOffset};  // how it is written
  bool material = false;
  std::vector<core::PurposeId> renewPurposes;  // only with material
  std::string summary;
  std::optional<std::string> force;       // publish despite findings; recorded
  std::optional<core::Person> publisher;  // default: git config user, else "charta"
  // The number the edition must get, when the caller decided to publish from what it saw
  // (the API's If-Match): another number means someone published meanwhile.
  std::optional<core::EditionNo> expectedNo = std::nullopt;
};

// What publish() noticed without refusing the publication, for the caller to show.
struct PublishNotes {
  // One line each: lint warnings (and errors forced past) that the previous edition did not
  // have; a purpose clause whose words changed in an edition not marked material, or whose
  // purpose Renew-Purposes does not name.
  std::vector<std::string> warnings;
  // The purposes whose clause has other words than in the previous edition (or that are new):
  // what Renew-Purposes should name if the change is material.
  std::vector<core::PurposeId> suggestedRenewPurposes;
  core::LintReport lint;  // of the revision; findings of the previous edition marked inherited
};

// A publication refused because the edition would not get PublishRequest::expectedNo: another
// publisher (another process, the CLI) published since the caller looked. Nothing was written.
class UnexpectedEdition : public Conflict {
 public:
  using Conflict::Conflict;
};

// A publication refused because the lint found errors that the previous edition did not have.
// Nothing was written.
class LintRefused : public InvalidInput {
 public:
  LintRefused(const std::string& message, core::LintReport report)
      : InvalidInput(message), report_(std::move(report)) {}
  const core::LintReport& report() const { return report_; }

 private:
  core::LintReport report_;
};

// A publication or withdrawal asked of a replica (repository.replica): a tag made on a mirror
// would exist nowhere else and be deleted by its next `git fetch --prune`. Nothing was written.
class ReplicaReadOnly : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

// A material edition refused because it would take effect before the notice period of its
// document (charta.xml material-notice-days) has run. Nothing was written.
class NoticeRefused : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

// A publication refused because fewer people than charta.xml's approvals, other than the
// revision's author, approved that exact revision. Nothing was written.
class ApprovalsMissing : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

// The approvals of one revision of a document, as publishing counts them.
struct ApprovalState {
  core::DocumentId doc;
  core::CommitId revision;
  core::Person author;                   // of the revision: their own approval never counts
  std::vector<core::Approval> recorded;  // every approval of the revision, oldest first
  std::vector<core::Person> counted;     // core::countedApprovers
  int needed = 0;                        // charta.xml approvals at the revision
};

struct PublishingOptions {
  bool replica = false;  // repository.replica: refuse every write
};

// The lint of one revision as publishing judges it.
struct LintResult {
  core::LintReport report;  // findings of the baseline edition marked inherited
  // The edition whose accepted defects do not block again (core::lintBaseline): the latest
  // edition not withdrawn (for an edition's own commit: the latest such edition before it).
  // nullopt: none.
  std::optional<core::EditionNo> baseline;
};

// Publishing and withdrawing editions of the documents of one policy repository: the rules of
// publication (core/publication.h) applied to what the repository holds, then the
// compare-and-swap of the tag (PolicyRepository::createEditionTag, createWithdrawalTag). The CLI
// (`charta publish`, `withdraw`, `lint`) and the API (publications, withdrawals) call these same
// functions. Safe for concurrent use.
class Publishing {
 public:
  Publishing(repository::PolicyRepository& repo, PublishingOptions options);

  // Publishes the next edition of "req.doc" at "now". The revision is linted first, against the
  // latest edition not withdrawn: an error that edition did not have refuses the publication
  // unless "req.force" gives a reason, which is recorded as the Forced trailer. "notes", when
  // given, receives the warnings and the suggested Renew-Purposes. The rules are checked in this
  // order, and each refusal leaves the repository as it was: nothing was written.
  // throws ReplicaReadOnly (an InvalidInput): on a replica.
  // throws InvalidRegistry (an InvalidInput): charta.xml is missing or invalid at the revision.
  // throws InvalidInput: the revision is not on the branch; charta.xml does not declare
  //   "req.doc" at it; no text in the controlling language; a purpose clause
  //   missing from that text; Renew-Purposes not in the catalogue, or without material; an unsafe
  //   summary or reason to force; backdating; an unsafe publisher.
  // throws NotFound: the revision is no commit of the repository.
  // throws NoticeRefused (an InvalidInput): a material edition inside the notice period.
  // throws ApprovalsMissing (an InvalidInput): too few approvals of the revision.
  // throws LintRefused (an InvalidInput): lint errors, not forced.
  // throws InvalidInput: the same text as the edition in force or upcoming.
  // throws UnexpectedEdition (a Conflict): req.expectedNo is not the next number.
  // throws ForeignTag (a Conflict): a tag that is no edition holds the next number's name.
  // throws Conflict: another publisher took the number at the same moment (retry).
  // throws Unavailable: the tag's ref is locked by another writer (retry after the time given).
  // throws RepositoryError: the repository cannot be written.
  core::Edition publish(const PublishRequest& req, core::Instant now,
                        PublishNotes* notes = nullptr);

  // Withdraws the scheduled edition "no" of "doc" at "now", by "by" (default: git config user,
  // else "charta"). Nothing is written when it refuses.
  // throws ReplicaReadOnly (an InvalidInput): on a replica.
  // throws InvalidInput: "reason" is empty or not one safe line; "by" is unsafe; the edition has
  //   taken effect.
  // throws NotFound: no such edition. throws Conflict: it is already withdrawn.
  // throws Unavailable, RepositoryError: as publish.
  core::Edition withdraw(const core::DocumentId& doc, core::EditionNo no, const std::string& reason,
                         const std::optional<core::Person>& by, core::Instant now);

  // Records that "by" (default: git config user, else "charta") approves "revision" of "doc" at
  // "now", unless the same person approved it already. The author's own approval is recorded but
  // never counts. Returns the approvals of the revision afterwards.
  // throws ReplicaReadOnly (an InvalidInput): on a replica.
  // throws InvalidInput: the revision is not on the branch; charta.xml does not declare "doc"
  //   there (InvalidRegistry: missing or invalid); "by" is unsafe.
  // throws NotFound: no such commit. throws Conflict: another approval at the same moment.
  // throws Unavailable, RepositoryError: as publish.
  ApprovalState approve(const core::DocumentId& doc, const core::CommitId& revision,
                        const std::optional<core::Person>& by, core::Instant now);

  // The approvals of "revision" of "doc" and how many charta.xml asks for there.
  // throws as approve, but never writes.
  ApprovalState approvals(const core::DocumentId& doc, const core::CommitId& revision) const;

  // The lint of "doc" at "commit" as publish() would run it (core::lint): the texts of every
  // language charta.xml names there, its purposes, whether each translation lags; dates in the
  // text compared with "effectiveFrom" (nullopt: not checked) at "offset". "edition", when
  // "commit" is that edition's, chooses the baseline before it.
  // throws InvalidInput: charta.xml missing or invalid at "commit", or no "doc" there.
  // throws NotFound: no such commit.
  LintResult lint(const core::DocumentId& doc, const core::CommitId& commit,
                  std::optional<core::Instant> effectiveFrom, std::chrono::minutes offset,
                  std::optional<core::EditionNo> edition = std::nullopt) const;

 private:
  struct Draft;
  Draft readDraft(const PublishRequest& req) const;
  // The lint, its refusal, and what the publication should show. Fills "out" as it goes.
  void review(const Draft& draft, const PublishRequest& req, core::Instant effective,
              PublishNotes& out) const;
  core::LintReport lintAt(const core::DocumentId& doc, const core::CommitId& commit,
                          std::optional<core::Instant> effectiveFrom, std::chrono::minutes offset,
                          const core::Edition* baseline) const;
  // The number, checked against what is published now, and the tag.
  core::Edition write(const Draft& draft, const PublishRequest& req, core::Edition e,
                      core::Instant now);
  static void keepOrder(core::Edition& e, const core::Timeline& tl, const PublishRequest& req,
                        const core::Document& doc);
  core::Person whoActs(const std::optional<core::Person>& asked) const;

  repository::PolicyRepository& repo_;
  PublishingOptions options_;
};

}  // namespace charta::service
