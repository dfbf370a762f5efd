#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/words.h"

namespace charta::core {

// The clause grammar of policy texts: how a block opens with a clause number, how running text
// refers to clauses, and the anchor of a clause. It is the one reading of clauses in charta: the
// renderer (anchors and reference links), the lint (numbering, references) and the diff (its
// units) all go through it, so the lint checks the references the page links. What a block is
// comes from the reader: the page takes blocks from cmark-gfm's tree (a clause may open a list
// item or a quote), clauseMarks from lines (top-level paragraphs and headings).
//
// A profile says how a text numbers its clauses. Decimal is the one profile today: "4.1.10.",
// references "п. 4", anchors "p-4-1-10". A profile for other conventions (lettered sections
// whose subsections are numbered per section, "B.3" -> "#b-3") is another value of
// ClauseProfile, read by the same methods.
enum class ClauseProfile { kDecimal };

// The clause number a block opens with, as ClauseGrammar::opening reads it.
struct ClauseOpening {
  std::string number{};  // "4.1.10": no trailing dot
  int level = 1;         // how many numbers: "4.1.10" is 3
  size_t length = 0;     // bytes of the number and the dots typed after it ("4.1.10.")
  size_t dots = 0;       // 0 ("1.1 В"), 1 ("4.1.10. В") or more ("7.1..В", the seed's typo)
  bool spaced = true;    // white space, markup or the end of the block follows the dots

  // "4.1.Текст": one dot with the text right after it. Read as a clause (the lint warns about
  // the missing space, the diff follows the clause), but the page does not anchor it: a reader
  // does not see a clause number in "2.2.Без".
  bool glued() const { return dots == 1 && !spaced; }
};

// A reference to a clause of the same text in running text.
struct ClauseReference {
  std::string number{};  // "5.2"
  size_t begin = 0;      // byte offsets of what a link covers: the number, with its dot when
  size_t end = 0;        // the sentence goes on after it ("п.п. 5.2. и 5.3.")
};

// A clause grammar of one profile. A value: cheap to copy, safe for concurrent use.
class ClauseGrammar {
 public:
  explicit ClauseGrammar(ClauseProfile profile = ClauseProfile::kDecimal) : profile_(profile) {}
  ClauseProfile profile() const { return profile_; }

  // The clause number that opens a block, read from its "lead": the block's first text, markup
  // before it removed (heading markers, emphasis openers), up to the end of its first line or the
  // first inline markup. "cutByMarkup": markup (an emphasis delimiter) ends "lead", which
  // separates the number from the text as a space does ("**1.1** В").
  //   "4.1.10. В", "4.1.10." at the end      a clause, 4.1.10
  //   "1.1 В"                                 a clause without its dot (two or more numbers)
  //   "7.1..В"                                a clause with its dot doubled; whatever follows
  //   "4.1.Текст"                             a glued clause (see ClauseOpening::glued)
  //   "5 дней", "2026 год", "12.03.2024", "01.2.", "1.1a"     no clause
  // Numbers are one to six parts of one to three digits without leading zeros, joined by dots.
  std::optional<ClauseOpening> opening(std::string_view lead, bool cutByMarkup = false) const;

  // The references to clauses in "text", in order: "п. 4", "п.п. 5.2. и 5.3.", "пункт 9.2",
  // "пп. 3.1", "пунктах 2.1 и 2.2", "пунктов 2.1–2.2", keywords in any case. The numbers of a
  // reference to another act ("пункт 3 статьи 7 Закона", "п. 2 ст. 5") are not references. A
  // keyword counts only at the start of a word; "text" is one run of text (a Markdown text node,
  // or a whole text with code blanked out). Linear in "text".
  std::vector<ClauseReference> references(std::string_view text) const;

  // The stable anchor of a clause: "4.1.10" -> "p-4-1-10".
  std::string anchor(std::string_view number) const;

 private:
  ClauseProfile profile_;
};

// The stable anchor of a clause of the decimal profile: "4.1.10" -> "p-4-1-10".
std::string clauseAnchor(std::string_view number);

// A numbered clause as it opens a paragraph or heading of a policy text.
struct ClauseMark {
  std::string number{};  // "4.1.10": digits and single dots, no trailing dot
  size_t line = 0;       // 1-based line in the text given
  bool heading = false;
  size_t column = 0;  // byte offset of the number in its line
  size_t length = 0;  // bytes of the number and its dots, as written: "7.1.." is 5
  size_t dots = 0;    // see ClauseOpening
  bool spaced = true;

  bool glued() const { return dots == 1 && !spaced; }  // see ClauseOpening::glued
};

// Returns the clause numbers that open a block of "markdown", in order, read line by line: a
// paragraph (a line after a blank line or at the start, not indented) or an ATX heading
// ("## 5. TITLE") whose lead (see ClauseGrammar::opening) opens a clause. Emphasis markers
// ("*", "_", "~") before the number are skipped and end the lead after it. Lines in code fences
// are not read. Numbers inside a paragraph are references, not clauses.
std::vector<ClauseMark> clauseMarks(std::string_view markdown,
                                    const ClauseGrammar& grammar = ClauseGrammar());

// A unit of a policy text as the redline and the lint see it: a numbered clause (a paragraph
// "4.1.10. ..." or a heading "## 5. ...", as core::clauseMarks finds them) with the unnumbered
// blocks that follow it (lists, continuation paragraphs), an unnumbered heading with what follows
// it, or the preamble before the first clause.
struct ClauseText {
  std::string number{};       // "4.1.10"; empty for the preamble and unnumbered headings
  bool heading = false;       // opens with an ATX heading
  bool preamble = false;      // the text before the first clause or heading
  size_t line = 0;            // 1-based line of its first line in the text given
  size_t endLine = 0;         // its last non-blank line
  std::vector<Word> words{};  // its words after the number (the number itself is not a word here)
};

// Splits "markdown" (a body, front matter removed) into clauses, in text order. The words point
// into "markdown", which must outlive the result. Numbers that touch each other in the text are
// one word ("5.2." rather than "5", ".", "2", "."), so that a changed reference reads
// "п. [-5.2.-]{+5.3.+}". Linear in the input.
std::vector<ClauseText> splitClauses(std::string_view markdown,
                                     const ClauseGrammar& grammar = ClauseGrammar());

}  // namespace charta::core
