// Opening and creating a policy repository, and what belongs to the repository as a whole. The
// rest of PolicyRepository: policy_repository_read.cpp (files and history at a revision),
// policy_repository_tags.cpp (editions and withdrawals), policy_repository_locks.cpp (git lock
// files left by dead writers).

#include "repository/policy_repository.h"

#include <fstream>
#include <sstream>

#include "core/front_matter.h"
#include "repository/edition_tags.h"
#include "repository/git_handles.h"
#include "repository/registry_xml.h"

namespace charta::repository {

using namespace git;

namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes the tree of "dir" into the object database, recursively; dot files are left out.
git_oid writeTree(git_repository* repo, const std::filesystem::path& dir) {
  git_treebuilder* tb = nullptr;
  check(git_treebuilder_new(&tb, repo, nullptr), "creating a tree");
  TreeBuilderPtr builder(tb);
  std::vector<std::filesystem::directory_entry> entries{std::filesystem::directory_iterator(dir),
                                                        std::filesystem::directory_iterator()};
  for (const auto& entry : entries) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    git_oid oid;
    git_filemode_t mode;
    if (entry.is_directory()) {
      oid = writeTree(repo, entry.path());
      mode = GIT_FILEMODE_TREE;
    } else if (entry.is_regular_file()) {
      std::string bytes = slurp(entry.path());
      check(git_blob_create_from_buffer(&oid, repo, bytes.data(), bytes.size()),
            "storing " + entry.path().string());
      mode = GIT_FILEMODE_BLOB;
    } else {
      continue;
    }
    check(git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &oid, mode),
          "adding " + name + " to a tree");
  }
  git_oid out;
  check(git_treebuilder_write(&out, builder.get()), "writing a tree");
  return out;
}

// The branch of an opened repository: "refs/heads/<configured>", or the one HEAD points to.
std::string branchOf(git_repository* repo, const std::filesystem::path& path,
                     const std::string& configured) {
  if (!configured.empty()) {
    std::string branch = "refs/heads/" + configured;
    if (!git_reference_is_valid_name(branch.c_str())) {
      throw InvalidInput("invalid branch name \"" + configured + "\"");
    }
    return branch;
  }
  git_reference* h = nullptr;
  check(git_reference_lookup(&h, repo, "HEAD"), "reading HEAD");
  RefPtr head(h);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
    throw RepositoryError("HEAD of " + path.string() + " is detached: configure the branch");
  }
  return git_reference_symbolic_target(head.get());
}

// Commits the tree of "seedDir" as the first commit of "main" in the new "repo".
void commitSeed(git_repository* repo, const std::filesystem::path& seedDir,
                const core::Person& author) {
  git_oid treeId = writeTree(repo, seedDir);
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo, &treeId), "reading the new tree");
  TreePtr tree(t);
  git_signature* s = nullptr;
  check(git_signature_now(&s, author.name.c_str(), author.email.c_str()), "creating the author");
  SignaturePtr sig(s);
  git_oid commitId;
  check(git_commit_create(&commitId, repo, "refs/heads/main", sig.get(), sig.get(), "UTF-8",
                          "Import the policy texts\n", tree.get(), 0, nullptr),
        "committing the policy texts");
}

}  // namespace

std::string DocumentText::body() const { return std::string(core::splitFrontMatter(bytes).body); }

PolicyRepository::PolicyRepository(RepoPtr repo, std::filesystem::path path, std::string branch,
                                   RepositoryOptions options)
    : transientSeen_(transientErrors()),
      repo_(std::move(repo)),
      memo_(std::make_unique<tags::ReadMemo>()),
      path_(std::move(path)),
      branch_(std::move(branch)),
      options_(std::move(options)) {}

PolicyRepository::~PolicyRepository() = default;

std::unique_lock<std::mutex> PolicyRepository::locked() const {
  std::unique_lock lock(mu_);
  const uint64_t transients = transientErrors();
  if (transients != transientSeen_) {
    repo_ = openRepo(path_);
    transientSeen_ = transients;
  }
  return lock;
}

std::unique_ptr<PolicyRepository> PolicyRepository::open(const std::filesystem::path& path,
                                                         RepositoryOptions options) {
  ensureInitialised();
  RepoPtr repo = openRepo(path);
  std::string branch = branchOf(repo.get(), path, options.branch);
  return std::unique_ptr<PolicyRepository>(
      new PolicyRepository(std::move(repo), path, std::move(branch), std::move(options)));
}

std::unique_ptr<PolicyRepository> PolicyRepository::create(const std::filesystem::path& path,
                                                           const std::filesystem::path& seedDir,
                                                           bool bare, const core::Person& author) {
  ensureInitialised();
  git_repository* existing = nullptr;
  int found =
      git_repository_open_ext(&existing, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepoPtr existingRepo(existing);
  if (found == 0) throw InvalidInput("a repository already exists at " + path.string());
  std::ifstream reg(seedDir / kRegistryFile, std::ios::binary);
  if (!reg) throw InvalidInput("no charta.xml in " + seedDir.string());
  std::stringstream ss;
  ss << reg.rdbuf();
  parseRegistry(ss.str());  // refuse to create a repository that could never publish

  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT |
               (bare ? static_cast<unsigned>(GIT_REPOSITORY_INIT_BARE) : 0u);
  opts.initial_head = "main";
  git_repository* r = nullptr;
  int rc = git_repository_init_ext(&r, path.c_str(), &opts);
  RepoPtr repo(r);
  check(rc, "creating " + path.string());
  commitSeed(repo.get(), seedDir, author);
  if (!bare) {
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    check(git_checkout_head(repo.get(), &co), "checking out the policy texts");
  }
  return std::unique_ptr<PolicyRepository>(
      new PolicyRepository(std::move(repo), path, "refs/heads/main", RepositoryOptions{}));
}

core::CommitId PolicyRepository::head() const {
  auto lock = locked();
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_.get(), branch_.c_str());
  if (rc == GIT_ENOTFOUND) throw RepositoryError("branch " + branch_ + " has no commit");
  check(rc, "reading " + branch_);
  named(toHex(oid));
  return *core::CommitId::parse(toHex(oid));
}

std::optional<core::Person> PolicyRepository::gitUser() const {
  auto lock = locked();
  git_signature* s = nullptr;
  if (git_signature_default(&s, repo_.get()) != 0) return std::nullopt;
  SignaturePtr sig(s);
  return personOf(sig.get());
}

}  // namespace charta::repository
