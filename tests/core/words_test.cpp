#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/front_matter.h"
#include "core/words.h"

using namespace charta::core;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("legal tokens drop formatting and keep words and punctuation") {
  using V = std::vector<std::string>;
  CHECK(legalTokens("**1. ОПРЕДЕЛЕНИЕ ТЕРМИНОВ**") == V{"1", ".", "ОПРЕДЕЛЕНИЕ", "ТЕРМИНОВ"});
  CHECK(legalTokens("## 1. ОПРЕДЕЛЕНИЕ ТЕРМИНОВ") == V{"1", ".", "ОПРЕДЕЛЕНИЕ", "ТЕРМИНОВ"});
  CHECK(legalTokens("- IP адрес;") == V{"IP", "адрес", ";"});
  CHECK(legalTokens("«Cookies» — файл") == V{"«", "Cookies", "»", "—", "файл"});
  CHECK(legalTokens("интернет-магазина 7.1..В") ==
        V{"интернет", "-", "магазина", "7", ".", "1", ".", ".", "В"});
  CHECK(legalTokens("адресу: <https://shop.kz/personal-data>") ==
        V{"адресу", ":", "https", ":", "/", "/", "shop", ".", "kz", "/", "personal", "-", "data"});
  CHECK(legalTokens("a \\* b") == V{"a", "*", "b"});
  CHECK(legalTokens("x < y > z") == V{"x", "<", "y", ">", "z"});
  CHECK(legalTokens("bad \xff byte") == V{"bad", "\xEF\xBF\xBD", "byte"});
  CHECK(isValidUtf8("Привет"));
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST_CASE("policies/personal-data/ru.md has exactly the words of the seed") {
  std::string seed = slurp(std::string(CHARTA_SOURCE_DIR) + "/tests/seed/personal-data.ru.md");
  std::string policy = slurp(std::string(CHARTA_SOURCE_DIR) + "/policies/personal-data/ru.md");
  auto file = splitFrontMatter(policy);
  auto expected = legalTokens(seed);
  auto actual = legalTokens(file.body);
  REQUIRE(expected.size() > 1500);
  // Report the first difference with its neighbourhood, not just "not equal".
  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  if (i < expected.size() || i < actual.size()) {
    std::string ctx;
    for (size_t k = i >= 5 ? i - 5 : 0; k < i; ++k) ctx += expected[k] + " ";
    FAIL("first difference at token " << i << " after \"" << ctx << "\": seed has \""
                                      << (i < expected.size() ? expected[i] : "<end>")
                                      << "\", policy has \""
                                      << (i < actual.size() ? actual[i] : "<end>") << "\"");
  }
  CHECK(actual == expected);

  // The comparison is sensitive to one punctuation mark and to one letter.
  std::string edited(file.body);
  edited.erase(edited.find(','), 1);
  CHECK(legalTokens(edited) != expected);
  edited = std::string(file.body);
  edited.replace(edited.find("Пользователь"), 2, "п");
  CHECK(legalTokens(edited) != expected);
}
