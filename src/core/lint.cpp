#include "core/lint.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/clauses.h"
#include "core/diff.h"
#include "core/front_matter.h"
#include "core/ids.h"
#include "core/words.h"

namespace charta::core {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Lower case for ASCII and Russian Cyrillic, byte for byte the same length (А-Я, Ё).
std::string lowerRu(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 0x20);
    } else if (c == 0xD0 && i + 1 < out.size()) {
      auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x90 && d <= 0x9F) {
        out[i + 1] = static_cast<char>(d + 0x20);
      } else if (d >= 0xA0 && d <= 0xAF) {
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(d - 0x20);
      } else if (d == 0x81) {
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(0x91);
      }
      ++i;
    }
  }
  return out;
}

// A letter or digit of any script (UTF-8 lead bytes count as letters), for word boundaries.
bool isWordByte(unsigned char c) {
  return isDigit(static_cast<char>(c)) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c >= 0x80;
}

struct Line {
  size_t begin = 0, end = 0;
  bool blank = true;
  bool fenced = false;  // inside or on a code fence
};

std::vector<Line> linesOf(std::string_view s) {
  std::vector<Line> out;
  bool inFence = false;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t e = s.find('\n', pos);
    if (e == std::string_view::npos) e = s.size();
    Line l{pos, e, true, false};
    if (l.end > l.begin && s[l.end - 1] == '\r') --l.end;
    std::string_view t = s.substr(l.begin, l.end - l.begin);
    l.blank = t.find_first_not_of(" \t") == std::string_view::npos;
    bool fence = t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~";
    l.fenced = inFence || fence;
    if (fence) inFence = !inFence;
    out.push_back(l);
    pos = e + 1;
  }
  return out;
}

std::vector<int> numberParts(std::string_view number) {
  std::vector<int> parts;
  int v = 0;
  for (char c : number) {
    if (c == '.') {
      parts.push_back(v);
      v = 0;
    } else {
      v = v * 10 + (c - '0');
    }
  }
  parts.push_back(v);
  return parts;
}

std::string joinParts(const std::vector<int>& parts, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? "." : "") + std::to_string(parts[i]);
  return s;
}

