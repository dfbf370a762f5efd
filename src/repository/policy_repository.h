#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/edition.h"
#include "core/error.h"
#include "core/publication.h"
#include "core/registry.h"
#include "core/timeline.h"

struct git_repository;

namespace charta::repository {

namespace git {
// Frees a libgit2 repository handle (git_repository_free): the deleter of RepoPtr, declared here
// so that this header needs no libgit2.
struct RepoFree {
  void operator()(git_repository* repo) const noexcept;
};
using RepoPtr = std::unique_ptr<git_repository, RepoFree>;
}  // namespace git
namespace tags {
struct ReadMemo;
}

// The policy repository cannot be read or written (I/O, corruption, libgit2 failure).
class RepositoryError : public Error {
 public:
  using Error::Error;
};

// The policy repository cannot be read now because the process is short of file descriptors or
// memory: nothing is wrong with the repository, and retrying after "retryAfter" may succeed. Never
// a sign of damage, and never a reason to answer "not found".
class RepositoryUnavailable : public Unavailable {
 public:
  explicit RepositoryUnavailable(const std::string& message)
      : Unavailable(message, std::chrono::seconds(1)) {}
};

// charta.xml is missing or invalid at a revision: the message says where and why ("charta.xml at
// <commit>: <reason>").
class InvalidRegistry : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

// A tag that charta did not write holds the name the next edition needs (refs/tags/<doc>/v<N>):
// publishing cannot go on until an operator moves it out of the way. Retrying does not help.
class ForeignTag : public Conflict {
 public:
  ForeignTag(const std::string& message, std::string ref)
      : Conflict(message), ref_(std::move(ref)) {}
  const std::string& ref() const { return ref_; }  // "refs/tags/personal-data/v7"

 private:
  std::string ref_;
};

// A ref under refs/tags/<doc>/ named as charta names its tags that is not an edition (or
// withdrawal): it breaks a rule of publication (core/publication.h), names a commit whose
// charta.xml does not declare the document, or is missing between editions. Never served.
struct TagProblem {
  std::string ref;     // "refs/tags/personal-data/v7"
  std::string reason;  // one line
  std::string str() const { return ref + ": " + reason; }
};

// The editions of one document as the tags record them.
struct DocumentEditions {
  core::Timeline timeline;  // every edition, with its withdrawal if any
  std::map<int, core::Document>
      documents;                     // charta.xml's entry at each edition's commit, by number
  std::vector<TagProblem> problems;  // the tags that are not editions, and why
};

// Holds the lock that orders a withdrawal with the switch to the edition it withdraws, across
// processes (see PolicyRepository::lockWithdrawals). Released when destroyed.
class WithdrawalLock {
 public:
  explicit WithdrawalLock(int fd) : fd_(fd) {}
  ~WithdrawalLock();
  WithdrawalLock(const WithdrawalLock&) = delete;
  WithdrawalLock& operator=(const WithdrawalLock&) = delete;

