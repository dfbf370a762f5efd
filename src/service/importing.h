#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/edition.h"
#include "core/time.h"
#include "repository/policy_repository.h"

// Importing the history a team kept in git before charta: every revision of a document's text on
// the branch's first-parent history becomes an imported edition (core::Edition::imported), with
// the date it really took effect. The one way an edition takes effect before it is published.
namespace charta::service {

// When revisions took effect: commit (40 hex) -> the moment.
using EffectiveDates = std::map<std::string, core::ZonedInstant>;

// Reads a dates file: one "<commit> <RFC 3339 moment>" a line (40-hex commit ids); blank lines
// and lines opening with "#" are skipped.
// throws InvalidInput: a line that is not one, naming its number; a commit named twice.
EffectiveDates parseEffectiveDates(std::string_view text);

struct ImportRequest {
  core::DocumentId doc;
  EffectiveDates dates;                 // a revision not named here took effect at its author time
  std::optional<core::CommitId> since;  // the oldest revision to import; nullopt: all
  core::Person importer;                // the tagger
};

// The editions an import would write, v1 the oldest revision, at "now" (nothing is written):
// one for each commit of PolicyRepository::textRevisions whose controlling text is there, read
// with charta.xml at PolicyRepository::registryCommit of it. Effective-From is the revision's
// date from "dates", else its author time but never later than "now"; the editions must take
// effect in the order of the history.
// throws Failure(kDocumentNotFound): charta.xml at the tip does not declare the document.
// throws Failure(kPublicationRefused): the document has editions or tags already, no revision
//   to import, a date later than "now", dates out of the order of the history, or a revision no
//   charta.xml speaks for (or whose text it cannot find: a missing previous-paths).
std::vector<core::Edition> planImport(const repository::PolicyRepository& repo,
                                      const ImportRequest& request, core::Instant now);

// Plans the import (planImport) and writes it (PolicyRepository::importEditions), all or nothing.
// Returns the editions as read back.
std::vector<core::Edition> importHistory(repository::PolicyRepository& repo,
                                         const ImportRequest& request, core::Instant now);

}  // namespace charta::service
