#include "core/word_diff.h"

#include <algorithm>
#include <cctype>
#include <climits>

namespace charta::core {
namespace {

// Myers' O(ND) difference algorithm in linear space (the divide-and-conquer form of GNU diff's
// diffseq.h, without its heuristics: the result is always a minimal edit script).
class SeqDiff {
 public:
  SeqDiff(const std::vector<int>& a, const std::vector<int>& b)
      : a_(a), b_(b), deleted_(a.size(), 0), inserted_(b.size(), 0) {
    size_t diags = a.size() + b.size() + 3;
    fd_.assign(diags, 0);
    bd_.assign(diags, 0);
    offset_ = static_cast<long>(b.size()) + 1;
    compare(0, static_cast<long>(a.size()), 0, static_cast<long>(b.size()));
  }
  const std::vector<char>& deleted() const { return deleted_; }
  const std::vector<char>& inserted() const { return inserted_; }

 private:
  long& fd(long d) { return fd_[static_cast<size_t>(d + offset_)]; }
  long& bd(long d) { return bd_[static_cast<size_t>(d + offset_)]; }
  int a(long i) const { return a_[static_cast<size_t>(i)]; }
  int b(long i) const { return b_[static_cast<size_t>(i)]; }

  // The bounds of the diagonals searched so far, forward (f) and backward (b).
  struct Search {
    long dmin, dmax, fmin, fmax, bmin, bmax;
    bool odd;
  };

  // Extends the forward search by one step; true with the midpoint when it meets the backward one.
  bool forward(Search& s, long xlim, long ylim, long& xmid, long& ymid) {
    if (s.fmin > s.dmin) {
      fd(--s.fmin - 1) = -1;
    } else {
      ++s.fmin;
    }
    if (s.fmax < s.dmax) {
      fd(++s.fmax + 1) = -1;
    } else {
      --s.fmax;
    }
    for (long d = s.fmax; d >= s.fmin; d -= 2) {
      long tlo = fd(d - 1), thi = fd(d + 1);
      long x = tlo >= thi ? tlo + 1 : thi;
      long y = x - d;
      while (x < xlim && y < ylim && a(x) == b(y)) ++x, ++y;
      fd(d) = x;
      if (s.odd && s.bmin <= d && d <= s.bmax && bd(d) <= x) {
        xmid = x;
        ymid = y;
        return true;
      }
    }
    return false;
  }

  // Extends the backward search by one step; true with the midpoint when it meets the forward one.
  bool backward(Search& s, long xoff, long yoff, long& xmid, long& ymid) {
    if (s.bmin > s.dmin) {
      bd(--s.bmin - 1) = LONG_MAX;
    } else {
      ++s.bmin;
    }
    if (s.bmax < s.dmax) {
      bd(++s.bmax + 1) = LONG_MAX;
    } else {
      --s.bmax;
    }
    for (long d = s.bmax; d >= s.bmin; d -= 2) {
      long tlo = bd(d - 1), thi = bd(d + 1);
      long x = tlo < thi ? tlo : thi - 1;
      long y = x - d;
      while (xoff < x && yoff < y && a(x - 1) == b(y - 1)) --x, --y;
      bd(d) = x;
      if (!s.odd && s.fmin <= d && d <= s.fmax && x <= fd(d)) {
        xmid = x;
        ymid = y;
        return true;
      }
    }
    return false;
  }

  // Finds the midpoint of a shortest edit script of a[xoff, xlim) and b[yoff, ylim).
  void middle(long xoff, long xlim, long yoff, long ylim, long& xmid, long& ymid) {
    const long fmid = xoff - yoff, bmid = xlim - ylim;
    Search s{xoff - ylim, xlim - yoff, fmid, fmid, bmid, bmid, ((fmid - bmid) & 1) != 0};
    fd(fmid) = xoff;
    bd(bmid) = xlim;
    while (!forward(s, xlim, ylim, xmid, ymid) && !backward(s, xoff, yoff, xmid, ymid)) {
    }
  }