 private:
  int fd_;
};

// What protecting a repository did (PolicyRepository::protect), one line each.
struct Protection {
  std::filesystem::path hook;                    // the pre-receive hook installed
  std::optional<std::filesystem::path> chained;  // the hook that was there before, now called by it
  std::vector<std::string> done;                 // one line per thing set or written
};

// The text of one document in one language at one revision.
struct DocumentText {
  std::string path;          // the file in the repository
  std::string bytes;         // the exact file content, front matter included
  std::string sha256;        // hex SHA-256 of "bytes": `git show <commit>:<path> | sha256sum`
  std::string title;         // front matter "title", else empty
  std::string body() const;  // the text without its front matter
};

// charta.xml: the registry of documents, at the root of the repository.
inline constexpr const char* kRegistryFile = "charta.xml";

// An edition tag was asked for with a number that is not the next one of its document any more:
// an edition was published since the caller read the timeline. Nothing was written; reading the
// timeline again gives the number to use.
class EditionNumberTaken : public Conflict {
 public:
  using Conflict::Conflict;
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
// revisions and publications, and writes editions and withdrawals as annotated tags:
//
//   refs/tags/<doc>/v<N>            the edition: tag object -> commit; tagger time = published_at;
//                                   trailers Effective-From, Material, Renew-Purposes, Summary
//   refs/tags/<doc>/withdrawn/v<N>  its withdrawal: tag object -> the edition's tag object;
//                                   tagger time = withdrawn_at; trailer Reason
//
// Tags are created with compare-and-swap and are never moved or deleted. A tag with such a name
// that breaks a rule of publication (lightweight, wrong target, name not matching its object,
// missing trailers, backdated) is not an edition: it is reported (editions()), never read as one.
// Every call reads the refs afresh, so commits and tags written by other processes (the git CLI)
// are seen at once. The rules it reads tags with are core's (core/publication.h);
// service::Publishing decides what may be written.
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

  // charta.xml at "commit", or for a commit older than charta.xml, the one registryCommit names.
  // throws InvalidRegistry (an InvalidInput): missing or invalid; NotFound: no such commit.
  core::Registry registry(const core::CommitId& commit) const;

  // The commit whose charta.xml declares what "commit" holds: "commit" itself when it has
  // charta.xml; for a commit older than charta.xml, the commit of the branch's first-parent
  // history that added it (the registry a team writes when it adopts charta speaks for the
  // history before it); nullopt otherwise. throws NotFound: no such commit.
  std::optional<core::CommitId> registryCommit(const core::CommitId& commit) const;

  // The text of "doc" in "lang" at "commit" (languages from that commit's charta.xml): at its
  // path, else at the newest of its previous paths found there (a renamed text); nullopt: the
  // document has no text in that language there.
  std::optional<DocumentText> text(const core::Document& doc, const core::CommitId& commit,
                                   const core::Lang& lang) const;

  // The revisions of "doc" on the branch, newest first, at most "limit": the commits of its
  // first-parent history that change one of its texts (following the previous paths of
  // charta.xml, so a rename alone is no change) or its entry in charta.xml, and those of "keep"
  // (40 hex: the commits of its editions) wherever they are on that history. With "all", every
  // commit of the branch instead.
  std::vector<core::RevisionInfo> revisions(const core::Document& doc, size_t limit = 1000,
                                            bool all = false,
                                            const std::set<std::string>& keep = {}) const;

  // Commit "commit" as a revision. throws NotFound: no such commit.
  core::RevisionInfo revision(const core::CommitId& commit) const;

  // The commits of the branch's first-parent history that change a text of "doc" (as
  // revisions), newest first, down to "since" included (nullopt: the first commit).
  // throws NotFound: "since" is not on that history.
  std::vector<core::RevisionInfo> textRevisions(
      const core::Document& doc, const std::optional<core::CommitId>& since = std::nullopt) const;

  // The editions of "doc" as its tags record them, each with charta.xml's entry at its own
  // commit. A tag named as charta names them is an edition only when it passes the rules of
  // publication (core::readEditionTag, core::publicationOrder) and charta.xml at its commit
  // declares "doc"; a withdrawal only when core::readWithdrawalTag passes. Every other such tag is
  // a TagProblem, as is a number missing between editions. The tip of the branch plays no part.
  // throws RepositoryError: a ref names an object that cannot be read (damage);
  //   RepositoryUnavailable: out of descriptors or memory.
  DocumentEditions editions(const core::DocumentId& doc) const;

  // The editions of "doc" only (editions(doc).timeline).
  core::Timeline timeline(const core::DocumentId& doc) const;

  // The documents that have tags named as charta names editions (refs/tags/<doc>/v<N>), whatever
  // charta.xml at the tip of the branch declares, in order of id.
  std::vector<core::DocumentId> documentsWithTags() const;

