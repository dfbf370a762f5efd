#include "core/diff.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "core/front_matter.h"
#include "core/markup.h"
#include "core/words.h"
#include "support/sandbox.h"

using namespace charta;
using namespace charta::core;
namespace fs = std::filesystem;

namespace {

fs::path casesDir() { return testing::sourceDir() / "tests/core/diff_cases"; }

std::string seedBody() {
  static const std::string file =
      testing::slurp(testing::sourceDir() / "policies/personal-data/ru.md");
  return std::string(splitFrontMatter(file).body);
}

std::string summaryLine(const DiffSummary& s) {
  return "# " + std::to_string(s.unchanged) + " unchanged, " + std::to_string(s.changed) +
         " changed, " + std::to_string(s.moved) + " moved, " + std::to_string(s.added) +
         " added, " + std::to_string(s.removed) + " removed, " + std::to_string(s.split) +
         " split, " + std::to_string(s.merged) + " merged\n";
}

std::vector<std::string> texts(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const Word& w : words) out.emplace_back(w.text);
  return out;
}

// The old and the new words of a clause, read back from its operations.
void sides(const ClauseDiff& d, std::vector<std::string>& from, std::vector<std::string>& to) {
  for (const WordOp& op : d.ops) {
    for (const Word& w : op.words) {
      if (op.kind != WordOpKind::kInsert) from.emplace_back(w.text);
      if (op.kind != WordOpKind::kDelete) to.emplace_back(w.text);
    }
  }
}

std::vector<Purpose> purposes(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<Purpose> out;
  for (const auto& [id, clause] : list) out.push_back({*PurposeId::parse(id), clause, id});
  return out;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  REQUIRE_MESSAGE(p != std::string::npos, from);
  return s.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("golden diff cases: insert, delete, change, renumber, move, split, merge, reformat") {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(casesDir())) {
    std::string file = e.path().filename().string();
    if (file.size() > 7 && file.ends_with(".old.md")) names.insert(file.substr(0, file.size() - 7));
  }
  for (const char* required :
       {"insert", "delete", "change", "renumber", "move", "split", "merge", "reformat"}) {
    CHECK_MESSAGE(names.count(required), required);
  }
  for (const std::string& name : names) {
    CAPTURE(name);
    std::string a = testing::slurp(casesDir() / (name + ".old.md"));
    std::string b = testing::slurp(casesDir() / (name + ".new.md"));
    DocumentDiff d = diffTexts(splitFrontMatter(a).body, splitFrontMatter(b).body);
    std::string got = summaryLine(d.summary) + formatDiffPlain(d);
    CHECK(got == testing::slurp(casesDir() / (name + ".diff")));
    // The operations of every clause spell its old and its new words exactly.
    for (const ClauseDiff& c : d.clauses) {
      std::vector<std::string> from, to;
      sides(c, from, to);
      if (c.status == ClauseStatus::kSplit || c.status == ClauseStatus::kMerged) continue;
      if (c.inOld) {
        auto clauses = splitClauses(*d.oldText);
        auto it = std::find_if(clauses.begin(), clauses.end(),
                               [&](const ClauseText& t) { return t.line == c.oldLine; });
        REQUIRE(it != clauses.end());
        CHECK(from == texts(it->words));
      }
      if (c.inNew) {
        auto clauses = splitClauses(*d.newText);
        auto it = std::find_if(clauses.begin(), clauses.end(),
                               [&](const ClauseText& t) { return t.line == c.newLine; });
        REQUIRE(it != clauses.end());
        CHECK(to == texts(it->words));
      }
    }
  }
}

TEST_CASE("words are legalTokens with their spacing") {
  std::vector<std::string> inputs = {
      seedBody(), "**Публичная оферта.**  \nТекст, *курсив*_и_ `код`.",
      "- пункт\n> цитата\n## 5. ЗАГОЛОВОК\n<https://a.kz/x> \\* 2\xff"};
  for (const auto& e : fs::directory_iterator(casesDir())) {
    if (e.path().extension() == ".md") inputs.push_back(testing::slurp(e.path()));
  }
  for (const std::string& md : inputs) {
    if (md.find("://") == std::string::npos && md.find("](") == std::string::npos) {
      CHECK(texts(readWords(md)) == legalTokens(md));
      continue;
    }
    // A URL is one word and link syntax is no word: the words' characters are those of the
    // tokens, in order, some left out.
    std::string words, tokens;
    for (const auto& w : texts(readWords(md))) words += w;
    for (const auto& t : legalTokens(md)) tokens += t;
    size_t k = 0;
    for (char c : tokens) k += k < words.size() && words[k] == c;
    CHECK(k == words.size());
  }
  CHECK(joinWords(readWords("Пункт  5.2:\nтекст, **жирный** конец.")) ==
        "Пункт 5.2: текст, жирный конец.");
}

