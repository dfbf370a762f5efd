#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/diff.h"
#include "core/edition.h"
#include "core/ids.h"
#include "core/time.h"
#include "repository/policy_repository.h"
#include "service/publishing.h"

namespace charta::service {

// A revision as a caller named it, resolved against the branch.
struct NamedRevision {
  std::string revision;                    // "v3", or the 40-hex commit id
  core::CommitId commit;                   // what it is at
  std::optional<core::Edition> edition{};  // when it is an edition (or a commit that is one)
};

// The commits that change a document, each with the editions published from it.
struct RevisionLog {
  core::DocumentId doc;
  struct Entry {
    core::RevisionInfo info;
    std::vector<core::EditionNo> editions;  // empty: a draft
  };
  std::vector<Entry> revisions;  // newest first
};

// The text of a document at a revision.
struct ShownText {
  core::DocumentId doc;
  std::string label;  // "v2", "draft 0123456789ab" (the branch tip) or "0123456789ab"
  core::CommitId commit;
  core::Lang lang;
  std::string title;  // the front matter's, else charta.xml's
  repository::DocumentText text;
};

// The redline of one document between two revisions, in one language.
struct RevisionDiff {
  NamedRevision from;
  NamedRevision to;
  core::Lang lang;
  core::DocumentDiff diff{};
};

// The lint of a document at a revision, as publishing would judge it.
struct LintRun {
  core::DocumentId doc;
  std::string revision;  // the edition ("v2") or the full commit id
  std::string label;     // as ShownText::label
  core::CommitId commit;
  LintResult result;
};

// Reading the history of the documents: revisions, texts at any revision, redlines between two
// revisions, and the lint of a revision. Revisions are named only as an edition or a full commit
// id on the branch. Safe for concurrent use.
class Revisions {
 public:
  Revisions(const repository::PolicyRepository& repo, const Publishing& publishing);

  // The revisions of "doc" (as charta.xml at the branch tip declares it), newest first, at most
  // "limit" (PolicyRepository::revisions: the first-parent commits that change its texts,
  // following renames, or its entry in charta.xml; with "all" every commit of the branch), and
  // the commit of every edition besides, where its author time puts it.
  // throws Failure kDocumentNotFound.
  RevisionLog log(const core::DocumentId& doc, size_t limit, bool all = false) const;

  // The text of "doc" at "at" (nullopt: the edition in force at "now", else the branch tip) in
  // "lang" (nullopt: the controlling language there).
  // throws Failure kEditionNotFound, kDocumentNotFound, kTextNotFound; NotFound: no such commit.
  ShownText show(const core::DocumentId& doc, const std::optional<core::RevisionSpec>& at,
                 const std::optional<core::Lang>& lang, core::Instant now) const;

  // Compares "doc" at "from" with "to" in "lang" (nullopt: the controlling language at "to");
  // purposes from charta.xml at each side. "to" defaults to the latest edition, "from" to the
  // edition before "to" (or to the latest edition when "to" is a commit).
  // throws Failure kDocumentNotFound (nothing published and no "to", or no such document at a
  //   side), kInvalidParameter ("from" is needed), kEditionNotFound, kNotFound (no such commit on
  //   the branch), kTextNotFound; InvalidInput: charta.xml is invalid at a side.
  RevisionDiff diff(const core::DocumentId& doc, std::optional<core::RevisionSpec> from,
                    std::optional<core::RevisionSpec> to,
                    const std::optional<core::Lang>& lang) const;

  // The lint of "doc" at "at" (nullopt: the branch tip) as publishing runs it: dates in the
  // text against the edition's Effective-From, or for a draft against "effectiveFrom" (nullopt:
  // "now"); findings of the baseline edition do not block.
  // throws Failure kEditionNotFound, kNotFound (no such commit on the branch), kInvalidParameter
  //   ("effectiveFrom" for an edition); InvalidInput: charta.xml is invalid or lacks "doc".
  LintRun lint(const core::DocumentId& doc, const std::optional<core::RevisionSpec>& at,
               const std::optional<core::ZonedInstant>& effectiveFrom, core::Instant now) const;

 private:
  NamedRevision resolve(const core::Timeline& tl, const core::RevisionSpec& spec) const;

  const repository::PolicyRepository& repo_;
  const Publishing& publishing_;
};

}  // namespace charta::service
