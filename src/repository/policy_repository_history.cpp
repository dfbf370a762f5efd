// PolicyRepository: the history of a document along the branch's first parents, following the
// renames charta.xml declares, and the registry that speaks for the history before charta.xml.

#include <algorithm>

#include "repository/git_handles.h"
#include "repository/policy_repository.h"
#include "repository/registry_xml.h"

namespace charta::repository {

using namespace git;
using core::CommitId;

namespace {

// The blob of a text at "commit": at the first of "paths" (its path, then its previous paths,
// newest first) that "commit" holds; nullopt when it holds none.
std::optional<git_oid> textBlob(git_commit* commit, const std::vector<std::string>& paths) {
  for (const std::string& p : paths) {
    if (auto id = blobIdAt(commit, p)) return id;
  }
  return std::nullopt;
}

bool sameBlob(const std::optional<git_oid>& a, const std::optional<git_oid>& b) {
  return a.has_value() == b.has_value() && (!a || git_oid_cmp(&*a, &*b) == 0);
}

// Whether a text of "doc" differs between "commit" and its first parent "parent" (null for a
// root), each found at its path or a previous one.
bool changesText(git_commit* commit, git_commit* parent, const core::Document& doc) {
  return std::any_of(doc.files.begin(), doc.files.end(), [&](const auto& file) {
    const std::vector<std::string> paths = doc.paths(file.first);
    return !sameBlob(textBlob(commit, paths), parent ? textBlob(parent, paths) : std::nullopt);
  });
}

// Whether charta.xml's entry of "doc" differs between "commit" and "parent": a change of another
// document's entry is none of its business.
bool changesEntry(git_repository* repo, git_commit* commit, git_commit* parent,
                  const core::DocumentId& doc) {
  auto now = blobIdAt(commit, kRegistryFile);
  auto before = parent ? blobIdAt(parent, kRegistryFile) : std::nullopt;
  if (sameBlob(now, before)) return false;
  auto entry = [&](git_commit* c) -> std::optional<std::string> {
    auto xml = c ? readBlobAt(repo, c, kRegistryFile) : std::nullopt;
    return xml ? documentEntry(*xml, doc) : std::nullopt;
  };
  return entry(commit) != entry(parent);
}

RevwalkPtr walkFrom(git_repository* repo, const std::string& branch, bool firstParent) {
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo), "walking the history");
  RevwalkPtr walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (firstParent) check(git_revwalk_simplify_first_parent(walk.get()), "walking first parents");
  check(git_revwalk_push_ref(walk.get(), branch.c_str()), "walking " + branch);
  return walk;
}

core::RevisionInfo revisionOf(git_commit* commit, const git_oid& oid) {
  const git_signature* a = git_commit_author(commit);
  return core::RevisionInfo{*CommitId::parse(toHex(oid)), personOf(a),
                            core::fromUnixSeconds(a->when.time), git_commit_message(commit),
                            std::chrono::minutes(a->when.offset)};
}

}  // namespace

std::optional<CommitId> PolicyRepository::registryCommit(const CommitId& commit) const {
  if (readFile(commit, kRegistryFile)) return commit;
  auto lock = locked();
  RevwalkPtr walk = walkFrom(repo_.get(), branch_, true);
  std::optional<git_oid> adopting;
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    CommitPtr c = lookupCommit(repo_.get(), oid);
    if (!blobIdAt(c.get(), kRegistryFile)) break;
    adopting = oid;
  }
  if (!adopting) return std::nullopt;
  git_oid asked = toOid(commit);
  int rc = git_graph_descendant_of(repo_.get(), &*adopting, &asked);
  check(rc, "checking the ancestry of " + commit.str());
  if (rc != 1) return std::nullopt;
  return CommitId::parse(toHex(*adopting));
}

std::vector<core::RevisionInfo> PolicyRepository::revisions(
    const core::Document& doc, size_t limit, bool all, const std::set<std::string>& keep) const {
  auto lock = locked();
  RevwalkPtr walk = walkFrom(repo_.get(), branch_, !all);
  std::vector<core::RevisionInfo> out;
  git_oid oid;
  while (out.size() < limit && git_revwalk_next(&oid, walk.get()) == 0) {
    CommitPtr commit = lookupCommit(repo_.get(), oid);
    if (!all && !keep.count(toHex(oid))) {
      CommitPtr parent = firstParent(commit.get());
      if (!changesText(commit.get(), parent.get(), doc) &&
          !changesEntry(repo_.get(), commit.get(), parent.get(), doc.id)) {
        continue;
      }
    }
    out.push_back(revisionOf(commit.get(), oid));
  }
  return out;
}

core::RevisionInfo PolicyRepository::revision(const CommitId& commit) const {
  auto lock = locked();
  CommitPtr c = lookupCommit(repo_.get(), commit);
  return revisionOf(c.get(), *git_commit_id(c.get()));
}

std::vector<core::RevisionInfo> PolicyRepository::textRevisions(
    const core::Document& doc, const std::optional<CommitId>& since) const {
  auto lock = locked();
  RevwalkPtr walk = walkFrom(repo_.get(), branch_, true);
  std::vector<core::RevisionInfo> out;
  git_oid oid;
  bool reached = !since;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    CommitPtr commit = lookupCommit(repo_.get(), oid);
    CommitPtr parent = firstParent(commit.get());
    if (changesText(commit.get(), parent.get(), doc)) out.push_back(revisionOf(commit.get(), oid));
    if (since && toHex(oid) == since->str()) {
      reached = true;
      break;
    }
  }
  if (!reached) {
    throw NotFound("commit " + since->str() + " is not on the first-parent history of " + branch_);
  }
  return out;
}

}  // namespace charta::repository
