#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace charta::repository {

// One ref update a push asks for, as a pre-receive hook reads it on stdin: "<old> <new> <ref>",
// the all-zero id for a ref created (old) or deleted (new).
struct RefUpdate {
  std::string oldId;
  std::string newId;
  std::string ref;
  // nullopt for anything but three fields, two of them object ids.
  static std::optional<RefUpdate> parse(std::string_view line);
  bool creates() const;
  bool deletes() const;
};

// One refused update, and why: one line for the pusher.
struct PushRefusal {
  std::string ref;
  std::string reason;
};

// When and how leniently a push is judged.
struct PushRules {
  core::Instant received;             // the moment the server judges it
  std::chrono::seconds clockSkew{5};  // publishing.clock_skew_s
};

// Judges the ref updates of one push before git makes them, the rules of a server-side
// pre-receive hook (`charta hook pre-receive`); the push goes through only when nothing is
// refused:
//   - refs/tags/<doc>/v<N>, refs/tags/<doc>/withdrawn/v<N>, and any ref under refs/tags/<doc>/ of
//     a document with editions: never deleted or moved (core::tagRefChange);
//   - a new edition tag must be an edition under the rules of reading (tags::readEdition) and
//     what charta would write when the push is received (core::pushedEdition: the next number, its
//     moment within the clock skew); a new withdrawal likewise (tags::readWithdrawal,
//     core::pushedWithdrawal: not of an edition in force, in good time);
//   - refs/charta/*: created, or moved forward (a fast-forward); never deleted or rewritten.
// Everything else (branches) is left to git (receive.denyNonFastForwards, receive.denyDeletes).
// Reads the repository and the pushed objects with the git CLI in the environment git gives the
// hook (GIT_DIR; the push's objects in GIT_QUARANTINE_PATH through GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES), without libgit2.
// throws RepositoryError: git cannot be run, or an object a ref names cannot be read.
std::vector<PushRefusal> judgePush(const std::vector<RefUpdate>& updates, const PushRules& rules);

}  // namespace charta::repository
