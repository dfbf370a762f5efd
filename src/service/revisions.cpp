#include "service/revisions.h"

#include <algorithm>
#include <map>
#include <set>

#include "service/errors.h"

namespace charta::service {

namespace {

std::string shortId(const core::CommitId& c) { return c.str().substr(0, 12); }

const core::Edition& editionOf(const core::Timeline& tl, const core::DocumentId& doc,
                               core::EditionNo no) {
  const core::Edition* e = tl.edition(no);
  if (!e) throw Failure(Fault::kEditionNotFound, "no edition " + no.str() + " of " + doc.str());
  return *e;
}

}  // namespace

Revisions::Revisions(const repository::PolicyRepository& repo, const Publishing& publishing)
    : repo_(repo), publishing_(publishing) {}

NamedRevision Revisions::resolve(const core::Timeline& tl, const core::RevisionSpec& spec) const {
  if (spec.edition) {
    const core::Edition* e = tl.edition(*spec.edition);
    if (!e) throw Failure(Fault::kEditionNotFound, "there is no edition " + spec.edition->str());
    return NamedRevision{e->no.str(), e->commit, *e};
  }
  repo_.readFile(*spec.commit, "charta.xml");  // NotFound: no such commit
  if (!repo_.onBranch(*spec.commit)) {
    throw Failure(Fault::kNotFound, "there is no commit " + spec.commit->str() + " on the branch");
  }
  NamedRevision named{spec.commit->str(), *spec.commit, std::nullopt};
  for (const core::Edition& e : tl.editions()) {
    if (e.commit == *spec.commit && !e.withdrawal) named.edition = e;
  }
  return named;
}

RevisionLog Revisions::log(const core::DocumentId& doc, size_t limit, bool all) const {
  core::Registry head = repo_.registry(repo_.head());
  const core::Document* d = head.document(doc);
  if (!d) {
    throw Failure(Fault::kDocumentNotFound,
                  "charta.xml at the branch tip declares no document \"" + doc.str() + "\"");
  }
  core::Timeline tl = repo_.timeline(doc);
  std::map<std::string, std::vector<core::EditionNo>> published;
  for (const auto& e : tl.editions()) published[e.commit.str()].push_back(e.no);
  RevisionLog log{doc, {}};
  std::set<std::string> editionCommits;
  for (const auto& [commit, editions] : published) editionCommits.insert(commit);
  for (auto& r : repo_.revisions(*d, limit, all, editionCommits)) {
    auto it = published.find(r.commit.str());
    std::vector<core::EditionNo> editions;
    if (it != published.end()) {
      editions = std::move(it->second);
      published.erase(it);
    }
    log.revisions.push_back(RevisionLog::Entry{std::move(r), std::move(editions)});
  }
  // An edition of a commit off the first-parent history (or past "limit") is shown all the same,
  // where its author time puts it.
  for (auto& [commit, editions] : published) {
    core::RevisionInfo info = repo_.revision(*core::CommitId::parse(commit));
    auto at = std::find_if(log.revisions.begin(), log.revisions.end(),
                           [&](const RevisionLog::Entry& e) { return e.info.time < info.time; });
    log.revisions.insert(at, RevisionLog::Entry{std::move(info), std::move(editions)});
  }
  if (log.revisions.size() > limit) {
    log.revisions.erase(log.revisions.begin() + static_cast<std::ptrdiff_t>(limit),
                        log.revisions.end());
  }
  return log;
}

ShownText Revisions::show(const core::DocumentId& doc, const std::optional<core::RevisionSpec>& at,
                          const std::optional<core::Lang>& lang, core::Instant now) const {
  core::Timeline tl = repo_.timeline(doc);
  core::CommitId commit = repo_.head();
  std::string label = "draft " + shortId(commit);
  if (at && at->edition) {
    const core::Edition& e = editionOf(tl, doc, *at->edition);
    commit = e.commit;
    label = e.no.str();
  } else if (at) {
    commit = *at->commit;
    label = shortId(commit);
  } else if (const core::Edition* e = tl.inForceAt(now)) {
    commit = e->commit;
    label = e->no.str();
  }
  core::Registry reg = repo_.registry(commit);
  const core::Document* d = reg.document(doc);
  if (!d) {
    throw Failure(Fault::kDocumentNotFound, "no document \"" + doc.str() + "\" at " + commit.str());
  }
  core::Lang l = lang.value_or(d->controllingLang);
  if (const core::Lang* own = d->language(l.str())) l = *own;  // tags are case-insensitive
  auto text = repo_.text(*d, commit, l);
  if (!text) {
    throw Failure(Fault::kTextNotFound, doc.str() + " has no text in " + l.str() + " at " + label);
  }
  std::string title = text->title.empty() ? d->title : text->title;
  return ShownText{doc, label, commit, l, std::move(title), std::move(*text)};
}

RevisionDiff Revisions::diff(const core::DocumentId& doc, std::optional<core::RevisionSpec> from,
                             std::optional<core::RevisionSpec> to,
                             const std::optional<core::Lang>& lang) const {
  core::Timeline tl = repo_.timeline(doc);
  // Defaults: the latest edition, and the one before it.
  if (!to) {
    if (!tl.latest()) {
      throw Failure(Fault::kDocumentNotFound, "No published document \"" + doc.str() + "\".");
    }
    to = core::RevisionSpec{tl.latest()->no, std::nullopt};
  }
  if (!from && to->edition) {
    if (to->edition->value() < 2) {
      throw Failure(Fault::kInvalidParameter, "Edition v1 has no edition before it: name from.");
    }
    from = core::RevisionSpec{core::EditionNo::of(to->edition->value() - 1), std::nullopt};
  } else if (!from) {
    if (!tl.latest()) throw Failure(Fault::kInvalidParameter, "Name from.");
    from = core::RevisionSpec{tl.latest()->no, std::nullopt};
  }
  NamedRevision a = resolve(tl, *from);
  NamedRevision b = resolve(tl, *to);
  core::Registry regA = repo_.registry(a.commit);
  core::Registry regB = repo_.registry(b.commit);
  const core::Document* docA = regA.document(doc);
  const core::Document* docB = regB.document(doc);
  if (!docA || !docB) {
    throw Failure(Fault::kDocumentNotFound, "charta.xml at " + (docA ? b : a).revision +
                                                " declares no document \"" + doc.str() + "\"");
  }
  core::Lang l = lang.value_or(docB->controllingLang);
  if (const core::Lang* own = docB->language(l.str())) l = *own;  // tags are case-insensitive
  const core::Lang* langA = docA->language(l.str());
  auto textA = repo_.text(*docA, a.commit, langA ? *langA : l);
  auto textB = repo_.text(*docB, b.commit, l);
  if (!textA || !textB) {
    throw Failure(Fault::kTextNotFound,
                  doc.str() + " has no " + l.str() + " text at " + (textA ? b : a).revision);
  }
  RevisionDiff out{std::move(a), std::move(b), l, {}};
  out.diff = core::diffTexts(textA->body(), textB->body(),
                             {docA->purposes, docB->purposes, docB->structure});
  return out;
}

LintRun Revisions::lint(const core::DocumentId& doc, const std::optional<core::RevisionSpec>& at,
                        const std::optional<core::ZonedInstant>& effectiveFrom,
                        core::Instant now) const {
  core::Timeline tl = repo_.timeline(doc);
  LintRun run{doc, "", "", repo_.head(), {}};
  run.revision = run.commit.str();
  run.label = "draft " + shortId(run.commit);
  const core::Edition* edition = nullptr;
  if (at && at->edition) {
    edition = &editionOf(tl, doc, *at->edition);
    run.commit = edition->commit;
    run.revision = run.label = edition->no.str();
  } else if (at) {
    repo_.readFile(*at->commit, "charta.xml");  // NotFound: no such commit
    if (!repo_.onBranch(*at->commit)) {
      throw Failure(Fault::kNotFound, "no commit " + at->commit->str() + " on the branch");
    }
    run.commit = *at->commit;
    run.revision = run.commit.str();
    run.label = shortId(run.commit);
  }
  // When it takes effect: the edition's own moment, or as publish would have it.
  std::optional<core::Instant> effective = now;
  std::chrono::minutes offset = core::kKazakhstanOffset;
  if (edition) {
    if (effectiveFrom) {
      throw Failure(Fault::kInvalidParameter,
                    "--effective-from is for drafts: edition " + run.label + " has its own");
    }
    effective = edition->effectiveFrom;
    offset = edition->effectiveOffset;
  } else if (effectiveFrom) {
    effective = effectiveFrom->instant;
    offset = effectiveFrom->offset;
  }
  run.result = publishing_.lint(doc, run.commit, effective, offset,
                                edition ? std::optional(edition->no) : std::nullopt);
  return run;
}

}  // namespace charta::service
