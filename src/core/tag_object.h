#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/edition.h"
#include "core/time.h"

namespace charta::core {

// An annotated git tag object as git stores it (`git cat-file tag <id>`):
//
//   object <40-hex id>
//   type commit|tag|tree|blob
//   tag <its own name>
//   tagger <name> <<email>> <unix seconds> <+hhmm>     (optional in git; charta always writes it)
//   <blank line>
//   <message>
//
// Both readers of tags — the repository through libgit2, and the server-side hook through the git
// CLI — read these bytes, so that the rules of publication judge the same facts.
struct TagObject {
  std::string target;      // 40 lower-case hex digits
  std::string targetType;  // "commit", "tag", "tree" or "blob"
  std::string name;        // the tag's own name, which need not be that of the ref naming it
  std::optional<Person> tagger;
  Instant taggerTime;                    // whole seconds; meaningful only with a tagger
  std::chrono::minutes taggerOffset{0};  // as written by the tagger
  std::string message;
};

// Parses the raw bytes of a tag object. Returns nullopt when they are not one: a missing or
// malformed object, type or tag header, or a tagger line without "<email> <seconds> <offset>".
// Unknown headers (encoding, ...) are skipped.
std::optional<TagObject> parseTagObject(std::string_view raw);

}  // namespace charta::core
