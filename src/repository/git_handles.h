#pragma once

#include <git2.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "repository/policy_repository.h"

// Owners for libgit2 handles, the one place libgit2 errors become ours, and the reading of
// commits, trees and blobs that every part of the repository shares. Internal to src/repository.
// None of these lock: the caller holds the repository's lock.
namespace charta::repository::git {

template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
// RepoPtr: in policy_repository.h, which holds one.
using CommitPtr = std::unique_ptr<git_commit, CFree<git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, CFree<git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, CFree<git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, CFree<git_blob_free>>;
using TagPtr = std::unique_ptr<git_tag, CFree<git_tag_free>>;
using RefPtr = std::unique_ptr<git_reference, CFree<git_reference_free>>;
using RefIterPtr = std::unique_ptr<git_reference_iterator, CFree<git_reference_iterator_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, CFree<git_revwalk_free>>;
using SignaturePtr = std::unique_ptr<git_signature, CFree<git_signature_free>>;
using ObjectPtr = std::unique_ptr<git_object, CFree<git_object_free>>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, CFree<git_treebuilder_free>>;
using ConfigPtr = std::unique_ptr<git_config, CFree<git_config_free>>;

// Initialises libgit2 once per process, with fsync of the git directory on.
void ensureInitialised();

// The message of the last libgit2 error on this thread, or a generic one.
std::string lastError();

// Throws RepositoryError "<doing>: <libgit2 message>" when "rc" is an error.
void check(int rc, std::string_view doing);

std::string toHex(const git_oid& oid);
git_oid toOid(const core::CommitId& id);

// The person of a signature (a tagger or an author); empty fields when it has none.
core::Person personOf(const git_signature* s);

// A signature of "p" at "when" (whole seconds) in "offset". git wants an e-mail in every
// signature: a person known by name alone gets a placeholder that says so.
SignaturePtr signature(const core::Person& p, core::Instant when, std::chrono::minutes offset);

// throws NotFound: no such commit; RepositoryError: it cannot be read.
CommitPtr lookupCommit(git_repository* repo, const core::CommitId& id);
CommitPtr lookupCommit(git_repository* repo, const git_oid& id);

// The first parent of "commit", or null for a root commit.
CommitPtr firstParent(git_commit* commit);

// The blob id of "file" in the tree of "commit"; nullopt when there is no such blob.
std::optional<git_oid> blobIdAt(git_commit* commit, const std::string& file);

// The content of "file" at "commit"; nullopt when there is no such blob.
std::optional<std::string> readBlobAt(git_repository* repo, git_commit* commit,
                                      const std::string& file);

}  // namespace charta::repository::git
