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
// comes from the reader: the page takes blocks from cmark-gfm's tree, clauseMarks from lines
// (top-level paragraphs and headings); both feed them to a ClauseReader in text order.
//
// A profile says how a text numbers its clauses:
//   decimal   "4.1.10." paragraphs and "## 5." headings; references "п. 4"; anchors "p-4-1-10"
//             (the seed). A clause may also open a paragraph of a list item or a quote, which
//             only the page reads (the line reader sees top-level blocks).
//   lettered  sections "## A. Definitions" and, below them, headings numbered per section
//             ("### 3. Account Requirements" under B is clause B.3); references "Section B",
//             "Section B.3"; anchors "b", "b-3". Paragraphs never open clauses.
//   headings  unnumbered headings only: no clause ids; a heading is known by its anchor.
// In every profile a Markdown ordered list ("1. item") is a list, never a clause.
enum class ClauseProfile { kDecimal, kLettered, kHeadings };
const char* profileName(ClauseProfile p);  // "decimal", "lettered", "headings"
std::optional<ClauseProfile> parseProfile(std::string_view name);

// The profile a text reads best with: lettered when at least two headings open with section
// letters from "A."; else decimal (the seed's reading, which also anchors the headings of a text
// without numbers as before). The headings profile is chosen in charta.xml only.
ClauseProfile detectProfile(std::string_view markdown);

// The clause number a block opens with, as ClauseGrammar::opening reads it.
struct ClauseOpening {
  std::string number{};  // the clause id: "4.1.10", "B.3", "A"; no trailing dot
  int level = 1;         // how many parts: "4.1.10" is 3, "B.3" 2, "A" 1
  size_t length = 0;     // bytes of the number and the dots typed after it ("4.1.10.")
  size_t dots = 0;       // 0 ("1.1 В"), 1 ("4.1.10. В") or more ("7.1..В", the seed's typo)
  bool spaced = true;    // white space, markup or the end of the block follows the dots

  // "4.1.Текст": one dot with the text right after it. Read as a clause (the lint warns about
  // the missing space, the diff follows the clause), but the page does not anchor it: a reader
  // does not see a clause number in "2.2.Без".
  bool glued() const { return dots == 1 && !spaced; }
  // A clause of the top level: a decimal section ("5"), a lettered one ("B").
  bool section() const { return level == 1; }
};

// A reference to a clause of the same text in running text.
struct ClauseReference {
  std::string number{};  // "5.2", "B.3"
  size_t begin = 0;      // byte offsets of what a link covers: the number, with its dot when
  size_t end = 0;        // the sentence goes on after it ("п.п. 5.2. и 5.3.")
};

// A clause grammar of one profile. A value: cheap to copy, safe for concurrent use.
class ClauseGrammar {
 public:
  explicit ClauseGrammar(ClauseProfile profile = ClauseProfile::kDecimal) : profile_(profile) {}
  // The grammar of a text: the profile "declared" (charta.xml), else detectProfile("markdown").
  static ClauseGrammar forText(std::optional<ClauseProfile> declared, std::string_view markdown);
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
  // The lettered profile also reads a section letter ("B. Account Terms": "B"); what a number
  // means there depends on the section it is in, which ClauseReader knows. The headings profile
  // reads none.
  std::optional<ClauseOpening> opening(std::string_view lead, bool cutByMarkup = false) const;

  // The references to clauses in "text", in order. Decimal: "п. 4", "п.п. 5.2. и 5.3.", "пункт
  // 9.2", "пп. 3.1", "пунктах 2.1 и 2.2", "пунктов 2.1–2.2", keywords in any case; the numbers of
  // a reference to another act ("пункт 3 статьи 7 Закона", "п. 2 ст. 5") are not references.
  // Lettered: "Section B", "Sections B and C", "section B.3". A keyword counts only at the start
  // of a word; "text" is one run of text (a Markdown text node, or a whole text with code blanked
  // out). Linear in "text".
  std::vector<ClauseReference> references(std::string_view text) const;

  // The stable anchor of a clause: "4.1.10" -> "p-4-1-10" (decimal), "B.3" -> "b-3" (lettered).
  std::string anchor(std::string_view number) const;

  // The parts of a clause id as numbers ("B.3" -> 2, 3; "4.1" -> 4, 1), and back: the id of the
  // first "n" of "parts".
  std::vector<int> parts(std::string_view number) const;
  std::string idOf(const std::vector<int>& parts, size_t n) const;

