#include "core/markup.h"

#include "core/text_lines.h"

namespace charta::core {
namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// True when a blank line starts right after the line break at "i" of "s".
bool blankLineAfter(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
  return j >= s.size() || s[j] == '\n';
}

// Where the code span whose opening backticks start at "i" ends (one past its closing run), or
// the end of the opening run when it is never closed in its paragraph.
size_t codeSpanEnd(std::string_view s, size_t i) {
  size_t run = 0;
  while (i + run < s.size() && s[i + run] == '`') ++run;
  for (size_t j = i + run; j < s.size(); ++j) {
    if (s[j] == '\n' && blankLineAfter(s, j)) break;
    if (s[j] != '`') continue;
    size_t k = 0;
    while (j + k < s.size() && s[j + k] == '`') ++k;
    if (k == run) return j + k;
    j += k - 1;
  }
  return i + run;
}

void blank(std::string& out, size_t from, size_t to) {
  for (size_t k = from; k < to; ++k) {
    if (out[k] != '\n' && out[k] != '\r') out[k] = ' ';
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool isSafeIdChar(char c) {
  return isAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
}

}  // namespace

bool isHtmlTagAt(std::string_view s, size_t i) {
  if (s[i] != '<' || i + 1 >= s.size()) return false;
  size_t j = i + 1;
  if (s.substr(j, 3) == "!--" || s[j] == '?') return true;
  if (s[j] == '!' && j + 1 < s.size() && s[j + 1] >= 'A' && s[j + 1] <= 'Z') return true;
  if (s[j] == '/') ++j;
  if (j >= s.size() || !isAlpha(s[j])) return false;
  while (j < s.size() && (isAlpha(s[j]) || (s[j] >= '0' && s[j] <= '9') || s[j] == '-')) ++j;
  if (j >= s.size()) return false;
  if (s[j] == '>' || s[j] == ' ' || s[j] == '\t' || s[j] == '\n') return true;
  return s[j] == '/' && j + 1 < s.size() && s[j + 1] == '>';
}

size_t htmlEnd(std::string_view s, size_t i) {
  if (isHtmlCommentAt(s, i)) {
    size_t e = s.find("-->", i + 4);
    return e == std::string_view::npos ? e : e + 3;
  }
  char quote = 0;
  for (size_t j = i + 1; j < s.size(); ++j) {
    char c = s[j];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return j + 1;
    }
    if (c == '\n' && blankLineAfter(s, j)) break;
  }
  return std::string_view::npos;
}

namespace {

std::string blankMarkup(std::string_view markdown, bool commentsOnly) {
  std::string out(markdown);
  std::vector<TextLine> lines = scanLines(markdown);
  size_t line = 0;
  for (size_t i = 0; i < markdown.size();) {
    while (line < lines.size() && lines[line].end < i) ++line;
    if (line < lines.size() && lines[line].fenced) {
      i = lines[line].end + 1;
      continue;
    }
    char c = markdown[i];
    if (c == '\\') {
      i += 2;
    } else if (c == '`') {
      i = codeSpanEnd(markdown, i);
    } else if (c == '<' &&
               (commentsOnly ? isHtmlCommentAt(markdown, i) : isHtmlTagAt(markdown, i))) {
      size_t end = htmlEnd(markdown, i);
      if (end == std::string_view::npos) {
        ++i;
        continue;
      }
      blank(out, i, end);
      i = end;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string blankHtml(std::string_view markdown) { return blankMarkup(markdown, false); }

std::string blankComments(std::string_view markdown) { return blankMarkup(markdown, true); }

std::optional<std::string> htmlAnchor(std::string_view tag) {
  std::string t = lower(tag);
  if (t.rfind("<a", 0) != 0 || t.size() < 4 || (t[2] != ' ' && t[2] != '\t' && t[2] != '\n')) {
    return std::nullopt;
  }
  for (const char* attr : {"name", "id"}) {
    size_t at = 2;
    while ((at = t.find(attr, at)) != std::string::npos) {
      char before = t[at - 1];
      size_t eq = at + std::string_view(attr).size();
      at = eq;
      if (before != ' ' && before != '\t' && before != '\n') continue;
      while (eq < t.size() && t[eq] == ' ') ++eq;
      if (eq >= t.size() || t[eq] != '=') continue;
      ++eq;
      while (eq < t.size() && t[eq] == ' ') ++eq;
      if (eq >= t.size() || (t[eq] != '"' && t[eq] != '\'')) continue;
      size_t close = t.find(t[eq], eq + 1);
      if (close == std::string::npos) return std::nullopt;
      std::string value(tag.substr(eq + 1, close - eq - 1));
      if (value.empty() || value.size() > 100 || !isSafeIdChar(value[0]) || value[0] == '-' ||
          value[0] == '_' || value[0] == '.' || value[0] == ':') {
        return std::nullopt;
      }
      for (char c : value) {
        if (!isSafeIdChar(c)) return std::nullopt;
      }
      return value;
    }
  }
  return std::nullopt;
}

bool isAnchorTag(std::string_view tag) {
  if (htmlAnchor(tag)) return true;
  std::string t = lower(tag);
  return t == "</a>" || t == "</a >";
}

std::optional<InlineLink> inlineLinkAt(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '[') return std::nullopt;
  int depth = 0;
  size_t j = i;
  for (; j < s.size(); ++j) {
    char c = s[j];
    if (c == '\\') {
      ++j;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      break;
    } else if (c == '\n' && blankLineAfter(s, j)) {
      return std::nullopt;
    }
  }
  if (j + 1 >= s.size() || s[j + 1] != '(') return std::nullopt;
  InlineLink link{i + 1, j, 0, 0, 0};
  size_t k = j + 2;
  while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
  if (k < s.size() && s[k] == '<') {
    size_t close = s.find('>', k);
    if (close == std::string_view::npos || s.substr(k, close - k).find('\n') != s.npos) {
      return std::nullopt;
    }
    link.urlBegin = k + 1;
    link.urlEnd = close;
    k = close + 1;
  } else {
    link.urlBegin = k;
    int parens = 0;
    while (k < s.size() && s[k] != ' ' && s[k] != '\n' && s[k] != '\t') {
      if (s[k] == '\\') {
        ++k;
      } else if (s[k] == '(') {
        ++parens;
      } else if (s[k] == ')') {
        if (parens == 0) break;
        --parens;
      }
      ++k;
    }
    link.urlEnd = std::min(k, s.size());
  }
  while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
  if (k < s.size() && (s[k] == '"' || s[k] == '\'' || s[k] == '(')) {
    char close = s[k] == '(' ? ')' : s[k];
    size_t e = s.find(close, k + 1);
    if (e == std::string_view::npos) return std::nullopt;
    k = e + 1;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
  }
  if (k >= s.size() || s[k] != ')') return std::nullopt;
  link.end = k + 1;
  return link;
}

}  // namespace charta::core
