#include "repository/policy_repository.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/front_matter.h"
#include "core/publication.h"
#include "core/sha256.h"
#include "repository/git_handles.h"
#include "repository/registry_xml.h"

namespace charta::repository {

using namespace git;
using core::CommitId;
using core::Edition;
using core::EditionNo;
using core::Instant;

namespace {

// An edition as found in the refs, with the id of its tag object (a withdrawal points at it).
struct FoundEdition {
  Edition edition;
  git_oid tag;
};

std::string tagPrefix(const core::DocumentId& doc) { return "refs/tags/" + doc.str() + "/"; }

core::Person personOf(const git_signature* s) {
  return core::Person{s && s->name ? s->name : "", s && s->email ? s->email : ""};
}

SignaturePtr signature(const core::Person& p, Instant when, std::chrono::minutes offset) {
  git_signature* sig = nullptr;
  // git wants an e-mail in every signature; a publisher configured by name alone gets a
  // placeholder that says so.
  const std::string email = p.email.empty() ? "unknown@charta.invalid" : p.email;
  check(git_signature_new(&sig, p.name.c_str(), email.c_str(), core::toUnixSeconds(when),
                          static_cast<int>(offset.count())),
        "creating the tagger signature");
  return SignaturePtr(sig);
}

CommitPtr lookupCommit(git_repository* repo, const CommitId& id) {
  git_oid oid = toOid(id);
  git_commit* c = nullptr;
  int rc = git_commit_lookup(&c, repo, &oid);
  if (rc == GIT_ENOTFOUND) throw NotFound("no commit " + id.str() + " in the policy repository");
  check(rc, "reading commit " + id.str());
  return CommitPtr(c);
}

// The blob id of "file" in the tree of "commit", or nullopt.
std::optional<git_oid> blobIdAt(git_commit* commit, const std::string& file) {
  git_tree* t = nullptr;
  check(git_commit_tree(&t, commit), "reading a commit's tree");
  TreePtr tree(t);
  git_tree_entry* e = nullptr;
  int rc = git_tree_entry_bypath(&e, tree.get(), file.c_str());
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "looking up " + file);
  TreeEntryPtr entry(e);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  return *git_tree_entry_id(entry.get());
}

std::optional<std::string> readBlobAt(git_repository* repo, git_commit* commit,
                                      const std::string& file) {
  auto id = blobIdAt(commit, file);
  if (!id) return std::nullopt;
  git_blob* b = nullptr;
  check(git_blob_lookup(&b, repo, &*id), "reading " + file);
  BlobPtr blob(b);
  auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
}

// Reads the editions and withdrawals of "doc" from the refs.
std::vector<FoundEdition> findEditions(git_repository* repo, const core::DocumentId& doc) {
  const std::string prefix = tagPrefix(doc);
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_glob_new(&it, repo, (prefix + "*").c_str()), "listing tags");
  RefIterPtr iter(it);
  std::map<int, FoundEdition> editions;
  std::vector<std::pair<int, TagPtr>> withdrawals;
  git_reference* r = nullptr;
  while (true) {
    int rc = git_reference_next(&r, iter.get());
    if (rc == GIT_ITEROVER) break;
    check(rc, "listing tags");
    RefPtr ref(r);
    if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT) continue;
    std::string rest = std::string(git_reference_name(ref.get())).substr(prefix.size());
    bool isWithdrawal = rest.rfind("withdrawn/", 0) == 0;
    std::string numberText = isWithdrawal ? rest.substr(10) : rest;
    auto no = EditionNo::parse(numberText);
    if (!no || no->str() != numberText) continue;  // "v03", "V3", "3": not ours
    git_tag* t = nullptr;
    if (git_tag_lookup(&t, repo, git_reference_target(ref.get())) != 0) continue;  // lightweight
    TagPtr tag(t);
    std::string expectedName = doc.str() + "/" + rest;
    if (expectedName != git_tag_name(tag.get()) || git_tag_tagger(tag.get()) == nullptr) continue;
    if (isWithdrawal) {
      if (git_tag_target_type(tag.get()) == GIT_OBJECT_TAG) {
        withdrawals.emplace_back(no->value(), std::move(tag));
      }
      continue;
    }
    if (git_tag_target_type(tag.get()) != GIT_OBJECT_COMMIT) continue;
    const git_signature* tagger = git_tag_tagger(tag.get());
    const core::Instant publishedAt = core::fromUnixSeconds(tagger->when.time);
    Edition e{doc,
              *no,
              *CommitId::parse(toHex(*git_tag_target_id(tag.get()))),
              publishedAt,
              publishedAt,
              core::kKazakhstanOffset,
              false,
              {},
              {},
              personOf(tagger),
              std::nullopt,
              std::nullopt};
    if (!core::readEditionMessage(git_tag_message(tag.get()), e)) continue;  // not charta's
    editions.emplace(no->value(), FoundEdition{std::move(e), *git_tag_id(tag.get())});
  }
  for (auto& [n, tag] : withdrawals) {
    auto found = editions.find(n);
    if (found == editions.end()) continue;
    if (git_oid_cmp(git_tag_target_id(tag.get()), &found->second.tag) != 0) continue;
    const git_signature* tagger = git_tag_tagger(tag.get());
    found->second.edition.withdrawal =
        core::Withdrawal{core::fromUnixSeconds(tagger->when.time), personOf(tagger),
                         core::readWithdrawalReason(git_tag_message(tag.get()))};
  }
  std::vector<FoundEdition> out;
  out.reserve(editions.size());
  for (auto& [n, fe] : editions) out.push_back(std::move(fe));
  return out;
}

