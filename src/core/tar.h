#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace charta::core {

// One regular file of a tar archive.
struct TarFile {
  std::string name;  // relative, '/'-separated, 1-100 bytes, no ".." segment
  std::string bytes;
  bool executable = false;  // mode 0755 instead of 0644
};

// A POSIX ustar archive (POSIX.1-2001 pax format without extended headers) of "files" in the
// given order: one 512-byte header per file, its bytes padded to 512, then two zero blocks. Owner
// 0:0, modification time "mtime" (seconds since the epoch) for every file. Any tar reads it.
// Pure; safe for concurrent use. throws InvalidInput: a name that does not fit or is unsafe.
std::string ustarArchive(const std::vector<TarFile>& files, std::int64_t mtime);

}  // namespace charta::core
