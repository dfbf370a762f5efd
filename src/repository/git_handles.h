#pragma once

#include <git2.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/c_handle.h"
#include "repository/policy_repository.h"

// Owners for libgit2 handles, the one place libgit2 errors become ours, and the reading of
// commits, trees and blobs that every part of the repository shares. Internal to src/repository.
// None of these lock: the caller holds the repository's lock.
namespace charta::repository::git {

using core::CFree;
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

using OdbPtr = std::unique_ptr<git_odb, CFree<git_odb_free>>;
using OdbObjectPtr = std::unique_ptr<git_odb_object, CFree<git_odb_object_free>>;

// Initialises libgit2 once per process, with fsync of the git directory on and at most
// kOpenPackLimit pack files open at once (the server keeps a reserve of descriptors for git).
inline constexpr size_t kOpenPackLimit = 32;
void ensureInitialised();

// The message of the last libgit2 error on this thread, or a generic one.
std::string lastError();

// Throws when "rc" is an error, with the message "<doing>: <libgit2 message>": a
// RepositoryUnavailable when the process is short of descriptors or memory (libgit2's OS and
// out-of-memory errors: retrying may succeed), else a RepositoryError.
void check(int rc, std::string_view doing);

// Throws for an object that a ref or a tree names but that cannot be found: libgit2 reports a
// pack it cannot open (out of descriptors) as a missing object, so this is never "not found".
// RepositoryUnavailable when the process is out of descriptors now, else RepositoryError.
[[noreturn]] void missingObject(const std::string& what);

// Whether the process cannot open one more file now (EMFILE, ENFILE).
bool outOfDescriptors();

// How many transient errors (RepositoryUnavailable) have been thrown in this process so far.
uint64_t transientErrors();

// Opens the repository at "path" (a work tree or a bare repository) without searching upwards.
// throws RepositoryError: no repository there (a message that says to run `charta init`), or it
// cannot be read; RepositoryUnavailable: out of descriptors or memory.
RepoPtr openRepo(const std::filesystem::path& path);

std::string toHex(const git_oid& oid);
git_oid toOid(const core::CommitId& id);

// The person of a signature (a tagger or an author); empty fields when it has none.
core::Person personOf(const git_signature* s);

// A signature of "p" at "when" (whole seconds) in "offset". git wants an e-mail in every
// signature: a person known by name alone gets a placeholder that says so.
SignaturePtr signature(const core::Person& p, core::Instant when, std::chrono::minutes offset);

// The commit "id" that a client named. throws NotFound: no such commit (and the process has
// descriptors to spare); RepositoryError, RepositoryUnavailable: it cannot be read.
CommitPtr lookupCommit(git_repository* repo, const core::CommitId& id);
// The commit "id" that a ref or another commit names: absent is an error (missingObject).
CommitPtr lookupCommit(git_repository* repo, const git_oid& id);

// The raw bytes of the object "id" that a ref names, and its type: absent is an error.
// throws RepositoryError, RepositoryUnavailable.
OdbObjectPtr readObject(git_repository* repo, const git_oid& id);

// The first parent of "commit", or null for a root commit.
CommitPtr firstParent(git_commit* commit);

// The blob id of "file" in the tree of "commit"; nullopt when there is no such blob.
std::optional<git_oid> blobIdAt(git_commit* commit, const std::string& file);

// The content of "file" at "commit"; nullopt when there is no such blob.
std::optional<std::string> readBlobAt(git_repository* repo, git_commit* commit,
                                      const std::string& file);

}  // namespace charta::repository::git
