#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/error.h"
#include "core/lint.h"
#include "core/registry.h"
#include "core/timeline.h"

struct git_repository;

namespace charta::repository {

// The policy repository cannot be read or written (I/O, corruption, libgit2 failure).
class RepositoryError : public Error {
 public:
  using Error::Error;
};

// The text of one document in one language at one revision.
struct DocumentText {
  std::string path;          // the file in the repository
  std::string bytes;         // the exact file content, front matter included
  std::string sha256;        // hex SHA-256 of "bytes": `git show <commit>:<path> | sha256sum`
  std::string title;         // front matter "title", else empty
  std::string body() const;  // the text without its front matter
};

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
class LintRefused : public InvalidInput {
 public:
  LintRefused(const std::string& message, core::LintReport report)
      : InvalidInput(message), report_(std::move(report)) {}
  const core::LintReport& report() const { return report_; }

 private:
  core::LintReport report_;
};

// Options of an open repository.
struct RepositoryOptions {
  std::string branch;  // "main"; empty: the branch HEAD points to
  // A git lock file (refs/tags/<doc>/v3.lock, packed-refs.lock, index.lock...) at least this old
  // was left by a writer that died: removing it is safe. Younger ones belong to a live writer.
  std::chrono::seconds staleLockAge{600};
  // Receives one line for every stale lock file removed (empty: not told).
  std::function<void(const std::string&)> log;
};

// A policy repository on libgit2: bare or with a work tree. Reads files at any revision, lists
// revisions and publications, and publishes and withdraws editions as annotated tags:
//
//   refs/tags/<doc>/v<N>            the edition: tag object -> commit; tagger time = published_at;
//                                   trailers Effective-From, Material, Renew-Purposes, Summary
//   refs/tags/<doc>/withdrawn/v<N>  its withdrawal: tag object -> the edition's tag object;
//                                   tagger time = withdrawn_at; trailer Reason
//
// Tags are created with compare-and-swap and are never moved or deleted. A tag with such a name
// that charta did not write (lightweight, wrong target, name not matching its object, missing
// trailers) is not an edition and is ignored. Every call reads the refs afresh, so commits and
// tags written by other processes (the git CLI) are seen at once.
//
// Safe for concurrent use: calls are serialised on one libgit2 handle.
class PolicyRepository {
 public:
  // Opens the repository at "path" (a work tree or a bare repository).
  // throws RepositoryError: no repository there, or it cannot be read.
  static std::unique_ptr<PolicyRepository> open(const std::filesystem::path& path,
                                                RepositoryOptions options = {});

  // Creates a repository at "path" with one commit on "main" holding every file under
  // "seedDir" (charta.xml and the texts), authored by "author", checked out when not bare.
  // throws InvalidInput: "path" already holds a repository, or the seed has no valid charta.xml.
  // throws RepositoryError: it cannot be written.
  static std::unique_ptr<PolicyRepository> create(const std::filesystem::path& path,
                                                  const std::filesystem::path& seedDir, bool bare,
                                                  const core::Person& author);

  ~PolicyRepository();
  PolicyRepository(const PolicyRepository&) = delete;
  PolicyRepository& operator=(const PolicyRepository&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::string& branch() const { return branch_; }  // "refs/heads/main"

  // The tip of the branch. throws RepositoryError: the branch has no commit.
  core::CommitId head() const;

  // The content of "file" at "commit"; nullopt when there is no such file there.
  // throws NotFound: no such commit.
  std::optional<std::string> readFile(const core::CommitId& commit, const std::string& file) const;

  // charta.xml at "commit". throws InvalidInput: missing or invalid; NotFound: no such commit.
  core::Registry registry(const core::CommitId& commit) const;

  // The text of "doc" in "lang" at "commit" (languages from that commit's charta.xml);
  // nullopt: the document has no text in that language there.
  std::optional<DocumentText> text(const core::Document& doc, const core::CommitId& commit,
                                   const core::Lang& lang) const;

  // The commits on the branch that change any file of "doc" (its texts or charta.xml), newest
  // first, at most "limit".
  std::vector<core::RevisionInfo> revisions(const core::Document& doc, size_t limit = 1000) const;

  // Every edition of "doc" with its withdrawal, if any.
  core::Timeline timeline(const core::DocumentId& doc) const;

  // A string that changes whenever a ref changes (branch tip, tags): cheap change detection.
  std::string refsFingerprint() const;

  // True when "commit" is the tip of the branch or one of its ancestors.
  bool onBranch(const core::CommitId& commit) const;

  // Publishes the next edition of "req.doc" at "now". The revision is linted first (lint()
  // against the latest edition not withdrawn): an error that edition did not have refuses the
  // publication unless "req.force" gives a reason, which is recorded as the Forced trailer.
  // "notes", when given, receives the warnings and the suggested Renew-Purposes.
  // throws LintRefused (an InvalidInput): lint errors, not forced.
  // throws InvalidInput: backdating, unknown revision or purpose, invalid charta.xml at the
  //   revision, no text in the controlling language, a purpose clause missing from the text,
  //   the same text as the edition in force or upcoming, unsafe summary.
  // throws Conflict: another publisher took the number first (nothing was written: retry).
  // throws UnexpectedEdition: req.expectedNo is not the next number (nothing was written).
  // throws Unavailable: the tag's ref is locked by another writer (a lock file younger than
  //   staleLockAge; an older one is removed and the publication goes on). Nothing was written.
  // throws RepositoryError: the repository cannot be written.
  core::Edition publish(const PublishRequest& req, core::Instant now,
                        PublishNotes* notes = nullptr);

  // The lint of "doc" at "commit" (core::lint): the texts of every language charta.xml names
  // there, its purposes, whether each translation changed later than the controlling text; dates
  // written in the texts are compared with "effectiveFrom" (nullopt: not checked) at "offset".
  // With "baseline" (an edition of "doc"), the findings it already had are marked inherited.
  // throws InvalidInput: charta.xml is missing or invalid at "commit", or has no "doc".
  // throws NotFound: no such commit.
  core::LintReport lint(const core::DocumentId& doc, const core::CommitId& commit,
                        std::optional<core::Instant> effectiveFrom,
                        std::chrono::minutes offset = core::kKazakhstanOffset,
                        const core::Edition* baseline = nullptr) const;

  // Removes the git lock files (*.lock under the git folder, outside objects/) at least
  // staleLockAge old, which writers killed mid-way leave behind, and returns one line for each
  // lock found: removed, or left to its live writer. Nothing else is touched.
  // throws RepositoryError: a stale lock cannot be removed.
  std::vector<std::string> sweepStaleLocks();

  // Withdraws the scheduled edition "no" of "doc" at "now".
  // throws InvalidInput: it has already taken effect, or "reason" is empty or unsafe.
  // throws NotFound: no such edition. throws Conflict: it is already withdrawn.
  core::Edition withdraw(const core::DocumentId& doc, core::EditionNo no, const std::string& reason,
                         std::optional<core::Person> by, core::Instant now);

 private:
  PolicyRepository(git_repository* repo, std::filesystem::path path, std::string branch,
                   RepositoryOptions options);
  core::Person defaultPerson() const;
  // After GIT_ELOCKED on "ref": waits briefly for the writer holding it; removes the lock when
  // it is stale. Returns true when the lock is gone (try again).
  // throws Unavailable: a live writer still holds it.
  bool clearLock(const std::string& ref);

  mutable std::mutex mu_;
  git_repository* repo_;
  std::filesystem::path path_;
  std::string branch_;
  RepositoryOptions options_;
};

}  // namespace charta::repository