  // A string that changes whenever a ref changes (branch tip, tags): cheap change detection.
  std::string refsFingerprint() const;

  // True when "commit" is the tip of the branch or one of its ancestors.
  bool onBranch(const core::CommitId& commit) const;

  // Removes the git lock files (*.lock under the git folder, outside objects/) at least
  // staleLockAge old, which writers killed mid-way leave behind, and returns one line for each
  // lock found: removed, or left to its live writer. Nothing else is touched.
  // throws RepositoryError: a stale lock cannot be removed.
  std::vector<std::string> sweepStaleLocks();

  // The identity git config gives this repository (user.name, user.email), as git would sign
  // with it; nullopt when none is configured.
  std::optional<core::Person> gitUser() const;

  // For each of "files": how many commits back from "start" (in the order of a topological walk
  // of its history, newest first) the file last changed, compared with the commit's first parent.
  // Files that never appear are left out; the walk stops after 100000 commits.
  // throws RepositoryError: the history cannot be read (no such commit among them).
  std::map<std::string, size_t> lastChanges(const core::CommitId& start,
                                            const std::vector<std::string>& files) const;

  // Writes edition "no" of "doc": the annotated tag refs/tags/<doc>/<no> of "commit", with
  // "message" (core::editionMessage), tagged by "tagger" at "publishedAt" (whole seconds; the
  // message holds the milliseconds) in "offset". The ref is created with compare-and-swap, under
  // this object's lock, after checking there that "no" is the next number of "doc" in the refs.
  // Returns the edition as read back.
  // throws EditionNumberTaken (a Conflict): "no" is not the next number. Nothing was written.
  // throws ForeignTag (a Conflict): a tag that is no edition holds the name. Nothing was written.
  // throws Conflict: another writer created the tag at the same moment. Nothing was written.
  // throws Unavailable: the tag's ref is locked by another writer (a lock file younger than
  //   staleLockAge; an older one is removed and the creation goes on). Nothing was written.
  // throws NotFound: no such commit.
  // throws RepositoryError: the tag cannot be read back as an edition, or the repository cannot
  //   be written.
  core::Edition createEditionTag(const core::DocumentId& doc, core::EditionNo no,
                                 const core::CommitId& commit, const std::string& message,
                                 const core::Person& tagger, core::Instant publishedAt,
                                 std::chrono::minutes offset);

  // Writes the imported editions "editions" of "doc" (numbered from v1, each with its message,
  // core::editionMessage) as annotated tags tagged by "tagger" at "importedAt" in "offset", all or
  // none: every tag object is written first, then the refs in one transaction; a ref that cannot
  // be created undoes those created before it. Returns the editions as read back.
  // throws Conflict: a ref under refs/tags/<doc>/ exists (the document has editions or tags).
  //   Nothing was written.
  // throws Unavailable: a ref is locked by another writer. Nothing was written.
  // throws RepositoryError: the repository cannot be written, or the tags cannot be read back.
  std::vector<core::Edition> importEditions(const core::DocumentId& doc,
                                            const std::vector<core::Edition>& editions,
                                            const core::Person& tagger, core::Instant importedAt,
                                            std::chrono::minutes offset);

  // Records the withdrawal of edition "no" of "doc": the annotated tag
  // refs/tags/<doc>/withdrawn/<no> of the edition's tag object, with "message"
  // (core::withdrawalMessage), tagged by "by" at "at" (whole seconds; the message holds the
  // milliseconds) in "offset". The ref is created with compare-and-swap under this object's lock.
  // throws NotFound: no such edition.
  // throws Conflict: the edition has a withdrawal already. Nothing was written.
  // throws Unavailable: the ref is locked by another writer (as createEditionTag).
  // throws RepositoryError: the repository cannot be written.
  void createWithdrawalTag(const core::DocumentId& doc, core::EditionNo no,
                           const std::string& message, const core::Person& by, core::Instant at,
                           std::chrono::minutes offset);