// Writes the tree of "dir" into the object database, recursively.
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
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string bytes = ss.str();
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

// For each of "files": how many commits back from "start" (in the order of a topological walk)
// the file last changed, compared with the first parent. Files that never appear are left out.
std::map<std::string, size_t> walkLastChanges(git_repository* repo, const CommitId& start,
                                              const std::vector<std::string>& files) {
  std::map<std::string, size_t> found;
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo), "walking the history");
  RevwalkPtr walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_oid oid = toOid(start);
  check(git_revwalk_push(walk.get(), &oid), "walking the history of " + start.str());
  size_t index = 0;
  while (found.size() < files.size() && index < 100000 && git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo, &oid), "reading a commit");
    CommitPtr commit(c);
    CommitPtr parent;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* p = nullptr;
      check(git_commit_parent(&p, commit.get(), 0), "reading a parent commit");
      parent.reset(p);
    }
    for (const auto& f : files) {
      if (found.count(f)) continue;
      auto now = blobIdAt(commit.get(), f);
      auto before = parent ? blobIdAt(parent.get(), f) : std::nullopt;
      if (now && (!before || git_oid_cmp(&*now, &*before) != 0)) found.emplace(f, index);
    }
    ++index;
  }
  return found;
}

}  // namespace

std::string DocumentText::body() const { return std::string(core::splitFrontMatter(bytes).body); }

PolicyRepository::PolicyRepository(git_repository* repo, std::filesystem::path path,
                                   std::string branch, RepositoryOptions options)
    : repo_(repo),
      path_(std::move(path)),
      branch_(std::move(branch)),
      options_(std::move(options)) {}

PolicyRepository::~PolicyRepository() { git_repository_free(repo_); }

std::unique_ptr<PolicyRepository> PolicyRepository::open(const std::filesystem::path& path,
                                                         RepositoryOptions options) {
  ensureInitialised();
  git_repository* r = nullptr;
  int rc = git_repository_open_ext(&r, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc == GIT_ENOTFOUND) {
    throw RepositoryError("no policy repository at " + path.string() + " (run `charta init`)");
  }
  check(rc, "opening the policy repository at " + path.string());
  RepoPtr repo(r);
  std::string branch;
  if (!options.branch.empty()) {
    branch = "refs/heads/" + options.branch;
    if (!git_reference_is_valid_name(branch.c_str())) {
      throw InvalidInput("invalid branch name \"" + options.branch + "\"");
    }
  } else {
    git_reference* h = nullptr;
    check(git_reference_lookup(&h, repo.get(), "HEAD"), "reading HEAD");
    RefPtr head(h);
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
      throw RepositoryError("HEAD of " + path.string() + " is detached: configure the branch");
    }
    branch = git_reference_symbolic_target(head.get());
  }
  return std::unique_ptr<PolicyRepository>(
      new PolicyRepository(repo.release(), path, std::move(branch), std::move(options)));
}