TEST_CASE("clauses of the seed: numbers, lines, the preamble, lists stay with their clause") {
  const std::string body = seedBody();
  auto clauses = splitClauses(body);
  REQUIRE(clauses.size() == 71);
  CHECK(clauses[0].preamble);
  CHECK(clauses[0].number.empty());
  CHECK(joinWords(clauses[0].words).rfind("Публичная оферта.", 0) == 0);
  CHECK(clauses[1].number == "1");
  CHECK(clauses[1].heading);
  CHECK(joinWords(clauses[1].words) == "ОПРЕДЕЛЕНИЕ ТЕРМИНОВ");
  CHECK(clauses[2].number == "1.1");  // "1.1 В настоящей": no dot
  CHECK(joinWords(clauses[2].words).rfind("В настоящей Политике", 0) == 0);
  auto c33 = std::find_if(clauses.begin(), clauses.end(),
                          [](const ClauseText& c) { return c.number == "3.3"; });
  REQUIRE(c33 != clauses.end());
  CHECK(joinWords(c33->words).find("реферер (адрес предыдущей страницы).") != std::string::npos);
  auto c71 = std::find_if(clauses.begin(), clauses.end(),
                          [](const ClauseText& c) { return c.number == "7.1"; });
  REQUIRE(c71 != clauses.end());
  CHECK(joinWords(c71->words).rfind("В случае утраты", 0) == 0);  // "7.1..В": number removed
  // References keep their numbers as one word.
  auto c34 = std::find_if(clauses.begin(), clauses.end(),
                          [](const ClauseText& c) { return c.number == "3.4"; });
  CHECK(joinWords(c34->words).find("п.п. 5.2. и 5.3. настоящей") != std::string::npos);
}

TEST_CASE("word operations are minimal, deletions before insertions") {
  struct Case {
    const char* from;
    const char* to;
    const char* expected;
  };
  const Case cases[] = {
      {"a b c", "a b c", "a b c"},
      {"a b c", "a x c", "a [-b-]{+x+} c"},
      {"a b c", "a c", "a [-b-] c"},
      {"a c", "a b c", "a {+b+} c"},
      {"", "a b", "{+a b+}"},
      {"a b", "", "[-a b-]"},
      {"a b c d", "c d a b", "[-a b-] c d {+a b+}"},
      {"x y z", "p q r", "[-x y z-]{+p q r+}"},
      {"x a y", "p a q", "[-x-]{+p+} a [-y-]{+q+}"},             // one word apart: kept
      {"a b, d e f", "g h, i j", "[-a b, d e f-]{+g h, i j+}"},  // one comma apart: joined
      {"данные третьим лицам.", "данные только третьим лицам.", "данные {+только+} третьим лицам."},
  };
  for (const Case& c : cases) {
    CAPTURE(c.from);
    CAPTURE(c.to);
    CHECK(formatOpsPlain(diffWords(readWords(c.from), readWords(c.to))) == c.expected);
  }
}

TEST_CASE("references read as numbers: a renumbered pair is one change") {
  DocumentDiff d = diffTexts("1.1. См. п.п. 5.2. и 5.3. настоящей Политики.\n",
                             "1.1. См. п.п. 5.3. и 5.4. настоящей Политики.\n");
  CHECK(formatDiffPlain(d) ==
        "changed 1.1: См. п.п. [-5.2. и 5.3.-]{+5.3. и 5.4.+} настоящей Политики.\n");
}

TEST_CASE("the seed against itself: every clause unchanged, nothing printed") {
  DocumentDiff d = diffTexts(seedBody(), seedBody());
  CHECK(d.summary.unchanged == 71);
  CHECK(d.clauses.size() == 71);
  CHECK(formatDiffPlain(d).empty());
  CHECK(d.touchedPurposes.empty());
}

