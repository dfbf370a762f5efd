#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/edition.h"
#include "core/ids.h"
#include "core/lint.h"
#include "core/registry.h"
#include "core/tag_object.h"
#include "core/time.h"
#include "core/timeline.h"

// The rules of publication: what makes a revision of a document publishable as its next edition,
// what a publication or a withdrawal states in its tag, and how such a tag is read back. Pure: the
// application (service/publishing.h) gathers what they judge from the policy repository, applies
// them in the order below, and only then writes a tag.
//
// A rule that can refuse returns a Refusal: nullopt when it allows, else one line for the person
// who asked, saying what is wrong and, where there is one, the way out.
namespace charta::core {

using Refusal = std::optional<std::string>;

// ---- Who publishes --------------------------------------------------------------------------

// The tagger when neither the request nor the repository's git config names a valid one.
Person defaultPublisher();

// Whether "person" can be written as a tagger: a name of 1-200 bytes and an e-mail of 0-200
// bytes, each one trailer-safe line (isTrailerSafe) without "<" or ">" (git's e-mail brackets).
bool isPersonSafe(const Person& person);

// ---- The moment -----------------------------------------------------------------------------

// The moment an act recorded in a tag happened (a publication, a withdrawal). git keeps whole
// seconds in the tagger time, so charta also writes the moment to the millisecond in a trailer
// ("Published-At", "Withdrawn-At"): "stated" counts when it lies within the tagger's second
// "taggerTime", else the tagger time does.
Instant tagMoment(Instant taggerTime, std::optional<Instant> stated);

// No backdating: an edition takes effect when it is published (clause 9.2) or later, never
// earlier, to the millisecond. Refuses "effectiveFrom" before "publishedAt"; both are written at
// "offset".
Refusal backdating(Instant effectiveFrom, Instant publishedAt, std::chrono::minutes offset);

// ---- The text and the terms -----------------------------------------------------------------

// The text of "doc" at "revision" can be an edition: "controllingBody" (the controlling
// language's text without front matter) holds more than white space, and the clause of every
// purpose of the catalogue opens a paragraph or heading of it (core::clauseMarks). The first
// purpose whose clause is missing is named.
Refusal textRefusal(const Document& doc, std::string_view controllingBody,
                    const CommitId& revision);

// The terms asked for, checked in this order against "doc" as charta.xml declares it at the
// revision:
//   - every purpose of "renewPurposes" is in the catalogue of "doc";
//   - "renewPurposes" needs a material change ("material");
//   - "summary", when not empty, is one trailer-safe line of at most 2000 bytes;
//   - "force" (the reason to publish despite lint errors), when given, is one such line, not empty.
Refusal termsRefusal(const Document& doc, bool material,
                     const std::vector<PurposeId>& renewPurposes, const std::string& summary,
                     const std::optional<std::string>& force);

// The text files of one document at one revision: language tag (charta.xml's) -> the file's
// bytes, nullopt when the file is missing there.
using TextFiles = std::map<std::string, std::optional<std::string>>;

// The editions a new edition must differ from at "now": the one in force, then the upcoming ones
// (earliest effectiveFrom first).
std::vector<const Edition*> editionsInPlay(const Timeline& timeline, Instant now);

// An edition of "editionsInPlay" with its texts; nullopt when its charta.xml is missing or does
// not declare the document (then nothing is compared with it).
struct EditionTexts {
  const Edition* edition = nullptr;
  std::optional<TextFiles> texts;
};

// A publication must change something: refuses the draft at "revision" when its "draft" texts
// are those of one of "inPlay" (in that order): the same languages, and in each the same bytes
// (a file missing on either side is never the same). The message says whether that edition is in
// force at "now" or upcoming.
Refusal repeatedText(const TextFiles& draft, const CommitId& revision,
                     const std::vector<EditionTexts>& inPlay, const Timeline& timeline,
                     Instant now);

// ---- The number -----------------------------------------------------------------------------

// The number of the next edition: one above the latest (withdrawn ones count: numbers are never
// reused), v1 for the first.
EditionNo nextEditionNo(const Timeline& timeline);

// A caller that decided to publish from what it saw expects the edition to get "expected"; "next"
// is the number it would get now. Refuses any other number: someone published meanwhile.
Refusal unexpectedEdition(const DocumentId& doc, EditionNo next, std::optional<EditionNo> expected);

// ---- The lint -------------------------------------------------------------------------------

// The baseline of a lint: the edition whose findings were accepted when it was published (forced,
// if they were errors), so they do not block again. It is the latest edition never withdrawn; with
// "before", the latest such edition numbered below it (the lint of an edition's own commit is
// judged against the editions before it). nullptr: there is none.
// REQUIRES: the editions of "timeline" belong to one document. The result points into it.
const Edition* lintBaseline(const Timeline& timeline,
                            std::optional<EditionNo> before = std::nullopt);

// Which texts lag: a translation lags when it last changed further back in the history than the
// controlling text did. "changedAt" gives, for a text's path, how many commits back from the
// revision it last changed (larger: further back); a path it lacks is unknown. The controlling
// text never lags, nor does a text when its own or the controlling text's change is unknown.
// Sets LintText::lagging on every one of "texts" (of "doc").
void markLagging(std::vector<LintText>& texts, const Document& doc,
                 const std::map<std::string, size_t>& changedAt);

// Lint errors refuse a publication unless forced: the findings that block (LintFinding::blocks:
// errors the baseline did not have). The message counts them, quotes the first, points to
// `charta lint <doc>` when there are more, and names the way out.
Refusal lintRefusal(const LintReport& report, const DocumentId& doc);

// The lint findings a publication reports: one line for each finding the baseline did not have,
// "lint (forced): " before an error (published anyway only with a reason), "lint: " before a
// warning.
std::vector<std::string> lintWarnings(const LintReport& report);

// ---- The purposes touched -------------------------------------------------------------------

// What the publication of a text whose purpose clauses changed should consider.
struct PurposeNotes {
  std::vector<PurposeId> suggested;   // what Renew-Purposes should name if the change is material
  std::vector<std::string> warnings;  // one line each
};

// The purposes of "doc" whose clause has other words in "body" than in "previousBody", the
// controlling text of edition "previous" whose catalogue was "previousPurposes" (or that are new;
// diffTexts' touchedPurposes), in catalogue order. Each is suggested; each is a warning when the
// edition is not "material", or when it is but "renewPurposes" does not name it.
PurposeNotes touchedPurposes(std::string_view previousBody,
                             const std::vector<Purpose>& previousPurposes, EditionNo previous,
                             std::string_view body, const Document& doc, bool material,
                             const std::vector<PurposeId>& renewPurposes);

// ---- Review before publishing --------------------------------------------------------------
//
// charta.xml may ask, per document, for notice before a material edition takes effect
// (material-notice-days) and for approvals of the exact revision by people other than its author
// (approvals). An approval is recorded in git (PolicyRepository::approve), a publication names
// the approvers that counted in its Approved-By trailers.

// A material edition of "doc" takes effect at least doc.materialNoticeDays days after
// "publishedAt": refuses an earlier "effectiveFrom" (written at "offset"). Editions that are not
// material, and documents without a notice period, are never refused.
Refusal noticeRefusal(const Document& doc, bool material, Instant effectiveFrom,
                      Instant publishedAt, std::chrono::minutes offset);

// "Name <email>", or "Name" without an e-mail: an Approved-By trailer's value.
std::string formatPerson(const Person& p);
// The reverse of formatPerson; nullopt when "text" is not one (isPersonSafe fails).
std::optional<Person> parsePerson(std::string_view text);

// Whether "a" and "b" are the same person: the same name (case-insensitive), or the same e-mail
// (case-insensitive) when both have one that names a mailbox (placeholders under ".invalid",
// such as the API's, name no one).
bool samePerson(const Person& a, const Person& b);

// One approval of one revision of a document, as recorded in git.
struct Approval {
  DocumentId doc;
  CommitId revision;
  Person by;
  Instant at;  // to the millisecond (Approved-At within the author's second, else that second)
};

// The message of the record of "a": "Approve <doc> <commit>", then the trailer Approved-At.
// REQUIRES: isPersonSafe(a.by).
std::string approvalMessage(const Approval& a, std::chrono::minutes offset);

// Reads the record of an approval: "message" with author "author" at "authorTime". nullopt when
// it is not an approval of "revision" of "doc" (another subject, another commit, no author).
std::optional<Approval> readApproval(const DocumentId& doc, const CommitId& revision,
                                     std::string_view message, const Person& author,
                                     Instant authorTime);

// The approvers that count for "revision", written by "author": one per person (samePerson),
// never the author, only approvals of exactly "revision", in the order they were given.
std::vector<Person> countedApprovers(const std::vector<Approval>& approvals,
                                     const CommitId& revision, const Person& author);

// Refuses "revision" of "doc" until doc.approvals people other than "author" approved it:
// "counted" is countedApprovers.
Refusal approvalsRefusal(const Document& doc, const std::vector<Person>& counted,
                         const CommitId& revision, const Person& author);

// ---- The tags -------------------------------------------------------------------------------
//
// An edition is an annotated tag refs/tags/<doc>/v<N> of a commit; its withdrawal an annotated tag
// refs/tags/<doc>/withdrawn/v<N> of the edition's tag object. The rules below say what such a tag
// must be to count: publishing writes tags that pass them, the repository reads only tags that
// pass them (a tag that breaks one is not an edition: never served, reported), and the
// server-side hook refuses a push of a tag that breaks one (with the rules of a push on top).

// The name of a tag as charta names it, after "refs/tags/": "<doc>/v<N>", or "<doc>/withdrawn/v<N>"
// for a withdrawal. Anything else ("personal-data/v03", "personal-data/V3", "release-1") is not a
// name charta reads.
struct TagName {
  DocumentId doc;
  EditionNo no;
  bool withdrawal = false;
  std::string str() const;  // "personal-data/v3", "personal-data/withdrawn/v3"
};
std::optional<TagName> parseTagName(std::string_view name);

// The message of edition "e"'s tag, in `git interpret-trailers` form:
//
//   Publish <doc> v<N>
//
//   Effective-From: <RFC 3339 at e.effectiveOffset, "+00:00" rather than "Z">
//   Published-At: <e.publishedAt to the millisecond, at the same offset>
//   Material: yes|no
//   Renew-Purposes: a, b          (when any)
//   Summary: ...                  (when not empty)
//   Forced: <reason>              (when forced)
//   Approved-By: Name <email>     (one per approver)
//   Imported: yes                 (an edition of the history before charta: charta import)
//   Registry-At: <commit>         (imported, its commit older than charta.xml: whose charta.xml)
//
// REQUIRES: e.summary and e.forcedReason passed termsRefusal.
std::string editionMessage(const Edition& e);

// What reading a tag found: the edition (or withdrawal), or why the tag is not one.
template <typename T>
struct TagReading {
  std::optional<T> value;
  Refusal refused;  // set exactly when "value" is not
};

// Reads edition tag "name" (not a withdrawal) whose tag object is "tag". It is an edition when:
//   - the tag names itself "name", points at a commit and has a tagger;
//   - its message opens with "Publish <doc> v<N>" and its trailers state a valid Effective-From
//     (and a valid Published-At, when there is one);
//   - effective_from >= published_at, to the millisecond (backdating), where published_at is
//     tagMoment(tagger time, Published-At); for an imported edition ("Imported: yes", written
//     only by charta import) the reverse: effective_from <= published_at;
//   - a Registry-At, when there is one, names a commit and the edition is imported.
// The edition's commit is the tag's target, its publisher the tagger; Material, Renew-Purposes,
// Summary and Forced are read as editionMessage writes them.
TagReading<Edition> readEditionTag(const TagName& name, const TagObject& tag);

// Numbers follow the order of publication: refuses "e" when it was published before "previous",
// the edition numbered below it (a tag backdated behind an edition that already existed), and an
// imported "e" after a "previous" that is not imported (history comes before the first edition).
Refusal publicationOrder(const Edition& e, const Edition& previous);

// A withdrawal needs a reason: one trailer-safe line of 1-2000 bytes.
Refusal reasonRefusal(const std::string& reason);

// Only a scheduled edition can be withdrawn: refuses "e" when it took effect at or before "now"
// (a new edition replaces one in force). A withdrawal is accepted only strictly before the moment.
Refusal tookEffect(const Edition& e, Instant now);

// The message of the withdrawal tag of edition "no" of "doc", withdrawn at "when" (written at
// "offset"): "Withdraw <doc> v<N>", then the trailers Reason and Withdrawn-At (to the millisecond).
// REQUIRES: "reason" passed reasonRefusal.
std::string withdrawalMessage(const DocumentId& doc, EditionNo no, const std::string& reason,
                              Instant when, std::chrono::minutes offset);

// Reads withdrawal tag "name" whose tag object is "tag", of "edition" whose tag object has the id
// "editionTag" (40 hex). It is a withdrawal when the tag names itself "name", points at the tag
// object "editionTag" and has a tagger; its message opens with "Withdraw <doc> v<N>" and states
// a Reason (reasonRefusal) and a valid Withdrawn-At, when there is one; and it happened before the
// edition took effect (tookEffect at tagMoment(tagger time, Withdrawn-At)).
TagReading<Withdrawal> readWithdrawalTag(const TagName& name, const TagObject& tag,
                                         const Edition& edition, std::string_view editionTag);

// ---- A push ---------------------------------------------------------------------------------
//
// A tag pushed with git is judged when the server receives it, at "received": on top of the rules
// of reading, it must be what charta would write at that moment.

// Refuses a pushed edition "e" that is not the next edition "next", or whose moment of
// publication lies more than "skew" from "received": a tag made earlier cannot be pushed as if it
// were published now (a backdated tagger time), nor one dated later. An imported edition is never
// pushed: charta import writes it where the repository lives.
Refusal pushedEdition(const Edition& e, EditionNo next, Instant received,
                      std::chrono::seconds skew);

// Refuses a pushed withdrawal "w" of "e" that reaches the server less than "skew" before the
// edition takes effect (the server may switch to it between the push's check and its refs), or
// whose moment lies more than "skew" from "received".
Refusal pushedWithdrawal(const Edition& e, const Withdrawal& w, Instant received,
                         std::chrono::seconds skew);

// Refuses any change of a ref under refs/tags/<doc>/ but its creation: editions and withdrawals
// are never deleted or moved. "deleted": the push removes the ref; else it points it elsewhere.
Refusal tagRefChange(bool deleted);

}  // namespace charta::core
