#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/registry.h"
#include "core/time.h"

namespace charta::core {

// Pre-publication checks of one document at one revision: what would make an edition unsound.
//
// Errors (publishing is refused unless forced, and the reason is recorded):
//   numbering        numbers not continuous within a level (7.1 then 7.3; 5.2 before 5.1), a
//                    number used twice, a malformed number ("7.1.." as in the seed)
//   reference        "п. 4", "п.п. 5.2. и 5.3.", "пункт 9.2", "пп. 3.1" naming a clause the text
//                    does not have (references to other acts, "пункт 3 статьи 7", are skipped)
//   own-url          the address the text gives for this policy (a paragraph that says where the
//                    policy is published, as 9.3 does) does not end in the document's route
//   purpose-clause   a purpose of charta.xml tied to a clause the controlling text does not have
//   purpose-moved    against the previous edition (the redline's clause matching): the clause a
//                    purpose is tied to now holds the words of another clause, or the words it
//                    was tied to moved to another number, and charta.xml did not follow
//   missing-text     charta.xml names a text file that is missing or empty
//   raw-html         an HTML tag or comment in the Markdown (the site drops it)
//   utf8             a line that is not valid UTF-8
//   empty-section    a heading with nothing under it, a clause number without text
//   effective-date   a date given in the text as the day the policy takes effect that is not the
//                    day of Effective-From
// Warnings (reported, never blocking):
//   number-style     a clause number without its dot ("1.1 В") where the others have one, or
//                    without a space after it ("4.1.Текст")
//   split-clause     a clause whose text goes on in another paragraph
//   long-clause      a clause of more than kLongClauseWords words
//   lagging-text     a translation last changed before the controlling text was

enum class Severity { kError, kWarning };
const char* severityName(Severity s);  // "error", "warning"

// A clause longer than this many words is reported (the seed's longest has 53).
inline constexpr size_t kLongClauseWords = 150;

struct LintFinding {
  Severity severity = Severity::kError;
  std::string rule{};     // "numbering", "reference", ... (see above)
  std::string file{};     // "personal-data/ru.md", "charta.xml"
  size_t line = 0;        // 1-based line in "file"; 0 when it concerns the whole file
  std::string clause{};   // the clause it is in or about ("7.1"); empty outside numbered clauses
  std::string message{};  // what is wrong, one line
  std::string hint{};     // how to fix it, one line
  // What the finding is about ("7.1..", "12", a URL): with rule, file and clause, it names the
  // same defect in two revisions even when lines moved.
  std::string subject{};
  // Set by markInherited: the edition the defect was already in. An inherited error does not
  // block publishing: it was accepted (or forced) when that edition was published.
  std::string inheritedFrom{};

  bool blocks() const { return severity == Severity::kError && inheritedFrom.empty(); }
};

// One language of the document at the revision.
struct LintText {
  Lang lang;
  std::string path{};                    // as declared in charta.xml
  std::optional<std::string> content{};  // the whole file, front matter included; nullopt: missing
  // Changed last in an older revision than the controlling language's text (the repository
  // knows; the controlling text itself is never lagging).
  bool lagging = false;
};

// The edition a new one follows, for the rules that compare with it (purpose-moved).
struct LintPrevious {
  std::string label{};              // "v3"
  std::vector<Purpose> purposes{};  // charta.xml's catalogue at that edition
  std::string body{};               // its controlling text, front matter removed
};

// Everything the lint looks at. Pure data: the repository gathers it.
struct LintInput {
  Document document;  // charta.xml's entry at the revision
  std::string registryPath = "charta.xml";
  std::string registryXml{};      // charta.xml as written, to point at lines; may be empty
  std::string baseUrl{};          // charta.xml base-url, for fix hints; may be empty
  std::vector<LintText> texts{};  // one per language of the document
  // When the edition would take effect: dates written in the text are compared with its day
  // (at "effectiveOffset"). nullopt: not checked.
  std::optional<Instant> effectiveFrom{};
  std::chrono::minutes effectiveOffset{kKazakhstanOffset};
  std::optional<LintPrevious> previous{};  // nullopt: the first edition, or not compared
};

struct LintReport {
  std::vector<LintFinding> findings{};  // by file (the texts in input order, then charta.xml), line
  size_t errors() const;
  size_t warnings() const;
  size_t blocking() const;  // errors not inherited
};

// Runs every rule on "input". Deterministic; linear in the texts.
LintReport lint(const LintInput& input);

// Marks the findings of "report" that "baseline" (the lint of edition "label") already had.
void markInherited(LintReport& report, const LintReport& baseline, const std::string& label);

// One line: "personal-data/ru.md:95: error [numbering] clause 7.1: ... — fix: ..."
std::string formatFinding(const LintFinding& finding);

}  // namespace charta::core