std::unique_ptr<PolicyRepository> PolicyRepository::create(const std::filesystem::path& path,
                                                           const std::filesystem::path& seedDir,
                                                           bool bare, const core::Person& author) {
  ensureInitialised();
  {
    git_repository* existing = nullptr;
    if (git_repository_open_ext(&existing, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) ==
        0) {
      git_repository_free(existing);
      throw InvalidInput("a repository already exists at " + path.string());
    }
  }
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
  check(git_repository_init_ext(&r, path.c_str(), &opts), "creating " + path.string());
  RepoPtr repo(r);
  git_oid treeId = writeTree(repo.get(), seedDir);
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo.get(), &treeId), "reading the new tree");
  TreePtr tree(t);
  git_signature* s = nullptr;
  check(git_signature_now(&s, author.name.c_str(), author.email.c_str()), "creating the author");
  SignaturePtr sig(s);
  git_oid commitId;
  check(git_commit_create(&commitId, repo.get(), "refs/heads/main", sig.get(), sig.get(), "UTF-8",
                          "Import the policy texts\n", tree.get(), 0, nullptr),
        "committing the policy texts");
  if (!bare) {
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    check(git_checkout_head(repo.get(), &co), "checking out the policy texts");
  }
  return std::unique_ptr<PolicyRepository>(
      new PolicyRepository(repo.release(), path, "refs/heads/main", RepositoryOptions{}));
}

CommitId PolicyRepository::head() const {
  std::lock_guard lock(mu_);
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_, branch_.c_str());
  if (rc == GIT_ENOTFOUND) throw RepositoryError("branch " + branch_ + " has no commit");
  check(rc, "reading " + branch_);
  return *CommitId::parse(toHex(oid));
}

std::optional<std::string> PolicyRepository::readFile(const CommitId& commit,
                                                      const std::string& file) const {
  std::lock_guard lock(mu_);
  auto c = lookupCommit(repo_, commit);
  return readBlobAt(repo_, c.get(), file);
}

core::Registry PolicyRepository::registry(const CommitId& commit) const {
  auto xml = readFile(commit, kRegistryFile);
  if (!xml) throw InvalidInput("no charta.xml at " + commit.str());
  return parseRegistry(*xml);
}

std::optional<DocumentText> PolicyRepository::text(const core::Document& doc,
                                                   const CommitId& commit,
                                                   const core::Lang& lang) const {
  const std::string* file = doc.file(lang);
  if (!file) return std::nullopt;
  auto bytes = readFile(commit, *file);
  if (!bytes) return std::nullopt;
  DocumentText t{*file, std::move(*bytes), "", ""};
  t.sha256 = core::sha256Hex(t.bytes);
  auto fm = core::splitFrontMatter(t.bytes);
  if (auto it = fm.meta.find("title"); it != fm.meta.end()) t.title = it->second;
  return t;
}

std::vector<core::RevisionInfo> PolicyRepository::revisions(const core::Document& doc,
                                                            size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> files{kRegistryFile};
  for (const auto& [lang, file] : doc.files) files.push_back(file);
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, repo_), "walking the history");
  RevwalkPtr walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  check(git_revwalk_push_ref(walk.get(), branch_.c_str()), "walking " + branch_);
  std::vector<core::RevisionInfo> out;
  git_oid oid;
  while (out.size() < limit && git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, repo_, &oid), "reading a commit");
    CommitPtr commit(c);
    CommitPtr parent;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* p = nullptr;
      check(git_commit_parent(&p, commit.get(), 0), "reading a parent commit");
      parent.reset(p);
    }
    bool touches = false;
    for (const auto& f : files) {
      auto now = blobIdAt(commit.get(), f);
      auto before = parent ? blobIdAt(parent.get(), f) : std::nullopt;
      if (now.has_value() != before.has_value() || (now && git_oid_cmp(&*now, &*before) != 0)) {
        touches = true;
        break;
      }
    }
    if (!touches) continue;
    const git_signature* a = git_commit_author(commit.get());
    out.push_back(core::RevisionInfo{*CommitId::parse(toHex(oid)), personOf(a),
                                     core::fromUnixSeconds(a->when.time),
                                     git_commit_message(commit.get())});
  }
  return out;
}

core::Timeline PolicyRepository::timeline(const core::DocumentId& doc) const {
  std::lock_guard lock(mu_);
  std::vector<Edition> editions;
  for (auto& fe : findEditions(repo_, doc)) editions.push_back(std::move(fe.edition));
  return core::Timeline(std::move(editions));
}

