#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clauses.h"
#include "core/registry.h"
#include "core/word_diff.h"
#include "core/words.h"

namespace charta::core {

// The redline of two texts of one document: which clauses changed, and how, word by word. The
// clauses are read by the clause grammar (core/clauses.h), the words compared by core::diffWords
// (core/word_diff.h).

// What happened to one clause between two texts.
//   unchanged  same number, same words
//   changed    same number, other words
//   moved      another number (renumbered or moved); "textChanged" tells whether words changed
//   added      only in the new text
//   removed    only in the old text
//   split      a new clause made of words taken out of the old clause "oldNumber", which stays
//              (changed) under its own number
//   merged     an old clause whose words went into the new clause "newNumber"
enum class ClauseStatus { kUnchanged, kChanged, kMoved, kAdded, kRemoved, kSplit, kMerged };
const char* clauseStatusName(ClauseStatus s);  // "unchanged", "changed", "moved", ...

struct ClauseDiff {
  ClauseStatus status = ClauseStatus::kUnchanged;
  std::string oldNumber{};  // the number in the old text (split: of the clause the words came from)
  std::string newNumber{};  // the number in the new text (merged: of the clause they went into)
  bool inOld = false;       // the clause exists in the old text (false for added and split)
  bool inNew = false;       // the clause exists in the new text (false for removed and merged)
  bool heading = false;
  bool preamble = false;
  // Headings: the title and anchor of the heading in the new text (in the old one when it is
  // only there), and the clause an unnumbered heading is within (see core::ClauseText).
  std::string title{};
  std::string slug{};
  std::string oldSlug{};  // its anchor in the old text, when it is there
  std::string within{};
  size_t oldLine = 0;  // 1-based, in the texts given; 0 when not there
  size_t newLine = 0;
  bool textChanged = false;  // some word was deleted or inserted
  // The words, old to new: one equal run for an unchanged clause, one insert run for an added
  // one, one delete run for a removed one, word-level operations otherwise.
  std::vector<WordOp> ops{};
  std::vector<std::string> purposes{};  // ids of the purposes tied to this clause (old or new)
};

struct DiffSummary {
  size_t unchanged = 0, changed = 0, moved = 0, added = 0, removed = 0, split = 0, merged = 0;
};

// The redline of two texts of one document.
struct DocumentDiff {
  // The Markdown compared, HTML comments and tags blanked out (core::blankHtml): the words point
  // into it.
  std::shared_ptr<const std::string> oldText{};
  std::shared_ptr<const std::string> newText{};
  ClauseProfile profile = ClauseProfile::kDecimal;  // how both texts were read
  std::vector<ClauseDiff> clauses{};  // in the order of the new text; removed ones where they were
  DiffSummary summary{};
  // The purposes of the new catalogue whose clause has other words than their clause in the old
  // catalogue had (or that are new), in catalogue order: what Renew-Purposes should consider. A
  // purpose clause that was only renumbered, with charta.xml following it, is not touched.
  std::vector<std::string> touchedPurposes{};
};

// The purposes of the two sides (charta.xml at each revision), to name them in the diff, and the
// clause structure both sides are read with.
struct DiffOptions {
  std::vector<Purpose> oldPurposes{};
  std::vector<Purpose> newPurposes{};
  std::optional<ClauseProfile> profile{};  // nullopt: detected from the new text
};

// Compares "oldMarkdown" with "newMarkdown" (bodies, front matter removed; HTML comments and tags
// are no text and are never compared) clause by clause:
// clauses are matched first by identical words (whatever their number: a renumbered or moved
// clause is "moved", not removed and added), then by similar words, then by equal numbers; the
// words of matched clauses are compared with Myers' algorithm (minimal edit script).
// Deterministic. Roughly linear in the texts when few clauses changed.
DocumentDiff diffTexts(std::string_view oldMarkdown, std::string_view newMarkdown,
                       const DiffOptions& options = {});

// The diff as plain text, one line per clause that is not unchanged:
//   changed 4.1.10 [marketing]: Предоставления [-старое-]{+новое+} ...
//   moved 5.2 -> 5.3
//   moved 5.4 -> 5.5: text with [-deleted-]{+inserted+} words
//   added 5.3: the whole text
//   removed 5.6: the whole text
//   split 5.2 -> 5.3: the words taken out of 5.2, with their changes
//   merged 5.3 -> 5.2: the words that went into 5.2, with their changes
// The preamble is named "preamble"; an unnumbered heading by its title ("heading \"In short\"
// in B").
// The markers: see core::DiffMarkers (core/word_diff.h).
std::string formatDiffPlain(const DocumentDiff& diff, const DiffMarkers& markers = {});

}  // namespace charta::core
