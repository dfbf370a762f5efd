#include "app/data_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

// Set for this file by the top-level CMakeLists.txt (install section).
#ifndef CHARTA_SOURCE_TREE
#define CHARTA_SOURCE_TREE "."
#endif
#ifndef CHARTA_BUILD_TREE
#define CHARTA_BUILD_TREE ""
#endif
#ifndef CHARTA_INSTALL_DATA_FROM_BIN
#define CHARTA_INSTALL_DATA_FROM_BIN "../share/charta"
#endif
#ifndef CHARTA_INSTALL_FULL_DATA
#define CHARTA_INSTALL_FULL_DATA "/usr/local/share/charta"
#endif

namespace charta::app {
namespace {

namespace fs = std::filesystem;

// Whether "path" is "dir" or lies below it, comparing whole components.
bool isWithin(const fs::path& path, const fs::path& dir) {
  if (dir.empty()) return false;
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

}  // namespace

std::string defaultDataDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return CHARTA_INSTALL_FULL_DATA;
  fs::path buildTree = fs::weakly_canonical(CHARTA_BUILD_TREE, ec);
  if (!ec && isWithin(exe, buildTree)) return CHARTA_SOURCE_TREE;
  return (exe.parent_path() / CHARTA_INSTALL_DATA_FROM_BIN).lexically_normal().string();
}

}  // namespace charta::app