  // The author of commit "commit". throws NotFound: no such commit.
  core::Person author(const core::CommitId& commit) const;

  // The approvals of "revision" of "doc", oldest first: the commits of
  // refs/charta/approvals/<doc>/<revision> (empty tree, author = the approver, message
  // core::approvalMessage), each parent of the next. A commit there that is no such approval
  // (core::readApproval) is skipped. None when the ref does not exist.
  // throws RepositoryError: the ref names what cannot be read.
  std::vector<core::Approval> approvals(const core::DocumentId& doc,
                                        const core::CommitId& revision) const;

  // Records approval "a" (its moment written at "offset"): a commit appended to
  // refs/charta/approvals/<doc>/<revision> with compare-and-swap, so the ref only moves forward
  // (the pre-receive hook refuses anything else under refs/charta/).
  // throws NotFound: no such revision. throws Conflict: another approval of the same revision
  //   was recorded at the same moment (retry). throws Unavailable: the ref is locked by another
  //   writer. throws RepositoryError: the repository cannot be written.
  void recordApproval(const core::Approval& a, std::chrono::minutes offset);

  // Takes the lock that orders withdrawals with the switch to a scheduled edition, across every
  // process on this host (flock on <git dir>/charta-withdrawals, released when the process
  // dies): a withdrawal holds it from the reading of its clock until its tag is written; the
  // server takes it at an edition's moment before it reads the tags again. Waits for it up to
  // "patience".
  // throws Unavailable: another process held it all that time.
  // throws RepositoryError: the lock file cannot be opened.
  std::unique_ptr<WithdrawalLock> lockWithdrawals(
      std::chrono::milliseconds patience = std::chrono::seconds(30)) const;

  // Protects the record of editions where it lives: sets receive.denyDeletes and
  // receive.denyNonFastForwards, and installs a pre-receive hook that runs
  // `<charta> <hookArgs...> hook pre-receive` ("charta": an absolute path). A hook that was there
  // before and is not charta's is kept as pre-receive.chained and called after charta's with the
  // same input; charta's own hook is rewritten (to point at another binary). Idempotent.
  // throws InvalidInput: a foreign pre-receive hook is there and pre-receive.chained too.
  // throws RepositoryError: the configuration or the hook cannot be written.
  Protection protect(const std::filesystem::path& charta, const std::vector<std::string>& hookArgs);

 private:
  PolicyRepository(git::RepoPtr repo, std::filesystem::path path, std::string branch,
                   RepositoryOptions options);
  // After GIT_ELOCKED on "ref": waits briefly for the writer holding it; removes the lock when
  // it is stale. Returns true when the lock is gone (try again).
  // throws Unavailable: a live writer still holds it.
  bool clearLock(const std::string& ref);

  // Remembers "commit" as named by a ref (an edition's, the branch tip): not finding it later is
  // damage, never "not found". REQUIRES: mu_ held.
  void named(const std::string& commit) const { namedCommits_.insert(commit); }

  // Takes mu_. After a transient error anywhere in the process (out of descriptors or memory),
  // opens the repository afresh first: libgit2 may keep what it failed to read as read (packed
  // refs read as empty), which a fresh handle reads again.
  std::unique_lock<std::mutex> locked() const;

  mutable std::mutex mu_;  // libgit2 objects are not thread-safe: every use of repo_ holds it
  mutable std::set<std::string> namedCommits_;
  mutable uint64_t transientSeen_ = 0;  // git::transientErrors() when repo_ was opened
  mutable git::RepoPtr repo_;
  // What readings of tags learnt, by object id (tags::ReadMemo). REQUIRES: mu_ held.
  std::unique_ptr<tags::ReadMemo> memo_;
  std::filesystem::path path_;
  std::string branch_;
  RepositoryOptions options_;
};

}  // namespace charta::repository
