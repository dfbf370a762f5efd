// Lint rules of the shape of sections and clauses: empty-section, split-clause, long-clause.
#include <algorithm>

#include "core/lint_text.h"
#include "core/words.h"

namespace charta::core {
namespace {

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
  while (d < t.size() && t[d] >= '0' && t[d] <= '9') ++d;
  if (d > 0 && d < t.size() && (t[d] == '.' || t[d] == ')') &&
      (d + 1 == t.size() || t[d + 1] == ' ')) {
    return false;  // an ordered list item
  }
  return t[0] != '#';
}

std::string unitName(const ClauseText& c) {
  return c.number.empty() ? "the heading" : "clause " + c.number;
}

}  // namespace

// Empty headings and clauses, clauses split across paragraphs, long clauses.
void TextLint::sections() {
  for (size_t u = 0; u < clauses_.size(); ++u) {
    const ClauseText& c = clauses_[u];
    if (c.preamble) continue;
    if (c.heading) {
      emptyHeading(u);
    } else {
      clauseBlocks(c);
    }
  }
}

// A heading with nothing under it before the next heading of its level or above.
void TextLint::emptyHeading(size_t unit) {
  const ClauseText& c = clauses_[unit];
  int level = lines_[c.line - 1].heading;
  bool content = c.endLine > c.line;
  for (size_t v = unit + 1; !content && v < clauses_.size(); ++v) {
    const ClauseText& next = clauses_[v];
    if (next.heading && lines_[next.line - 1].heading <= level) break;
    content = true;
  }
  if (!content) {
    add(Severity::kError, "empty-section", c.line, c.number,
        "the section under " + unitName(c) + " is empty", "write its text, or remove the heading",
        "section-" + c.number);
  }
}

// A clause paragraph: a number without text, text going on in another paragraph, too many words.
void TextLint::clauseBlocks(const ClauseText& c) {
  std::vector<size_t> blockStarts;  // the lines where blocks after the first start
  for (size_t l = c.line + 1; l <= c.endLine; ++l) {
    if (!lines_[l - 1].blank && lines_[l - 2].blank) blockStarts.push_back(l);
  }
  std::string name = unitName(c);
  bool numberOnly =
      lineText(c.line).find_first_not_of(" \t*_.0123456789") == std::string_view::npos;
  if (numberOnly && blockStarts.empty()) {
    add(Severity::kError, "empty-section", c.line, c.number, name + " has a number but no text",
        "write its text, or remove the number", "clause-" + c.number);
    return;
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
      c.words.begin(), c.words.end(), [](const Word& w) { return isWordToken(w.text); }));
  if (words > kLongClauseWords) {
    add(Severity::kWarning, "long-clause", c.line, c.number,
        name + " has " + std::to_string(words) + " words",
        "split it into sub-clauses of at most " + std::to_string(kLongClauseWords) + " words",
        "long-" + c.number);
  }
}

}  // namespace charta::core
