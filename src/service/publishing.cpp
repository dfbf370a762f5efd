#include "service/publishing.h"

#include <algorithm>

#include "core/publication.h"
#include "repository/registry_xml.h"

namespace charta::service {

using core::Edition;
using core::Instant;

namespace {

// Every later publication of the same draft that lost a race to another publisher in between
// reads the timeline again; after this many, the Conflict goes to the caller.
constexpr int kWriteAttempts = 4;

void refuse(const core::Refusal& refusal) {
  if (refusal) throw InvalidInput(*refusal);
}

void refuseOnReplica(const PublishingOptions& options) {
  if (options.replica) {
    throw ReplicaReadOnly(
        "this repository is a replica (repository.replica=true): publish and withdraw on the "
        "primary");
  }
}

// "doc" as charta.xml declares it at "commit", with that charta.xml.
// throws InvalidInput: charta.xml is missing or invalid there, or does not declare "doc".
std::pair<core::Registry, core::Document> documentAt(const repository::PolicyRepository& repo,
                                                     const core::DocumentId& doc,
                                                     const core::CommitId& commit) {
  core::Registry reg = repo.registry(commit);
  const core::Document* d = reg.document(doc);
  if (!d) {
    throw InvalidInput("charta.xml at " + commit.str() + " declares no document \"" + doc.str() +
                       "\"");
  }
  core::Document document = *d;
  return {std::move(reg), std::move(document)};
}

core::TextFiles textFiles(const repository::PolicyRepository& repo, const core::Document& doc,
                          const core::CommitId& commit) {
  core::TextFiles out;
  for (const core::Lang& lang : doc.langs) {
    auto text = repo.text(doc, commit, lang);  // at its path, else a previous one
    out.emplace(lang.str(),
                text ? std::optional<std::string>(std::move(text->bytes)) : std::nullopt);
  }
  return out;
}

// The texts of each edition a new one must differ from; nullopt for one whose charta.xml is
// missing or does not declare "doc".
std::vector<core::EditionTexts> textsInPlay(const repository::PolicyRepository& repo,
                                            const core::DocumentId& doc,
                                            const std::vector<const Edition*>& inPlay) {
  std::vector<core::EditionTexts> out;
  for (const Edition* e : inPlay) {
    core::EditionTexts et{e, std::nullopt};
    if (auto xml = repo.readFile(e->registryAt.value_or(e->commit), repository::kRegistryFile)) {
      core::Registry reg = repository::parseRegistry(*xml);
      if (const core::Document* d = reg.document(doc)) et.texts = textFiles(repo, *d, e->commit);
    }
    out.push_back(std::move(et));
  }
  return out;
}

// What core::lint looks at: every text charta.xml names for "doc" at "commit", and whether each
// translation lags behind the controlling text.
core::LintInput lintInput(const repository::PolicyRepository& repo, const core::DocumentId& doc,
                          const core::CommitId& commit, std::optional<Instant> effectiveFrom,
                          std::chrono::minutes offset) {
  auto [reg, document] = documentAt(repo, doc, commit);
  core::LintInput in{.document = document,
                     .registryPath = repository::kRegistryFile,
                     .registryXml = repo.readFile(commit, repository::kRegistryFile).value_or(""),
                     .baseUrl = reg.baseUrl,
                     .texts = {},
                     .effectiveFrom = effectiveFrom,
                     .effectiveOffset = offset};
  std::vector<std::string> files;
  for (const core::Lang& lang : document.langs) {
    const std::string* path = document.file(lang);
    if (!path) continue;
    auto text = repo.text(document, commit, lang);  // at its path, else a previous one
    if (!text) {
      in.texts.push_back({lang, *path, std::nullopt, false});
    } else {
      in.texts.push_back({lang, text->path, std::move(text->bytes), false});
    }
    files.push_back(in.texts.back().path);
  }
  // One text cannot lag: the history is walked only for translations.
  if (in.texts.size() > 1) core::markLagging(in.texts, document, repo.lastChanges(commit, files));
  return in;
}

// Edition "e" as the lint compares a new one with it (purpose-moved): its catalogue and its text
// in the controlling language of "now"; nullopt when its charta.xml or that text is missing.
std::optional<core::LintPrevious> previousOf(const repository::PolicyRepository& repo,
                                             const core::DocumentId& doc, const Edition& e,
                                             const core::Document& now) {
  try {
    auto [reg, before] = documentAt(repo, doc, e.commit);
    auto text = repo.text(before, e.commit, now.controllingLang);
    if (!text) return std::nullopt;
    return core::LintPrevious{e.no.str(), before.purposes, std::string(text->body())};
  } catch (const InvalidInput&) {
    return std::nullopt;  // its charta.xml no longer parses: nothing to compare with
  }
}

}  // namespace

// The revision to publish as charta.xml declares the document there, and its controlling text.
struct Publishing::Draft {
  core::CommitId revision;
  core::Document doc;
  std::string body;  // the controlling language's text without front matter; empty when missing
};

Publishing::Publishing(repository::PolicyRepository& repo, PublishingOptions options)
    : repo_(repo), options_(options) {}

Publishing::Draft Publishing::readDraft(const PublishRequest& req) const {
  const core::CommitId revision = req.revision ? *req.revision : repo_.head();
  if (!repo_.onBranch(revision)) {
    throw InvalidInput("revision " + revision.str() + " is not on " + repo_.branch());
  }
  core::Document doc = documentAt(repo_, req.doc, revision).second;
  auto controlling = repo_.text(doc, revision, doc.controllingLang);
  std::string body = controlling ? controlling->body() : "";
  return Draft{revision, std::move(doc), std::move(body)};
}

core::Person Publishing::whoActs(const std::optional<core::Person>& asked) const {
  if (asked) return *asked;
  std::optional<core::Person> configured = repo_.gitUser();
  return configured && core::isPersonSafe(*configured) ? *configured : core::defaultPublisher();
}

core::Edition Publishing::publish(const PublishRequest& req, Instant now, PublishNotes* notes) {
  refuseOnReplica(options_);
  const Draft draft = readDraft(req);
  refuse(core::textRefusal(draft.doc, draft.body, draft.revision));
  refuse(core::termsRefusal(draft.doc, req.material, req.renewPurposes, req.summary, req.force));
  const Instant publishedAt = now;  // to the millisecond: the tag's Published-At
  const Instant effective = req.effectiveFrom ? *req.effectiveFrom : publishedAt;
  refuse(core::backdating(effective, publishedAt, req.effectiveOffset));
  if (auto r = core::noticeRefusal(draft.doc, req.material, effective, publishedAt,
                                   req.effectiveOffset)) {
    throw NoticeRefused(*r);
  }
  const core::Person publisher = whoActs(req.publisher);
  if (!core::isPersonSafe(publisher)) throw InvalidInput("invalid publisher name or e-mail");
  const ApprovalState approved = approvals(req.doc, draft.revision);
  if (auto r =
          core::approvalsRefusal(draft.doc, approved.counted, draft.revision, approved.author)) {
    throw ApprovalsMissing(*r);
  }

  PublishNotes ownNotes;
  PublishNotes& out = notes ? *notes : ownNotes;
  out = PublishNotes{};
  review(draft, req, effective, out);

  Edition e{req.doc,        *core::EditionNo::of(1),
            draft.revision, publishedAt,
            effective,      req.effectiveOffset,
            req.material,   req.renewPurposes,
            req.summary,    publisher,
            req.force,      std::nullopt};
  if (draft.doc.approvals > 0) e.approvedBy = approved.counted;
  return write(draft, req, std::move(e), now);
}

ApprovalState Publishing::approvals(const core::DocumentId& doc,
                                    const core::CommitId& revision) const {
  if (!repo_.onBranch(revision)) {
    throw InvalidInput("revision " + revision.str() + " is not on " + repo_.branch());
  }
  const core::Document d = documentAt(repo_, doc, revision).second;
  ApprovalState out{doc, revision,   repo_.author(revision), repo_.approvals(doc, revision),
                    {},  d.approvals};
  out.counted = core::countedApprovers(out.recorded, revision, out.author);
  return out;
}

ApprovalState Publishing::approve(const core::DocumentId& doc, const core::CommitId& revision,
                                  const std::optional<core::Person>& by, Instant now) {
  refuseOnReplica(options_);
  const core::Person person = whoActs(by);
  if (!core::isPersonSafe(person)) throw InvalidInput("invalid name or e-mail of who approves");
  ApprovalState state = approvals(doc, revision);
  const bool already =
      std::any_of(state.recorded.begin(), state.recorded.end(),
                  [&](const core::Approval& a) { return core::samePerson(a.by, person); });
  if (already) return state;
  repo_.recordApproval(core::Approval{doc, revision, person, now}, core::kKazakhstanOffset);
  return approvals(doc, revision);
}

void Publishing::review(const Draft& draft, const PublishRequest& req, Instant effective,
                        PublishNotes& out) const {
  // The lint, against the latest edition not withdrawn: its defects were accepted when it was
  // published (forced, if they were errors), so only new errors refuse this one.
  const core::Timeline before = repo_.timeline(req.doc);
  const Edition* previous = core::lintBaseline(before);
  out.lint = lintAt(req.doc, draft.revision, effective, req.effectiveOffset, previous);
  if (auto refusal = core::lintRefusal(out.lint, req.doc); refusal && !req.force) {
    throw LintRefused(*refusal, out.lint);
  }
  out.warnings = core::lintWarnings(out.lint);
  if (!previous) return;
  try {
    auto [reg, prevDoc] = documentAt(repo_, req.doc, previous->commit);
    auto prevText = repo_.text(prevDoc, previous->commit, draft.doc.controllingLang);
    if (!prevText) return;
    core::PurposeNotes touched =
        core::touchedPurposes(prevText->body(), prevDoc.purposes, previous->no, draft.body,
                              draft.doc, req.material, req.renewPurposes);
    out.suggestedRenewPurposes = std::move(touched.suggested);
    out.warnings.insert(out.warnings.end(), touched.warnings.begin(), touched.warnings.end());
  } catch (const InvalidInput&) {
    // The previous edition's charta.xml no longer parses: nothing to compare with.
  }
}

// Editions are numbered in the order of publication (core::publicationOrder): an edition that
// took the number before this one after this publication read its clock (another process, on a
// lost race) moves this one's moment to its own, when this edition is written after it anyway. An
// effective moment asked for must still not be before it, nor inside the notice period.
void Publishing::keepOrder(Edition& e, const core::Timeline& tl, const PublishRequest& req,
                           const core::Document& doc) {
  const Edition* previous = tl.latest();
  if (!previous || previous->publishedAt <= e.publishedAt) return;
  e.publishedAt = previous->publishedAt;
  if (!req.effectiveFrom) e.effectiveFrom = e.publishedAt;
  refuse(core::backdating(e.effectiveFrom, e.publishedAt, e.effectiveOffset));
  if (auto r =
          core::noticeRefusal(doc, e.material, e.effectiveFrom, e.publishedAt, e.effectiveOffset)) {
    throw NoticeRefused(*r);
  }
}

core::Edition Publishing::write(const Draft& draft, const PublishRequest& req, Edition e,
                                Instant now) {
  const core::TextFiles texts = textFiles(repo_, draft.doc, draft.revision);
  for (int attempt = 1;; ++attempt) {
    const core::Timeline tl = repo_.timeline(req.doc);
    const std::vector<const Edition*> inPlay = core::editionsInPlay(tl, now);
    refuse(core::repeatedText(texts, draft.revision, textsInPlay(repo_, req.doc, inPlay), tl, now));
    e.no = core::nextEditionNo(tl);
    if (auto refusal = core::unexpectedEdition(req.doc, e.no, req.expectedNo)) {
      throw UnexpectedEdition(*refusal);
    }
    keepOrder(e, tl, req, draft.doc);
    try {
      return repo_.createEditionTag(req.doc, e.no, e.commit, core::editionMessage(e), e.publisher,
                                    e.publishedAt, e.effectiveOffset);
    } catch (const repository::EditionNumberTaken&) {
      // Published by another writer since the timeline was read: judge again what is now.
      if (attempt == kWriteAttempts) throw;
    }
  }
}

core::Edition Publishing::withdraw(const core::DocumentId& doc, core::EditionNo no,
                                   const std::string& reason, const std::optional<core::Person>& by,
                                   Instant now) {
  refuseOnReplica(options_);
  refuse(core::reasonRefusal(reason));
  const core::Person person = whoActs(by);
  if (!core::isPersonSafe(person)) throw InvalidInput("invalid name or e-mail of who withdraws");
  const core::Timeline tl = repo_.timeline(doc);
  const Edition* e = tl.edition(no);
  if (!e) throw NotFound("no edition " + no.str() + " of " + doc.str());
  if (e->withdrawal) {
    throw Conflict("edition " + no.str() + " of " + doc.str() + " is already withdrawn");
  }
  refuse(core::tookEffect(*e, now));
  const Instant at = now;  // to the millisecond: the tag's Withdrawn-At
  repo_.createWithdrawalTag(doc, no,
                            core::withdrawalMessage(doc, no, reason, at, e->effectiveOffset),
                            person, at, e->effectiveOffset);
  Edition out = *e;
  out.withdrawal = core::Withdrawal{at, person, reason};
  return out;
}

core::LintReport Publishing::lintAt(const core::DocumentId& doc, const core::CommitId& commit,
                                    std::optional<Instant> effectiveFrom,
                                    std::chrono::minutes offset, const Edition* baseline) const {
  core::LintInput input = lintInput(repo_, doc, commit, effectiveFrom, offset);
  if (baseline) input.previous = previousOf(repo_, doc, *baseline, input.document);
  core::LintReport report = core::lint(input);
  if (baseline) {
    try {
      core::LintReport accepted = lintAt(doc, baseline->commit, baseline->effectiveFrom,
                                         baseline->effectiveOffset, nullptr);
      core::markInherited(report, accepted, baseline->no.str());
    } catch (const InvalidInput&) {
      // The baseline's charta.xml does not declare the document: nothing is inherited.
    }
  }
  return report;
}

LintResult Publishing::lint(const core::DocumentId& doc, const core::CommitId& commit,
                            std::optional<Instant> effectiveFrom, std::chrono::minutes offset,
                            std::optional<core::EditionNo> edition) const {
  const core::Timeline tl = repo_.timeline(doc);
  const Edition* baseline = core::lintBaseline(tl, edition);
  LintResult out;
  out.report = lintAt(doc, commit, effectiveFrom, offset, baseline);
  if (baseline) out.baseline = baseline->no;
  return out;
}

}  // namespace charta::service
