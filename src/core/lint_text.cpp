#include "core/lint_text.h"

#include <algorithm>
#include <map>

#include "core/front_matter.h"
#include "core/markup.h"
#include "core/words.h"

namespace charta::core {
namespace {

// The first HTML tag of a line at or after "from", outside code spans and escapes, or npos.
size_t findHtml(std::string_view ln, size_t from) {
  bool inCode = false;
  for (size_t i = 0; i < ln.size(); ++i) {
    if (ln[i] == '\\') {
      ++i;
    } else if (ln[i] == '`') {
      inCode = !inCode;
    } else if (!inCode && i >= from && isHtmlTagAt(ln, i)) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

void TextLint::run() {
  MarkdownFile file = splitFrontMatter(*text_.content);
  body_ = file.body;
  lineOffset_ = file.bodyLine - 1;
  lines_ = scanLines(body_);
  if (body_.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    add(Severity::kError, "missing-text", 0, "", "the text is empty",
        "write the text, or remove the language from charta.xml", "empty");
    return;
  }
  grammar_ = ClauseGrammar::forText(in_.document.structure, body_);
  clauses_ = splitClauses(body_, grammar_);
  scan_ = scanText();
  low_ = lowerCase(scan_);
  for (char& ch : low_) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  marks_ = clauseMarks(body_, grammar_);
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

std::string_view TextLint::lineText(size_t line) const {
  return core::lineText(body_, lines_[line - 1]);
}

std::string TextLint::clauseAt(size_t line) const {
  if (line == 0 || line >= unitOfLine_.size() || clauses_.empty()) return "";
  return clauses_[unitOfLine_[line]].number;
}

size_t TextLint::lineAt(size_t offset) const {
  auto it = std::upper_bound(lines_.begin(), lines_.end(), offset,
                             [](size_t o, const TextLine& l) { return o < l.begin; });
  return static_cast<size_t>(it - lines_.begin());
}

void TextLint::add(Severity sev, std::string rule, size_t line, std::string clause,
                   std::string message, std::string hint, std::string subject) {
  out_.push_back(LintFinding{sev, std::move(rule), text_.path, line ? line + lineOffset_ : 0,
                             std::move(clause), std::move(message), std::move(hint),
                             std::move(subject), ""});
}

// The body with fenced code and inline code blanked out (same offsets).
std::string TextLint::scanText() const {
  std::string s(body_);
  for (const TextLine& l : lines_) {
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

void TextLint::utf8() {
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (isValidUtf8(lineText(i + 1))) continue;
    size_t unit = unitOfLine_[i + 1];
    add(Severity::kError, "utf8", i + 1, clauses_[unit].number, "the line is not valid UTF-8",
        "save the file as UTF-8", "line+" + std::to_string(i + 1 - clauses_[unit].line));
  }
}

void TextLint::rawHtml() {
  // HTML comments are notes for editors (a linter's "markdownlint-disable") and anchors
  // ("<a name=...>", "</a>") name a place: the page drops the one and keeps the other's name.
  std::string blanked = blankComments(body_);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].fenced) continue;
    std::string_view ln = core::lineText(blanked, lines_[i]);
    for (size_t p = findHtml(ln, 0); p != std::string_view::npos; p = findHtml(ln, p + 1)) {
      size_t end = ln.find('>', p);
      std::string tag(ln.substr(p, end == std::string_view::npos ? 12 : end - p + 1));
      if (isAnchorTag(tag)) continue;
      if (tag.size() > 40) tag.replace(40, std::string::npos, "...");
      std::string clause = clauseAt(i + 1);
      int n = ++seen[clause + "|" + tag];
      add(Severity::kError, "raw-html", i + 1, clause,
          "raw HTML " + tag + " in the Markdown (the site does not show it)",
          "write it in Markdown, or remove it", tag + "#" + std::to_string(n));
      break;
    }
  }
}

}  // namespace charta::core
