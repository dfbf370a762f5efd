#include "core/diff.h"

#include <algorithm>

#include "core/clause_match.h"
#include "core/markup.h"

namespace charta::core {
namespace {

size_t equalWords(const std::vector<WordOp>& ops) {
  size_t n = 0;
  for (const auto& op : ops) {
    if (op.kind == WordOpKind::kEqual) n += op.words.size();
  }
  return n;
}

// The purposes of the new catalogue whose clause has other words than their clause had in the
// old catalogue (or that had none), in catalogue order.
std::vector<std::string> touchedPurposes(const DiffSide& o, const DiffSide& n,
                                         const DiffOptions& options) {
  auto wordsOf = [](const DiffSide& side, const std::string& number) -> const std::vector<Word>* {
    for (const ClauseText& c : side.clauses) {
      if (!c.preamble && c.number == number) return &c.words;
    }
    return nullptr;
  };
  std::vector<std::string> out;
  for (const Purpose& p : options.newPurposes) {
    auto old = std::find_if(options.oldPurposes.begin(), options.oldPurposes.end(),
                            [&](const Purpose& q) { return q.id == p.id; });
    const std::vector<Word>* now = wordsOf(n, p.clause);
    const std::vector<Word>* before =
        old == options.oldPurposes.end() ? nullptr : wordsOf(o, old->clause);
    if (!now || !before || !sameWords(*now, *before)) out.push_back(p.id.str());
  }
  return out;
}

// The entry of old clause "i", which nothing in the new text matched: removed.
ClauseDiff removedEntry(const DiffSide& o, size_t i) {
  ClauseDiff d;
  const ClauseText& c = o.clauses[i];
  d.status = ClauseStatus::kRemoved;
  d.oldNumber = c.number;
  d.inOld = true;
  d.heading = c.heading;
  d.preamble = c.preamble;
  d.title = c.title;
  d.oldSlug = c.slug;
  d.slug = c.slug;
  d.within = c.within;
  d.oldLine = c.line;
  d.textChanged = true;
  if (!c.words.empty()) d.ops.push_back(WordOp{WordOpKind::kDelete, c.words});
  return d;
}

// The entry of new clause "j": added, or compared with the old clause it was matched with. Its
// words move into the entry.
ClauseDiff newEntry(DiffSide& o, DiffSide& n, size_t j, WordInterner& interner) {
  ClauseDiff d;
  ClauseText& c = n.clauses[j];
  d.newNumber = c.number;
  d.inNew = true;
  d.heading = c.heading;
  d.preamble = c.preamble;
  d.title = c.title;
  d.slug = c.slug;
  d.within = c.within;
  d.newLine = c.line;
  if (n.match[j] < 0) {
    d.status = ClauseStatus::kAdded;
    d.textChanged = true;
    if (!c.words.empty()) d.ops.push_back(WordOp{WordOpKind::kInsert, c.words});
    return d;
  }
  auto i = static_cast<size_t>(n.match[j]);
  const ClauseText& oc = o.clauses[i];
  d.oldNumber = oc.number;
  d.inOld = true;
  d.oldLine = oc.line;
  d.oldSlug = oc.slug;
  d.heading = c.heading || oc.heading;
  d.textChanged = !sameWords(oc.words, c.words);
  if (d.textChanged) {
    d.ops = diffWordIds(oc.words, c.words, o.idsOf(i, interner), n.idsOf(j, interner));
  } else if (!c.words.empty()) {
    d.ops.push_back(WordOp{WordOpKind::kEqual, std::move(c.words)});
  }
  d.status = o.numberKey(i) != n.numberKey(j) ? ClauseStatus::kMoved
             : d.textChanged                  ? ClauseStatus::kChanged
                                              : ClauseStatus::kUnchanged;
  return d;
}

// The entries in the order of the new text; a clause only in the old text after the clause
// before it.
std::vector<ClauseDiff> entriesOf(DiffSide& o, DiffSide& n, WordInterner& interner) {
  std::vector<ClauseDiff> entries;
  size_t nextOld = 0;
  auto flushOld = [&](size_t upTo) {
    for (; nextOld < upTo; ++nextOld) {
      if (o.match[nextOld] < 0) entries.push_back(removedEntry(o, nextOld));
    }
  };
  for (size_t j = 0; j < n.clauses.size(); ++j) {
    if (n.match[j] >= 0 && static_cast<size_t>(n.match[j]) >= nextOld) {
      flushOld(static_cast<size_t>(n.match[j]));
    }
    entries.push_back(newEntry(o, n, j, interner));
  }
  flushOld(o.clauses.size());
  return entries;
}

// The changed clause and the run of its operations of "kind" most like "words" (at least 0.6
// alike, the first of equals), or false.
bool findRun(const std::vector<ClauseDiff>& entries, const std::vector<Word>& words,
             WordOpKind kind, size_t& entry, size_t& op) {
  double best = 0.6;
  bool found = false;
  for (size_t e = 0; e < entries.size(); ++e) {
    const ClauseDiff& d = entries[e];
    if (!d.inOld || !d.inNew || !d.textChanged) continue;
    for (size_t k = 0; k < d.ops.size(); ++k) {
      if (d.ops[k].kind != kind) continue;
      const auto& run = d.ops[k].words;
      size_t eq = equalWords(diffWords(run, words));
      double s = 2.0 * static_cast<double>(eq) / static_cast<double>(run.size() + words.size());
      if (s >= best) {
        best = s + 1e-9;
        entry = e;
        op = k;
        found = true;
      }
    }
  }
  return found;
}

// Splits and merges: an added clause made of words deleted from a changed one, a removed clause
// whose words were inserted into a changed one.
void findSplitsAndMerges(std::vector<ClauseDiff>& entries) {
  for (ClauseDiff& d : entries) {
    if (d.status != ClauseStatus::kAdded && d.status != ClauseStatus::kRemoved) continue;
    if (d.ops.empty() || d.ops.front().words.size() < 2 || d.preamble) continue;
    const std::vector<Word> words = d.ops.front().words;
    size_t e = 0, k = 0;
    if (d.status == ClauseStatus::kAdded && findRun(entries, words, WordOpKind::kDelete, e, k)) {
      d.status = ClauseStatus::kSplit;
      d.oldNumber = entries[e].oldNumber;
      d.ops = diffWords(entries[e].ops[k].words, words);
    } else if (d.status == ClauseStatus::kRemoved &&
               findRun(entries, words, WordOpKind::kInsert, e, k)) {
      d.status = ClauseStatus::kMerged;
      d.newNumber = entries[e].newNumber;
      d.ops = diffWords(words, entries[e].ops[k].words);
    }
  }
}

// The purposes tied to the clause of "d", old ones first, each once.
std::vector<std::string> purposesOf(const ClauseDiff& d, const DiffOptions& options) {
  std::vector<std::string> out;
  auto add = [&](const std::vector<Purpose>& ps, const std::string& number) {
    for (const Purpose& p : ps) {
      if (p.clause == number && std::find(out.begin(), out.end(), p.id.str()) == out.end()) {
        out.push_back(p.id.str());
      }
    }
  };
  if (d.inOld && !d.oldNumber.empty()) add(options.oldPurposes, d.oldNumber);
  if (d.inNew && !d.newNumber.empty()) add(options.newPurposes, d.newNumber);
  return out;
}

void count(DiffSummary& s, ClauseStatus status) {
  switch (status) {
    case ClauseStatus::kUnchanged:
      ++s.unchanged;
      break;
    case ClauseStatus::kChanged:
      ++s.changed;
      break;
    case ClauseStatus::kMoved:
      ++s.moved;
      break;
    case ClauseStatus::kAdded:
      ++s.added;
      break;
    case ClauseStatus::kRemoved:
      ++s.removed;
      break;
    case ClauseStatus::kSplit:
      ++s.split;
      break;
    case ClauseStatus::kMerged:
      ++s.merged;
      break;
  }
}

// How formatDiffPlain names a clause.
std::string plainName(const ClauseDiff& d, const std::string& number) {
  if (d.preamble) return "preamble";
  if (!number.empty()) return number;
  std::string name = "heading \"" + d.title + "\"";
  if (!d.within.empty()) name += " in " + d.within;
  return name;
}

}  // namespace

const char* clauseStatusName(ClauseStatus s) {
  switch (s) {
    case ClauseStatus::kUnchanged:
      return "unchanged";
    case ClauseStatus::kChanged:
      return "changed";
    case ClauseStatus::kMoved:
      return "moved";
    case ClauseStatus::kAdded:
      return "added";
    case ClauseStatus::kRemoved:
      return "removed";
    case ClauseStatus::kSplit:
      return "split";
    case ClauseStatus::kMerged:
      return "merged";
  }
  return "unchanged";
}

DocumentDiff diffTexts(std::string_view oldMarkdown, std::string_view newMarkdown,
                       const DiffOptions& options) {
  DocumentDiff diff;
  diff.oldText = std::make_shared<const std::string>(blankHtml(oldMarkdown));
  diff.newText = std::make_shared<const std::string>(blankHtml(newMarkdown));
  ClauseGrammar grammar = ClauseGrammar::forText(options.profile, *diff.newText);
  diff.profile = grammar.profile();
  WordInterner interner;
  DiffSide o(*diff.oldText, grammar), n(*diff.newText, grammar);
  matchClauses(o, n, interner);
  diff.touchedPurposes = touchedPurposes(o, n, options);
  diff.clauses = entriesOf(o, n, interner);
  findSplitsAndMerges(diff.clauses);
  for (ClauseDiff& d : diff.clauses) {
    d.purposes = purposesOf(d, options);
    count(diff.summary, d.status);
  }
  return diff;
}

std::string formatDiffPlain(const DocumentDiff& diff, const DiffMarkers& markers) {
  std::string out;
  for (const ClauseDiff& d : diff.clauses) {
    if (d.status == ClauseStatus::kUnchanged) continue;
    out += clauseStatusName(d.status);
    out += ' ';
    switch (d.status) {
      case ClauseStatus::kChanged:
      case ClauseStatus::kAdded:
        out += plainName(d, d.newNumber);
        break;
      case ClauseStatus::kRemoved:
        out += plainName(d, d.oldNumber);
        break;
      default:
        out += plainName(d, d.oldNumber) + " -> " + plainName(d, d.newNumber);
        break;
    }
    if (!d.purposes.empty()) {
      out += " [";
      for (size_t k = 0; k < d.purposes.size(); ++k) out += (k ? ", " : "") + d.purposes[k];
      out += ']';
    }
    bool plainText = d.status == ClauseStatus::kAdded || d.status == ClauseStatus::kRemoved;
    bool withOps = !plainText && (d.textChanged || d.status == ClauseStatus::kSplit ||
                                  d.status == ClauseStatus::kMerged);
    if (plainText && !d.ops.empty()) {
      out += ": " + joinWords(d.ops.front().words);
    } else if (withOps && !d.ops.empty()) {
      out += ": " + formatOpsPlain(d.ops, markers);
    }
    out += '\n';
  }
  return out;
}

}  // namespace charta::core
