#include "repository/git_handles.h"

#include <mutex>

namespace charta::repository::git {

void ensureInitialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
  });
}

std::string lastError() {
  const git_error* e = git_error_last();  // thread-local; may be NULL
  return e && e->message ? e->message : "libgit2 error";
}

void check(int rc, std::string_view doing) {
  if (rc >= 0) return;
  throw RepositoryError(std::string(doing) + ": " + lastError());
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

}  // namespace charta::repository::git
