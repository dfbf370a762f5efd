#include "repository/git_handles.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace charta::repository::git {

void RepoFree::operator()(git_repository* repo) const noexcept { git_repository_free(repo); }

void ensureInitialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, kOpenPackLimit);
  });
}

std::string lastError() {
  const git_error* e = git_error_last();  // thread-local; may be NULL
  return e && e->message ? e->message : "libgit2 error";
}

namespace {

std::atomic<uint64_t> transients{0};

[[noreturn]] void throwTransient(const std::string& message) {
  transients.fetch_add(1);
  throw RepositoryUnavailable(message);
}

}  // namespace

uint64_t transientErrors() { return transients.load(); }

void check(int rc, std::string_view doing) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();  // thread-local; may be NULL
  const std::string message = std::string(doing) + ": " + lastError();
  if (e && (e->klass == GIT_ERROR_OS || e->klass == GIT_ERROR_NOMEMORY)) throwTransient(message);
  throw RepositoryError(message);
}

bool outOfDescriptors() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == EMFILE || errno == ENFILE;
}

void missingObject(const std::string& what) {
  if (outOfDescriptors()) {
    throw RepositoryUnavailable(what +
                                " cannot be read now: the process is out of file descriptors");
  }
  throw RepositoryError(what + " is missing from the object database");
}

RepoPtr openRepo(const std::filesystem::path& path) {
  git_repository* r = nullptr;
  int rc = git_repository_open_ext(&r, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepoPtr repo(r);
  if (rc == GIT_ENOTFOUND) {
    if (outOfDescriptors()) missingObject("the repository at " + path.string());
    throw RepositoryError("no policy repository at " + path.string() + " (run `charta init`)");
  }
  check(rc, "opening the policy repository at " + path.string());
  return repo;
}

std::string toHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

git_oid toOid(const core::CommitId& id) {
  git_oid oid;
  git_oid_fromstr(&oid, id.str().c_str());
  return oid;
}

core::Person personOf(const git_signature* s) {
  return core::Person{s && s->name ? s->name : "", s && s->email ? s->email : ""};
}

SignaturePtr signature(const core::Person& p, core::Instant when, std::chrono::minutes offset) {
  git_signature* sig = nullptr;
  const std::string email = p.email.empty() ? "unknown@charta.invalid" : p.email;
  check(git_signature_new(&sig, p.name.c_str(), email.c_str(), core::toUnixSeconds(when),
                          static_cast<int>(offset.count())),
        "creating the tagger signature");
  return SignaturePtr(sig);
}

CommitPtr lookupCommit(git_repository* repo, const core::CommitId& id) {
  git_oid oid = toOid(id);
  git_commit* c = nullptr;
  int rc = git_commit_lookup(&c, repo, &oid);
  CommitPtr commit(c);
  if (rc == GIT_ENOTFOUND) {
    if (outOfDescriptors()) missingObject("commit " + id.str());
    throw NotFound("no commit " + id.str() + " in the policy repository");
  }
  check(rc, "reading commit " + id.str());
  return commit;
}

CommitPtr lookupCommit(git_repository* repo, const git_oid& id) {
  git_commit* c = nullptr;
  int rc = git_commit_lookup(&c, repo, &id);
  CommitPtr commit(c);
  if (rc == GIT_ENOTFOUND) missingObject("commit " + toHex(id));
  check(rc, "reading commit " + toHex(id));
  return commit;
}

OdbObjectPtr readObject(git_repository* repo, const git_oid& id) {
  git_odb* o = nullptr;
  check(git_repository_odb(&o, repo), "opening the object database");
  OdbPtr odb(o);
  git_odb_object* obj = nullptr;
  int rc = git_odb_read(&obj, odb.get(), &id);
  OdbObjectPtr object(obj);
  if (rc == GIT_ENOTFOUND) missingObject("object " + toHex(id));
  check(rc, "reading object " + toHex(id));
  return object;
}

CommitPtr firstParent(git_commit* commit) {
  if (git_commit_parentcount(commit) == 0) return nullptr;
  git_commit* p = nullptr;
  int rc = git_commit_parent(&p, commit, 0);
  CommitPtr parent(p);
  if (rc == GIT_ENOTFOUND) missingObject("the parent of commit " + toHex(*git_commit_id(commit)));
  check(rc, "reading a parent commit");
  return parent;
}

std::optional<git_oid> blobIdAt(git_commit* commit, const std::string& file) {
  git_tree* t = nullptr;
  int treeRc = git_commit_tree(&t, commit);
  TreePtr tree(t);
  if (treeRc == GIT_ENOTFOUND) missingObject("the tree of commit " + toHex(*git_commit_id(commit)));
  check(treeRc, "reading a commit's tree");
  git_tree_entry* e = nullptr;
  int rc = git_tree_entry_bypath(&e, tree.get(), file.c_str());
  TreeEntryPtr entry(e);
  if (rc == GIT_ENOTFOUND) return std::nullopt;  // no such path: the tree says so
  check(rc, "looking up " + file);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  return *git_tree_entry_id(entry.get());
}

std::optional<std::string> readBlobAt(git_repository* repo, git_commit* commit,
                                      const std::string& file) {
  auto id = blobIdAt(commit, file);
  if (!id) return std::nullopt;
  git_blob* b = nullptr;
  int rc = git_blob_lookup(&b, repo, &*id);
  BlobPtr blob(b);
  if (rc == GIT_ENOTFOUND) missingObject(file + " (blob " + toHex(*id) + ")");
  check(rc, "reading " + file);
  auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
}

}  // namespace charta::repository::git
