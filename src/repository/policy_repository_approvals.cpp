// PolicyRepository: approvals of revisions, recorded in git where every clone can see them.
//
//   refs/charta/approvals/<doc>/<revision>   commit -> commit -> ...: one approval each, newest
//                                            at the tip; empty tree; author = the approver

#include <algorithm>

#include "repository/git_handles.h"
#include "repository/policy_repository.h"

namespace charta::repository {

using namespace git;
using core::CommitId;

namespace {

std::string approvalsRef(const core::DocumentId& doc, const CommitId& revision) {
  return "refs/charta/approvals/" + doc.str() + "/" + revision.str();
}

// The tip of "ref", or nullopt when it does not exist.
std::optional<git_oid> refTarget(git_repository* repo, const std::string& ref) {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo, ref.c_str());
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "reading " + ref);
  return oid;
}

git_oid emptyTree(git_repository* repo) {
  git_treebuilder* b = nullptr;
  check(git_treebuilder_new(&b, repo, nullptr), "building an empty tree");
  TreeBuilderPtr builder(b);
  git_oid tree;
  check(git_treebuilder_write(&tree, builder.get()), "writing an empty tree");
  return tree;
}

}  // namespace

core::Person PolicyRepository::author(const CommitId& commit) const {
  auto lock = locked();
  CommitPtr c = lookupCommit(repo_.get(), commit);
  return personOf(git_commit_author(c.get()));
}

std::vector<core::Approval> PolicyRepository::approvals(const core::DocumentId& doc,
                                                        const CommitId& revision) const {
  auto lock = locked();
  std::vector<core::Approval> out;
  auto tip = refTarget(repo_.get(), approvalsRef(doc, revision));
  if (!tip) return out;
  constexpr size_t kMaxApprovals = 1000;  // more is no review; the walk stays bounded
  CommitPtr commit = lookupCommit(repo_.get(), *tip);
  while (commit && out.size() < kMaxApprovals) {
    const git_signature* a = git_commit_author(commit.get());
    if (auto approval = core::readApproval(doc, revision, git_commit_message(commit.get()),
                                           personOf(a), core::fromUnixSeconds(a->when.time))) {
      out.push_back(std::move(*approval));
    }
    commit = firstParent(commit.get());
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void PolicyRepository::recordApproval(const core::Approval& a, std::chrono::minutes offset) {
  auto lock = locked();
  lookupCommit(repo_.get(), a.revision);  // NotFound when there is no such revision
  const std::string ref = approvalsRef(a.doc, a.revision);
  const auto tip = refTarget(repo_.get(), ref);
  CommitPtr parent;
  if (tip) parent = lookupCommit(repo_.get(), *tip);
  const git_oid treeId = emptyTree(repo_.get());
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo_.get(), &treeId), "reading an empty tree");
  TreePtr tree(t);
  auto sig = signature(a.by, a.at, offset);
  const git_commit* parents[1] = {parent.get()};
  git_oid id;
  check(git_commit_create(&id, repo_.get(), nullptr, sig.get(), sig.get(), "UTF-8",
                          core::approvalMessage(a, offset).c_str(), tree.get(), parent ? 1 : 0,
                          parents),
        "writing the approval of " + a.revision.str());
  const git_oid expected = tip ? *tip : git_oid{};
  const std::string log = "charta: approve " + a.doc.str();
  auto create = [&] {
    git_reference* r = nullptr;
    int rc = git_reference_create_matching(&r, repo_.get(), ref.c_str(), &id, tip ? 1 : 0,
                                           &expected, log.c_str());
    RefPtr held(r);
    return rc;
  };
  int rc = create();
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = create();
  if (rc == GIT_EEXISTS || rc == GIT_ELOCKED || rc == GIT_EMODIFIED) {
    throw Conflict("another approval of " + a.revision.str() +
                   " was recorded at the same time; nothing was written: retry");
  }
  check(rc, "updating " + ref);
}

}  // namespace charta::repository
