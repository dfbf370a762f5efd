#include "repository/raw_objects.h"

#include "core/error.h"
#include "repository/git_handles.h"

namespace charta::repository {

namespace {

std::string hexOf(std::string_view raw) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

std::vector<RawTreeEntry> parseRawTree(std::string_view payload) {
  std::vector<RawTreeEntry> entries;
  while (!payload.empty()) {
    const std::size_t space = payload.find(' ');
    const std::size_t nul = payload.find('\0');
    if (space == std::string_view::npos || nul == std::string_view::npos || space > nul ||
        payload.size() < nul + 21) {
      throw RepositoryError("a tree object is malformed");
    }
    entries.push_back(RawTreeEntry{std::string(payload.substr(0, space)),
                                   std::string(payload.substr(space + 1, nul - space - 1)),
                                   hexOf(payload.substr(nul + 1, 20))});
    payload.remove_prefix(nul + 21);
  }
  return entries;
}

RawObjects::RawObjects(const std::filesystem::path& path) : repo_(git::openRepo(path)) {}

RawObjects::~RawObjects() = default;

RawObject RawObjects::read(const std::string& id) const {
  git_oid oid;
  if (id.size() != 40 || git_oid_fromstrn(&oid, id.data(), id.size()) != 0) {
    throw InvalidInput("\"" + id + "\" is not a git object id");
  }
  std::lock_guard lock(mu_);
  git::OdbObjectPtr object = git::readObject(repo_.get(), oid);
  const auto* data = static_cast<const char*>(git_odb_object_data(object.get()));
  RawObject raw;
  raw.id = git::toHex(oid);
  raw.type = git_object_type2string(git_odb_object_type(object.get()));
  raw.bytes.assign(data, git_odb_object_size(object.get()));
  return raw;
}

}  // namespace charta::repository
