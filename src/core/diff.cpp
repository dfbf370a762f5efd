#include "core/diff.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <unordered_map>

#include "core/clauses.h"
#include "core/words.h"

namespace charta::core {
namespace {

// ---------------------------------------------------------------------------------------------
// Words: the rules of core::legalTokens (words.cpp), keeping where white space was.

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Appends the words of "text" to "out". The first line's markup is kept when "rawFirstLine" (it
// is the rest of a clause line after its number). A word is always a contiguous part of "text":
// an escaped letter ("a\b", not a CommonMark escape) starts a new word, where legalTokens would
// join it to the previous one.
void appendWords(std::vector<Word>& out, std::string_view text, bool rawFirstLine) {
  size_t wordBegin = 0, wordEnd = 0;
  bool inWord = false;
  bool space = false;
  std::string_view ln;
  auto flush = [&] {
    if (inWord) {
      out.push_back(Word{ln.substr(wordBegin, wordEnd - wordBegin), space});
      space = false;
    }
    inWord = false;
  };
  size_t pos = 0;
  bool first = true;
  out.reserve(out.size() + text.size() / 6);
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    ln = text.substr(pos, e - pos);
    if (!(first && rawFirstLine)) ln = stripLineMarkup(ln);
    if (!first) space = true;
    first = false;
    pos = e + 1;
    for (size_t i = 0; i < ln.size();) {
      char c = ln[i];
      if (c == '\\' && i + 1 < ln.size() && static_cast<unsigned char>(ln[i + 1]) < 0x80 &&
          ln[i + 1] != ' ') {
        flush();
        ++i;
      } else if (c == '*' || c == '_' ||
                 (c == '<' && isAutolinkStart(ln.substr(i + 1)) &&
                  ln.find('>', i) != std::string_view::npos)) {
        flush();
        ++i;
        continue;
      } else if (c == '>' && i > 0) {
        size_t open = ln.rfind('<', i);
        if (open != std::string_view::npos && isAutolinkStart(ln.substr(open + 1))) {
          flush();
          ++i;
          continue;
        }
      }
      // Fast paths: ASCII, and the two-byte Cyrillic block (U+0400-U+04FF: all letters).
      auto uc = static_cast<unsigned char>(c);
      if (uc < 0x80 || (uc >= 0xD0 && uc <= 0xD3 && i + 1 < ln.size() &&
                        (static_cast<unsigned char>(ln[i + 1]) & 0xC0) == 0x80)) {
        size_t n = uc < 0x80 ? 1 : 2;
        bool alnum = n == 2 || (uc >= '0' && uc <= '9') || (uc >= 'a' && uc <= 'z') ||
                     (uc >= 'A' && uc <= 'Z');
        if (alnum) {
          if (!inWord) {
            inWord = true;
            wordBegin = i;
          }
          wordEnd = i + n;
        } else if (isTextSpace(uc)) {
          flush();
          space = true;
        } else {
          flush();
          out.push_back(Word{ln.substr(i, 1), space});
          space = false;
        }
        i += n;
        continue;
      }
      char32_t cp;
      size_t n = decodeUtf8(ln, i, cp);
      if (n == 0) {
        flush();
        out.push_back(Word{kReplacement, space});
        space = false;
        ++i;
        continue;
      }
      if (isTextSpace(cp)) {
        flush();
        space = true;
      } else if (isWordChar(cp)) {
        if (!inWord) {
          inWord = true;
          wordBegin = i;
        }
        wordEnd = i + n;
      } else {
        flush();
        out.push_back(Word{ln.substr(i, n), space});
        space = false;
      }
      i += n;
    }
    flush();
  }
}

// Joins numbers that legalTokens splits ("5", ".", "2", ".") into one word ("5.2."), so that a
// changed reference reads "п. [-5.2.-]{+5.3.+}" rather than "п. 5.[-2-]{+3+}.". Only words that
// touch each other in the text are joined.
void glueNumbers(std::vector<Word>& words) {
  auto numeric = [](std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(),
                                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  };
  std::vector<Word> out;
  out.reserve(words.size());
  for (const Word& w : words) {
    if (!out.empty() && !w.spaceBefore && numeric(w.text) && numeric(out.back().text) &&
        out.back().text.data() + out.back().text.size() == w.text.data() &&
        (w.text != "." || out.back().text.back() != '.')) {
      Word& last = out.back();
      last.text = std::string_view(last.text.data(), last.text.size() + w.text.size());
      continue;
    }
    out.push_back(w);
  }
  words = std::move(out);
}

// ---------------------------------------------------------------------------------------------
// Lines and clauses

struct Line {
  size_t begin = 0, end = 0;  // byte offsets, end excludes the line break (and a CR)
  bool blank = true;
  bool heading = false;  // an ATX heading outside a code fence
};

std::vector<Line> scanLines(std::string_view md) {
  std::vector<Line> lines;
  bool inFence = false;
  size_t pos = 0;
  while (pos < md.size()) {
    size_t e = md.find('\n', pos);
    if (e == std::string_view::npos) e = md.size();
    Line l;
    l.begin = pos;
    l.end = e;
    if (l.end > l.begin && md[l.end - 1] == '\r') --l.end;
    std::string_view s = md.substr(l.begin, l.end - l.begin);
    bool fence = s.substr(0, 3) == "```" || s.substr(0, 3) == "~~~";
    l.blank = s.find_first_not_of(" \t") == std::string_view::npos;
    if (!inFence && !fence) {
      size_t h = 0;
      while (h < s.size() && s[h] == '#') ++h;
      l.heading = h >= 1 && h <= 6 && h < s.size() && s[h] == ' ';
    }
    if (fence) inFence = !inFence;
    lines.push_back(l);
    pos = e + 1;
  }
  return lines;
}

// The length of the clause number prefix of "ln" (heading hashes, emphasis, digits and dots).
size_t numberPrefixLength(std::string_view ln) {
  size_t i = 0;
  while (i < ln.size() && ln[i] == '#') ++i;
  if (i > 0 && i < ln.size() && ln[i] == ' ') ++i;
  while (i < ln.size() && (ln[i] == '*' || ln[i] == '_' || ln[i] == ' ')) ++i;
  while (i < ln.size() && ((ln[i] >= '0' && ln[i] <= '9') || ln[i] == '.')) ++i;
  return i;
}

// ---------------------------------------------------------------------------------------------
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

