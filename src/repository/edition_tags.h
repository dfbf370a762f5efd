#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/publication.h"
#include "repository/policy_repository.h"

// Reading the editions of a document from its tags under the rules of publication, over any
// reader of git objects: libgit2 for the repository, the git CLI for the server-side hook, so
// that both judge tags the same way. Internal to src/repository.
namespace charta::repository::tags {

// A ref under refs/tags/<doc>/ and the object it names.
struct TagRef {
  std::string name;    // after "refs/tags/": "personal-data/v3"
  std::string target;  // 40 hex
  bool symbolic = false;
};

// An object as git stores it.
struct RawObject {
  std::string type;  // "commit", "tag", "tree", "blob"
  std::string bytes;
};

// Where the reading gets what git holds. Every object asked for is named by a ref or a tag: one
// that cannot be read throws (damage, or out of descriptors), never reads as absent.
class TagReader {
 public:
  virtual ~TagReader() = default;
  // The refs under refs/tags/<doc>/.
  virtual std::vector<TagRef> tagRefs(const core::DocumentId& doc) = 0;
  // The object "id".
  virtual RawObject object(const std::string& id) = 0;
  // charta.xml at commit "id"; nullopt when the commit has no such file.
  virtual std::optional<std::string> registryAt(const std::string& id) = 0;
};

// An edition as found in the refs, with the id of its tag object (a withdrawal points at it) and
// charta.xml's entry at its commit.
struct FoundEdition {
  core::Edition edition;
  std::string tag;  // 40 hex
  core::Document document;
};

struct FoundEditions {
  std::vector<FoundEdition> editions;  // by number
  std::vector<TagProblem> problems;    // by ref
  // The numbers of the refs named as charta names editions, whatever they hold.
  std::vector<int> numbersTaken;

  const FoundEdition* find(core::EditionNo no) const;
  const TagProblem* problem(const core::TagName& name) const;
  // The number the next edition gets: one above the highest edition.
  core::EditionNo next() const;
};

// Reads the editions and withdrawals of "doc" (see PolicyRepository::editions).
FoundEditions readEditions(TagReader& reader, const core::DocumentId& doc);

// Reads edition tag "name" (the object "id") after those of "found": appends it when it is an
// edition (core::readEditionTag, charta.xml at its commit declares the document,
// core::publicationOrder against the last one), else returns why not.
core::Refusal readEdition(TagReader& reader, FoundEditions& found, const core::TagName& name,
                          const std::string& id);

// Reads withdrawal tag "name" (the object "id"): sets the withdrawal of its edition in "found"
// when it is one (core::readWithdrawalTag), else returns why not.
core::Refusal readWithdrawal(TagReader& reader, FoundEditions& found, const core::TagName& name,
                             const std::string& id);

}  // namespace charta::repository::tags