 private:
  ClauseProfile profile_;
};

// The stable anchor of a clause of the decimal profile: "4.1.10" -> "p-4-1-10".
std::string clauseAnchor(std::string_view number);

// True when "ref" may name a clause in charta.xml (a purpose's clause): a clause id of any
// profile ("4.1.10", "B.3", "E") or a heading anchor ("#your-choices").
bool isClauseRef(std::string_view ref);

// One block of a text as a reader meets it, in text order.
struct ClauseBlock {
  std::string_view lead{};   // see ClauseGrammar::opening
  bool cutByMarkup = false;  // see ClauseGrammar::opening
  int heading = 0;           // the heading level as typed (1-6); 0 for a paragraph
  bool nested = false;       // a paragraph in a list item or a quote
};

// Reads the clauses of one text block by block, in text order, keeping what a profile needs to
// know of the blocks before (the lettered section a numbered heading belongs to). The readers of
// pages and of lines both use it, so they find the same clauses in the blocks they share.
class ClauseReader {
 public:
  explicit ClauseReader(const ClauseGrammar& grammar) : grammar_(grammar) {}
  // The clause "block" opens, with its full id ("B.3"), or nullopt.
  std::optional<ClauseOpening> next(const ClauseBlock& block);

 private:
  const ClauseGrammar& grammar_;
  std::string section_{};  // the lettered section the blocks are in; empty: none
  int sectionLevel_ = 0;   // the heading level of lettered sections, once one was seen
};

// A numbered clause as it opens a paragraph or heading of a policy text.
struct ClauseMark {
  std::string number{};  // the clause id: "4.1.10", "B.3"
  size_t line = 0;       // 1-based line in the text given
  bool heading = false;
  size_t column = 0;  // byte offset of the number in its line
  size_t length = 0;  // bytes of the number and its dots, as written: "7.1.." is 5
  size_t dots = 0;    // see ClauseOpening
  bool spaced = true;

  bool glued() const { return dots == 1 && !spaced; }  // see ClauseOpening::glued
};

// Returns the clauses that open a block of "markdown", in order, read line by line: a paragraph
// (a line after a blank line or at the start, not indented, not an ordered list item) or an ATX
// heading ("## 5. TITLE") whose lead (see ClauseGrammar::opening) opens a clause. Emphasis
// markers ("*", "_", "~") before the number are skipped and end the lead after it. Lines in code
// fences are not read. Numbers inside a paragraph are references, not clauses.
std::vector<ClauseMark> clauseMarks(std::string_view markdown,
                                    const ClauseGrammar& grammar = ClauseGrammar());

// A unit of a policy text as the redline and the lint see it: a numbered clause (a paragraph
// "4.1.10. ..." or a heading "## 5. ...", as core::clauseMarks finds them) with the unnumbered
// blocks that follow it (lists, continuation paragraphs), an unnumbered heading with what follows
// it, or the preamble before the first clause.
struct ClauseText {
  std::string number{};       // "4.1.10", "B.3"; empty for the preamble and unnumbered headings
  bool heading = false;       // opens with an ATX heading
  bool preamble = false;      // the text before the first clause or heading
  size_t line = 0;            // 1-based line of its first line in the text given
  size_t endLine = 0;         // its last non-blank line
  std::vector<Word> words{};  // its words after the number (the number itself is not a word here)
  // Headings only: the heading's text after the number, as a reader sees it ("Account
  // Requirements"), and its anchor on the page (core::headingSlugs: "b-account-terms").
  std::string title{};
  std::string slug{};
  // Unnumbered headings: the numbered heading above them that they belong to ("F.3" for
  // "#### What happens to unpaid accounts" under "### 3. Billing"); empty when none.
  std::string within{};
};

// Splits "markdown" (a body, front matter removed) into clauses, in text order. The words point
// into "markdown", which must outlive the result. Numbers that touch each other in the text are
// one word ("5.2." rather than "5", ".", "2", "."), so that a changed reference reads
// "п. [-5.2.-]{+5.3.+}". Linear in the input.
std::vector<ClauseText> splitClauses(std::string_view markdown,
                                     const ClauseGrammar& grammar = ClauseGrammar());

}  // namespace charta::core
