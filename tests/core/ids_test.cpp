#include <doctest/doctest.h>

#include "core/ids.h"

using namespace charta::core;

TEST_CASE("ids are validated at the edge") {
  CHECK(DocumentId::parse("personal-data"));
  CHECK_FALSE(DocumentId::parse("Personal-Data"));
  CHECK_FALSE(DocumentId::parse("-x"));
  CHECK_FALSE(DocumentId::parse("a--b"));
  CHECK_FALSE(DocumentId::parse("../etc"));
  CHECK_FALSE(DocumentId::parse(""));

  CHECK(EditionNo::parse("v3")->value() == 3);
  CHECK(EditionNo::parse("12")->value() == 12);
  CHECK_FALSE(EditionNo::parse("V3"));
  // How a person names an edition, everywhere: exactly v<N>.
  CHECK(EditionNo::parseName("v12")->value() == 12);
  for (const char* bad : {"12", "V3", "v03", "v0", "v", "", " v3", "v3 ", "v1234567"}) {
    CAPTURE(bad);
    CHECK_FALSE(EditionNo::parseName(bad));
  }
  CHECK(EditionNo::parse("v3")->str() == "v3");
  CHECK_FALSE(EditionNo::parse("v0"));
  CHECK_FALSE(EditionNo::parse("v03"));
  CHECK_FALSE(EditionNo::parse("v-1"));
  CHECK_FALSE(EditionNo::parse("v"));
  CHECK_FALSE(EditionNo::parse("v1234567"));

  CHECK(CommitId::parse("0123456789ABCDEF0123456789abcdef01234567")->str() ==
        "0123456789abcdef0123456789abcdef01234567");
  CHECK_FALSE(CommitId::parse("0123456"));
  CHECK_FALSE(CommitId::parse("g123456789abcdef0123456789abcdef01234567"));

  CHECK(Lang::parse("ru"));
  CHECK(Lang::parse("en-GB"));
  CHECK(Lang::parse("zh-Hant"));
  CHECK_FALSE(Lang::parse("r"));
  CHECK_FALSE(Lang::parse("ru-"));
  CHECK_FALSE(Lang::parse("../ru"));
  CHECK_FALSE(Lang::parse("1ru"));
}

TEST_CASE("revision specs never carry rev-parse syntax") {
  const char* refused[] = {"HEAD", "HEAD~1", "@{-1}", "main^{tree}", "main",
                           "v1~1", "../v1",  "v1^",   "0123456",     "%2e%2e"};
  for (const char* r : refused) {
    CAPTURE(r);
    CHECK_FALSE(RevisionSpec::parse(r));
  }
  CHECK(RevisionSpec::parse("v2")->edition->value() == 2);
  CHECK(RevisionSpec::parse("0123456789abcdef0123456789abcdef01234567")->commit);
}

TEST_CASE("clause numbers") {
  CHECK(isClauseNumber("4"));
  CHECK(isClauseNumber("4.1.10"));
  CHECK_FALSE(isClauseNumber("4."));
  CHECK_FALSE(isClauseNumber("4..1"));
  CHECK_FALSE(isClauseNumber("1.2.3.4.5.6.7"));
  CHECK_FALSE(isClauseNumber("1234"));
}
