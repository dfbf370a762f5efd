#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "repository/policy_repository.h"

namespace charta::repository {

// One git object as the object database holds it: its type ("commit", "tree", "blob", "tag") and
// its payload, the bytes that `git hash-object -t <type> --stdin` hashes to its id.
struct RawObject {
  std::string id;  // 40 hex
  std::string type;
  std::string bytes;
};

// One entry of a raw tree object: "<mode> <name>\0<20-byte id>".
struct RawTreeEntry {
  std::string mode;  // "100644", "40000", ...
  std::string name;
  std::string id;  // 40 hex
};

// The entries of a tree object's payload. throws RepositoryError: not a tree's payload.
std::vector<RawTreeEntry> parseRawTree(std::string_view payload);

// The objects of the policy repository as raw payloads, for evidence a third party checks with
// git alone. Opens its own libgit2 handle; safe for concurrent use.
class RawObjects {
 public:
  // throws RepositoryError: no repository at "path".
  explicit RawObjects(const std::filesystem::path& path);
  ~RawObjects();
  RawObjects(const RawObjects&) = delete;
  RawObjects& operator=(const RawObjects&) = delete;

  // The object "id" (40 hex). throws InvalidInput: "id" is not 40 hex; RepositoryError: no such
  // object or it cannot be read; RepositoryUnavailable.
  RawObject read(const std::string& id) const;

 private:
  mutable std::mutex mu_;
  git::RepoPtr repo_;
};

}  // namespace charta::repository
