#include "core/clauses.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/front_matter.h"

using namespace charta::core;

TEST_CASE("the opening of a block: a clause number, its dots, the space after it") {
  struct Case {
    const char* lead;
    bool cut;            // an emphasis delimiter ends the lead
    const char* number;  // nullptr: no clause
    size_t length, dots;
    bool glued;
  };
  const Case cases[] = {
      {"4.1.10. Предоставления", false, "4.1.10", 7, 1, false},
      {"5.", false, "5", 2, 1, false},
      {"1.1 В настоящей", false, "1.1", 3, 0, false},  // the seed: no dot, two numbers
      {"1.1\xC2\xA0В", false, "1.1", 3, 0, false},     // a no-break space
      {"1.1", true, "1.1", 3, 0, false},               // "**1.1** В"
      {"5.", true, "5", 2, 1, false},                  // "**5.**Текст"
      {"7.1..В случае", false, "7.1", 5, 2, false},    // the seed's doubled dot
      {"7.1...В", false, "7.1", 6, 3, false},
      {"4.1.Текст", false, "4.1", 4, 1, true},  // read, but glued to its text
      {"1.1.,x", false, "1.1", 4, 1, true},
      {"1.2.3..4 x", false, "1.2.3", 7, 2, false},
      {"0.1. ноль", false, "0.1", 4, 1, false},
      {"1.1", false, nullptr, 0, 0, false},  // a number alone on its line is no clause
      {"5 дней", false, nullptr, 0, 0, false},
      {"2026 год", false, nullptr, 0, 0, false},
      {"12.03.2024 — дата", false, nullptr, 0, 0, false},
      {"01.2. тоже", false, nullptr, 0, 0, false},  // a leading zero
      {"1.1a x", false, nullptr, 0, 0, false},
      {"1.1ж x", false, nullptr, 0, 0, false},
      {"1.2.3.4.5.6.7. x", false, nullptr, 0, 0, false},  // seven numbers
      {"1000. x", false, nullptr, 0, 0, false},
      {"Текст 1.1.", false, nullptr, 0, 0, false},
      {"", false, nullptr, 0, 0, false},
  };
  ClauseGrammar grammar;
  for (const Case& c : cases) {
    std::string_view lead = c.lead;
    CAPTURE(lead);
    auto o = grammar.opening(c.lead, c.cut);
    REQUIRE(o.has_value() == (c.number != nullptr));
    if (!o) continue;
    CHECK(o->number == c.number);
    CHECK(o->length == c.length);
    CHECK(o->dots == c.dots);
    CHECK(o->glued() == c.glued);
    CHECK(o->level == static_cast<int>(std::count(o->number.begin(), o->number.end(), '.')) + 1);
  }
}

TEST_CASE("references in running text: keywords, lists, other acts") {
  struct Case {
    const char* text;
    std::vector<std::string> refs;  // "number=linked text"
  };
  const Case cases[] = {
      {"См. п. 4 настоящей Политики.", {"4=4"}},
      {"в п.п. 5.2. и 5.3. настоящей", {"5.2=5.2.", "5.3=5.3."}},
      {"согласно пункту 9.2 и пп. 1.1, 3.1", {"9.2=9.2", "1.1=1.1", "3.1=3.1"}},
      {"пунктах 2.1 и 2.2", {"2.1=2.1", "2.2=2.2"}},
      {"пунктов 2.1\xE2\x80\x93"
       "2.2",
       {"2.1=2.1", "2.2=2.2"}},  // an en dash
      {"подпунктами 1.1-1.2", {"1.1=1.1", "1.2=1.2"}},
      {"пункты 1.1 или 3.1", {"1.1=1.1", "3.1=3.1"}},
      {"подпункта 2.1.1. Итог", {"2.1.1=2.1.1"}},  // a new sentence: the dot is not linked
      {"пунктом 1.2., далее", {"1.2=1.2."}},
      {"Итог в П. 2.1.", {"2.1=2.1"}},
      {"П.П. 1.1. И 1.2.", {"1.1=1.1", "1.2=1.2"}},  // keywords in any case
      {"п.2 и п.п.3", {"2=2", "3=3"}},
      {"см.\xC2\xA0п. 1.1", {"1.1=1.1"}},         // after a no-break space
      {"(\xC2\xABп. 1.1\xC2\xBB)", {"1.1=1.1"}},  // in quotes
      {"п. п. 4", {"4=4"}},
      {"пункт 3 статьи 7 Закона", {}},
      {"п. 2 ст. 5", {}},
      {"пункта 1.1 Кодекса", {}},
      {"пунктир 2.1, оп. 2, 2.1 без ключевого слова", {}},
      {"п. 1.1a, пп 2.1, пункт2.1", {}},
      {"дата 1.12.2026", {}},
  };
  ClauseGrammar grammar;
  for (const Case& c : cases) {
    std::string_view text = c.text;
    CAPTURE(text);
    std::vector<std::string> got;
    for (const ClauseReference& r : grammar.references(text)) {
      got.push_back(r.number + "=" + std::string(text.substr(r.begin, r.end - r.begin)));
    }
    std::string all;
    for (const auto& g : got) all += g + "; ";
    CAPTURE(all);
    CHECK(got == c.refs);
  }
}

