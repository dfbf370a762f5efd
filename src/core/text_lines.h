#pragma once

#include <string_view>
#include <vector>

namespace charta::core {

// One line of a Markdown text as charta's line-based readers (clause marks, the lint) see it.
struct TextLine {
  size_t begin = 0, end = 0;  // byte offsets; "end" excludes the line break (and a CR before it)
  bool blank = true;          // only spaces and tabs
  bool fenced = false;        // a code fence ("```", "~~~") or a line inside one
  int heading = 0;            // the level of an ATX heading ("## 5. TITLE" is 2) outside fences
};

// The lines of "markdown", in order. Linear in the input.
std::vector<TextLine> scanLines(std::string_view markdown);

// The level of the ATX heading "line" opens ("## 5. TITLE" is 2), or 0: one to six "#" and a
// space, then its text.
int atxHeadingLevel(std::string_view line);

// The text of "line" in "markdown".
inline std::string_view lineText(std::string_view markdown, const TextLine& line) {
  return markdown.substr(line.begin, line.end - line.begin);
}

}  // namespace charta::core
