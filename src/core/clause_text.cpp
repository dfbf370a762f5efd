// The clauses of a Markdown text read line by line (core/clauses.h): clause marks and the units
// the lint and the diff compare.
#include <algorithm>

#include "core/clauses.h"
#include "core/slug.h"
#include "core/text_lines.h"

namespace charta::core {
namespace {

bool isEmphasisMarker(char c) { return c == '*' || c == '_' || c == '~'; }

// True when "ln" opens an ordered list item ("1. ", "12) "): a list, never a clause.
bool isOrderedListItem(std::string_view ln) {
  size_t d = 0;
  while (d < ln.size() && d < 10 && ln[d] >= '0' && ln[d] <= '9') ++d;
  if (d == 0 || d > 9 || d >= ln.size() || (ln[d] != '.' && ln[d] != ')')) return false;
  return d + 1 == ln.size() || ln[d + 1] == ' ' || ln[d + 1] == '\t';
}

// The block a line opens, for the reader: its lead after heading markers and emphasis markers,
// and where the lead starts ("column").
ClauseBlock blockOf(std::string_view ln, int heading, size_t& column) {
  size_t i = heading > 0 ? static_cast<size_t>(heading) + 1 : 0;
  while (i < ln.size() && (isEmphasisMarker(ln[i]) || ln[i] == ' ')) ++i;
  std::string_view lead = ln.substr(i);
  column = i;
  // The opening reads the digits and dots and the character after them: an emphasis marker
  // there ends the lead.
  size_t k = 0;
  while (k < lead.size() && ((lead[k] >= '0' && lead[k] <= '9') || lead[k] == '.')) ++k;
  bool cut = k < lead.size() && isEmphasisMarker(lead[k]);
  return ClauseBlock{cut ? lead.substr(0, k) : lead, cut, heading, false};
}

// clauseMarks over the lines of "markdown".
std::vector<ClauseMark> marksOf(std::string_view markdown, const std::vector<TextLine>& lines,
                                const ClauseGrammar& grammar) {
  std::vector<ClauseMark> out;
  ClauseReader reader(grammar);
  bool prevBlank = true;
  for (size_t k = 0; k < lines.size(); ++k) {
    const TextLine& l = lines[k];
    if (l.fenced || l.blank) {
      prevBlank = l.blank;
      continue;
    }
    bool startsBlock = prevBlank;
    prevBlank = false;
    std::string_view ln = lineText(markdown, l);
    if (l.heading == 0 &&
        (!startsBlock || ln.front() == ' ' || ln.front() == '\t' || isOrderedListItem(ln))) {
      continue;
    }
    size_t column = 0;
    ClauseBlock block = blockOf(ln, l.heading, column);
    if (auto o = reader.next(block)) {
      out.push_back(ClauseMark{std::move(o->number), k + 1, l.heading > 0, column, o->length,
                               o->dots, o->spaced});
    }
  }
  return out;
}

// Joins numbers that legalTokens splits ("5", ".", "2", ".") into one word ("5.2."). Only words
// that touch each other in the text are joined.
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

// The unit of lines [from, to) of "markdown": a clause ("mark"), an unnumbered heading or the
// preamble. Trailing blank lines are not part of it.
std::optional<ClauseText> unitOf(std::string_view markdown, const std::vector<TextLine>& lines,
                                 size_t from, size_t to, const ClauseMark* mark, bool preamble) {
  size_t last = to;
  while (last > from && lines[last - 1].blank) --last;
  if (last == from && preamble) return std::nullopt;
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
    size_t begin = lines[from].begin + (mark ? mark->column + mark->length : 0);
    size_t end = lines[last - 1].end;
    c.words = readWords(markdown.substr(begin, end - begin), mark != nullptr);
    glueNumbers(c.words);
  }
  return c;
}

// The titles, anchors and enclosing clauses of the heading units of "units".
void nameHeadings(std::string_view markdown, const std::vector<TextLine>& lines,
                  const ClauseGrammar& grammar, std::vector<ClauseText>& units) {
  HeadingSlugs slugs;
  for (const ClauseText& u : units) {
    if (!u.number.empty()) slugs.reserve(grammar.anchor(u.number));
  }
  // The numbered headings above the current one, by level.
  std::vector<std::pair<int, const ClauseText*>> open;
  for (ClauseText& u : units) {
    if (!u.heading || u.preamble) continue;
    const TextLine& l = lines[u.line - 1];
    std::string text =
        inlinePlainText(lineText(markdown, l).substr(static_cast<size_t>(l.heading)));
    u.slug = slugs.add(text);
    u.title = text;
    if (!u.number.empty()) {
      size_t cut = 0;
      while (cut < u.title.size() && u.title[cut] != ' ') ++cut;  // the number as typed
      u.title.erase(0, std::min(u.title.size(), cut + 1));
    }
    while (!open.empty() && open.back().first >= l.heading) open.pop_back();
    if (u.number.empty()) {
      if (!open.empty()) u.within = open.back().second->number;
    } else {
      open.emplace_back(l.heading, &u);
    }
  }
}

}  // namespace

std::vector<ClauseMark> clauseMarks(std::string_view markdown, const ClauseGrammar& grammar) {
  return marksOf(markdown, scanLines(markdown), grammar);
}

std::vector<ClauseText> splitClauses(std::string_view markdown, const ClauseGrammar& grammar) {
  std::vector<TextLine> lines = scanLines(markdown);
  std::vector<ClauseMark> marks = marksOf(markdown, lines, grammar);
  // Where units start: clause marks and unnumbered headings, by line index.
  struct Start {
    size_t index;
    const ClauseMark* mark;
  };
  std::vector<Start> starts;
  size_t m = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (m < marks.size() && marks[m].line == i + 1) {
      starts.push_back({i, &marks[m++]});
    } else if (lines[i].heading > 0) {
      starts.push_back({i, nullptr});
    }
  }
  std::vector<ClauseText> out;
  size_t firstStart = starts.empty() ? lines.size() : starts.front().index;
  if (auto preamble = unitOf(markdown, lines, 0, firstStart, nullptr, true)) {
    out.push_back(std::move(*preamble));
  }
  for (size_t k = 0; k < starts.size(); ++k) {
    size_t end = k + 1 < starts.size() ? starts[k + 1].index : lines.size();
    out.push_back(*unitOf(markdown, lines, starts[k].index, end, starts[k].mark, false));
  }
  nameHeadings(markdown, lines, grammar, out);
  return out;
}

}  // namespace charta::core