  // Finds the midpoint of a shortest edit script of a[xoff, xlim) and b[yoff, ylim).
  void middle(long xoff, long xlim, long yoff, long ylim, long& xmid, long& ymid) {
    const long dmin = xoff - ylim, dmax = xlim - yoff;
    const long fmid = xoff - yoff, bmid = xlim - ylim;
    long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
    const bool odd = ((fmid - bmid) & 1) != 0;
    fd(fmid) = xoff;
    bd(bmid) = xlim;
    while (true) {
      if (fmin > dmin) {
        fd(--fmin - 1) = -1;
      } else {
        ++fmin;
      }
      if (fmax < dmax) {
        fd(++fmax + 1) = -1;
      } else {
        --fmax;
      }
      for (long d = fmax; d >= fmin; d -= 2) {
        long tlo = fd(d - 1), thi = fd(d + 1);
        long x = tlo >= thi ? tlo + 1 : thi;
        long y = x - d;
        while (x < xlim && y < ylim && a(x) == b(y)) ++x, ++y;
        fd(d) = x;
        if (odd && bmin <= d && d <= bmax && bd(d) <= x) {
          xmid = x;
          ymid = y;
          return;
        }
      }
      if (bmin > dmin) {
        bd(--bmin - 1) = LONG_MAX;
      } else {
        ++bmin;
      }
      if (bmax < dmax) {
        bd(++bmax + 1) = LONG_MAX;
      } else {
        --bmax;
      }
      for (long d = bmax; d >= bmin; d -= 2) {
        long tlo = bd(d - 1), thi = bd(d + 1);
        long x = tlo < thi ? tlo : thi - 1;
        long y = x - d;
        while (xoff < x && yoff < y && a(x - 1) == b(y - 1)) --x, --y;
        bd(d) = x;
        if (!odd && fmin <= d && d <= fmax && x <= fd(d)) {
          xmid = x;
          ymid = y;
          return;
        }
      }
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
      auto side = [&](size_t from, int step) {
        size_t del = 0, ins = 0;
        for (size_t m = from; m < ops.size() && ops[m].kind != WordOpKind::kEqual;
             m = static_cast<size_t>(static_cast<long>(m) + step)) {
          (ops[m].kind == WordOpKind::kDelete ? del : ins) += ops[m].words.size();
          if (m == 0 && step < 0) break;
        }
        return std::max(del, ins);
      };
      size_t before = side(k - 1, -1), after = side(k + 1, 1);
      size_t n = ops[k].words.size();
      if (n < before && n < after) {
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

// Turns the marks of a SeqDiff into runs of words.
std::vector<WordOp> opsOf(const std::vector<Word>& from, const std::vector<Word>& to,
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

// Word texts as small integers, shared by both sides of one diff.
class Interner {
 public:
  int id(std::string_view w) {
    return ids_.emplace(w, static_cast<int>(ids_.size())).first->second;
  }
  std::vector<int> ids(const std::vector<Word>& words) {
    std::vector<int> out;
    out.reserve(words.size());
    for (const Word& w : words) out.push_back(id(w.text));
    return out;
  }

 private:
  std::unordered_map<std::string_view, int> ids_;
};

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

size_t equalWords(const std::vector<WordOp>& ops) {
  size_t n = 0;
  for (const auto& op : ops) {
    if (op.kind == WordOpKind::kEqual) n += op.words.size();
  }
  return n;
}

size_t hashWords(const std::vector<Word>& words) {
  size_t h = 1469598103934665603ull;
  for (const Word& w : words) {
    for (char c : w.text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull;  // a byte no UTF-8 text has: between words
  }
  return h;
}

bool sameWords(const std::vector<Word>& a, const std::vector<Word>& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].text != b[k].text) return false;
  }
  return true;
}

// The clauses of one side, and (only for those not matched by their words) their words as ids.
struct Side {
  std::vector<ClauseText> clauses;
  std::vector<std::string> keys;  // matched by number under this key; empty: never
  std::vector<std::vector<int>> ids;
  std::vector<char> hasIds;
  std::vector<std::vector<int>> bags;
  std::vector<long> match;  // index on the other side, or -1

  void read(std::string_view md) {
    clauses = splitClauses(md);
    keys.reserve(clauses.size());
    for (const auto& c : clauses) keys.push_back(c.preamble ? "#preamble" : c.number);
    ids.resize(clauses.size());
    bags.resize(clauses.size());
    hasIds.assign(clauses.size(), 0);
    match.assign(clauses.size(), -1);
  }
  const std::vector<int>& idsOf(size_t i, Interner& interner) {
    if (!hasIds[i]) {
      ids[i] = interner.ids(clauses[i].words);
      bags[i] = ids[i];
      std::sort(bags[i].begin(), bags[i].end());
      hasIds[i] = 1;
    }
    return ids[i];
  }
  const std::string& numberKey(size_t i) const { return keys[i]; }
};

void appendOpsPlain(std::string& out, const std::vector<WordOp>& ops, const DiffMarkers& m) {
  WordOpKind prev = WordOpKind::kEqual;
  bool any = false;
  for (const WordOp& op : ops) {
    if (op.words.empty()) continue;
    // After a change, a word (not a punctuation mark) is set apart even when the new text has
    // it first: "[-a b-] c".
    const Word& first = op.words.front();
    bool afterChange = prev != WordOpKind::kEqual;
    bool wordStart = static_cast<unsigned char>(first.text.front()) >= 0xC0 ||
                     std::isalnum(static_cast<unsigned char>(first.text.front()));
    bool space = any && (first.spaceBefore || (afterChange && wordStart)) &&
                 !(op.kind == WordOpKind::kInsert && prev == WordOpKind::kDelete);
    if (space) out += ' ';
    if (op.kind == WordOpKind::kDelete) out += m.deleteOpen;
    if (op.kind == WordOpKind::kInsert) out += m.insertOpen;
    out += joinWords(op.words);
    if (op.kind == WordOpKind::kDelete) out += m.deleteClose;
    if (op.kind == WordOpKind::kInsert) out += m.insertClose;
    prev = op.kind;
    any = true;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::vector<Word> readWords(std::string_view markdown) {
  std::vector<Word> out;
  appendWords(out, markdown, false);
  return out;
}

std::string joinWords(const std::vector<Word>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0 && words[i].spaceBefore) out += ' ';
    out.append(words[i].text);
  }
  return out;
}

std::vector<ClauseText> splitClauses(std::string_view markdown) {
  std::vector<Line> lines = scanLines(markdown);
  std::vector<ClauseMark> marks = clauseMarks(markdown);
  // Where units start: clause marks and unnumbered headings, by line index.
  struct Start {
    size_t index;
    const ClauseMark* mark;
  };
  std::vector<Start> starts;
  size_t m = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (m < marks.size() && marks[m].line == i + 1) {
      starts.push_back({i, &marks[m]});
      ++m;
    } else if (lines[i].heading) {
      starts.push_back({i, nullptr});
    }
  }
  std::vector<ClauseText> out;
  auto addUnit = [&](size_t from, size_t to, const ClauseMark* mark, bool preamble) {
    size_t last = to;
    while (last > from && lines[last - 1].blank) --last;
    if (last == from && preamble) return;
    ClauseText c;
    c.preamble = preamble;
    c.line = from + 1;
    c.endLine = last > from ? last : from + 1;
    if (mark) {
      c.number = mark->number;
      c.heading = mark->heading;
    } else if (!preamble) {
      c.heading = true;
    }
    if (last > from) {
      size_t begin = lines[from].begin;
      size_t end = lines[last - 1].end;
      if (mark) {
        std::string_view first = markdown.substr(begin, lines[from].end - begin);
        begin += numberPrefixLength(first);
      }
      appendWords(c.words, markdown.substr(begin, end - begin), mark != nullptr);
      glueNumbers(c.words);
    }
    out.push_back(std::move(c));
  };
  size_t firstStart = starts.empty() ? lines.size() : starts.front().index;
  addUnit(0, firstStart, nullptr, true);
  for (size_t k = 0; k < starts.size(); ++k) {
    size_t end = k + 1 < starts.size() ? starts[k + 1].index : lines.size();
    addUnit(starts[k].index, end, starts[k].mark, false);
  }
  return out;
}

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

std::vector<WordOp> diffWords(const std::vector<Word>& from, const std::vector<Word>& to) {
  Interner interner;
  std::vector<int> a = interner.ids(from);
  std::vector<int> b = interner.ids(to);
  return opsOf(from, to, a, b);
}

DocumentDiff diffTexts(std::string_view oldMarkdown, std::string_view newMarkdown,
                       const DiffOptions& options) {
  DocumentDiff diff;
  diff.oldText = std::make_shared<const std::string>(oldMarkdown);
  diff.newText = std::make_shared<const std::string>(newMarkdown);
  Interner interner;
  Side o, n;
  o.read(*diff.oldText);
  n.read(*diff.newText);
  auto pair = [&](size_t i, size_t j) {
    o.match[i] = static_cast<long>(j);
    n.match[j] = static_cast<long>(i);
  };

  // 1. The same words: first under the same number (most clauses of a new edition), then under
  // any number (moved); the same number first among equals.
  std::unordered_map<std::string_view, size_t> oldByKey;
  oldByKey.reserve(o.clauses.size());
  for (size_t i = 0; i < o.clauses.size(); ++i) {
    if (!o.keys[i].empty()) oldByKey.emplace(o.keys[i], i);
  }
  for (size_t j = 0; j < n.clauses.size(); ++j) {
    auto it = n.keys[j].empty() ? oldByKey.end() : oldByKey.find(n.keys[j]);
    if (it != oldByKey.end() && o.match[it->second] < 0 &&
        sameWords(o.clauses[it->second].words, n.clauses[j].words)) {
      pair(it->second, j);
    }
  }
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
    if (best >= 0) pair(static_cast<size_t>(best), j);
  }

  // 2. Similar words: the best pairs first; an equal number weighs a little.
  std::vector<size_t> restOld, restNew;
  for (size_t i = 0; i < o.clauses.size(); ++i)
    if (o.match[i] < 0) restOld.push_back(i);
  for (size_t j = 0; j < n.clauses.size(); ++j)
    if (n.match[j] < 0) restNew.push_back(j);
  if (!restOld.empty() && !restNew.empty() && restOld.size() * restNew.size() <= 1000000) {
    struct Candidate {
      double score;
      size_t i, j;
    };
    std::vector<Candidate> candidates;
    for (size_t i : restOld) o.idsOf(i, interner);
    for (size_t j : restNew) n.idsOf(j, interner);
    for (size_t i : restOld) {
      for (size_t j : restNew) {
        if (o.bags[i].empty() || n.bags[j].empty()) continue;
        double s = similarity(o.bags[i], n.bags[j]);
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
      if (o.match[c.i] < 0 && n.match[c.j] < 0) pair(c.i, c.j);
    }
  }

  // 3. Whatever is left under the same number is that clause, rewritten.
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
    if (best >= 0) pair(static_cast<size_t>(best), j);
  }

  // A purpose of the new catalogue is touched when the words of its clause are not those of its
  // clause in the old catalogue (or it had none).
  auto wordsOf = [](const Side& side, const std::string& number) -> const std::vector<Word>* {
    for (const ClauseText& c : side.clauses) {
      if (!c.preamble && c.number == number) return &c.words;
    }
    return nullptr;
  };
  for (const Purpose& p : options.newPurposes) {
    auto old = std::find_if(options.oldPurposes.begin(), options.oldPurposes.end(),
                            [&](const Purpose& q) { return q.id == p.id; });
    const std::vector<Word>* now = wordsOf(n, p.clause);
    const std::vector<Word>* before =
        old == options.oldPurposes.end() ? nullptr : wordsOf(o, old->clause);
    if (!now || !before || !sameWords(*now, *before)) diff.touchedPurposes.push_back(p.id.str());
  }

  // The entries of both sides.
  auto oldEntry = [&](size_t i) {
    ClauseDiff d;
    const ClauseText& c = o.clauses[i];
    d.status = ClauseStatus::kRemoved;
    d.oldNumber = c.number;
    d.inOld = true;
    d.heading = c.heading;
    d.preamble = c.preamble;
    d.oldLine = c.line;
    d.textChanged = true;
    if (!c.words.empty()) d.ops.push_back(WordOp{WordOpKind::kDelete, c.words});
    return d;
  };
  auto newEntry = [&](size_t j) {
    ClauseDiff d;
    const ClauseText& c = n.clauses[j];
    d.newNumber = c.number;
    d.inNew = true;
    d.heading = c.heading;
    d.preamble = c.preamble;
    d.newLine = c.line;
    long i = n.match[j];
    if (i < 0) {
      d.status = ClauseStatus::kAdded;
      d.textChanged = true;
      if (!c.words.empty()) d.ops.push_back(WordOp{WordOpKind::kInsert, c.words});
      return d;
    }
    const ClauseText& oc = o.clauses[static_cast<size_t>(i)];
    d.oldNumber = oc.number;
    d.inOld = true;
    d.oldLine = oc.line;
    d.heading = c.heading || oc.heading;
    bool sameNumber = o.numberKey(static_cast<size_t>(i)) == n.numberKey(j);
    d.textChanged = !sameWords(oc.words, c.words);
    if (d.textChanged) {
      d.ops =
          opsOf(oc.words, c.words, o.idsOf(static_cast<size_t>(i), interner), n.idsOf(j, interner));
    } else if (!c.words.empty()) {
      d.ops.push_back(WordOp{WordOpKind::kEqual, std::move(n.clauses[j].words)});
    }
    d.status = !sameNumber     ? ClauseStatus::kMoved
               : d.textChanged ? ClauseStatus::kChanged
                               : ClauseStatus::kUnchanged;
    return d;
  };

  // In the order of the new text; a clause only in the old text after the clause before it.
  std::vector<ClauseDiff> entries;
  std::vector<long> entryOfNew(n.clauses.size(), -1);
  size_t nextOld = 0;
  auto flushOld = [&](size_t upTo) {
    for (; nextOld < upTo; ++nextOld) {
      if (o.match[nextOld] < 0) entries.push_back(oldEntry(nextOld));
    }
  };
  for (size_t j = 0; j < n.clauses.size(); ++j) {
    if (n.match[j] >= 0 && static_cast<size_t>(n.match[j]) >= nextOld) {
      flushOld(static_cast<size_t>(n.match[j]));
    }
    entryOfNew[j] = static_cast<long>(entries.size());
    entries.push_back(newEntry(j));
  }
  flushOld(o.clauses.size());

  // Splits and merges: an added clause made of words deleted from a changed one, a removed clause
  // whose words were inserted into a changed one.
  auto findRun = [&](const std::vector<Word>& words, WordOpKind kind, size_t& entry,
                     size_t& op) -> bool {
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
  };
  for (ClauseDiff& d : entries) {
    if (d.status != ClauseStatus::kAdded && d.status != ClauseStatus::kRemoved) continue;
    if (d.ops.empty() || d.ops.front().words.size() < 2 || d.preamble) continue;
    const std::vector<Word> words = d.ops.front().words;
    size_t e = 0, k = 0;
    if (d.status == ClauseStatus::kAdded && findRun(words, WordOpKind::kDelete, e, k)) {
      d.status = ClauseStatus::kSplit;
      d.oldNumber = entries[e].oldNumber;
      d.ops = diffWords(entries[e].ops[k].words, words);
    } else if (d.status == ClauseStatus::kRemoved && findRun(words, WordOpKind::kInsert, e, k)) {
      d.status = ClauseStatus::kMerged;
      d.newNumber = entries[e].newNumber;
      d.ops = diffWords(words, entries[e].ops[k].words);
    }
  }

  // The purposes named on each clause, the summary.
  for (ClauseDiff& d : entries) {
    auto addPurposes = [&](const std::vector<Purpose>& ps, const std::string& number) {
      for (const Purpose& p : ps) {
        if (p.clause == number &&
            std::find(d.purposes.begin(), d.purposes.end(), p.id.str()) == d.purposes.end()) {
          d.purposes.push_back(p.id.str());
        }
      }
    };
    if (d.inOld && !d.oldNumber.empty()) addPurposes(options.oldPurposes, d.oldNumber);
    if (d.inNew && !d.newNumber.empty()) addPurposes(options.newPurposes, d.newNumber);
    switch (d.status) {
      case ClauseStatus::kUnchanged:
        ++diff.summary.unchanged;
        break;
      case ClauseStatus::kChanged:
        ++diff.summary.changed;
        break;
      case ClauseStatus::kMoved:
        ++diff.summary.moved;
        break;
      case ClauseStatus::kAdded:
        ++diff.summary.added;
        break;
      case ClauseStatus::kRemoved:
        ++diff.summary.removed;
        break;
      case ClauseStatus::kSplit:
        ++diff.summary.split;
        break;
      case ClauseStatus::kMerged:
        ++diff.summary.merged;
        break;
    }
  }
  // A purpose of the new catalogue is touched when the words of its clause are not those of its
  // clause in the old catalogue (or it had none).
  diff.clauses = std::move(entries);
  return diff;
}

std::string formatOpsPlain(const std::vector<WordOp>& ops, const DiffMarkers& markers) {
  std::string out;
  appendOpsPlain(out, ops, markers);
  return out;
}

std::string formatDiffPlain(const DocumentDiff& diff, const DiffMarkers& markers) {
  std::string out;
  for (const ClauseDiff& d : diff.clauses) {
    if (d.status == ClauseStatus::kUnchanged) continue;
    auto name = [&](const std::string& number) {
      return d.preamble ? std::string("preamble") : number.empty() ? "heading" : number;
    };
    out += clauseStatusName(d.status);
    out += ' ';
    switch (d.status) {
      case ClauseStatus::kChanged:
      case ClauseStatus::kAdded:
        out += name(d.newNumber);
        break;
      case ClauseStatus::kRemoved:
        out += name(d.oldNumber);
        break;
      default:
        out += name(d.oldNumber) + " -> " + name(d.newNumber);
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
      out += ": ";
      appendOpsPlain(out, d.ops, markers);
    }
    out += '\n';
  }
  return out;
}

}  // namespace charta::core
