#include <doctest/doctest.h>

#include "http/negotiate.h"

using namespace charta;

TEST_CASE("Accept-Language chooses among the document's languages") {
  std::vector<core::Lang> langs = {*core::Lang::parse("ru"), *core::Lang::parse("kk"),
                                   *core::Lang::parse("en")};
  struct Case {
    const char* header;
    const char* expected;  // "" for no choice
  };
  const Case cases[] = {
      {"kk", "kk"},
      {"ru-KZ,ru;q=0.9,en;q=0.8", "ru"},
      {"de, en;q=0.5", "en"},
      {"en;q=0.5, kk;q=0.9", "kk"},
      {"*", "ru"},
      {"de", ""},
      {"en;q=0", ""},
      {"en;q=2", ""},
      {"en;q=abc, kk", "kk"},
      {"", ""},
      {",,,;;;", ""},
      {"EN", "en"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.header);
    auto got = http::negotiateLanguage(c.header, langs);
    CHECK((got ? got->str() : std::string()) == c.expected);
  }
}
