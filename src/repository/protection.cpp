// PolicyRepository: the protection of the record of editions where it lives (git's receive.*
// settings and a pre-receive hook), and the lock that orders withdrawals across processes.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "repository/git_handles.h"
#include "repository/policy_repository.h"

namespace charta::repository {

using namespace git;
namespace fs = std::filesystem;

namespace {

// The line by which charta knows its own hook.
constexpr const char* kHookMark = "# charta pre-receive hook";

// "text" quoted for sh: in single quotes, a single quote as '\''.
std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The pre-receive hook: charta judges the ref updates on stdin first, then the hook that was
// there before (if any) gets the same input. A missing charta refuses every push: the record
// stays protected until `charta protect` points the hook at a binary again.
std::string hookScript(const fs::path& charta, const std::vector<std::string>& args,
                       const fs::path& chained) {
  std::string call = "\"$charta\"";
  for (const auto& a : args) call += " " + shellQuote(a);
  return std::string("#!/bin/sh\n") + kHookMark +
         " (written by `charta protect`; run it again to re-point it).\n"
         "# Refuses, one line per ref, pushes that would delete, move or forge the record of\n"
         "# editions; then runs the hook that was here before, if any, with the same input.\n"
         "charta=" +
         shellQuote(charta.string()) + "\nchained=" + shellQuote(chained.string()) +
         "\n"
         "input=$(cat)\n"
         "if [ ! -x \"$charta\" ]; then\n"
         "  echo \"charta: the pre-receive hook cannot run $charta: push refused (run charta "
         "protect on the server)\" >&2\n"
         "  exit 1\n"
         "fi\n"
         "printf '%s\\n' \"$input\" | " +
         call +
         " hook pre-receive || exit 1\n"
         "if [ -x \"$chained\" ]; then\n"
         "  printf '%s\\n' \"$input\" | \"$chained\" \"$@\" || exit $?\n"
         "fi\n"
         "exit 0\n";
}

void setBool(git_config* config, const char* key, std::vector<std::string>& done) {
  check(git_config_set_bool(config, key, 1), std::string("setting ") + key);
  done.push_back(std::string(key) + " = true");
}

// Where git looks for hooks: core.hooksPath (relative to where hooks run: the work tree, or the
// git folder of a bare repository), else <git folder>/hooks.
fs::path hooksDir(git_repository* repo, git_config* config) {
  const fs::path gitDir = git_repository_path(repo);
  git_buf buf = GIT_BUF_INIT;
  int rc = git_config_get_path(&buf, config, "core.hooksPath");
  if (rc == GIT_ENOTFOUND) return gitDir / "hooks";
  check(rc, "reading core.hooksPath");
  fs::path configured(buf.ptr);
  git_buf_dispose(&buf);
  if (configured.is_absolute()) return configured;
  const char* workdir = git_repository_workdir(repo);
  return (workdir ? fs::path(workdir) : gitDir) / configured;
}

void writeHook(const fs::path& file, const std::string& script) {
  const fs::path tmp = file.string() + ".charta-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << script;
    out.flush();
    if (!out) throw RepositoryError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::permissions(tmp,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  if (!ec) fs::rename(tmp, file, ec);
  if (ec) throw RepositoryError("cannot install " + file.string() + ": " + ec.message());
}

}  // namespace

WithdrawalLock::~WithdrawalLock() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<WithdrawalLock> PolicyRepository::lockWithdrawals(
    std::chrono::milliseconds patience) const {
  fs::path file;
  {
    auto lock = locked();
    file = fs::path(git_repository_path(repo_.get())) / "charta-withdrawals";
  }
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == EACCES || errno == EROFS)) {
    // A repository this process may only read (a replica's, say): lock the file if it is there;
    // if it is not, no process has written a withdrawal here to be waited for.
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return std::make_unique<WithdrawalLock>(-1);
  }
  if (fd < 0) {
    if (errno == EMFILE || errno == ENFILE) {
      throw RepositoryUnavailable("opening " + file.string() + ": " +
                                  std::generic_category().message(errno));
    }
    throw RepositoryError("opening " + file.string() + ": " +
                          std::generic_category().message(errno));
  }
  auto held = std::make_unique<WithdrawalLock>(fd);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      throw RepositoryError("locking " + file.string() + ": " +
                            std::generic_category().message(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Unavailable(
          "a withdrawal by another process holds " + file.string() + "; nothing was written: retry",
          std::chrono::seconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return held;
}

Protection PolicyRepository::protect(const fs::path& charta, const std::vector<std::string>& args) {
  auto lock = locked();
  git_config* c = nullptr;
  check(git_repository_config(&c, repo_.get()), "reading the repository's configuration");
  ConfigPtr all(c);
  git_config* l = nullptr;
  check(git_config_open_level(&l, all.get(), GIT_CONFIG_LEVEL_LOCAL),
        "opening the repository's own configuration");
  ConfigPtr local(l);
  Protection out;
  setBool(local.get(), "receive.denyDeletes", out.done);
  setBool(local.get(), "receive.denyNonFastForwards", out.done);

  const fs::path dir = hooksDir(repo_.get(), all.get());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw RepositoryError("cannot create " + dir.string() + ": " + ec.message());
  out.hook = dir / "pre-receive";
  const fs::path chained = dir / "pre-receive.chained";
  if (fs::exists(out.hook) && readText(out.hook).find(kHookMark) == std::string::npos) {
    if (fs::exists(chained)) {
      throw InvalidInput(out.hook.string() + " is not charta's and " + chained.string() +
                         " exists too: merge them into " + chained.string() +
                         " by hand, then run charta protect again");
    }
    fs::rename(out.hook, chained, ec);
    if (ec) throw RepositoryError("cannot move " + out.hook.string() + ": " + ec.message());
    out.done.push_back("kept the pre-receive hook that was there as " + chained.string() +
                       ", run after charta's");
  }
  if (fs::exists(chained)) out.chained = chained;
  writeHook(out.hook, hookScript(charta, args, chained));
  out.done.push_back("installed " + out.hook.string() + " (runs " + charta.string() +
                     " hook pre-receive)");
  return out;
}

}  // namespace charta::repository
