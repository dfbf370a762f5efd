#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/edition.h"
#include "core/lint.h"
#include "repository/policy_repository.h"

namespace charta::service {

// What a publication asks for, what it noticed, and its refusals (see repository for now).
using repository::LintRefused;
using repository::PublishNotes;
using repository::PublishRequest;
using repository::UnexpectedEdition;

// A publication or withdrawal asked of a replica (repository.replica): a tag made on a mirror
// would exist nowhere else and be deleted by its next `git fetch --prune`. Nothing was written.
class ReplicaReadOnly : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

struct PublishingOptions {
  bool replica = false;  // repository.replica: refuse every write
};

// The lint of one revision as publishing judges it.
struct LintResult {
  core::LintReport report;  // findings of the baseline edition marked inherited
  // The edition whose accepted defects do not block again: the latest edition not withdrawn
  // (for an edition's own commit: the latest such edition before it). nullopt: none.
  std::optional<core::EditionNo> baseline;
};

// Publishing and withdrawing editions of the documents of one policy repository: the rules of
// publication applied to what the repository holds, then the compare-and-swap of the tag. The
// CLI (`charta publish`, `withdraw`, `lint`) and the API (publications, withdrawals) call these
// same functions. Safe for concurrent use.
class Publishing {
 public:
  Publishing(repository::PolicyRepository& repo, PublishingOptions options);

  // Publishes the next edition of "req.doc" at "now" (see PolicyRepository::publish for every
  // refusal). throws ReplicaReadOnly on a replica.
  core::Edition publish(const PublishRequest& req, core::Instant now,
                        PublishNotes* notes = nullptr);

  // Withdraws the scheduled edition "no" of "doc" at "now". throws ReplicaReadOnly on a replica;
  // InvalidInput: it has taken effect or "reason" is empty; NotFound; Conflict: already withdrawn.
  core::Edition withdraw(const core::DocumentId& doc, core::EditionNo no, const std::string& reason,
                         std::optional<core::Person> by, core::Instant now);

  // The lint of "doc" at "commit" as publish() would run it, dates in the text compared with
  // "effectiveFrom" (nullopt: not checked) at "offset". "edition", when "commit" is that
  // edition's, chooses the baseline before it.
  // throws InvalidInput: charta.xml missing or invalid at "commit", or no "doc" there.
  // throws NotFound: no such commit.
  LintResult lint(const core::DocumentId& doc, const core::CommitId& commit,
                  std::optional<core::Instant> effectiveFrom, std::chrono::minutes offset,
                  std::optional<core::EditionNo> edition = std::nullopt) const;

 private:
  repository::PolicyRepository& repo_;
  PublishingOptions options_;
};

}  // namespace charta::service