TEST_CASE("the anchor of a clause") {
  CHECK(clauseAnchor("4.1.10") == "p-4-1-10");
  CHECK(clauseAnchor("5") == "p-5");
  CHECK(ClauseGrammar().anchor("7.1") == clauseAnchor("7.1"));
}

TEST_CASE("clause marks open paragraphs and headings") {
  struct Case {
    const char* md;
    std::vector<std::string> numbers;
  };
  const Case cases[] = {
      {"## 5. СПОСОБЫ\n\n5.1. Текст.\n\n5.2. Текст п. 4.\n", {"5", "5.1", "5.2"}},
      {"1.1 В настоящей\n", {"1.1"}},
      {"7.1..В случае\n", {"7.1"}},
      {"**1. ОПРЕДЕЛЕНИЕ**\n", {"1"}},
      {"**1.1** В\n\n_1.2_ В\n\n~~1.3.~~ В\n", {"1.1", "1.2", "1.3"}},
      {"4.1.Текст\n", {"4.1"}},
      {"В 2026 году\n\n2026 год\n\n5 дней\n\n01.2. тоже\n", {}},
      {"Текст\n4.1. не с начала абзаца\n", {}},
      {"```\n1.1. код\n```\n", {}},
      {"    1.1. отступ\n", {}},
      {"- 1.1. в списке\n\n> 1.2. в цитате\n", {}},
  };
  for (const auto& c : cases) {
    std::string_view md = c.md;
    CAPTURE(md);
    std::vector<std::string> got;
    for (const auto& m : clauseMarks(c.md)) got.push_back(m.number);
    CHECK(got == c.numbers);
  }
  auto marks = clauseMarks("## **5. СПОСОБЫ**\n\n7.1..В\n\n4.1.Текст\n");
  REQUIRE(marks.size() == 3);
  CHECK(marks[0].heading);
  CHECK(marks[0].column == 5);
  CHECK(marks[0].length == 2);
  CHECK(marks[1].dots == 2);
  CHECK_FALSE(marks[1].spaced);
  CHECK_FALSE(marks[1].glued());
  CHECK(marks[2].glued());
}

TEST_CASE("the seed policy: nine sections and the purpose clauses") {
  std::ifstream in(std::string(CHARTA_SOURCE_DIR) + "/policies/personal-data/ru.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto marks = clauseMarks(splitFrontMatter(text).body);
  std::set<std::string> numbers;
  int headings = 0;
  for (const auto& m : marks) {
    numbers.insert(m.number);
    headings += m.heading;
  }
  CHECK(headings == 9);
  for (const char* n : {"1", "9", "4.1.6", "4.1.10", "4.1.11", "5.2", "5.3", "7.1", "9.3"}) {
    CAPTURE(n);
    CHECK(numbers.count(n) == 1);
  }
  CHECK(numbers.size() == marks.size());  // no duplicates in the seed
  // Every reference of the seed names one of its clauses.
  for (const ClauseReference& r : ClauseGrammar().references(splitFrontMatter(text).body)) {
    CAPTURE(r.number);
    CHECK(numbers.count(r.number) == 1);
  }
}
