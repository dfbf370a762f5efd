#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

// Internal to src/ledger: the permissions of a SQLite ledger's files (Options::fileGroup).
namespace charta::ledger::sql {

struct FileMode {
  mode_t mode = 0600;
  std::optional<gid_t> group;  // set: mode 0640 and this group
};

// 0600, or 0640 with the group named. throws StorageError: no such group.
FileMode fileModeFor(const std::optional<std::string>& group);

// Creates the ledger file "file" when it does not exist, as an empty SQLite database in WAL mode
// with "mode" whatever the umask (made under a temporary name and linked into place, so another
// process never sees a half-made file). Then, for the file and its -wal and -shm files where they
// exist: refuses them when users other than the owner (and the configured group) can write them,
// and gives those owned by this process the mode and group wanted (a ledger made by an older
// charta, 0644, becomes 0600).
// throws StorageError: the file cannot be made, or others can write one of the files.
void prepareLedgerFiles(const std::string& file, const FileMode& mode);

}  // namespace charta::ledger::sql