std::string PolicyRepository::refsFingerprint() const {
  std::lock_guard lock(mu_);
  git_reference_iterator* it = nullptr;
  check(git_reference_iterator_new(&it, repo_), "listing refs");
  RefIterPtr iter(it);
  std::string all;
  git_reference* r = nullptr;
  while (git_reference_next(&r, iter.get()) == 0) {
    RefPtr ref(r);
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
  std::lock_guard lock(mu_);
  git_oid tip;
  check(git_reference_name_to_id(&tip, repo_, branch_.c_str()), "reading " + branch_);
  git_oid oid = toOid(commit);
  if (git_oid_cmp(&tip, &oid) == 0) return true;
  int rc = git_graph_descendant_of(repo_, &tip, &oid);
  check(rc, "checking the ancestry of " + commit.str());
  return rc == 1;
}

std::optional<core::Person> PolicyRepository::gitUser() const {
  std::lock_guard lock(mu_);
  git_signature* s = nullptr;
  if (git_signature_default(&s, repo_) != 0) return std::nullopt;
  SignaturePtr sig(s);
  return personOf(sig.get());
}

std::map<std::string, size_t> PolicyRepository::lastChanges(
    const CommitId& start, const std::vector<std::string>& files) const {
  std::lock_guard lock(mu_);
  return walkLastChanges(repo_, start, files);
}

namespace {

// Creates "ref" pointing at "target" if it does not exist, checked under the ref's lock: the zero
// id as the expected old value makes libgit2 check that the ref does not exist after taking its
// lock; without it the check happens before, and a writer that loses the race by a hair would
// overwrite the winner's ref. Returns libgit2's code.
int createAbsentRef(git_repository* repo, const std::string& ref, const git_oid& target,
                    const std::string& logMessage) {
  git_reference* r = nullptr;
  git_oid absent{};
  int rc =
      git_reference_create_matching(&r, repo, ref.c_str(), &target, 0, &absent, logMessage.c_str());
  RefPtr created(r);
  return rc;
}

}  // namespace

Edition PolicyRepository::createEditionTag(const core::DocumentId& doc, EditionNo no,
                                           const CommitId& commit, const std::string& message,
                                           const core::Person& tagger, Instant publishedAt,
                                           std::chrono::minutes offset) {
  std::lock_guard lock(mu_);
  auto found = findEditions(repo_, doc);
  const EditionNo next = *EditionNo::of(found.empty() ? 1 : found.back().edition.no.value() + 1);
  if (next != no) {
    throw EditionNumberTaken("the next edition of " + doc.str() + " is " + next.str() + ", not " +
                             no.str() + "; nothing was written");
  }
  auto target = lookupCommit(repo_, commit);
  const std::string name = doc.str() + "/" + no.str();
  auto sig = signature(tagger, publishedAt, offset);
  git_oid tagId;
  check(git_tag_annotation_create(&tagId, repo_, name.c_str(),
                                  reinterpret_cast<const git_object*>(target.get()), sig.get(),
                                  message.c_str()),
        "writing the tag of " + name);
  const std::string ref = "refs/tags/" + name, log = "charta: publish " + name;
  int rc = createAbsentRef(repo_, ref, tagId, log);
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = createAbsentRef(repo_, ref, tagId, log);
  if (rc == GIT_EEXISTS || rc == GIT_ELOCKED || rc == GIT_EMODIFIED) {
    auto after = findEditions(repo_, doc);
    bool taken = std::any_of(after.begin(), after.end(),
                             [&](const FoundEdition& fe) { return fe.edition.no == no; });
    if (rc == GIT_EEXISTS && !taken) {
      throw RepositoryError("refs/tags/" + name +
                            " exists but is not an edition written by charta; rename that tag");
    }
    throw Conflict("edition " + no.str() + " of " + doc.str() +
                   " was published by someone else at the same time; nothing was written");
  }
  check(rc, "creating refs/tags/" + name);
  for (const auto& fe : findEditions(repo_, doc)) {
    if (fe.edition.no == no) return fe.edition;
  }
  throw RepositoryError("the new tag " + name + " cannot be read back");
}

namespace {

std::chrono::seconds ageOf(const std::filesystem::path& p, std::error_code& ec) {
  auto mtime = std::filesystem::last_write_time(p, ec);
  if (ec) return std::chrono::seconds(0);
  return std::chrono::duration_cast<std::chrono::seconds>(
      std::filesystem::file_time_type::clock::now() - mtime);
}

}  // namespace

bool PolicyRepository::clearLock(const std::string& ref) {
  const std::filesystem::path lock =
      std::filesystem::path(git_repository_path(repo_)) / (ref + ".lock");
  // A live writer holds a ref lock for milliseconds: give it a moment to finish.
  std::error_code ec;
  for (int i = 0; i < 20 && std::filesystem::exists(lock, ec); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::chrono::seconds age = ageOf(lock, ec);
  if (ec) return true;  // gone
  if (age >= options_.staleLockAge) {
    if (!std::filesystem::remove(lock, ec) && ec) {
      throw RepositoryError("removing the stale lock " + lock.string() + ": " + ec.message());
    }
    if (options_.log) {
      options_.log("removed the stale lock " + lock.string() + " (" + std::to_string(age.count()) +
                   " s old, left by a writer that died)");
    }
    return true;
  }
  throw Unavailable(ref + " is locked by another writer (" + lock.string() + ", " +
                        std::to_string(age.count()) + " s old); nothing was written: retry later " +
                        "(a lock " + std::to_string(options_.staleLockAge.count()) +
                        " s old is taken for stale and removed)",
                    std::max(std::chrono::seconds(1), options_.staleLockAge - age));
}

std::vector<std::string> PolicyRepository::sweepStaleLocks() {
  namespace fs = std::filesystem;
  std::lock_guard lock(mu_);
  const fs::path gitDir = git_repository_path(repo_);
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(gitDir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->is_directory() && it->path().filename() == "objects") {
      it.disable_recursion_pending();  // object files are written by rename, never locked
      continue;
    }
    if (it->path().extension() != ".lock" || !it->is_regular_file()) continue;
    std::error_code ageEc;
    std::chrono::seconds age = ageOf(it->path(), ageEc);
    if (ageEc) continue;
    std::string what = it->path().string() + " (" + std::to_string(age.count()) + " s old)";
    if (age < options_.staleLockAge) {
      out.push_back("lock " + what + " left to its writer: younger than " +
                    std::to_string(options_.staleLockAge.count()) + " s");
      continue;
    }
    std::error_code rmEc;
    if (!fs::remove(it->path(), rmEc) && rmEc) {
      throw RepositoryError("removing the stale lock " + what + ": " + rmEc.message());
    }
    out.push_back("removed the stale lock " + what + ", left by a writer that died");
  }
  if (ec)
    throw RepositoryError("looking for stale locks in " + gitDir.string() + ": " + ec.message());
  return out;
}

void PolicyRepository::createWithdrawalTag(const core::DocumentId& doc, EditionNo no,
                                           const std::string& message, const core::Person& by,
                                           Instant at, std::chrono::minutes offset) {
  std::lock_guard lock(mu_);
  auto found = findEditions(repo_, doc);
  auto it = std::find_if(found.begin(), found.end(),
                         [&](const FoundEdition& fe) { return fe.edition.no == no; });
  if (it == found.end()) throw NotFound("no edition " + no.str() + " of " + doc.str());
  if (it->edition.withdrawal) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " is already withdrawn");
  }
  const std::string name = doc.str() + "/withdrawn/" + no.str();
  git_object* target = nullptr;
  check(git_object_lookup(&target, repo_, &it->tag, GIT_OBJECT_TAG), "reading the edition's tag");
  ObjectPtr targetObj(target);
  auto sig = signature(by, at, offset);
  git_oid tagId;
  check(git_tag_annotation_create(&tagId, repo_, name.c_str(), targetObj.get(), sig.get(),
                                  message.c_str()),
        "writing the tag of " + name);
  const std::string ref = "refs/tags/" + name, log = "charta: withdraw " + doc.str();
  int rc = createAbsentRef(repo_, ref, tagId, log);
  if (rc == GIT_ELOCKED && clearLock(ref)) rc = createAbsentRef(repo_, ref, tagId, log);
  if (rc == GIT_EEXISTS || rc == GIT_ELOCKED || rc == GIT_EMODIFIED) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " was withdrawn at the same time");
  }
  check(rc, "creating refs/tags/" + name);
}

}  // namespace charta::repository
