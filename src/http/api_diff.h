#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/diff.h"
#include "core/edition.h"
#include "http/api.h"
#include "repository/policy_repository.h"

namespace charta::http {

// One side of a redline: an edition ("v3") or a commit, as the caller named it.
struct DiffSide {
  std::string revision;                    // "v3", or the 40-hex commit id
  core::CommitId commit;                   // what it is at
  std::optional<core::Edition> edition{};  // when it is an edition (or a commit that is one)
};

// The redline of one document between two revisions, in one language.
struct RevisionDiff {
  DiffSide from;
  DiffSide to;
  core::Lang lang;
  core::DocumentDiff diff{};
};

// Compares "doc" at revision "from" with revision "to" ("v<N>" or a full commit id on the
// branch) in "lang" (default: the controlling language at "to"); purposes from charta.xml at
// each side.
// throws InvalidInput: a revision is neither v<N> nor a commit id, or charta.xml is invalid.
// throws NotFound: no such edition, commit on the branch, document or text in that language.
// throws RepositoryError: the repository cannot be read.
RevisionDiff diffRevisions(const repository::PolicyRepository& repo, const core::DocumentId& doc,
                           std::string_view from, std::string_view to,
                           const std::optional<core::Lang>& lang);

// The JSON of a redline, for GET /api/v1/documents/{doc}/diff and `charta diff --json`:
//   {document, lang, from: {revision, edition|null, commit}, to: {...},
//    summary: {unchanged, changed, moved, added, removed, split, merged},
//    touched_purposes: [id...],
//    clauses: [{status, kind: clause|heading|preamble, old_number|null, new_number|null,
//               text_changed, purposes: [id...],
//               ops: [{op: equal|delete|insert, text, space_before}]}]}
// Unchanged clauses are listed without their words (ops: []).
Poco::JSON::Object::Ptr diffJson(const core::DocumentId& doc, const RevisionDiff& d);

// GET /api/v1/documents/{doc}/diff?from=&to=[&lang=]: the redline as JSON. Between two editions
// it is public and immutable (cached for a year); naming a draft commit needs role legal or
// auditor. "from" defaults to the edition before "to" (or to the latest edition when "to" is a
// commit), "to" to the latest edition. Safe for concurrent use.
std::unique_ptr<ApiModule> makeDiffApi(repository::PolicyRepository& repo);

}  // namespace charta::http
