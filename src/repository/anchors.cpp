// AnchorChain: refs/charta/anchors, an append-only chain of commits written objects first and
// moved by compare-and-swap; EditionRefs: the tag objects the refs of editions name.

#include "repository/anchors.h"

#include <algorithm>
#include <system_error>

#include "repository/git_handles.h"

namespace charta::repository {

using namespace git;

namespace {

// Anchor files are small (anchor.json, an RFC 3161 token): a larger blob is not read.
constexpr git_object_size_t kMaxAnchorFile = 1 << 20;

RepoPtr openHandle(const std::filesystem::path& path) {
  ensureInitialised();
  git_repository* r = nullptr;
  int rc = git_repository_open_ext(&r, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepoPtr repo(r);
  if (rc == GIT_ENOTFOUND) throw RepositoryError("no policy repository at " + path.string());
  check(rc, "opening the policy repository at " + path.string());
  return repo;
}

// The object "ref" points at directly; nullopt when there is no such ref or it is symbolic.
std::optional<git_oid> refTarget(git_repository* repo, const std::string& ref) {
  git_reference* r = nullptr;
  int rc = git_reference_lookup(&r, repo, ref.c_str());
  RefPtr owned(r);
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "reading " + ref);
  const git_oid* target = git_reference_target(owned.get());
  if (!target) return std::nullopt;
  return *target;
}

std::optional<git_oid> parseOid(const std::string& hex) {
  if (hex.size() != GIT_OID_HEXSZ ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return std::nullopt;
  }
  git_oid oid;
  if (git_oid_fromstr(&oid, hex.c_str()) != 0) return std::nullopt;
  return oid;
}

// The files of "commit"'s tree into "out"; a problem when the tree is not flat blobs.
void readAnchorTree(git_repository* repo, git_commit* commit, AnchorCommit& out) {
  git_tree* t = nullptr;
  check(git_commit_tree(&t, commit), "reading the tree of anchor " + out.commit);
  TreePtr tree(t);
  for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
    const std::string name = git_tree_entry_name(e);
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
      out.problem = "its tree holds " + name + ", which is not a file";
      continue;
    }
    git_blob* b = nullptr;
    check(git_blob_lookup(&b, repo, git_tree_entry_id(e)),
          "reading " + name + " of anchor " + out.commit);
    BlobPtr blob(b);
    if (git_blob_rawsize(blob.get()) > kMaxAnchorFile) {
      out.problem = name + " is larger than an anchor's file can be";
      continue;
    }
    out.files.emplace_back(name, std::string(static_cast<const char*>(git_blob_rawcontent(b)),
                                             static_cast<size_t>(git_blob_rawsize(b))));
  }
}

AnchorCommit anchorOf(git_repository* repo, git_commit* commit) {
  AnchorCommit a;
  a.commit = toHex(*git_commit_id(commit));
  a.committedAt = core::fromUnixSeconds(git_commit_time(commit));
  if (git_commit_parentcount(commit) > 1) a.problem = "it is a merge";
  readAnchorTree(repo, commit, a);
  return a;
}

git_oid writeTree(git_repository* repo,
                  const std::vector<std::pair<std::string, std::string>>& files) {
  git_treebuilder* tb = nullptr;
  check(git_treebuilder_new(&tb, repo, nullptr), "building an anchor's tree");
  TreeBuilderPtr builder(tb);
  for (const auto& [name, bytes] : files) {
    git_oid blob;
    check(git_blob_create_from_buffer(&blob, repo, bytes.data(), bytes.size()),
          "writing " + name + " of an anchor");
    check(git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &blob, GIT_FILEMODE_BLOB),
          "adding " + name + " to an anchor's tree");
  }
  git_oid tree;
  check(git_treebuilder_write(&tree, builder.get()), "writing an anchor's tree");
  return tree;
}

bool lostRace(int rc) { return rc == GIT_EEXISTS || rc == GIT_ELOCKED || rc == GIT_EMODIFIED; }

}  // namespace

const std::string* AnchorCommit::file(const std::string& name) const {
  auto it =
      std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.first == name; });
  return it == files.end() ? nullptr : &it->second;
}

AnchorChain::AnchorChain(const std::filesystem::path& path, std::chrono::seconds staleLockAge)
    : repo_(openHandle(path)),
      gitDir_(git_repository_path(repo_.get())),
      staleLockAge_(staleLockAge) {}

AnchorChain::~AnchorChain() = default;

std::optional<std::string> AnchorChain::tip() const {
  std::lock_guard lock(mu_);
  auto oid = refTarget(repo_.get(), kAnchorsRef);
  if (!oid) return std::nullopt;
  return toHex(*oid);
}

