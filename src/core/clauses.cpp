#include "core/clauses.h"

#include "core/ids.h"

namespace charta::core {

std::vector<ClauseMark> clauseMarks(std::string_view markdown) {
  std::vector<ClauseMark> out;
  size_t pos = 0, line = 0;
  bool prevBlank = true;
  bool inFence = false;
  while (pos < markdown.size()) {
    size_t e = markdown.find('\n', pos);
    if (e == std::string_view::npos) e = markdown.size();
    std::string_view ln = markdown.substr(pos, e - pos);
    pos = e + 1;
    ++line;
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    if (ln.substr(0, 3) == "```" || ln.substr(0, 3) == "~~~") inFence = !inFence;
    bool blank = ln.find_first_not_of(" \t") == std::string_view::npos;
    if (inFence || blank) {
      prevBlank = blank;
      continue;
    }
    bool startsBlock = prevBlank;
    prevBlank = false;
    bool heading = false;
    std::string_view s = ln;
    size_t hashes = 0;
    while (hashes < s.size() && s[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < s.size() && s[hashes] == ' ') {
      heading = true;
      s.remove_prefix(hashes + 1);
    } else if (!startsBlock || (!s.empty() && (s.front() == ' ' || s.front() == '\t'))) {
      continue;
    }
    while (!s.empty() && (s.front() == '*' || s.front() == '_' || s.front() == ' ')) {
      s.remove_prefix(1);
    }
    // Digits and dots, then a space or the end of the emphasis, or (the seed's typo) a letter.
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string_view num = s.substr(0, i);
    while (!num.empty() && num.back() == '.') num.remove_suffix(1);
    if (!isClauseNumber(num)) continue;
    bool dotted = i > num.size();
    bool spaced = i < s.size() && (s[i] == ' ' || s[i] == '*' || s[i] == '\t');
    if (!dotted && !spaced) continue;  // "2026 год" is no clause; "1.1 В" is
    if (!dotted && num.find('.') == std::string_view::npos) continue;  // "5 дней": no clause
    out.push_back(ClauseMark{std::string(num), line, heading});
  }
  return out;
}

std::string clauseAnchor(std::string_view number) {
  std::string a = "p-";
  for (char c : number) a += c == '.' ? '-' : c;
  return a;
}

}  // namespace charta::core
