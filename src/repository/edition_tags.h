#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
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

// What a reading of tags learnt from git objects, kept for the next reading: an object never
// changes under its id, so a later reading reuses it exactly and reads only the tags and commits
// it has not seen (a refresh costs what changed, not every edition). Grows with the tags and
// commits of editions, as the record of editions does. Not thread-safe: its reader's owner
// serialises the readings.
struct ReadMemo {
  struct Tag {  // a tag object, or why the object is not one
    std::optional<core::TagObject> tag;
    std::string why;
  };
  struct Parsed {  // charta.xml parsed, or why it is invalid
    std::shared_ptr<const core::Registry> registry;
    std::string invalid;
  };
  std::unordered_map<std::string, Tag> tags;  // by object id
  // charta.xml at a commit (nullptr: the commit has none), by commit id.
  std::unordered_map<std::string, std::shared_ptr<const Parsed>> atCommit;
  // charta.xml by its bytes: commits that share the file share its parsing (within one reading
  // as well, so a cold reading parses each version of charta.xml once).
  std::map<std::string, std::shared_ptr<const Parsed>, std::less<>> byBytes;
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

  // Where what was read is kept between readings; nullptr: nothing is kept.
  ReadMemo* memo = nullptr;
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