std::optional<AnchorCommit> AnchorChain::latest() const {
  std::lock_guard lock(mu_);
  auto oid = refTarget(repo_.get(), kAnchorsRef);
  if (!oid) return std::nullopt;
  CommitPtr commit = lookupCommit(repo_.get(), *oid);
  return anchorOf(repo_.get(), commit.get());
}

std::vector<AnchorCommit> AnchorChain::read(std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<AnchorCommit> out;
  auto oid = refTarget(repo_.get(), kAnchorsRef);
  if (!oid) return out;
  for (CommitPtr c = lookupCommit(repo_.get(), *oid); c && out.size() < limit;
       c = firstParent(c.get())) {
    out.push_back(anchorOf(repo_.get(), c.get()));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool AnchorChain::clearStaleLock() const {
  const std::filesystem::path lockFile = gitDir_ / (std::string(kAnchorsRef) + ".lock");
  std::error_code ec;
  auto modified = std::filesystem::last_write_time(lockFile, ec);
  if (ec) return !std::filesystem::exists(lockFile, ec);  // gone meanwhile: try again
  if (std::filesystem::file_time_type::clock::now() - modified < staleLockAge_) return false;
  return std::filesystem::remove(lockFile, ec);
}

std::pair<AnchorAppend, std::string> AnchorChain::append(
    const std::optional<std::string>& expectedTip,
    const std::vector<std::pair<std::string, std::string>>& files, const std::string& message,
    core::Instant at) {
  std::lock_guard lock(mu_);
  git_repository* repo = repo_.get();
  std::optional<git_oid> parentId;
  if (expectedTip) {
    parentId = parseOid(*expectedTip);
    if (!parentId) throw RepositoryError("the expected anchor tip is not a commit id");
  }
  CommitPtr parent = parentId ? lookupCommit(repo, *parentId) : nullptr;
  const git_oid treeId = writeTree(repo, files);
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo, &treeId), "reading an anchor's tree");
  TreePtr tree(t);
  auto sig = signature(core::Person{"charta", "charta@localhost"}, at, std::chrono::minutes(0));
  const git_commit* parents[1] = {parent.get()};
  git_oid commitId;
  check(git_commit_create(&commitId, repo, nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(),
                          tree.get(), parent ? 1 : 0, parents),
        "writing an anchor commit");
  // The objects are on disk (fsynced); only now does the ref move, from the tip that was read.
  const git_oid absent{};
  auto swap = [&] {
    git_reference* r = nullptr;
    int rc = git_reference_create_matching(&r, repo, kAnchorsRef, &commitId, parentId ? 1 : 0,
                                           parentId ? &*parentId : &absent, "charta: anchor");
    RefPtr created(r);
    return rc;
  };
  int rc = swap();
  if (rc == GIT_ELOCKED && clearStaleLock()) rc = swap();
  if (lostRace(rc)) return {AnchorAppend::kLostRace, toHex(commitId)};
  check(rc, std::string("moving ") + kAnchorsRef);
  return {AnchorAppend::kWritten, toHex(commitId)};
}

EditionRefs::EditionRefs(const std::filesystem::path& path) : repo_(openHandle(path)) {}

EditionRefs::~EditionRefs() = default;

std::optional<std::string> EditionRefs::target(const std::string& ref) const {
  std::lock_guard lock(mu_);
  auto oid = refTarget(repo_.get(), ref);
  if (!oid) return std::nullopt;
  return toHex(*oid);
}

std::optional<std::string> EditionRefs::editionTag(const core::DocumentId& doc,
                                                   core::EditionNo no) const {
  return target("refs/tags/" + doc.str() + "/" + no.str());
}

std::optional<std::string> EditionRefs::withdrawalTag(const core::DocumentId& doc,
                                                      core::EditionNo no) const {
  return target("refs/tags/" + doc.str() + "/withdrawn/" + no.str());
}

std::optional<TagObject> EditionRefs::tag(const std::string& id) const {
  auto oid = parseOid(id);
  if (!oid) return std::nullopt;
  std::lock_guard lock(mu_);
  git_tag* t = nullptr;
  int rc = git_tag_lookup(&t, repo_.get(), &*oid);
  TagPtr tag(t);
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "reading tag object " + id);
  const git_signature* tagger = git_tag_tagger(tag.get());
  const char* message = git_tag_message(tag.get());
  return TagObject{id, toHex(*git_tag_target_id(tag.get())), message ? message : "",
                   personOf(tagger),
                   tagger ? core::fromUnixSeconds(tagger->when.time) : core::Instant{}};
}

bool EditionRefs::hasCommit(const core::CommitId& id) const {
  std::lock_guard lock(mu_);
  git_oid oid = toOid(id);
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo_.get(), &oid) != 0) return false;
  CommitPtr commit(c);
  git_tree* t = nullptr;
  const bool ok = git_commit_tree(&t, commit.get()) == 0;
  TreePtr tree(t);
  return ok;
}

}  // namespace charta::repository
