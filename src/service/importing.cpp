#include "service/importing.h"

#include <algorithm>
#include <sstream>

#include "core/publication.h"
#include "core/trailers.h"
#include "core/words.h"
#include "service/errors.h"

namespace charta::service {

namespace {

[[noreturn]] void refuse(const std::string& why) {
  throw Failure(Fault::kPublicationRefused, why + "; nothing was written");
}

std::string shortId(const core::CommitId& c) { return c.str().substr(0, 12); }

// Refuses an import of "doc" when it has editions, or tags that are none: imported history
// comes before the first edition.
void refuseWhenPublished(const repository::PolicyRepository& repo, const core::DocumentId& doc) {
  repository::DocumentEditions found = repo.editions(doc);
  const auto& editions = found.timeline.editions();
  if (!editions.empty()) {
    refuse(doc.str() + " has editions already (" + editions.front().no.str() + "–" +
           editions.back().no.str() + "): history is imported only before the first edition");
  }
  if (!found.problems.empty()) {
    refuse("refs/tags/" + doc.str() + "/ holds tags that are no editions (" +
           found.problems.front().str() + ")");
  }
}

// charta.xml's entry of "doc" for revision "commit", and where it was read.
core::Document documentFor(const repository::PolicyRepository& repo, const core::DocumentId& doc,
                           const core::CommitId& commit, std::optional<core::CommitId>& from) {
  from = repo.registryCommit(commit);
  if (!from) {
    refuse("revision " + commit.str() + " of " + doc.str() +
           " has no charta.xml and is older than none that was added on the branch");
  }
  core::Registry reg = repo.registry(*from);
  const core::Document* d = reg.document(doc);
  if (!d) refuse("charta.xml at " + from->str() + " does not declare " + doc.str());
  return *d;
}

// When revision "r" took effect: its date, else its author time, never later than "now".
core::ZonedInstant effectiveOf(const core::RevisionInfo& r, const EffectiveDates& dates,
                               core::Instant now) {
  auto it = dates.find(r.commit.str());
  if (it == dates.end()) return core::ZonedInstant{std::min(r.time, now), r.offset};
  if (it->second.instant > now) {
    refuse("the date of " + shortId(r.commit) + ", " +
           core::formatRfc3339(it->second.instant, it->second.offset) +
           ", is later than now: an imported edition records a text that already took effect");
  }
  return it->second;
}

}  // namespace

EffectiveDates parseEffectiveDates(std::string_view text) {
  EffectiveDates out;
  std::istringstream in{std::string(text)};
  size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string commit, moment, extra;
    fields >> commit >> moment >> extra;
    if (commit.empty() || commit[0] == '#') continue;
    auto id = core::CommitId::parse(commit);
    auto when = core::parseRfc3339Zoned(moment);
    const std::string where = "dates line " + std::to_string(number) + ": ";
    if (!id || !when || !extra.empty()) {
      throw InvalidInput(where + "want \"<40-hex commit> <RFC 3339 moment with an offset>\"");
    }
    if (!out.emplace(id->str(), *when).second) throw InvalidInput(where + commit + " again");
  }
  return out;
}

std::vector<core::Edition> planImport(const repository::PolicyRepository& repo,
                                      const ImportRequest& request, core::Instant now) {
  const core::DocumentId& doc = request.doc;
  core::Registry head = repo.registry(repo.head());
  const core::Document* tip = head.document(doc);
  if (!tip) {
    throw Failure(Fault::kDocumentNotFound,
                  "charta.xml at the branch tip declares no document \"" + doc.str() + "\"");
  }
  refuseWhenPublished(repo, doc);
  std::vector<core::RevisionInfo> revisions = repo.textRevisions(*tip, request.since);
  std::reverse(revisions.begin(), revisions.end());
  std::vector<core::Edition> out;
  for (const core::RevisionInfo& r : revisions) {
    std::optional<core::CommitId> from;
    core::Document d = documentFor(repo, doc, r.commit, from);
    auto text = repo.text(d, r.commit, d.controllingLang);
    if (!text && !repo.text(*tip, r.commit, tip->controllingLang)) continue;  // removed
    if (!text) {
      refuse("charta.xml at " + from->str() + " does not find the text of " + doc.str() + " at " +
             r.commit.str() + ": declare its old path with previous-paths there");
    }
    if (text->body().find_first_not_of(" \t\r\n") == std::string::npos) continue;
    core::ZonedInstant effective = effectiveOf(r, request.dates, now);
    if (!out.empty() && effective.instant < out.back().effectiveFrom) {
      refuse("revision " + shortId(r.commit) + " took effect at " +
             core::formatRfc3339(effective.instant, effective.offset) + ", before the revision " +
             shortId(out.back().commit) + " before it (" +
             core::formatRfc3339(out.back().effectiveFrom, out.back().effectiveOffset) +
             "): give its date in --dates");
    }
    core::Edition e{doc,
                    *core::EditionNo::of(static_cast<int>(out.size()) + 1),
                    r.commit,
                    now,
                    effective.instant,
                    effective.offset,
                    false,
                    {},
                    "",
                    request.importer,
                    std::nullopt,
                    std::nullopt};
    if (core::isTrailerSafe(r.subject(), 2000)) e.summary = r.subject();
    e.imported = true;
    if (*from != r.commit) e.registryAt = *from;
    out.push_back(std::move(e));
  }
  if (out.empty())
    refuse("no revision on the first-parent history changes the text of " + doc.str());
  return out;
}

std::vector<core::Edition> importHistory(repository::PolicyRepository& repo,
                                         const ImportRequest& request, core::Instant now) {
  std::vector<core::Edition> plan = planImport(repo, request, now);
  return repo.importEditions(request.doc, plan, request.importer, now, core::kKazakhstanOffset);
}

}  // namespace charta::service
