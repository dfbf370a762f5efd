#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/clauses.h"
#include "core/front_matter.h"

using namespace charta::core;

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
      {"В 2026 году\n\n2026 год\n\n5 дней\n", {}},
      {"Текст\n4.1. не с начала абзаца\n", {}},
      {"```\n1.1. код\n```\n", {}},
      {"    1.1. отступ\n", {}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.md);
    std::vector<std::string> got;
    for (const auto& m : clauseMarks(c.md)) got.push_back(m.number);
    CHECK(got == c.numbers);
  }
  CHECK(clauseAnchor("4.1.10") == "p-4-1-10");
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
}
