#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "core/time.h"
#include "repository/policy_repository.h"

namespace charta::repository {

// The ref that holds the chain of anchors: tree heads of the consent ledger committed to the policy
// repository, so that every clone and mirror keeps a copy outside the database.
inline constexpr const char* kAnchorsRef = "refs/charta/anchors";

// One commit of the anchor chain, as git holds it.
struct AnchorCommit {
  std::string commit;  // 40 hex
  core::Instant committedAt{};
  std::vector<std::pair<std::string, std::string>> files;  // name -> bytes, every blob of its tree
  // Why this commit is not an anchor as charta writes them (a merge, a tree with folders): empty
  // when it is one.
  std::string problem;

  const std::string* file(const std::string& name) const;
};

// What appending found.
enum class AnchorAppend {
  kWritten,   // the new commit is the tip
  kLostRace,  // the ref moved since "expectedTip" was read, or another writer holds its lock:
              // nothing was moved (an unreferenced commit may remain)
};

// The anchor chain of refs/charta/anchors in one repository: an append-only chain of commits, one
// per anchor, each with the files of the anchor at the root of its tree. Appending writes every
// object first (fsynced) and then moves the ref by compare-and-swap from the tip the caller read,
// so an anchor is complete or absent, whatever kills the writer. It never rewrites the chain.
//
// Opens its own libgit2 handle on the repository; safe for concurrent use.
class AnchorChain {
 public:
  // "staleLockAge": a lock file of the ref at least this old was left by a writer that died and
  // is removed (as PolicyRepository does for tags).
  // throws RepositoryError: no repository at "path".
  AnchorChain(const std::filesystem::path& path, std::chrono::seconds staleLockAge);
  ~AnchorChain();
  AnchorChain(const AnchorChain&) = delete;
  AnchorChain& operator=(const AnchorChain&) = delete;

  // The tip of the chain; nullopt when the ref does not exist yet.
  // throws RepositoryError: the ref cannot be read.
  std::optional<std::string> tip() const;

  // The tip's commit alone. throws RepositoryError.
  std::optional<AnchorCommit> latest() const;

  // Every commit of the chain, oldest first (following first parents from the tip; at most
  // "limit"). throws RepositoryError: an object of the chain cannot be read (damage).
  std::vector<AnchorCommit> read(std::size_t limit = 1000000) const;

  // Appends a commit holding "files" (name -> bytes; plain names) with "message", committed at
  // "at", on top of "expectedTip" (nullopt: the chain must not exist yet).
  // throws RepositoryError: the objects or the ref cannot be written.
  std::pair<AnchorAppend, std::string> append(
      const std::optional<std::string>& expectedTip,
      const std::vector<std::pair<std::string, std::string>>& files, const std::string& message,
      core::Instant at);

 private:
  // Removes the ref's lock file when it is stale; true when it did.
  bool clearStaleLock() const;

  mutable std::mutex mu_;
  git::RepoPtr repo_;
  std::filesystem::path gitDir_;
  std::chrono::seconds staleLockAge_;
};

// An annotated tag object as git stores it.
struct TagObject {
  std::string id;      // 40 hex
  std::string target;  // 40 hex: the object it tags
  std::string message;
  core::Person tagger;
  core::Instant taggedAt{};  // whole seconds
};

// What the refs of editions name: the tag object ids that the evidence chain records, and tag
// objects by id (a tag replaced or deleted may still be in the object database). Opens its own
// libgit2 handle on the repository; safe for concurrent use.
class EditionRefs {
 public:
  // throws RepositoryError: no repository at "path".
  explicit EditionRefs(const std::filesystem::path& path);
  ~EditionRefs();
  EditionRefs(const EditionRefs&) = delete;
  EditionRefs& operator=(const EditionRefs&) = delete;

  // The object refs/tags/<doc>/v<N> (or refs/tags/<doc>/withdrawn/v<N>) points at: 40 hex;
  // nullopt when there is no such ref. throws RepositoryError.
  std::optional<std::string> editionTag(const core::DocumentId& doc, core::EditionNo no) const;
  std::optional<std::string> withdrawalTag(const core::DocumentId& doc, core::EditionNo no) const;

  // The annotated tag object "id"; nullopt when the object database has no such tag object.
  // throws RepositoryError: it cannot be read (damage).
  std::optional<TagObject> tag(const std::string& id) const;

  // Whether the object database holds commit "id" (and its tree can be read).
  bool hasCommit(const core::CommitId& id) const;

 private:
  std::optional<std::string> target(const std::string& ref) const;

  mutable std::mutex mu_;
  git::RepoPtr repo_;
};

}  // namespace charta::repository
