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

TEST_CASE("words with their spacing, contiguous in the text") {
  std::string_view md = "a\\bc x\\\ty *em* \xff";
  std::vector<std::string> texts;
  for (const Word& w : readWords(md)) texts.emplace_back(w.text);
  // An escape splits a word ("a\\bc": legalTokens has "abc"); an escaped tab is white space.
  CHECK(texts == std::vector<std::string>{"a", "bc", "x", "y", "em", "\xEF\xBF\xBD"});
  CHECK(legalTokens(md) == std::vector<std::string>{"abc", "x", "y", "em", "\xEF\xBF\xBD"});
  CHECK(joinWords(readWords("Пункт  5.2:\nтекст")) == "Пункт 5.2: текст");
  CHECK(joinWords(readWords("## 5. x", true)) == "## 5. x");  // the first line kept raw
  CHECK(joinWords(readWords("## 5. x")) == "5. x");
}

TEST_CASE("case and word boundaries") {
  std::string text = "ПУНКТ Ёлка Ђ ABC é «п»";
  std::string low = lowerCase(text);
  CHECK(low == "пункт ёлка ђ abc é «п»");
  CHECK(low.size() == text.size());  // offsets hold
  CHECK(lowerCase("\xff\xD0") == "\xff\xD0");
  CHECK(isUpperCase(U'П'));
  CHECK_FALSE(isUpperCase(U'п'));
  CHECK(wordStartsAt("«п", 2));
  CHECK(wordStartsAt("\xC2\xA0п", 2));
  CHECK_FALSE(wordStartsAt("оп", 2));
  CHECK(lettersEnd("пункт2.1", 0) == 10);
  CHECK(skipTextSpace(" \xC2\xA0\xE2\x80\x89x", 0) == 6);
  CHECK(isWordToken("Текст"));
  CHECK_FALSE(isWordToken("\xC2\xAB"));
  CHECK(asciiLower("EN-GB") == "en-gb");
  std::string s;
  appendUtf8(s, U'Ж');
  appendUtf8(s, 0x1F600);
  CHECK(s == "Ж\xF0\x9F\x98\x80");
}
