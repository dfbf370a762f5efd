#pragma once

// Matching the clauses of two texts (internal to core::diffTexts).

#include <string>
#include <string_view>
#include <vector>

#include "core/clauses.h"
#include "core/word_diff.h"

namespace charta::core {

// The clauses of one side of a diff and what they were matched with.
class DiffSide {
 public:
  DiffSide(std::string_view markdown, const ClauseGrammar& grammar);

  std::vector<ClauseText> clauses;
  std::vector<long> match;  // the index of the clause matched on the other side, or -1

  // What clauses are matched by when their words differ: the number, "#preamble", or for an
  // unnumbered heading "#<the clause it is within>/<its title>".
  const std::string& numberKey(size_t i) const { return keys_[i]; }
  // The words of clause "i" as ids of "interner", computed once.
  const std::vector<int>& idsOf(size_t i, WordInterner& interner);
  // The same ids, sorted (a bag of words); idsOf(i) first.
  const std::vector<int>& bagOf(size_t i) const { return bags_[i]; }

 private:
  std::vector<std::string> keys_;
  std::vector<std::vector<int>> ids_;
  std::vector<std::vector<int>> bags_;
  std::vector<char> hasIds_;
};

// True when "a" and "b" have the same words (spacing aside).
bool sameWords(const std::vector<Word>& a, const std::vector<Word>& b);

// Pairs the clauses of "o" (old) and "n" (new) in three stages, each on what the one before left:
//   1. the same words, first under the same number, then under any number (moved clauses; the
//      same number first among equals, then the first old clause);
//   2. similar words (Dice's coefficient of the bags of words >= 0.5, an equal number adding
//      0.1), the best pairs first;
//   3. the same number: the clause rewritten.
// Deterministic.
void matchClauses(DiffSide& o, DiffSide& n, WordInterner& interner);

}  // namespace charta::core
