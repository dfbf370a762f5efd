#include "core/clause_match.h"

#include <algorithm>
#include <unordered_map>

namespace charta::core {
namespace {

// The common part of two bags of words, 0..1 (Dice's coefficient).
double similarity(const std::vector<int>& sortedA, const std::vector<int>& sortedB) {
  if (sortedA.empty() && sortedB.empty()) return 1.0;
  size_t i = 0, j = 0, common = 0;
  while (i < sortedA.size() && j < sortedB.size()) {
    if (sortedA[i] < sortedB[j]) {
      ++i;
    } else if (sortedB[j] < sortedA[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(sortedA.size() + sortedB.size());
}

size_t hashWords(const std::vector<Word>& words) {
  size_t h = 1469598103934665603ull;
  for (const Word& w : words) {
    for (char c : w.text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    for (char c : w.link) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull;  // a byte no UTF-8 text has: between words
  }
  return h;
}

void pair(DiffSide& o, DiffSide& n, size_t i, size_t j) {
  o.match[i] = static_cast<long>(j);
  n.match[j] = static_cast<long>(i);
}

// Stage 1a: the same words under the same number.
void matchSameNumberSameWords(DiffSide& o, DiffSide& n) {
  std::unordered_map<std::string_view, size_t> oldByKey;
  oldByKey.reserve(o.clauses.size());
  for (size_t i = 0; i < o.clauses.size(); ++i) {
    if (!o.numberKey(i).empty()) oldByKey.emplace(o.numberKey(i), i);
  }
  for (size_t j = 0; j < n.clauses.size(); ++j) {
    auto it = n.numberKey(j).empty() ? oldByKey.end() : oldByKey.find(n.numberKey(j));
    if (it != oldByKey.end() && o.match[it->second] < 0 &&
        sameWords(o.clauses[it->second].words, n.clauses[j].words)) {
      pair(o, n, it->second, j);
    }
  }
}

// Stage 1b: the same words under any number.
void matchSameWords(DiffSide& o, DiffSide& n) {
  std::unordered_multimap<size_t, size_t> byContent;
  for (size_t i = 0; i < o.clauses.size(); ++i) {
    if (o.match[i] < 0) byContent.emplace(hashWords(o.clauses[i].words), i);
  }
  for (size_t j = 0; j < n.clauses.size() && !byContent.empty(); ++j) {
    if (n.match[j] >= 0) continue;
    auto [lo, hi] = byContent.equal_range(hashWords(n.clauses[j].words));
    long best = -1;
    bool bestSame = false;
    for (auto it = lo; it != hi; ++it) {
      size_t i = it->second;
      if (o.match[i] >= 0 || !sameWords(o.clauses[i].words, n.clauses[j].words)) continue;
      bool same = o.numberKey(i) == n.numberKey(j);
      if (best < 0 || (same && !bestSame) || (same == bestSame && static_cast<long>(i) < best)) {
        best = static_cast<long>(i);
        bestSame = same;
      }
    }
    if (best >= 0) pair(o, n, static_cast<size_t>(best), j);
  }
}

std::vector<size_t> unmatched(const DiffSide& side) {
  std::vector<size_t> out;
  for (size_t i = 0; i < side.clauses.size(); ++i) {
    if (side.match[i] < 0) out.push_back(i);
  }
  return out;
}

// Stage 2: similar words, the best pairs first. Skipped when too many clauses are left.
void matchSimilarWords(DiffSide& o, DiffSide& n, WordInterner& interner) {
  std::vector<size_t> restOld = unmatched(o), restNew = unmatched(n);
  if (restOld.empty() || restNew.empty() || restOld.size() * restNew.size() > 1000000) return;
  struct Candidate {
    double score;
    size_t i, j;
  };
  std::vector<Candidate> candidates;
  for (size_t i : restOld) o.idsOf(i, interner);
  for (size_t j : restNew) n.idsOf(j, interner);
  for (size_t i : restOld) {
    for (size_t j : restNew) {
      if (o.bagOf(i).empty() || n.bagOf(j).empty()) continue;
      double s = similarity(o.bagOf(i), n.bagOf(j));
      if (o.numberKey(i) == n.numberKey(j)) s += 0.1;
      if (s >= 0.5) candidates.push_back({s, i, j});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& x, const Candidate& y) {
                     if (x.score != y.score) return x.score > y.score;
                     if (x.i != y.i) return x.i < y.i;
                     return x.j < y.j;
                   });
  for (const Candidate& c : candidates) {
    if (o.match[c.i] < 0 && n.match[c.j] < 0) pair(o, n, c.i, c.j);
  }
}

// Stage 3: whatever is left under the same number is that clause, rewritten.
void matchSameNumber(DiffSide& o, DiffSide& n) {
  std::unordered_multimap<std::string, size_t> oldByNumber;
  for (size_t i = 0; i < o.clauses.size(); ++i) {
    if (o.match[i] < 0 && !o.numberKey(i).empty()) oldByNumber.emplace(o.numberKey(i), i);
  }
  for (size_t j = 0; j < n.clauses.size(); ++j) {
    if (n.match[j] >= 0 || n.numberKey(j).empty()) continue;
    auto [lo, hi] = oldByNumber.equal_range(n.numberKey(j));
    long best = -1;
    for (auto it = lo; it != hi; ++it) {
      if (o.match[it->second] < 0 && (best < 0 || static_cast<long>(it->second) < best)) {
        best = static_cast<long>(it->second);
      }
    }
    if (best >= 0) pair(o, n, static_cast<size_t>(best), j);
  }
}

}  // namespace

DiffSide::DiffSide(std::string_view markdown, const ClauseGrammar& grammar)
    : clauses(splitClauses(markdown, grammar)) {
  keys_.reserve(clauses.size());
  for (const auto& c : clauses) {
    if (c.preamble) {
      keys_.push_back("#preamble");
    } else if (c.number.empty() && c.heading) {
      keys_.push_back("#" + c.within + "/" + c.title);  // a heading is known by its words
    } else {
      keys_.push_back(c.number);
    }
  }
  ids_.resize(clauses.size());
  bags_.resize(clauses.size());
  hasIds_.assign(clauses.size(), 0);
  match.assign(clauses.size(), -1);
}

const std::vector<int>& DiffSide::idsOf(size_t i, WordInterner& interner) {
  if (!hasIds_[i]) {
    ids_[i] = interner.ids(clauses[i].words);
    bags_[i] = ids_[i];
    std::sort(bags_[i].begin(), bags_[i].end());
    hasIds_[i] = 1;
  }
  return ids_[i];
}

bool sameWords(const std::vector<Word>& a, const std::vector<Word>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (!a[k].sameAs(b[k])) return false;
  }
  return true;
}

void matchClauses(DiffSide& o, DiffSide& n, WordInterner& interner) {
  matchSameNumberSameWords(o, n);
  matchSameWords(o, n);
  matchSimilarWords(o, n, interner);
  matchSameNumber(o, n);
}

}  // namespace charta::core
