// PolicyRepository: git lock files. A writer holds refs/tags/<doc>/v3.lock (packed-refs.lock,
// index.lock...) for milliseconds; one killed mid-way leaves it behind, and every later writer of
// that ref fails until it is removed. A lock at least staleLockAge old is taken for such a one.

#include <algorithm>
#include <filesystem>
#include <thread>

#include "repository/git_handles.h"
#include "repository/policy_repository.h"

namespace charta::repository {

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
      std::filesystem::path(git_repository_path(repo_.get())) / (ref + ".lock");
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
  auto lock = locked();
  const fs::path gitDir = git_repository_path(repo_.get());
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

}  // namespace charta::repository
