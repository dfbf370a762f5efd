#include "core/publication.h"

#include <algorithm>

#include "core/clauses.h"
#include "core/diff.h"
#include "core/trailers.h"

namespace charta::core {

namespace {

constexpr size_t kMaxTrailerLine = 2000;
constexpr size_t kMaxPersonField = 200;

bool isBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Person defaultPublisher() { return Person{"charta", "charta@localhost"}; }

bool isPersonSafe(const Person& person) {
  auto ok = [](const std::string& v, bool allowEmpty) {
    if (v.empty()) return allowEmpty;
    if (v.size() > kMaxPersonField || !isTrailerSafe(v)) return false;
    return v.find_first_of("<>") == std::string::npos;
  };
  return ok(person.name, false) && ok(person.email, true);
}

Instant tagMoment(Instant taggerTime, std::optional<Instant> stated) {
  if (stated && fromUnixSeconds(toUnixSeconds(*stated)) == taggerTime) return *stated;
  return taggerTime;
}

Refusal backdating(Instant effectiveFrom, Instant publishedAt, std::chrono::minutes offset) {
  if (effectiveFrom >= publishedAt) return std::nullopt;
  return "effective-from " + formatRfc3339(effectiveFrom, offset) +
         " is before the moment of publication " + formatRfc3339(publishedAt, offset) +
         ": an edition takes effect when it is published or later, never earlier";
}

Refusal textRefusal(const Document& doc, std::string_view controllingBody,
                    const CommitId& revision) {
  if (isBlank(controllingBody)) {
    return "document \"" + doc.id.str() + "\" has no text in its controlling language " +
           doc.controllingLang.str() + " at " + revision.str();
  }
  auto marks = clauseMarks(controllingBody);
  for (const auto& p : doc.purposes) {
    bool found = std::any_of(marks.begin(), marks.end(),
                             [&](const ClauseMark& m) { return m.number == p.clause; });
    if (!found) {
      return "purpose \"" + p.id.str() + "\" is tied to clause " + p.clause + ", which the " +
             doc.controllingLang.str() + " text does not have";
    }
  }
  return std::nullopt;
}

Refusal termsRefusal(const Document& doc, bool material,
                     const std::vector<PurposeId>& renewPurposes, const std::string& summary,
                     const std::optional<std::string>& force) {
  for (const auto& p : renewPurposes) {
    if (!doc.purpose(p)) {
      return "renew-purposes: \"" + p.str() + "\" is not a purpose of \"" + doc.id.str() +
             "\" at this revision";
    }
  }
  if (!renewPurposes.empty() && !material) {
    return "renew-purposes needs a material change (--material)";
  }
  if (!summary.empty() && !isTrailerSafe(summary, kMaxTrailerLine)) {
    return "summary must be one line of valid UTF-8, at most 2000 bytes";
  }
  if (force && (force->empty() || !isTrailerSafe(*force, kMaxTrailerLine))) {
    return "the reason to force must be one non-empty line";
  }
  return std::nullopt;
}

std::vector<const Edition*> editionsInPlay(const Timeline& timeline, Instant now) {
  std::vector<const Edition*> out = timeline.upcomingAt(now);
  if (const Edition* inForce = timeline.inForceAt(now)) out.insert(out.begin(), inForce);
  return out;
}

namespace {

bool sameFiles(const TextFiles& a, const TextFiles& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [lang, bytes] : a) {
    auto other = b.find(lang);
    if (other == b.end() || !bytes || !other->second || *bytes != *other->second) return false;
  }
  return true;
}

}  // namespace

Refusal repeatedText(const TextFiles& draft, const CommitId& revision,
                     const std::vector<EditionTexts>& inPlay, const Timeline& timeline,
                     Instant now) {
  for (const EditionTexts& e : inPlay) {
    if (!e.texts || !sameFiles(draft, *e.texts)) continue;
    const bool inForce = timeline.inForceAt(now) == e.edition;
    return "the text at " + revision.str() + " is the same as edition " + e.edition->no.str() +
           " (" + (inForce ? "in force" : "upcoming") + "): nothing to publish";
  }
  return std::nullopt;
}

EditionNo nextEditionNo(const Timeline& timeline) {
  return *EditionNo::of(timeline.latest() ? timeline.latest()->no.value() + 1 : 1);
}

Refusal unexpectedEdition(const DocumentId& doc, EditionNo next,
                          std::optional<EditionNo> expected) {
  if (!expected || *expected == next) return std::nullopt;
  return "the next edition of " + doc.str() + " is " + next.str() + ", not " + expected->str() +
         ": it was published meanwhile; nothing was written";
}

const Edition* lintBaseline(const Timeline& timeline, std::optional<EditionNo> before) {
  const Edition* baseline = nullptr;
  for (const Edition& e : timeline.editions()) {
    if (e.withdrawal || (before && e.no >= *before)) continue;
    baseline = &e;
  }
  return baseline;
}

void markLagging(std::vector<LintText>& texts, const Document& doc,
                 const std::map<std::string, size_t>& changedAt) {
  const std::string* controlling = doc.file(doc.controllingLang);
  auto c = controlling ? changedAt.find(*controlling) : changedAt.end();
  for (LintText& t : texts) {
    auto it = changedAt.find(t.path);
    // A larger index is further back: changed before the controlling text last was.
    t.lagging = t.lang != doc.controllingLang && c != changedAt.end() && it != changedAt.end() &&
                it->second > c->second;
  }
}

Refusal lintRefusal(const LintReport& report, const DocumentId& doc) {
  std::vector<const LintFinding*> blocking;
  for (const auto& f : report.findings) {
    if (f.blocks()) blocking.push_back(&f);
  }
  if (blocking.empty()) return std::nullopt;
  const bool one = blocking.size() == 1;
  return "lint: " + std::to_string(blocking.size()) + (one ? " error blocks" : " errors block") +
         " publishing (" + formatFinding(*blocking.front()) +
         (one ? "" : "; `charta lint " + doc.str() + "` lists all") +
         "): fix the text, or publish with --force REASON";
}

std::vector<std::string> lintWarnings(const LintReport& report) {
  std::vector<std::string> out;
  for (const auto& f : report.findings) {
    if (!f.inheritedFrom.empty()) continue;
    out.push_back(std::string(f.blocks() ? "lint (forced): " : "lint: ") + formatFinding(f));
  }
  return out;
}

PurposeNotes touchedPurposes(std::string_view previousBody,
                             const std::vector<Purpose>& previousPurposes, EditionNo previous,
                             std::string_view body, const Document& doc, bool material,
                             const std::vector<PurposeId>& renewPurposes) {
  PurposeNotes out;
  DocumentDiff d = diffTexts(previousBody, body, {previousPurposes, doc.purposes});
  for (const std::string& pid : d.touchedPurposes) {
    const Purpose* p = doc.purpose(*PurposeId::parse(pid));  // of the new catalogue
    out.suggested.push_back(p->id);
    std::string what = "the words of clause " + p->clause + " (purpose " + pid +
                       ") changed since " + previous.str();
    if (!material) {
      out.warnings.push_back(
          what + ", but the edition is published as not material: if consent to " + pid +
          " must be renewed, publish with --material --renew-purposes " + pid);
    } else if (std::find(renewPurposes.begin(), renewPurposes.end(), p->id) ==
               renewPurposes.end()) {
      out.warnings.push_back(what + ", and Renew-Purposes does not name " + pid);
    }
  }
  return out;
}

}  // namespace charta::core
