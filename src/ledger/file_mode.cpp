#include "ledger/file_mode.h"

#include <fcntl.h>
#include <grp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <vector>

#include "core/sha256.h"
#include "ledger/ledger.h"
#include "ledger/sql_subjects.h"

namespace charta::ledger::sql {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  throw StorageError(what + ": " + std::generic_category().message(errno));
}

// An empty SQLite database in WAL mode at "path" (an existing empty file of the right mode).
void initialise(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db.get(), "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    throw StorageError("creating the consent ledger file " + path + ": " +
                       (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  }
}

void create(const std::string& file, const FileMode& m) {
  const std::string temp = file + ".new-" + core::toHex(randomBytes(8));
  {
    Fd f;
    f.fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (f.fd < 0) fail("creating the consent ledger file " + temp);
    if (::fchmod(f.fd, m.mode) != 0) fail("setting the mode of " + temp);
    if (m.group && ::fchown(f.fd, static_cast<uid_t>(-1), *m.group) != 0) {
      fail("giving " + temp + " its group");
    }
  }
  try {
    initialise(temp);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  // link() does not replace: another process that made the file first wins.
  if (::link(temp.c_str(), file.c_str()) != 0 && errno != EEXIST) {
    int e = errno;
    ::unlink(temp.c_str());
    errno = e;
    fail("creating the consent ledger file " + file);
  }
  ::unlink(temp.c_str());
}

void check(const std::string& path, const FileMode& m) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail("reading the mode of " + path);
  }
  const bool groupOk = m.group && st.st_gid == *m.group;
  if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && !groupOk)) {
    throw StorageError("the consent ledger file " + path + " can be written by other users (mode " +
                       octal(st.st_mode) + "): it is not opened; check it (charta ledger verify " +
                       "on a copy) and make it 0600 (chmod 600)");
  }
  if (st.st_uid != ::geteuid()) return;  // not ours to change
  if ((st.st_mode & 07777) != m.mode && ::chmod(path.c_str(), m.mode) != 0) {
    fail("setting the mode of " + path);
  }
  if (m.group && st.st_gid != *m.group &&
      ::chown(path.c_str(), static_cast<uid_t>(-1), *m.group) != 0) {
    fail("giving " + path + " its group");
  }
}

// The ledger's own folder (var/, say), made as private as the file: 0700, or 0750 with the file
// group and its setgid bit (the -wal and -shm files SQLite makes later then get the group).
// Its parent must exist: a mistyped path is not made.
void makeFolder(const std::string& folder, const FileMode& m) {
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    fail("the consent ledger's folder " + folder + " does not exist and cannot be made");
  }
  if (!m.group) return;
  if (::chown(folder.c_str(), static_cast<uid_t>(-1), *m.group) != 0 ||
      ::chmod(folder.c_str(), 02750) != 0) {
    fail("giving the consent ledger's folder " + folder + " its group");
  }
}

}  // namespace

FileMode fileModeFor(const std::optional<std::string>& group) {
  FileMode m;
  if (!group) return m;
  std::vector<char> buf(16384);
  struct group g {};
  struct group* found = nullptr;
  if (::getgrnam_r(group->c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found) {
    throw StorageError("the ledger's file group " + *group + " does not exist");
  }
  m.mode = 0640;
  m.group = found->gr_gid;
  return m;
}

void prepareLedgerFiles(const std::string& file, const FileMode& mode) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno != ENOENT) fail("reading the mode of " + file);
    const std::string folder =
        file.substr(0, file.rfind('/') == std::string::npos ? 0 : file.rfind('/'));
    if (!folder.empty() && ::stat(folder.c_str(), &st) != 0) makeFolder(folder, mode);
    create(file, mode);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) check(file + suffix, mode);
}

}  // namespace charta::ledger::sql
