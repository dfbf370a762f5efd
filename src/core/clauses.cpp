// The clause grammar (core/clauses.h): the decimal profile's numbers and references, anchors.
#include "core/clauses.h"

#include <algorithm>
#include <unordered_set>

namespace charta::core {
namespace {

// The decimal profile.

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The code point at "i", or U+FFFD (length 1) for an invalid byte.
char32_t codePointAt(std::string_view s, size_t i, size_t* length = nullptr) {
  char32_t cp;
  size_t n = decodeUtf8(s, i, cp);
  if (length) *length = n == 0 ? 1 : n;
  return n == 0 ? 0xFFFD : cp;
}

bool isWordCharAt(std::string_view s, size_t i) {
  char32_t cp;
  return decodeUtf8(s, i, cp) > 0 && isWordChar(cp);
}

// The lower-cased word (letters only) starting at "i"; "end" receives where it stops.
std::string wordAt(std::string_view s, size_t i, size_t& end) {
  end = lettersEnd(s, i);
  return lowerCase(s.substr(i, end - i));
}

struct Number {
  size_t begin = 0, end = 0;  // end: after the last digit
  std::string text;           // "4.1.10"
  int parts = 0;
};

// "4.1.10" at "i": one to six numbers of one to three digits (no leading zero), joined by dots. A
// dot belongs to the number only when a digit follows it. Fails when a number is too long or the
// whole is followed by a letter or digit.
std::optional<Number> scanNumber(std::string_view s, size_t i) {
  Number n;
  n.begin = i;
  while (true) {
    size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    size_t len = i - start;
    if (len == 0 || len > 3 || (len > 1 && s[start] == '0')) return std::nullopt;
    if (++n.parts > 6) return std::nullopt;
    if (!n.text.empty()) n.text += '.';
    n.text.append(s.substr(start, len));
    if (i + 1 < s.size() && s[i] == '.' && isDigit(s[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  if (i < s.size() && isWordCharAt(s, i)) return std::nullopt;
  n.end = i;
  return n;
}

// "пункт", "пунктами", "подпункте", ...: the words that name clauses before their numbers.
bool isClauseWord(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "пункт",     "пункта",     "пункту",     "пунктом",     "пункте",
      "пункты",    "пунктов",    "пунктам",    "пунктами",    "пунктах",
      "подпункт",  "подпункта",  "подпункту",  "подпунктом",  "подпункте",
      "подпункты", "подпунктов", "подпунктам", "подпунктами", "подпунктах"};
  return kWords.count(w) > 0;
}

// After a list of clause numbers: does the next word say they are clauses of another act
// ("пункт 3 статьи 7 Закона", "п. 2 ст. 5")?
bool refersToOtherAct(std::string_view s, size_t i) {
  i = skipTextSpace(s, i);
  size_t end;
  std::string w = wordAt(s, i, end);
  if (w.empty()) return false;
  if (w == "ст" && end < s.size() && s[end] == '.') return true;
  for (std::string_view p : {"стат", "закон", "кодекс", "приказ", "постановлен"}) {
    if (w.starts_with(p)) return true;
  }
  return false;
}

// "п" or "П" (D0 BF, D0 9F) at "i": every keyword starts with it.
bool isPeAt(std::string_view s, size_t i) {
  return i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xD0 &&
         (static_cast<unsigned char>(s[i + 1]) == 0xBF ||
          static_cast<unsigned char>(s[i + 1]) == 0x9F);
}

// Where the numbers after a keyword at "i" (a word start) begin, or nullopt when "i" starts no
// keyword; "resume" receives where scanning goes on then.
std::optional<size_t> afterKeyword(std::string_view s, size_t i, size_t& resume) {
  size_t j;
  std::string word = wordAt(s, i, j);
  resume = j;
  if (word == "п" || word == "пп") {
    if (j >= s.size() || s[j] != '.') return std::nullopt;
    ++j;
    if (word == "п" && isPeAt(s, j) && j + 2 < s.size() && s[j + 2] == '.') j += 3;  // "п.п."
    return skipTextSpace(s, j);
  }
  if (!isClauseWord(word)) return std::nullopt;
  size_t k = skipTextSpace(s, j);
  if (k == j) return std::nullopt;
  return k;
}

// Where the next number of a list starts after a separator at "k" (",", "-", a dash, "и",
// "или"), or nullopt.
std::optional<size_t> nextInList(std::string_view s, size_t k) {
  size_t w;
  std::string sep = wordAt(s, k, w);
  if (s[k] == ',' || s[k] == '-') {
    k = skipTextSpace(s, k + 1);
  } else if (s.substr(k, 3) == "\xE2\x80\x93" || s.substr(k, 3) == "\xE2\x80\x94") {
    k = skipTextSpace(s, k + 3);  // en and em dash
  } else if ((sep == "и" || sep == "или") && w < s.size() && isTextSpace(codePointAt(s, w))) {
    k = skipTextSpace(s, w);
  } else {
    return std::nullopt;
  }
  if (!scanNumber(s, k)) return std::nullopt;
  return k;
}

// Reads the reference whose keyword starts at "i" into "out"; returns where scanning goes on.
size_t referenceAt(std::string_view s, size_t i, std::vector<ClauseReference>& out) {
  size_t resume;
  std::optional<size_t> numbers = afterKeyword(s, i, resume);
  if (!numbers) return resume;
  size_t j = *numbers;
  std::vector<ClauseReference> refs;
  size_t after = j;  // after the last number and its dot
  while (auto num = scanNumber(s, j)) {
    bool dot = num->end < s.size() && s[num->end] == '.';
    after = num->end + (dot ? 1 : 0);
    size_t end = num->end;
    if (dot) {
      // The dot is the clause's own ("5.2. и") unless a new sentence starts after it.
      size_t k = skipTextSpace(s, after);
      if (k < s.size() && !isUpperCase(codePointAt(s, k))) end = after;
    }
    refs.push_back({std::move(num->text), num->begin, end});
    size_t k = skipTextSpace(s, after);
    if (k >= s.size()) break;
    std::optional<size_t> next = nextInList(s, k);
    if (!next) break;
    j = *next;
  }
  if (refs.empty() || refersToOtherAct(s, after)) return std::max(j, after);
  for (ClauseReference& r : refs) out.push_back(std::move(r));
  return after;
}

}  // namespace

// The lettered profile's own readings (clause_profiles.cpp).
std::optional<ClauseOpening> sectionLetter(std::string_view lead, bool cutByMarkup);
std::vector<ClauseReference> sectionReferences(std::string_view text);

std::optional<ClauseOpening> ClauseGrammar::opening(std::string_view lead, bool cutByMarkup) const {
  if (profile_ == ClauseProfile::kHeadings) return std::nullopt;
  if (profile_ == ClauseProfile::kLettered) {
    if (auto letter = sectionLetter(lead, cutByMarkup)) return letter;
  }
  std::optional<Number> n = scanNumber(lead, 0);
  if (!n) return std::nullopt;
  size_t j = n->end, dots = 0;
  while (j < lead.size() && lead[j] == '.') ++j, ++dots;
  bool spaced = j < lead.size() ? isTextSpace(codePointAt(lead, j)) : dots > 0 || cutByMarkup;
  if (dots == 0 && (n->parts < 2 || !spaced)) return std::nullopt;  // "5 дней", "1.1" alone
  return ClauseOpening{std::move(n->text), n->parts, j, dots, spaced};
}

std::vector<ClauseReference> ClauseGrammar::references(std::string_view text) const {
  std::vector<ClauseReference> out;
  if (profile_ == ClauseProfile::kHeadings) return out;
  if (profile_ == ClauseProfile::kLettered) return sectionReferences(text);
  size_t i = 0;
  while (i + 1 < text.size()) {
    if (isPeAt(text, i) && wordStartsAt(text, i)) {
      i = referenceAt(text, i, out);
    } else {
      ++i;
    }
  }
  return out;
}

std::string ClauseGrammar::anchor(std::string_view number) const {
  std::string a = profile_ == ClauseProfile::kDecimal ? "p-" : "";
  for (char c : number) {
    a += c == '.' ? '-' : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return a;
}

std::vector<int> ClauseGrammar::parts(std::string_view number) const {
  std::vector<int> out;
  int v = 0;
  for (char c : number) {
    if (c == '.') {
      out.push_back(v);
      v = 0;
    } else if (c >= 'A' && c <= 'Z') {
      v = c - 'A' + 1;
    } else {
      v = v * 10 + (c - '0');
    }
  }
  out.push_back(v);
  return out;
}

std::string ClauseGrammar::idOf(const std::vector<int>& parts, size_t n) const {
  std::string s;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    if (i) s += '.';
    if (i == 0 && profile_ == ClauseProfile::kLettered && parts[0] >= 1 && parts[0] <= 26) {
      s += static_cast<char>('A' + parts[0] - 1);
    } else {
      s += std::to_string(parts[i]);
    }
  }
  return s;
}

std::string clauseAnchor(std::string_view number) { return ClauseGrammar().anchor(number); }

}  // namespace charta::core
