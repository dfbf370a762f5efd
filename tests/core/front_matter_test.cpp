#include <doctest/doctest.h>

#include "core/front_matter.h"

using namespace charta::core;

TEST_CASE("front matter is metadata, never text") {
  std::string md =
      "---\ntitle: \"Политика: конфиденциальность\"\nlayout: page\ntags:\n  - a\n---\n# Text\n";
  auto f = splitFrontMatter(md);
  CHECK(f.hasFrontMatter);
  CHECK(f.meta.at("title") == "Политика: конфиденциальность");
  CHECK(f.meta.at("layout") == "page");
  CHECK(f.meta.count("tags") == 1);
  CHECK(f.body == "# Text\n");
  CHECK(f.bodyLine == 7);
}

TEST_CASE("files without front matter are all text") {
  struct Case {
    const char* in;
    const char* body;
    bool fm;
  };
  const Case cases[] = {
      {"# Title\n", "# Title\n", false},
      {"---\nnot closed\n", "---\nnot closed\n", false},
      {"--- \ntitle: x\n...\nbody", "body", true},
      {"\xEF\xBB\xBF---\ntitle: 'it''s'\n---\n", "", true},
      {"", "", false},
      {"----\nx\n---\n", "----\nx\n---\n", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto f = splitFrontMatter(c.in);
    CHECK(f.body == c.body);
    CHECK(f.hasFrontMatter == c.fm);
  }
  CHECK(splitFrontMatter("\xEF\xBB\xBF---\ntitle: 'it''s'\n---\n").meta.at("title") == "it's");
}