  void compare(long xoff, long xlim, long yoff, long ylim) {
    while (xoff < xlim && yoff < ylim && a(xoff) == b(yoff)) ++xoff, ++yoff;
    while (xoff < xlim && yoff < ylim && a(xlim - 1) == b(ylim - 1)) --xlim, --ylim;
    if (xoff == xlim) {
      while (yoff < ylim) inserted_[static_cast<size_t>(yoff++)] = 1;
    } else if (yoff == ylim) {
      while (xoff < xlim) deleted_[static_cast<size_t>(xoff++)] = 1;
    } else {
      long xmid = 0, ymid = 0;
      middle(xoff, xlim, yoff, ylim, xmid, ymid);
      compare(xoff, xmid, yoff, ymid);
      compare(xmid, xlim, ymid, ylim);
    }
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  std::vector<char> deleted_, inserted_;
  std::vector<long> fd_, bd_;
  long offset_ = 0;
};

// Joins the runs of each change group (between two equal runs): its deleted words, then its
// inserted ones.
std::vector<WordOp> regroup(std::vector<WordOp> ops) {
  std::vector<WordOp> out;
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == WordOpKind::kEqual) {
      if (!out.empty() && out.back().kind == WordOpKind::kEqual) {
        out.back().words.insert(out.back().words.end(), ops[k].words.begin(), ops[k].words.end());
      } else {
        out.push_back(std::move(ops[k]));
      }
      ++k;
      continue;
    }
    WordOp del{WordOpKind::kDelete, {}}, ins{WordOpKind::kInsert, {}};
    for (; k < ops.size() && ops[k].kind != WordOpKind::kEqual; ++k) {
      auto& into = ops[k].kind == WordOpKind::kDelete ? del.words : ins.words;
      into.insert(into.end(), ops[k].words.begin(), ops[k].words.end());
    }
    if (!del.words.empty()) out.push_back(std::move(del));
    if (!ins.words.empty()) out.push_back(std::move(ins));
  }
  return out;
}

// The larger side (deleted or inserted words) of the change group that starts at "from" and runs
// in direction "step".
size_t changeSize(const std::vector<WordOp>& ops, size_t from, int step) {
  size_t del = 0, ins = 0;
  for (size_t m = from; m < ops.size() && ops[m].kind != WordOpKind::kEqual;
       m = static_cast<size_t>(static_cast<long>(m) + step)) {
    (ops[m].kind == WordOpKind::kDelete ? del : ins) += ops[m].words.size();
    if (m == 0 && step < 0) break;
  }
  return std::max(del, ins);
}

// A minimal edit script may keep a lone comma or word between two larger changes
// ("[-5.2. и-] 5.3. {+и 5.4.+}"); a reader sees one change better. An equal run shorter than the
// larger side of the change before it and of the change after it becomes part of the change
// ("[-5.2. и 5.3.-]{+5.3. и 5.4.+}"), until no such run is left. Words apart from a one-word
// change on either side stay equal.
std::vector<WordOp> cleanup(std::vector<WordOp> ops) {
  bool again = true;
  while (again) {
    again = false;
    ops = regroup(std::move(ops));
    for (size_t k = 1; k + 1 < ops.size(); ++k) {
      if (ops[k].kind != WordOpKind::kEqual) continue;
      size_t n = ops[k].words.size();
      if (n < changeSize(ops, k - 1, -1) && n < changeSize(ops, k + 1, 1)) {
        std::vector<Word> words = std::move(ops[k].words);
        ops[k] = WordOp{WordOpKind::kDelete, words};
        ops.insert(ops.begin() + static_cast<long>(k) + 1, WordOp{WordOpKind::kInsert, words});
        again = true;
        break;
      }
    }
  }
  return ops;
}

}  // namespace

const char* wordOpName(WordOpKind k) {
  switch (k) {
    case WordOpKind::kEqual:
      return "equal";
    case WordOpKind::kDelete:
      return "delete";
    case WordOpKind::kInsert:
      return "insert";
  }
  return "equal";
}

int WordInterner::id(std::string_view word) {
  return ids_.emplace(word, static_cast<int>(ids_.size())).first->second;
}

int WordInterner::id(const Word& word) {
  if (word.link.empty()) return id(word.text);
  // A linked word: its text and destination, joined by a byte no UTF-8 text has.
  std::string key = std::string(word.text) + '\xFF' + std::string(word.link);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  return id(std::string_view(linked_.emplace_back(std::move(key))));
}

std::vector<int> WordInterner::ids(const std::vector<Word>& words) {
  std::vector<int> out;
  out.reserve(words.size());
  for (const Word& w : words) out.push_back(id(w));
  return out;
}

std::vector<WordOp> diffWordIds(const std::vector<Word>& from, const std::vector<Word>& to,
                                const std::vector<int>& a, const std::vector<int>& b) {
  SeqDiff d(a, b);
  std::vector<WordOp> ops;
  auto add = [&](WordOpKind k, const Word& w) {
    if (ops.empty() || ops.back().kind != k) ops.push_back(WordOp{k, {}});
    ops.back().words.push_back(w);
  };
  size_t i = 0, j = 0;
  while (i < from.size() || j < to.size()) {
    if (i < from.size() && j < to.size() && !d.deleted()[i] && !d.inserted()[j]) {
      add(WordOpKind::kEqual, to[j]);
      ++i, ++j;
      continue;
    }
    while (i < from.size() && d.deleted()[i]) add(WordOpKind::kDelete, from[i++]);
    while (j < to.size() && d.inserted()[j]) add(WordOpKind::kInsert, to[j++]);
  }
  return cleanup(std::move(ops));
}

std::vector<WordOp> diffWords(const std::vector<Word>& from, const std::vector<Word>& to) {
  WordInterner interner;
  std::vector<int> a = interner.ids(from);
  std::vector<int> b = interner.ids(to);
  return diffWordIds(from, to, a, b);
}

std::vector<PrintedRun> printedRuns(const std::vector<WordOp>& ops) {
  std::vector<PrintedRun> out;
  WordOpKind prev = WordOpKind::kEqual;
  for (const WordOp& op : ops) {
    if (op.words.empty()) continue;
    const Word& first = op.words.front();
    bool afterChange = prev != WordOpKind::kEqual;
    bool wordStart = static_cast<unsigned char>(first.text.front()) >= 0xC0 ||
                     std::isalnum(static_cast<unsigned char>(first.text.front()));
    bool space = !out.empty() && (first.spaceBefore || (afterChange && wordStart)) &&
                 !(op.kind == WordOpKind::kInsert && prev == WordOpKind::kDelete);
    out.push_back(PrintedRun{&op, space});
    prev = op.kind;
  }
  return out;
}

std::string formatOpsPlain(const std::vector<WordOp>& ops, const DiffMarkers& m) {
  std::string out;
  for (const PrintedRun& run : printedRuns(ops)) {
    if (run.spaceBefore) out += ' ';
    WordOpKind kind = run.op->kind;
    if (kind == WordOpKind::kDelete) out += m.deleteOpen;
    if (kind == WordOpKind::kInsert) out += m.insertOpen;
    out += joinWords(run.op->words);
    if (kind == WordOpKind::kDelete) out += m.deleteClose;
    if (kind == WordOpKind::kInsert) out += m.insertClose;
  }
  return out;
}

}  // namespace charta::core
