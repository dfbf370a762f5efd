#include <doctest/doctest.h>

#include "core/trailers.h"

using namespace charta::core;

TEST_CASE("trailers round-trip through a message") {
  Trailers t = {{"Effective-From", "2026-12-01T00:00:00+05:00"},
                {"Material", "yes"},
                {"Renew-Purposes", "marketing, advertising"},
                {"Summary", "Пункт 5.3: данные могут быть переданы"}};
  std::string msg = formatMessage("Publish personal-data v3", "", t);
  CHECK(msg ==
        "Publish personal-data v3\n\nEffective-From: 2026-12-01T00:00:00+05:00\nMaterial: yes\n"
        "Renew-Purposes: marketing, advertising\nSummary: Пункт 5.3: данные могут быть переданы\n");
  CHECK(parseTrailers(msg) == t);
  CHECK(*findTrailer(t, "material") == "yes");
  CHECK(findTrailer(t, "Nope") == nullptr);
}

TEST_CASE("only the last paragraph of key-value lines is a trailer block") {
  CHECK(parseTrailers("Subject only: not a trailer").empty());
  CHECK(parseTrailers("Subject\n\nBody text here.\n").empty());
  CHECK(parseTrailers("Subject\n\nKey: v\nnot a trailer line\n").empty());
  auto t = parseTrailers("Subject\n\nBody\n\nKey: a\n  continued\nOther:b\n\n");
  REQUIRE(t.size() == 2);
  CHECK(t[0].second == "a continued");
  CHECK(t[1].second == "b");
}

TEST_CASE("trailer-safe values") {
  CHECK(isTrailerSafe("Пункт 5.3"));
  CHECK_FALSE(isTrailerSafe("line\nbreak"));
  CHECK_FALSE(isTrailerSafe("cr\r"));
  CHECK_FALSE(isTrailerSafe("next\xc2\x85line"));  // U+0085
  CHECK_FALSE(
      isTrailerSafe("csi\xc2\x9b"
                    "31m"));                                // U+009B
  CHECK_FALSE(isTrailerSafe("line\xe2\x80\xa8separator"));  // U+2028
  CHECK_FALSE(isTrailerSafe("para\xe2\x80\xa9separator"));  // U+2029
  CHECK(isTrailerSafe("\xc2\xa0no-break space, \xe2\x80\x94 dash"));
  CHECK_FALSE(isTrailerSafe("\xff"));
  CHECK_FALSE(isTrailerSafe(std::string(5000, 'a')));
}