TEST_CASE("purposes: named on their clauses; touched only when their words change") {
  const auto catalogue =
      purposes({{"account", "4.1.6"}, {"marketing", "4.1.10"}, {"advertising", "4.1.11"}});
  const std::string seed = seedBody();

  SUBCASE("a word of 4.1.10 changes") {
    std::string edited =
        replaced(seed, "с его согласия, обновлений", "с его письменного согласия, обновлений");
    DocumentDiff d = diffTexts(seed, edited, {catalogue, catalogue});
    CHECK(formatDiffPlain(d) ==
          "changed 4.1.10 [marketing]: Предоставления Пользователю с его {+письменного+} "
          "согласия, обновлений продукции, специальных предложений, информации о ценах, "
          "новостной рассылки и иных сведений от имени интернет-магазина или от имени "
          "партнеров.\n");
    CHECK(d.touchedPurposes == std::vector<std::string>{"marketing"});
  }
  SUBCASE("a clause inserted before 4.1.10 renumbers the purpose clauses, and charta.xml follows") {
    std::string edited =
        replaced(seed, "4.1.10. Предоставления", "4.1.10. Новая цель.\n\n4.1.11. Предоставления");
    edited = replaced(edited, "4.1.11. Осуществления", "4.1.12. Осуществления");
    edited = replaced(edited, "4.1.12. Предоставления доступа", "4.1.13. Предоставления доступа");
    const auto moved =
        purposes({{"account", "4.1.6"}, {"marketing", "4.1.11"}, {"advertising", "4.1.12"}});
    DocumentDiff d = diffTexts(seed, edited, {catalogue, moved});
    CHECK(d.summary.added == 1);
    CHECK(d.summary.moved == 3);
    CHECK(d.touchedPurposes.empty());  // the words of the purpose clauses did not change
    auto marketing = std::find_if(d.clauses.begin(), d.clauses.end(),
                                  [](const ClauseDiff& c) { return c.oldNumber == "4.1.10"; });
    REQUIRE(marketing != d.clauses.end());
    CHECK(marketing->status == ClauseStatus::kMoved);
    CHECK(marketing->newNumber == "4.1.11");
    CHECK_FALSE(marketing->textChanged);
    CHECK(marketing->purposes == std::vector<std::string>{"marketing"});

    // Had charta.xml not followed, marketing would now be tied to the new text of 4.1.10 and
    // advertising to the words of marketing.
    DocumentDiff stale = diffTexts(seed, edited, {catalogue, catalogue});
    CHECK(stale.touchedPurposes == std::vector<std::string>{"marketing", "advertising"});
    // A purpose new in the catalogue is touched: nobody consented to it yet.
    auto more = catalogue;
    more.push_back({*PurposeId::parse("profiling"), "4.1.4", ""});
    CHECK(diffTexts(seed, seed, {catalogue, more}).touchedPurposes ==
          std::vector<std::string>{"profiling"});
  }
  SUBCASE("a purpose clause removed") {
    std::string edited = replaced(
        seed, "4.1.11. Осуществления рекламной деятельности с согласия Пользователя.\n\n", "");
    edited = replaced(edited, "4.1.12. Предоставления доступа", "4.1.11. Предоставления доступа");
    DocumentDiff d = diffTexts(
        seed, edited, {catalogue, purposes({{"account", "4.1.6"}, {"marketing", "4.1.10"}})});
    CHECK(d.summary.removed == 1);
    CHECK(d.touchedPurposes.empty());  // only purposes of the new catalogue can be renewed
    auto removed = std::find_if(d.clauses.begin(), d.clauses.end(), [](const ClauseDiff& c) {
      return c.status == ClauseStatus::kRemoved;
    });
    REQUIRE(removed != d.clauses.end());
    CHECK(removed->oldNumber == "4.1.11");
    CHECK(removed->purposes == std::vector<std::string>{"advertising"});
  }
}

TEST_CASE("a diff owns its texts: it outlives the strings it was made from") {
  DocumentDiff d;
  {
    std::string a = "1.1. Первый.\n\n1.2. Второй пункт.\n";
    std::string b = "1.1. Первый.\n\n1.2. Второй изменённый пункт.\n";
    d = diffTexts(a, b);
    a.assign(a.size(), 'x');
    b.assign(b.size(), 'y');
  }
  CHECK(formatDiffPlain(d) == "changed 1.2: Второй {+изменённый+} пункт.\n");
  DocumentDiff copy = d;
  d = DocumentDiff{};
  CHECK(formatDiffPlain(copy) == "changed 1.2: Второй {+изменённый+} пункт.\n");
}

