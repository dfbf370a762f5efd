#include <doctest/doctest.h>

#include "core/time.h"

using namespace charta::core;
using namespace std::chrono;

TEST_CASE("RFC 3339 parsing accepts offsets and refuses local times") {
  struct Case {
    const char* text;
    bool ok;
    const char* utc;  // expected, formatted in UTC
  };
  const Case cases[] = {
      {"2026-12-01T00:00:00+05:00", true, "2026-11-30T19:00:00Z"},
      {"2026-12-01T00:00:00Z", true, "2026-12-01T00:00:00Z"},
      {"2026-12-01t00:00:00z", true, "2026-12-01T00:00:00Z"},
      {"2026-12-01T00:00:00.250Z", true, "2026-12-01T00:00:00.250Z"},
      {"2026-12-01T00:00:00.1234567-01:30", true, "2026-12-01T01:30:00.123Z"},
      {"2024-02-29T23:59:59+00:00", true, "2024-02-29T23:59:59Z"},
      {"2026-12-01T00:00:00", false, ""},        // local time: refused
      {"2026-12-01 00:00:00+05:00", false, ""},  // space instead of T
      {"2026-12-01", false, ""},
      {"2026-13-01T00:00:00Z", false, ""},
      {"2025-02-29T00:00:00Z", false, ""},
      {"2026-12-01T24:00:00Z", false, ""},
      {"2026-12-01T00:00:00+5:00", false, ""},
      {"2026-12-01T00:00:00.Z", false, ""},
      {"2026-12-01T00:00:00Zjunk", false, ""},
      {"9999-12-31T23:59:59+23:59", true, "9999-12-31T00:00:59Z"},
      {"9999-12-31T23:59:59-23:59", false, ""},  // the year 10000 in UTC
      {"0000-01-01T00:00:00+00:01", false, ""},  // the year -1 in UTC
      {"0000-01-01T00:00:00-00:01", true, "0000-01-01T00:01:00Z"},
      {"", false, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto t = parseRfc3339(c.text);
    CHECK(t.has_value() == c.ok);
    if (t) CHECK(formatRfc3339(*t) == c.utc);
  }
}

TEST_CASE("formatting in the Kazakhstan offset round-trips") {
  auto t = parseRfc3339("2026-11-30T19:00:00Z");
  REQUIRE(t);
  CHECK(formatRfc3339(*t, kKazakhstanOffset) == "2026-12-01T00:00:00+05:00");
  CHECK(formatRfc3339(*t, minutes{0}, false) == "2026-11-30T19:00:00+00:00");
  CHECK(formatRfc3339(*t, minutes{-90}) == "2026-11-30T17:30:00-01:30");
  auto z = parseRfc3339Zoned("2026-12-01T00:00:00+05:00");
  REQUIRE(z);
  CHECK(z->offset == kKazakhstanOffset);
  CHECK(parseRfc3339(formatRfc3339(*t + milliseconds{7}, kKazakhstanOffset)) ==
        *t + milliseconds{7});
  CHECK(toUnixSeconds(fromUnixSeconds(1764547200)) == 1764547200);
}

TEST_CASE("Asia/Almaty offset: +06:00 before 2024-03-01, +05:00 since") {
  CHECK(almatyOffset(*parseRfc3339("2024-02-29T23:59:59.999+06:00")) == minutes{360});
  CHECK(almatyOffset(*parseRfc3339("2024-03-01T00:00:00+06:00")) == minutes{300});
  CHECK(almatyOffset(*parseRfc3339("2026-12-01T00:00:00+05:00")) == minutes{300});
}
