#pragma once

// The lint of one text file (internal to core::lint). The rules are grouped by family:
// lint_text.cpp (the file itself: UTF-8, raw HTML), lint_numbering.cpp (clause numbers and
// references), lint_sections.cpp (empty, split and long sections) and lint_statements.cpp (what
// the text says about itself: its address, its effective date; the purposes of charta.xml).

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clauses.h"
#include "core/lint.h"
#include "core/markup.h"
#include "core/text_lines.h"

namespace charta::core {

// The purpose-moved rule (lint_purposes.cpp): the purposes of "in" against in.previous.
void lintPurposeMoves(const LintInput& in, std::vector<LintFinding>& out);

class TextLint {
 public:
  TextLint(const LintInput& in, const LintText& text, std::vector<LintFinding>& out)
      : in_(in), text_(text), out_(out) {}

  // Runs every rule on the text; findings go to "out".
  void run();

 private:
  // The context every rule reads.
  std::string_view lineText(size_t line) const;  // 1-based, in the body
  std::string clauseAt(size_t line) const;       // the number of the unit "line" is in
  size_t lineAt(size_t offset) const;            // the 1-based line of a body offset
  void add(Severity sev, std::string rule, size_t line, std::string clause, std::string message,
           std::string hint, std::string subject);
  std::string scanText() const;

  // The rules.
  void utf8();
  void rawHtml();
  void numbering();
  void numberStyle(const ClauseMark& m, bool dotStyle);
  void numberOrder(const ClauseMark& m, std::map<std::string, int>& lastChild);
  void references();
  void sections();
  void emptyHeading(size_t unit);
  void clauseBlocks(const ClauseText& c);
  void ownUrl();
  void ownUrlIn(const ClauseText& c, std::string_view route);
  void effectiveDate();
  void purposes();

  const LintInput& in_;
  const LintText& text_;
  std::vector<LintFinding>& out_;
  ClauseGrammar grammar_;
  std::string_view body_;
  size_t lineOffset_ = 0;  // lines of front matter before the body
  std::vector<TextLine> lines_;
  std::vector<ClauseText> clauses_;
  std::vector<ClauseMark> marks_;
  std::vector<size_t> unitOfLine_;
  std::string scan_;                // the body, code blanked out (same offsets)
  std::string low_;                 // scan_ in lower case, line breaks as spaces (same offsets)
  std::set<std::string> known_;     // clause numbers, written or implied by a sub-clause
  std::set<std::string> explicit_;  // clause numbers written
};

}  // namespace charta::core