// "4.1.10" at "i": one to six numbers of one to three digits (no leading zero) joined by dots; a
// dot belongs to it only when a digit follows; not followed by a letter or digit. As the renderer
// reads references.
bool scanNumber(std::string_view s, size_t i, size_t& end, std::string& text) {
  text.clear();
  int parts = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    size_t len = i - start;
    if (len == 0 || len > 3 || (len > 1 && s[start] == '0')) return false;
    if (++parts > 6) return false;
    if (!text.empty()) text += '.';
    text.append(s.substr(start, len));
    if (i + 1 < s.size() && s[i] == '.' && isDigit(s[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  if (i < s.size() && isWordByte(static_cast<unsigned char>(s[i]))) return false;
  end = i;
  return true;
}

size_t skipSpaces(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
      ++i;
    } else if (s.substr(i, 2) == "\xC2\xA0") {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// The lower-case letters (Cyrillic or Latin) starting at "i" in "low" (already lower case).
std::string_view letters(std::string_view low, size_t i, size_t& end) {
  size_t j = i;
  while (j < low.size()) {
    auto c = static_cast<unsigned char>(low[j]);
    if (c >= 'a' && c <= 'z') {
      ++j;
    } else if ((c == 0xD0 || c == 0xD1) && j + 1 < low.size()) {
      j += 2;
    } else {
      break;
    }
  }
  end = j;
  return low.substr(i, j - i);
}

bool isPointWord(std::string_view w) {
  static const std::set<std::string_view> kWords = {
      "пункт",     "пункта",     "пункту",     "пунктом",     "пункте",
      "пункты",    "пунктов",    "пунктам",    "пунктами",    "пунктах",
      "подпункт",  "подпункта",  "подпункту",  "подпунктом",  "подпункте",
      "подпункты", "подпунктов", "подпунктам", "подпунктами", "подпунктах"};
  return kWords.count(w) > 0;
}

bool refersToOtherAct(std::string_view low, size_t i) {
  i = skipSpaces(low, i);
  size_t end;
  std::string_view w = letters(low, i, end);
  if (w.empty()) return false;
  if (w == "ст" && end < low.size() && low[end] == '.') return true;
  for (std::string_view p : {"стат", "закон", "кодекс", "приказ", "постановлен"}) {
    if (w.substr(0, p.size()) == p) return true;
  }
  return false;
}

struct Reference {
  std::string number;
  size_t offset;  // of the number in the text
};

// The clause references of "low" (lower case, code blanked out), as the renderer links them.
std::vector<Reference> findReferences(std::string_view low) {
  std::vector<Reference> out;
  size_t i = 0;
  while (i + 1 < low.size()) {
    bool p = static_cast<unsigned char>(low[i]) == 0xD0 &&
             static_cast<unsigned char>(low[i + 1]) == 0xBF;  // "п"
    bool boundary = i == 0 || !isWordByte(static_cast<unsigned char>(low[i - 1]));
    if (!p || !boundary) {
      ++i;
      continue;
    }
    size_t j;
    std::string_view word = letters(low, i, j);
    if (word == "п" || word == "пп") {
      if (j >= low.size() || low[j] != '.') {
        i = j;
        continue;
      }
      ++j;
      if (word == "п" && low.substr(j, 3) == "\xD0\xBF.") j += 3;  // "п.п."
      j = skipSpaces(low, j);
    } else if (isPointWord(word)) {
      size_t k = skipSpaces(low, j);
      if (k == j) {
        i = j;
        continue;
      }
      j = k;
    } else {
      i = std::max(j, i + 1);
      continue;
    }
    std::vector<Reference> refs;
    size_t after = j;
    while (true) {
      size_t end;
      std::string number;
      if (!scanNumber(low, j, end, number)) break;
      refs.push_back({number, j});
      after = end < low.size() && low[end] == '.' ? end + 1 : end;
      size_t k = skipSpaces(low, after);
      if (k >= low.size()) break;
      size_t w;
      std::string_view sep = letters(low, k, w);
      if (low[k] == ',' || low[k] == '-') {
        k = skipSpaces(low, k + 1);
      } else if (low.substr(k, 3) == "\xE2\x80\x93" || low.substr(k, 3) == "\xE2\x80\x94") {
        k = skipSpaces(low, k + 3);
      } else if ((sep == "и" || sep == "или") && w < low.size() && (low[w] == ' ')) {
        k = skipSpaces(low, w);
      } else {
        break;
      }
      size_t e2;
      std::string n2;
      if (!scanNumber(low, k, e2, n2)) break;
      j = k;
    }
    if (!refs.empty() && !refersToOtherAct(low, after)) {
      out.insert(out.end(), refs.begin(), refs.end());
    }
    i = std::max(after, j + 1);
  }
  return out;
}

// A calendar day written in a text.
struct Day {
  int y = 0, m = 0, d = 0;
  size_t offset = 0;
  bool operator==(const Day& o) const { return y == o.y && m == o.m && d == o.d; }
};

std::string dayText(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool validDay(int y, int m, int d) {
  using namespace std::chrono;
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  return year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}
      .ok();
}

int readInt(std::string_view s, size_t i, size_t maxDigits, size_t& end) {
  int v = 0;
  size_t j = i;
  while (j < s.size() && j - i < maxDigits && isDigit(s[j])) v = v * 10 + (s[j++] - '0');
  end = j;
  if (j == i || (j < s.size() && isDigit(s[j]))) return -1;
  return v;
}

// Dates in "low" (lower case): 01.12.2026, 2026-12-01, 1 декабря 2026, «1» декабря 2026,
// 1 December 2026, December 1, 2026.
std::vector<Day> findDays(std::string_view low) {
  static const char* kRu[] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                              "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
  static const char* kEn[] = {"january",   "february", "march",    "april",
                              "may",       "june",     "july",     "august",
                              "september", "october",  "november", "december"};
  auto month = [&](std::string_view w) {
    for (int k = 0; k < 12; ++k) {
      if (w == kRu[k] || w == kEn[k]) return k + 1;
    }
    return 0;
  };
  std::vector<Day> out;
  for (size_t i = 0; i < low.size(); ++i) {
    if (!isDigit(low[i]) || (i > 0 && isDigit(low[i - 1]))) {
      // "December 1, 2026"
      size_t wend;
      if (i > 0 && isWordByte(static_cast<unsigned char>(low[i - 1]))) continue;
      std::string_view w = letters(low, i, wend);
      int m = w.empty() ? 0 : month(w);
      if (m == 0) continue;
      size_t k = skipSpaces(low, wend), e;
      int d = readInt(low, k, 2, e);
      if (d < 0 || e >= low.size() || low[e] != ',') continue;
      int y = readInt(low, skipSpaces(low, e + 1), 4, e);
      if (validDay(y, m, d)) out.push_back({y, m, d, i});
      continue;
    }
    size_t e;
    int a = readInt(low, i, 4, e);
    if (a < 0) continue;
    if (e - i == 4 && e + 5 < low.size() + 1 && e < low.size() && low[e] == '-') {
      size_t e2, e3;
      int m = readInt(low, e + 1, 2, e2);
      if (m >= 0 && e2 < low.size() && low[e2] == '-') {
        int d = readInt(low, e2 + 1, 2, e3);
        if (validDay(a, m, d)) out.push_back({a, m, d, i});
      }
      continue;
    }
    if (e - i > 2) continue;
    if (e < low.size() && low[e] == '.') {
      size_t e2, e3;
      int m = readInt(low, e + 1, 2, e2);
      if (m >= 0 && e2 < low.size() && low[e2] == '.') {
        int y = readInt(low, e2 + 1, 4, e3);
        if (e3 - (e2 + 1) == 4 && validDay(y, m, a)) out.push_back({y, m, a, i});
      }
      continue;
    }
    size_t k = e;
    if (low.substr(k, 2) == "\xC2\xBB") k += 2;  // «1»
    if (k < low.size() && low[k] == '"') ++k;
    size_t wend;
    k = skipSpaces(low, k);
    std::string_view w = letters(low, k, wend);
    int m = w.empty() ? 0 : month(w);
    if (m == 0) continue;
    size_t e4;
    int y = readInt(low, skipSpaces(low, wend), 4, e4);
    if (validDay(y, m, a)) out.push_back({y, m, a, i});
  }
  return out;
}

// Where the text says when it takes effect.
std::vector<size_t> effectPhrases(std::string_view low) {
  // One pass over the words: a keyword search for a Cyrillic word would stop at every letter
  // (they all start with the byte 0xD0 or 0xD1).
  std::vector<size_t> out;
  std::string_view prev2, prev1;
  size_t start2 = 0, start1 = 0;
  for (size_t i = 0; i < low.size();) {
    auto c = static_cast<unsigned char>(low[i]);
    bool letter = (c >= 'a' && c <= 'z') || c == 0xD0 || c == 0xD1;
    if (!letter || (i > 0 && isWordByte(static_cast<unsigned char>(low[i - 1])))) {
      ++i;
      if (!letter && c != ' ' && c != '\t') prev2 = prev1 = {};
      continue;
    }
    size_t end;
    std::string_view w = letters(low, i, end);
    if (w.substr(0, 10) == "вступ") {
      size_t s = low.find("сил", end);
      if (s != std::string_view::npos && s - i <= 40) out.push_back(i);
    } else if (w == "effective") {
      out.push_back(i);
    } else if ((w.substr(0, 16) == "действие" && prev1 == "в") ||
               ((w == "с" || w == "со") && prev1 == "действует") ||
               (w == "effect" && (prev1 == "takes" || prev1 == "take")) ||
               (w == "force" && prev1 == "into")) {
      out.push_back(start1);
    } else if (w == "from" && prev1 == "force" && prev2 == "in") {
      out.push_back(start2);
    }
    prev2 = prev1;
    start2 = start1;
    prev1 = w;
    start1 = i;
    i = std::max(end, i + 1);
  }
  return out;
}

bool isHtmlTagAt(std::string_view s, size_t i) {
  if (s[i] != '<' || i + 1 >= s.size()) return false;
  size_t j = i + 1;
  if (s.substr(j, 3) == "!--" || s[j] == '?') return true;
  if (s[j] == '!' && j + 1 < s.size() && s[j + 1] >= 'A' && s[j + 1] <= 'Z') return true;
  if (s[j] == '/') ++j;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (j >= s.size() || !alpha(s[j])) return false;
  while (j < s.size() && (alpha(s[j]) || isDigit(s[j]) || s[j] == '-')) ++j;
  if (j >= s.size()) return false;
  if (s[j] == '>' || s[j] == ' ' || s[j] == '\t') return true;
  return s[j] == '/' && j + 1 < s.size() && s[j + 1] == '>';
}

// The first HTML tag of a line outside code spans and escapes, or npos.
size_t findHtml(std::string_view ln) {
  bool inCode = false;
  for (size_t i = 0; i < ln.size(); ++i) {
    if (ln[i] == '\\') {
      ++i;
    } else if (ln[i] == '`') {
      inCode = !inCode;
    } else if (!inCode && isHtmlTagAt(ln, i)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// What a block line starts: a paragraph, or a list, quote, table, code.
bool startsParagraph(std::string_view ln) {
  if (ln.substr(0, 4) == "    " || ln.substr(0, 1) == "\t") return false;
  size_t i = ln.find_first_not_of(' ');
  if (i == std::string_view::npos) return false;
  std::string_view t = ln.substr(i);
  if (t[0] == '>' || t[0] == '|' || t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~" ||
      isHtmlTagAt(t, 0)) {
    return false;  // a quote, table, code or HTML block
  }
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') return false;
  size_t d = 0;
  while (d < t.size() && isDigit(t[d])) ++d;
  if (d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')') &&
      (d + 1 == t.size() || t[d + 1] == ' ')) {
    return false;  // an ordered list item
  }
  return t[0] != '#';
}

int headingLevel(std::string_view ln) {
  int h = 0;
  while (static_cast<size_t>(h) < ln.size() && ln[static_cast<size_t>(h)] == '#') ++h;
  return h;
}

bool isWord(std::string_view w) {
  if (w.empty()) return false;
  auto c = static_cast<unsigned char>(w[0]);
  return c >= 0xC0 || isWordByte(c);
}

// The lint of one text file.
class TextLint {
 public:
  TextLint(const LintInput& in, const LintText& text, std::vector<LintFinding>& out)
      : in_(in), text_(text), out_(out) {}

  void run() {
    const std::string& content = *text_.content;
    MarkdownFile file = splitFrontMatter(content);
    body_ = file.body;
    lineOffset_ = file.bodyLine - 1;
    lines_ = linesOf(body_);
    if (body_.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      add(Severity::kError, "missing-text", 0, "", "the text is empty",
          "write the text, or remove the language from charta.xml", "empty");
      return;
    }
    clauses_ = splitClauses(body_);
    scan_ = scanText();
    low_ = lowerRu(scan_);
    for (char& ch : low_) {
      if (ch == '\n' || ch == '\r') ch = ' ';
    }
    marks_ = clauseMarks(body_);
    unitOfLine_.assign(lines_.size() + 2, 0);
    for (size_t u = 0; u < clauses_.size(); ++u) {
      size_t next = u + 1 < clauses_.size() ? clauses_[u + 1].line : lines_.size() + 1;
      for (size_t l = clauses_[u].line; l < next && l <= lines_.size(); ++l) unitOfLine_[l] = u;
    }
    utf8();
    numbering();
    references();
    rawHtml();
    sections();
    ownUrl();
    effectiveDate();
    if (text_.lang == in_.document.controllingLang) purposes();
  }

 private:
  std::string_view lineText(size_t line) const {
    const Line& l = lines_[line - 1];
    return body_.substr(l.begin, l.end - l.begin);
  }
  std::string clauseAt(size_t line) const {
    if (line == 0 || line >= unitOfLine_.size() || clauses_.empty()) return "";
    return clauses_[unitOfLine_[line]].number;
  }
  size_t lineAt(size_t offset) const {
    auto it = std::upper_bound(lines_.begin(), lines_.end(), offset,
                               [](size_t o, const Line& l) { return o < l.begin; });
    return static_cast<size_t>(it - lines_.begin());
  }
  void add(Severity sev, std::string rule, size_t line, std::string clause, std::string message,
           std::string hint, std::string subject) {
    out_.push_back(LintFinding{sev, std::move(rule), text_.path, line ? line + lineOffset_ : 0,
                               std::move(clause), std::move(message), std::move(hint),
                               std::move(subject), ""});
  }
  // The body with fenced code and inline code blanked out (same offsets).
  std::string scanText() const {
    std::string s(body_);
    for (const Line& l : lines_) {
      if (l.fenced) {
        for (size_t i = l.begin; i < l.end; ++i) s[i] = ' ';
        continue;
      }
      bool inCode = false;
      for (size_t i = l.begin; i < l.end; ++i) {
        if (s[i] == '`') inCode = !inCode;
        if (inCode || s[i] == '`') s[i] = ' ';
      }
    }
    return s;
  }

  void utf8() {
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (isValidUtf8(lineText(i + 1))) continue;
      size_t unit = unitOfLine_[i + 1];
      add(Severity::kError, "utf8", i + 1, clauses_[unit].number, "the line is not valid UTF-8",
          "save the file as UTF-8", "line+" + std::to_string(i + 1 - clauses_[unit].line));
    }
  }

  void numbering() {
    size_t dotted = 0;
    for (const ClauseMark& m : marks_) {
      std::string_view ln = lineText(m.line);
      size_t i = 0;
      while (i < ln.size() && ln[i] == '#') ++i;
      while (i < ln.size() && (ln[i] == '*' || ln[i] == '_' || ln[i] == ' ')) ++i;
      size_t j = i;
      while (j < ln.size() && (isDigit(ln[j]) || ln[j] == '.')) ++j;
      if (j > i && ln[j - 1] == '.') ++dotted;
    }
    bool dotStyle = dotted * 2 > marks_.size();

    std::map<std::string, size_t> explicitAt;  // number -> line
    std::set<std::string> known;               // explicit or implied by a sub-clause
    std::map<std::string, int> lastChild;      // parent -> its highest child so far
    for (const ClauseMark& m : marks_) {
      std::string_view ln = lineText(m.line);
      size_t i = 0;
      while (i < ln.size() && ln[i] == '#') ++i;
      while (i < ln.size() && (ln[i] == '*' || ln[i] == '_' || ln[i] == ' ')) ++i;
      size_t j = i;
      while (j < ln.size() && (isDigit(ln[j]) || ln[j] == '.')) ++j;
      std::string written(ln.substr(i, j - i));
      size_t dots = 0;
      while (dots < written.size() && written[written.size() - 1 - dots] == '.') ++dots;
      bool spaceAfter =
          j >= ln.size() || ln[j] == ' ' || ln[j] == '\t' || ln[j] == '*' || ln[j] == '_';
      if (dots >= 2) {
        add(Severity::kError, "numbering", m.line, m.number,
            "the clause number is written \"" + written + "\"" +
                (spaceAfter ? "" : " with no space after it"),
            "write \"" + m.number + ". \": one dot, then a space", written);
      } else if (dots == 0 && dotStyle) {
        add(Severity::kWarning, "number-style", m.line, m.number,
            "the clause number \"" + m.number + "\" has no dot after it, unlike the others",
            "write \"" + m.number + ". \"", written);
      } else if (dots == 1 && !spaceAfter) {
        add(Severity::kWarning, "number-style", m.line, m.number,
            "no space after the clause number \"" + written + "\"",
            "write \"" + written + " \" followed by the text", written);
      }

      std::vector<int> parts = numberParts(m.number);
      bool reported = false;
      for (size_t level = 1; level <= parts.size(); ++level) {
        std::string self = joinParts(parts, level);
        std::string parent = joinParts(parts, level - 1);
        if (known.count(self)) continue;
        known.insert(self);
        int& last = lastChild[parent];
        int expected = last + 1;
        int got = parts[level - 1];
        if (!reported && got != expected) {
          std::string expectedNumber =
              parent.empty() ? std::to_string(expected) : parent + "." + std::to_string(expected);
          std::string message, hint;
          if (got > expected) {
            message = last == 0 ? "clause " + self + " opens its level, but " + expectedNumber +
                                      " is missing"
                                : "clause " + self + " follows " +
                                      (parent.empty() ? std::to_string(last)
                                                      : parent + "." + std::to_string(last)) +
                                      ": " + expectedNumber + " is missing";
            hint = "renumber it " + expectedNumber + ", or add the missing clause";
          } else {
            message =
                "clause " + self + " comes after " +
                (parent.empty() ? std::to_string(last) : parent + "." + std::to_string(last)) +
                ": the numbers go back";
            hint = "put the clauses in order, or renumber them";
          }
          add(Severity::kError, "numbering", m.line, m.number, message, hint, "gap-" + self);
          reported = true;
        }
        last = std::max(last, got);
      }
      auto [it, fresh] = explicitAt.emplace(m.number, m.line);
      if (!fresh) {
        add(Severity::kError, "numbering", m.line, m.number,
            "clause " + m.number + " is numbered twice (also on line " +
                std::to_string(it->second + lineOffset_) + ")",
            "renumber one of them", "duplicate-" + m.number);
      }
    }
    known_ = std::move(known);
    for (const auto& [n, l] : explicitAt) explicit_.insert(n);
  }

  void references() {
    for (const Reference& r : findReferences(low_)) {
      if (known_.count(r.number)) continue;
      size_t line = lineAt(r.offset);
      add(Severity::kError, "reference", line, clauseAt(line),
          "the reference to clause " + r.number + " names a clause this text does not have",
          "correct the number, or add clause " + r.number, r.number);
    }
  }

  void rawHtml() {
    std::map<std::string, int> seen;
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].fenced) continue;
      std::string_view ln = lineText(i + 1);
      size_t p = findHtml(ln);
      if (p == std::string_view::npos) continue;
      size_t end = ln.find('>', p);
      std::string tag(ln.substr(p, end == std::string_view::npos ? 12 : end - p + 1));
      if (tag.size() > 40) tag.replace(40, std::string::npos, "...");
      std::string clause = clauseAt(i + 1);
      int n = ++seen[clause + "|" + tag];
      add(Severity::kError, "raw-html", i + 1, clause,
          "raw HTML " + tag + " in the Markdown (the site does not show it)",
          "write it in Markdown, or remove it", tag + "#" + std::to_string(n));
    }
  }

  // Empty headings and clauses, clauses split across paragraphs, long clauses.
  void sections() {
    for (size_t u = 0; u < clauses_.size(); ++u) {
      const ClauseText& c = clauses_[u];
      if (c.preamble) continue;
      std::string_view first = lineText(c.line);
      // Blocks after the first: where they start.
      std::vector<size_t> blockStarts;
      for (size_t l = c.line + 1; l <= c.endLine; ++l) {
        if (!lines_[l - 1].blank && lines_[l - 2].blank) blockStarts.push_back(l);
      }
      std::string name = c.number.empty() ? "the heading" : "clause " + c.number;
      if (c.heading) {
        int level = headingLevel(first);
        bool content = c.endLine > c.line;
        for (size_t v = u + 1; !content && v < clauses_.size(); ++v) {
          const ClauseText& next = clauses_[v];
          if (next.heading && headingLevel(lineText(next.line)) <= level) break;
          content = true;
        }
        if (!content) {
          add(Severity::kError, "empty-section", c.line, c.number,
              "the section under " + name + " is empty", "write its text, or remove the heading",
              "section-" + c.number);
        }
        continue;
      }
      bool numberOnly =
          lineText(c.line).find_first_not_of(" \t*_.0123456789") == std::string_view::npos;
      if (numberOnly && blockStarts.empty()) {
        add(Severity::kError, "empty-section", c.line, c.number, name + " has a number but no text",
            "write its text, or remove the number", "clause-" + c.number);
        continue;
      }
      for (size_t l : blockStarts) {
        if (!startsParagraph(lineText(l))) continue;
        add(Severity::kWarning, "split-clause", l, c.number,
            numberOnly ? name + " has its number in one paragraph and its text in the next"
                       : "the text of " + name + " goes on in another paragraph",
            numberOnly ? "put the text on the line of the number"
                       : "join the paragraphs, or number the new one as a clause of its own",
            "split-" + c.number);
        break;
      }
      size_t words = static_cast<size_t>(std::count_if(
          c.words.begin(), c.words.end(), [](const Word& w) { return isWord(w.text); }));
      if (words > kLongClauseWords) {
        add(Severity::kWarning, "long-clause", c.line, c.number,
            name + " has " + std::to_string(words) + " words",
            "split it into sub-clauses of at most " + std::to_string(kLongClauseWords) + " words",
            "long-" + c.number);
      }
    }
  }

  // The unit's lines as one string, line breaks as spaces (same offsets), and where it starts.
  std::pair<std::string, size_t> unitText(const ClauseText& c) const {
    size_t begin = lines_[c.line - 1].begin;
    size_t end = lines_[c.endLine - 1].end;
    std::string s(body_.substr(begin, end - begin));
    for (char& ch : s) {
      if (ch == '\n' || ch == '\r') ch = ' ';
    }
    return {s, begin};
  }

  void ownUrl() {
    std::string route = in_.document.route;
    while (route.size() > 1 && route.back() == '/') route.pop_back();
    const std::string& scan = scan_;
    for (const ClauseText& c : clauses_) {
      size_t begin = lines_[c.line - 1].begin;
      size_t end = lines_[c.endLine - 1].end;
      std::string_view low = std::string_view(low_).substr(begin, end - begin);
      if (low.find("http") == std::string_view::npos) continue;
      bool aboutPolicy = low.find("политик") != std::string_view::npos ||
                         low.find("policy") != std::string_view::npos;
      bool aboutPlace = false;
      for (const char* kw : {"размещ", "опубликован", "по адресу", "доступн", "находится",
                             "located", "available at", "published at", "can be found"}) {
        if (low.find(kw) != std::string_view::npos) aboutPlace = true;
      }
      if (!aboutPolicy || !aboutPlace) continue;
      for (size_t p = low.find("http"); p != std::string_view::npos; p = low.find("http", p + 1)) {
        size_t scheme = low.compare(p, 8, "https://") == 0  ? 8
                        : low.compare(p, 7, "http://") == 0 ? 7
                                                            : 0;
        if (scheme == 0) continue;
        size_t q = p;
        while (q < low.size() && low[q] != ' ' && low[q] != '>' && low[q] != '<' && low[q] != ')' &&
               low[q] != ']' && low[q] != '"' && low[q] != '\t') {
          ++q;
        }
        std::string url(scan.substr(begin + p, q - p));
        while (!url.empty() && std::string_view(".,;:!?").find(url.back()) != std::string::npos) {
          url.pop_back();
        }
        size_t slash = url.find('/', scheme);
        std::string path = slash == std::string::npos ? "" : url.substr(slash);
        path.resize(std::min(path.size(), path.find_first_of("?#")));
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        bool ok = route == "/" ? path.empty() || path == "/" : path.ends_with(route);
        if (ok) continue;
        std::string host = url.substr(0, slash == std::string::npos ? url.size() : slash);
        std::string base = in_.baseUrl.empty() ? host : in_.baseUrl;
        while (!base.empty() && base.back() == '/') base.pop_back();
        size_t line = lineAt(begin + p);
        add(Severity::kError, "own-url", line, c.number,
            "the text gives " + url +
                " as the address of this policy, which does not end in "
                "its route " +
                route,
            "write " + base + route, url);
      }
    }
  }

  void effectiveDate() {
    if (!in_.effectiveFrom) return;
    using namespace std::chrono;
    auto local = floor<days>(*in_.effectiveFrom + in_.effectiveOffset);
    year_month_day ymd{local};
    Day want{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
             static_cast<int>(static_cast<unsigned>(ymd.day())), 0};
    std::vector<size_t> all = effectPhrases(low_);
    if (all.empty()) return;
    for (const ClauseText& c : clauses_) {
      size_t begin = lines_[c.line - 1].begin;
      size_t end = lines_[c.endLine - 1].end;
      std::vector<size_t> phrases;
      for (size_t p : all) {
        if (p >= begin && p < end) phrases.push_back(p - begin);
      }
      if (phrases.empty()) continue;
      std::string_view low = std::string_view(low_).substr(begin, end - begin);
      std::vector<Day> days = findDays(low);
      std::set<size_t> reported;
      for (size_t ph : phrases) {
        const Day* nearest = nullptr;
        size_t best = 0;
        for (const Day& d : days) {
          size_t dist = d.offset > ph ? d.offset - ph : ph - d.offset;
          if (dist > 200) continue;
          if (!nearest || dist < best) {
            nearest = &d;
            best = dist;
          }
        }
        if (!nearest || *nearest == want || reported.count(nearest->offset)) continue;
        reported.insert(nearest->offset);
        size_t line = lineAt(begin + nearest->offset);
        std::string got = dayText(nearest->y, nearest->m, nearest->d);
        add(Severity::kError, "effective-date", line, c.number,
            "the text says it takes effect on " + got + ", but Effective-From is " +
                formatRfc3339(*in_.effectiveFrom, in_.effectiveOffset, false),
            "publish with --effective-from " + got + "T00:00:00" +
                formatRfc3339(Instant{}, in_.effectiveOffset, false).substr(19) +
                ", or correct the date in the text",
            got);
      }
    }
  }

  void purposes() {
    for (const Purpose& p : in_.document.purposes) {
      if (explicit_.count(p.clause)) continue;
      size_t line = 0;
      if (!in_.registryXml.empty()) {
        size_t at = in_.registryXml.find("clause=\"" + p.clause + "\"");
        if (at != std::string::npos) {
          line =
              static_cast<size_t>(std::count(
                  in_.registryXml.begin(), in_.registryXml.begin() + static_cast<long>(at), '\n')) +
              1;
        }
      }
      out_.push_back(
          LintFinding{Severity::kError, "purpose-clause", in_.registryPath, line, p.clause,
                      "purpose \"" + p.id.str() + "\" is tied to clause " + p.clause +
                          ", which the " + text_.lang.str() + " text does not have",
                      "tie it to the clause that states the purpose, or restore clause " + p.clause,
                      p.id.str(), ""});
    }
  }

  const LintInput& in_;
  const LintText& text_;
  std::vector<LintFinding>& out_;
  std::string_view body_;
  size_t lineOffset_ = 0;
  std::vector<Line> lines_;
  std::vector<ClauseText> clauses_;
  std::vector<ClauseMark> marks_;
  std::vector<size_t> unitOfLine_;
  std::string scan_;  // the body, code blanked out
  std::string low_;   // scan_ in lower case, line breaks as spaces (same offsets)
  std::set<std::string> known_;
  std::set<std::string> explicit_;
};

std::string key(const LintFinding& f) {
  return f.rule + '\x1f' + f.file + '\x1f' + f.clause + '\x1f' + f.subject;
}

}  // namespace

const char* severityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

size_t LintReport::errors() const {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [](const auto& f) {
    return f.severity == Severity::kError;
  }));
}