TEST_CASE("random edits of the seed: the operations always spell both texts; deterministic") {
  const std::string seed = seedBody();
  std::mt19937 rng(20261201);
  const std::vector<std::string> vocabulary = {"Компания", "данные",       "не",   "вправе", ",",
                                               "и",        "Пользователь", "срок", "5.2."};
  for (int round = 0; round < 40; ++round) {
    // Edit words at random: replace, delete, insert, and now and then swap two paragraphs.
    std::string edited = seed;
    for (int k = 0; k < 1 + round % 7; ++k) {
      size_t pos = rng() % edited.size();
      size_t sp = edited.find(' ', pos);
      if (sp == std::string::npos) continue;
      size_t end = edited.find(' ', sp + 1);
      if (end == std::string::npos) continue;
      switch (rng() % 3) {
        case 0:
          edited.replace(sp + 1, end - sp - 1, vocabulary[rng() % vocabulary.size()]);
          break;
        case 1:
          edited.erase(sp, end - sp);
          break;
        default:
          edited.insert(sp, " " + vocabulary[rng() % vocabulary.size()]);
      }
    }
    if (round % 5 == 0) {
      size_t a = edited.find("\n\n8.2.");
      size_t b = edited.find("\n\n8.3.");
      if (a != std::string::npos && b != std::string::npos) {
        std::string para = edited.substr(a, b - a);
        edited.erase(a, b - a);
        edited.insert(edited.find("\n\n9.1."), para);
      }
    }
    DocumentDiff d = diffTexts(seed, edited);
    CHECK(formatDiffPlain(diffTexts(seed, edited)) == formatDiffPlain(d));
    auto oldClauses = splitClauses(seed);
    auto newClauses = splitClauses(edited);
    size_t inOld = 0, inNew = 0;
    for (const ClauseDiff& c : d.clauses) {
      inOld += c.inOld;
      inNew += c.inNew;
      if (c.status == ClauseStatus::kSplit || c.status == ClauseStatus::kMerged) continue;
      std::vector<std::string> from, to;
      sides(c, from, to);
      if (c.inOld) {
        auto it = std::find_if(oldClauses.begin(), oldClauses.end(),
                               [&](const ClauseText& t) { return t.line == c.oldLine; });
        REQUIRE(it != oldClauses.end());
        CHECK(from == texts(it->words));
      }
      if (c.inNew) {
        auto it = std::find_if(newClauses.begin(), newClauses.end(),
                               [&](const ClauseText& t) { return t.line == c.newLine; });
        REQUIRE(it != newClauses.end());
        CHECK(to == texts(it->words));
      }
    }
    // Every clause of both texts appears once.
    CHECK(inOld == oldClauses.size());
    CHECK(inNew == newClauses.size());
  }
}

TEST_CASE("soup: random Markdown-ish bytes never break the redline or the lint") {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"## ",
                                           "# 5. ",
                                           "1.",
                                           "1.1 ",
                                           "7.1..",
                                           "4.1.10. ",
                                           "\n",
                                           "\n\n",
                                           "- ",
                                           "> ",
                                           "```\n",
                                           "**",
                                           "_",
                                           "\\",
                                           "<b>",
                                           "<https://a.kz/x>",
                                           "п. ",
                                           "пп. 3.1, 3.2 и 9",
                                           "слово ",
                                           "word ",
                                           ",",
                                           ".",
                                           "\xff",
                                           "\xd0",
                                           "\xe2\x80\x94",
                                           "вступает в силу 01.12.2026 ",
                                           "|",
                                           "\t",
                                           "  "};
  auto soup = [&] {
    std::string s;
    size_t n = rng() % 200;
    for (size_t k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    return s;
  };
  for (int round = 0; round < 300; ++round) {
    std::string a = soup(), b = round % 3 ? soup() : a;
    DocumentDiff d = diffTexts(a, b);
    std::string plain = formatDiffPlain(d);
    if (a == b) CHECK(plain.empty());
    size_t inOld = 0, inNew = 0;
    for (const ClauseDiff& c : d.clauses) {
      inOld += c.inOld;
      inNew += c.inNew;
    }
    // The diff reads the texts without their HTML, with the profile of the new one.
    std::string ta = blankHtml(a), tb = blankHtml(b);
    ClauseGrammar grammar = ClauseGrammar::forText(std::nullopt, tb);
    CHECK(inOld == splitClauses(ta, grammar).size());
    CHECK(inNew == splitClauses(tb, grammar).size());
  }
}
