// PolicyRepository: files, texts and history at a revision.

#include <algorithm>
#include <set>
#include <string_view>

#include "core/front_matter.h"
#include "core/sha256.h"
#include "repository/git_handles.h"
#include "repository/policy_repository.h"
#include "repository/registry_xml.h"

namespace charta::repository {

using namespace git;
using core::CommitId;

namespace {

RevwalkPtr newestFirst(git_repository* repo) {
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo), "walking the history");
  RevwalkPtr walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  return walk;
}

// The commit "id" a caller asked for. Not finding it is "not found" only when no ref read by this
// repository names it: an edition's commit, or the branch tip, that cannot be found is damage
// (or a pack libgit2 could not open).
CommitPtr commitAsked(git_repository* repo, const CommitId& id,
                      const std::set<std::string>& named) {
  try {
    return lookupCommit(repo, id);
  } catch (const NotFound&) {
    if (named.count(id.str())) missingObject("commit " + id.str() + ", which a ref names,");
    throw;
  }
}

}  // namespace

std::optional<std::string> PolicyRepository::readFile(const CommitId& commit,
                                                      const std::string& file) const {
  auto lock = locked();
  auto c = commitAsked(repo_.get(), commit, namedCommits_);
  return readBlobAt(repo_.get(), c.get(), file);
}

core::Registry PolicyRepository::registry(const CommitId& commit) const {
  auto xml = readFile(commit, kRegistryFile);
  std::string where = std::string(kRegistryFile) + " at " + commit.str();
  if (!xml) {
    auto adopted = registryCommit(commit);
    if (!adopted) throw InvalidRegistry(where + ": there is no such file");
    xml = readFile(*adopted, kRegistryFile);
    where = std::string(kRegistryFile) + " at " + adopted->str() + " (which adopted " +
            commit.str() + ")";
  }
  try {
    return parseRegistry(*xml);
  } catch (const InvalidInput& e) {
    std::string reason = e.what();
    if (reason.rfind("charta.xml: ", 0) == 0) reason.erase(0, 12);
    throw InvalidRegistry(where + ": " + reason);
  }
}

std::optional<DocumentText> PolicyRepository::text(const core::Document& doc,
                                                   const CommitId& commit,
                                                   const core::Lang& lang) const {
  std::optional<std::string> bytes;
  std::string path;
  for (const std::string& candidate : doc.paths(lang.str())) {
    bytes = readFile(commit, candidate);
    path = candidate;
    if (bytes) break;
  }
  if (!bytes) return std::nullopt;
  DocumentText t{path, std::move(*bytes), "", ""};
  t.sha256 = core::sha256Hex(t.bytes);
  auto fm = core::splitFrontMatter(t.bytes);
  if (auto it = fm.meta.find("title"); it != fm.meta.end()) t.title = it->second;
  return t;
}

std::map<std::string, size_t> PolicyRepository::lastChanges(
    const CommitId& start, const std::vector<std::string>& files) const {
  auto lock = locked();
  std::map<std::string, size_t> found;
  RevwalkPtr walk = newestFirst(repo_.get());
  git_oid oid = toOid(start);
  check(git_revwalk_push(walk.get(), &oid), "walking the history of " + start.str());
  size_t index = 0;
  while (found.size() < files.size() && index < 100000 && git_revwalk_next(&oid, walk.get()) == 0) {
    CommitPtr commit = lookupCommit(repo_.get(), oid);
    CommitPtr parent = firstParent(commit.get());
    for (const auto& f : files) {
      if (found.count(f)) continue;
      auto now = blobIdAt(commit.get(), f);
      if (!now) continue;  // a removal is not a change of the text
      auto before = parent ? blobIdAt(parent.get(), f) : std::nullopt;
      if (!before || git_oid_cmp(&*now, &*before) != 0) found.emplace(f, index);
    }
    ++index;
  }
  return found;
}

std::string PolicyRepository::refsFingerprint() const {
  auto lock = locked();
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_new(&it, repo_.get()), "listing refs");
  RefIterPtr iter(it);
  std::string all;
  git_reference* r = nullptr;
  while (git_reference_next(&r, iter.get()) == 0) {
    RefPtr ref(r);
    // refs/charta/* (the anchors) say nothing about editions: writing them reloads no page.
    if (std::string_view(git_reference_name(ref.get())).rfind("refs/charta/", 0) == 0) continue;
    all += git_reference_name(ref.get());
    all += ' ';
    if (git_reference_type(ref.get()) == GIT_REFERENCE_DIRECT) {
      all += toHex(*git_reference_target(ref.get()));
    } else {
      all += git_reference_symbolic_target(ref.get());
    }
    all += '\n';
  }
  return core::sha256Hex(all);
}

bool PolicyRepository::onBranch(const CommitId& commit) const {
  auto lock = locked();
  git_oid tip;
  check(git_reference_name_to_id(&tip, repo_.get(), branch_.c_str()), "reading " + branch_);
  git_oid oid = toOid(commit);
  if (git_oid_cmp(&tip, &oid) == 0) return true;
  int rc = git_graph_descendant_of(repo_.get(), &tip, &oid);
  check(rc, "checking the ancestry of " + commit.str());
  return rc == 1;
}

}  // namespace charta::repository
