#include "core/tar.h"

#include <cstring>

#include "core/error.h"

namespace charta::core {

namespace {

constexpr std::size_t kBlock = 512;

// "value" in octal, zero-padded to width - 1 digits and a NUL, at "field". throws InvalidInput:
// it does not fit (a file of 8 GiB or more).
void octal(char* field, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0; value >>= 3)
    field[i] = static_cast<char>('0' + (value & 7));
  if (value != 0) throw InvalidInput("a file too large for a tar header");
  field[width - 1] = '\0';
}

void checkName(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '/' ||
      name.find('\0') != std::string::npos ||
      ("/" + name + "/").find("/../") != std::string::npos) {
    throw InvalidInput("\"" + name + "\" cannot name a file in a tar archive");
  }
}

std::string header(const TarFile& f, std::int64_t mtime) {
  checkName(f.name);
  char h[kBlock];
  std::memset(h, 0, kBlock);
  std::memcpy(h, f.name.data(), f.name.size());   // name[100]
  octal(h + 100, 8, f.executable ? 0755 : 0644);  // mode
  octal(h + 108, 8, 0);                           // uid
  octal(h + 116, 8, 0);                           // gid
  octal(h + 124, 12, f.bytes.size());             // size
  octal(h + 136, 12, static_cast<std::uint64_t>(mtime < 0 ? 0 : mtime));
  h[156] = '0';                      // typeflag: a regular file
  std::memcpy(h + 257, "ustar", 6);  // magic "ustar\0"
  std::memcpy(h + 263, "00", 2);     // version
  // The checksum: the sum of the header's bytes with its own field taken as eight spaces.
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : std::string_view(h, kBlock)) sum += c;
  octal(h + 148, 7, sum);  // six digits and a NUL; the eighth byte stays a space
  return std::string(h, kBlock);
}

}  // namespace

std::string ustarArchive(const std::vector<TarFile>& files, std::int64_t mtime) {
  std::string out;
  for (const TarFile& f : files) {
    out += header(f, mtime);
    out += f.bytes;
    out.append((kBlock - f.bytes.size() % kBlock) % kBlock, '\0');
  }
  out.append(2 * kBlock, '\0');
  return out;
}

}  // namespace charta::core
