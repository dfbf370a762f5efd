// Lint rules of clause numbers (numbering, number-style) and references (reference).
#include <algorithm>
#include <map>

#include "core/lint_text.h"

namespace charta::core {

void TextLint::numbering() {
  size_t dotted = static_cast<size_t>(
      std::count_if(marks_.begin(), marks_.end(), [](const ClauseMark& m) { return m.dots > 0; }));
  bool dotStyle = dotted * 2 > marks_.size();

  std::map<std::string, size_t> explicitAt;  // number -> line
  std::map<std::string, int> lastChild;      // parent -> its highest child so far
  for (const ClauseMark& m : marks_) {
    numberStyle(m, dotStyle);
    numberOrder(m, lastChild);
    auto [it, fresh] = explicitAt.emplace(m.number, m.line);
    if (!fresh) {
      add(Severity::kError, "numbering", m.line, m.number,
          "clause " + m.number + " is numbered twice (also on line " +
              std::to_string(it->second + lineOffset_) + ")",
          "renumber one of them", "duplicate-" + m.number);
    }
  }
  for (const auto& [n, l] : explicitAt) explicit_.insert(n);
}

// How the number is written: "7.1.." (an error), "1.1 В" among dotted numbers, "4.1.Текст".
void TextLint::numberStyle(const ClauseMark& m, bool dotStyle) {
  std::string written(lineText(m.line).substr(m.column, m.length));
  if (m.dots >= 2) {
    add(Severity::kError, "numbering", m.line, m.number,
        "the clause number is written \"" + written + "\"" +
            (m.spaced ? "" : " with no space after it"),
        "write \"" + m.number + ". \": one dot, then a space", written);
  } else if (m.dots == 0 && dotStyle) {
    add(Severity::kWarning, "number-style", m.line, m.number,
        "the clause number \"" + m.number + "\" has no dot after it, unlike the others",
        "write \"" + m.number + ". \"", written);
  } else if (m.glued()) {
    add(Severity::kWarning, "number-style", m.line, m.number,
        "no space after the clause number \"" + written + "\"",
        "write \"" + written + " \" followed by the text", written);
  }
}

// Numbers go up by one within a level: each level of "m" is the next child of its parent (one
// finding per clause). A sub-clause implies its parents ("4.1.1" implies "4" and "4.1").
void TextLint::numberOrder(const ClauseMark& m, std::map<std::string, int>& lastChild) {
  std::vector<int> parts = grammar_.parts(m.number);
  // "7.3" for parent "7" and number 3; "3" (decimal) or "C" (lettered) at the top level.
  auto childNumber = [&](const std::string& parent, int n) {
    return parent.empty() ? grammar_.idOf({n}, 1) : parent + "." + std::to_string(n);
  };
  bool reported = false;
  for (size_t level = 1; level <= parts.size(); ++level) {
    std::string self = grammar_.idOf(parts, level);
    std::string parent = grammar_.idOf(parts, level - 1);
    if (!known_.insert(self).second) continue;
    int& last = lastChild[parent];
    int expected = last + 1;
    int got = parts[level - 1];
    if (!reported && got != expected) {
      std::string expectedNumber = childNumber(parent, expected);
      std::string lastNumber = childNumber(parent, last);
      std::string message, hint;
      if (got > expected) {
        message = last == 0
                      ? "clause " + self + " opens its level, but " + expectedNumber + " is missing"
                      : "clause " + self + " follows " + lastNumber + ": " + expectedNumber +
                            " is missing";
        hint = "renumber it " + expectedNumber + ", or add the missing clause";
      } else {
        message = "clause " + self + " comes after " + lastNumber + ": the numbers go back";
        hint = "put the clauses in order, or renumber them";
      }
      add(Severity::kError, "numbering", m.line, m.number, message, hint, "gap-" + self);
      reported = true;
    }
    last = std::max(last, got);
  }
}

void TextLint::references() {
  for (const ClauseReference& r : grammar_.references(scan_)) {
    if (known_.count(r.number)) continue;
    size_t line = lineAt(r.begin);
    add(Severity::kError, "reference", line, clauseAt(line),
        "the reference to clause " + r.number + " names a clause this text does not have",
        "correct the number, or add clause " + r.number, r.number);
  }
}

}  // namespace charta::core
