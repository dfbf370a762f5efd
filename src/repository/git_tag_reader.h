#pragma once

#include <git2.h>

#include "repository/edition_tags.h"

namespace charta::repository::git {

// The tags and objects of "repo" read through libgit2, for tags::readEditions. The caller holds
// the repository's lock while it is used.
class GitTagReader : public tags::TagReader {
 public:
  explicit GitTagReader(git_repository* repo) : repo_(repo) {}
  std::vector<tags::TagRef> tagRefs(const core::DocumentId& doc) override;
  tags::RawObject object(const std::string& id) override;
  std::optional<std::string> registryAt(const std::string& id) override;

 private:
  git_repository* repo_;
};

// The editions of "doc" in "repo" (tags::readEditions through libgit2), reusing and adding to
// "memo" when given.
tags::FoundEditions findEditions(git_repository* repo, const core::DocumentId& doc,
                                 tags::ReadMemo* memo = nullptr);

}  // namespace charta::repository::git