size_t LintReport::warnings() const { return findings.size() - errors(); }

size_t LintReport::blocking() const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [](const auto& f) { return f.blocks(); }));
}

LintReport lint(const LintInput& in) {
  LintReport report;
  std::vector<std::string> order;
  for (const LintText& t : in.texts) {
    order.push_back(t.path);
    bool controlling = t.lang == in.document.controllingLang;
    if (!t.content) {
      report.findings.push_back(LintFinding{
          Severity::kError, "missing-text", t.path, 0, "",
          std::string(controlling ? "the controlling language " : "the language ") + t.lang.str() +
              " has no text: charta.xml names " + t.path + ", which does not exist",
          "add the file, or correct its path in charta.xml", "missing", ""});
      continue;  // without the text, its rules and the purposes cannot be checked
    }
    TextLint(in, t, report.findings).run();
    if (t.lagging && !controlling) {
      report.findings.push_back(LintFinding{
          Severity::kWarning, "lagging-text", t.path, 0, "",
          "the " + t.lang.str() + " text was last changed before the latest change of the " +
              in.document.controllingLang.str() + " text",
          "bring the translation up to date, or confirm it still says the same", "lagging", ""});
    }
  }
  order.push_back(in.registryPath);
  auto rank = [&](const std::string& file) {
    return static_cast<size_t>(std::find(order.begin(), order.end(), file) - order.begin());
  };
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [&](const LintFinding& a, const LintFinding& b) {
                     if (a.file != b.file) return rank(a.file) < rank(b.file);
                     return a.line < b.line;
                   });
  return report;
}

void markInherited(LintReport& report, const LintReport& baseline, const std::string& label) {
  std::set<std::string> before;
  for (const auto& f : baseline.findings) before.insert(key(f));
  for (auto& f : report.findings) {
    if (before.count(key(f))) f.inheritedFrom = label;
  }
}

std::string formatFinding(const LintFinding& f) {
  std::string out = f.file;
  if (f.line) out += ":" + std::to_string(f.line);
  out += ": ";
  out += severityName(f.severity);
  out += " [" + f.rule + "]";
  if (!f.clause.empty()) out += " clause " + f.clause;
  out += ": " + f.message;
  if (!f.hint.empty()) out += " \xE2\x80\x94 fix: " + f.hint;
  if (!f.inheritedFrom.empty()) {
    out += " (already in " + f.inheritedFrom +
           (f.severity == Severity::kError ? ": does not block publishing)" : ")");
  }
  return out;
}

}  // namespace charta::core
