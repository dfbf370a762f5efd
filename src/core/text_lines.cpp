#include "core/text_lines.h"

namespace charta::core {

int atxHeadingLevel(std::string_view line) {
  size_t h = 0;
  while (h < line.size() && line[h] == '#') ++h;
  return h >= 1 && h <= 6 && h < line.size() && line[h] == ' ' ? static_cast<int>(h) : 0;
}

std::vector<TextLine> scanLines(std::string_view markdown) {
  std::vector<TextLine> lines;
  bool inFence = false;
  size_t pos = 0;
  while (pos < markdown.size()) {
    size_t e = markdown.find('\n', pos);
    if (e == std::string_view::npos) e = markdown.size();
    TextLine l;
    l.begin = pos;
    l.end = e;
    if (l.end > l.begin && markdown[l.end - 1] == '\r') --l.end;
    std::string_view s = lineText(markdown, l);
    bool fence = s.substr(0, 3) == "```" || s.substr(0, 3) == "~~~";
    l.blank = s.find_first_not_of(" \t") == std::string_view::npos;
    l.fenced = inFence || fence;
    if (!l.fenced) l.heading = atxHeadingLevel(s);
    if (fence) inFence = !inFence;
    lines.push_back(l);
    pos = e + 1;
  }
  return lines;
}

}  // namespace charta::core
