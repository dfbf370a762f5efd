// The structure profiles of the clause grammar, GitHub slugs and the markup an adopted English
// repository carries (HTML comments, <a name> anchors, inline links, URLs).
#include <doctest/doctest.h>

#include "core/clauses.h"
#include "core/diff.h"
#include "core/markup.h"
#include "core/slug.h"

using namespace charta::core;

namespace {

const char* const kLettered =
    "# Terms of Service\n"
    "\n"
    "<!-- markdownlint-disable MD033 -->\n"
    "\n"
    "## Summary\n"
    "\n"
    "| Section | What |\n| --- | --- |\n| [A. Definitions](#a-definitions) | words |\n"
    "\n"
    "## A. Definitions\n"
    "\n"
    "1. **\"Account\"** means your account.\n"
    "2. **\"Service\"** means the service.\n"
    "\n"
    "## B. Account Terms\n"
    "\n"
    "### 1. Account Controls\n"
    "\n"
    "You control your account. See Section A and section B.2.\n"
    "\n"
    "#### In short\n"
    "\n"
    "You are responsible.\n"
    "\n"
    "### 2. Account Requirements\n"
    "\n"
    "<a name=\"requirements\"></a>You must be 13.\n"
    "\n"
    "## Contacting Us\n"
    "\n"
    "Write to us.\n";

std::vector<std::string> numbers(std::string_view md, ClauseProfile p) {
  std::vector<std::string> out;
  for (const ClauseMark& m : clauseMarks(md, ClauseGrammar(p))) out.push_back(m.number);
  return out;
}

}  // namespace

TEST_CASE("a text's profile is detected from its headings") {
  CHECK(detectProfile(kLettered) == ClauseProfile::kLettered);
  CHECK(detectProfile("## 1. Общие положения\n\n1.1 Текст.\n") == ClauseProfile::kDecimal);
  // Without lettered sections a text reads as decimal; headings is declared, never detected.
  CHECK(detectProfile("# Privacy\n\n## What we collect\n\nWords.\n") == ClauseProfile::kDecimal);
  // One lettered heading, or letters not from A, are no lettered structure.
  CHECK(detectProfile("## A. Only\n\ntext\n") == ClauseProfile::kDecimal);
  CHECK(detectProfile("## B. One\n\n## C. Two\n") == ClauseProfile::kDecimal);
  CHECK(parseProfile("lettered") == ClauseProfile::kLettered);
  CHECK_FALSE(parseProfile("roman"));
  CHECK(std::string(profileName(ClauseProfile::kHeadings)) == "headings");
}

TEST_CASE("lettered sections number their subsections per section; lists are no clauses") {
  CHECK(numbers(kLettered, ClauseProfile::kLettered) ==
        std::vector<std::string>{"A", "B", "B.1", "B.2"});
  // The decimal reading of the same text finds its numbered headings, nothing in its lists.
  CHECK(numbers(kLettered, ClauseProfile::kDecimal) == std::vector<std::string>{"1", "2"});
  CHECK(numbers(kLettered, ClauseProfile::kHeadings).empty());
  CHECK(numbers("1. one\n2. two\n", ClauseProfile::kDecimal).empty());
}

TEST_CASE("lettered references and anchors") {
  ClauseGrammar g(ClauseProfile::kLettered);
  auto refs = g.references("See Section A, Sections B and C, section B.3; sectional D. Section Z1");
  REQUIRE(refs.size() == 4);
  CHECK(refs[0].number == "A");
  CHECK(refs[1].number == "B");
  CHECK(refs[2].number == "C");
  CHECK(refs[3].number == "B.3");
  CHECK(g.anchor("B.3") == "b-3");
  CHECK(g.anchor("A") == "a");
  CHECK(ClauseGrammar().anchor("4.1.10") == "p-4-1-10");
  CHECK(g.idOf(g.parts("B.3"), 1) == "B");
  CHECK(isClauseRef("B.3"));
  CHECK(isClauseRef("4.1.10"));
  CHECK(isClauseRef("#your-choices"));
  CHECK_FALSE(isClauseRef("#"));
  CHECK_FALSE(isClauseRef("b.3"));
  CHECK_FALSE(isClauseRef("#a b"));
}

TEST_CASE("GitHub slugs of headings") {
  CHECK(githubSlug("F. Payment & Billing") == "f-payment--billing");
  CHECK(githubSlug("J. Children's Privacy") == "j-childrens-privacy");
  CHECK(githubSlug("D. User-Generated Content") == "d-user-generated-content");
  HeadingSlugs slugs;
  slugs.reserve("b-1");
  CHECK(slugs.add("In short") == "in-short");
  CHECK(slugs.add("In short") == "in-short-1");
  CHECK(slugs.add("B 1") == "b-1-1");
  CHECK(inlinePlainText("**[A. Definitions](#a-definitions)** `x` <!-- c --> ##") ==
        "A. Definitions x");
}

TEST_CASE("HTML comments and tags are blanked; anchors keep their names") {
  std::string md = "a <!-- c\nd --> b `<!-- kept -->` <a name=\"x\"></a>\n";
  std::string blanked = blankHtml(md);
  CHECK(blanked.size() == md.size());
  CHECK(blanked.find("<!--") == md.find("`") + 1);  // only the one inside code is left
  CHECK(blanked.find("name") == std::string::npos);
  CHECK(blankComments("x <!-- y --> <b>").find("<b>") != std::string::npos);
  CHECK(htmlAnchor("<a name=\"cookies\">") == "cookies");
  CHECK(htmlAnchor("<A ID='your-rights'>") == "your-rights");
  CHECK_FALSE(htmlAnchor("<a href=\"x\">"));
  CHECK_FALSE(htmlAnchor("<a name=\"x onclick\">"));
  CHECK_FALSE(htmlAnchor("<img name=\"x\">"));
  CHECK(isAnchorTag("</a>"));
  auto link = inlineLinkAt("[A](#a-definitions) x", 0);
  REQUIRE(link);
  CHECK(link->urlEnd - link->urlBegin == 14);
}

TEST_CASE("a redline of a lettered text: comments never diffed, URLs whole, headings named") {
  std::string from = kLettered;
  std::string to = kLettered;
  to.replace(to.find("You must be 13."), 15, "You must be 16. See https://www.example.org/legal.");
  to.replace(to.find("<!-- markdownlint-disable MD033 -->"), 35, "<!-- other comment -->");
  DocumentDiff d = diffTexts(from, to);
  CHECK(d.profile == ClauseProfile::kLettered);
  std::string plain = formatDiffPlain(d);
  CHECK(plain.find("comment") == std::string::npos);
  CHECK(plain.find("https://www.example.org/legal") != std::string::npos);
  CHECK(plain.find("B.2") != std::string::npos);
  CHECK(d.summary.changed >= 1);
}
