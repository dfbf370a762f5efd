// core::TimeZone: TZif files of the system's zoneinfo (checked against the C library reading the
// same files), their POSIX TZ footers, fixed offsets and what is refused.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/time_zone.h"

using namespace charta::core;
using std::chrono::minutes;

namespace {

const std::filesystem::path kZoneinfo = "/usr/share/zoneinfo";

std::string zoneBytes(const std::string& name) {
  std::ifstream in(kZoneinfo / name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "tzdata is not installed: no " << (kZoneinfo / name).string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TimeZone zone(const std::string& name) {
  std::string why;
  auto z = TimeZone::fromTzif(zoneBytes(name), name, &why);
  REQUIRE_MESSAGE(z, why);
  return *z;
}

Instant at(const char* rfc3339) {
  auto t = parseRfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

// The C library's offset of "name" at Unix second "s", in whole minutes (toward zero).
long libcOffsetMinutes(const std::string& name, std::int64_t s) {
  std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  REQUIRE(localtime_r(&t, &tm));
  (void)name;
  return tm.tm_gmtoff / 60;
}

}  // namespace

TEST_CASE("Europe/Berlin: summer time, its transitions, 1945's double summer time") {
  TimeZone berlin = zone("Europe/Berlin");
  CHECK(berlin.name() == "Europe/Berlin");
  CHECK(berlin.offsetAt(at("2026-03-29T00:59:59Z")) == minutes{60});
  CHECK(berlin.offsetAt(at("2026-03-29T01:00:00Z")) == minutes{120});
  CHECK(berlin.offsetAt(at("2026-10-25T00:59:59Z")) == minutes{120});
  CHECK(berlin.offsetAt(at("2026-10-25T01:00:00Z")) == minutes{60});
  CHECK(berlin.offsetAt(at("1945-06-15T12:00:00Z")) == minutes{180});
  CHECK(berlin.offsetAt(at("1970-07-01T12:00:00Z")) == minutes{60});  // no summer time then
}

TEST_CASE("the POSIX footer decides beyond the last transition") {
  TimeZone berlin = zone("Europe/Berlin");
  // 2100 is after any transition a TZif file lists (fat files stop at 2037).
  CHECK(berlin.offsetAt(at("2100-01-15T12:00:00Z")) == minutes{60});
  CHECK(berlin.offsetAt(at("2100-07-15T12:00:00Z")) == minutes{120});
  // The last Sunday of March 2100 is the 28th: 01:00 UTC.
  CHECK(berlin.offsetAt(at("2100-03-28T00:59:59Z")) == minutes{60});
  CHECK(berlin.offsetAt(at("2100-03-28T01:00:00Z")) == minutes{120});
  TimeZone sydney = zone("Australia/Sydney");  // southern: summer time spans the new year
  CHECK(sydney.offsetAt(at("2100-01-15T00:00:00Z")) == minutes{660});
  CHECK(sydney.offsetAt(at("2100-07-15T00:00:00Z")) == minutes{600});
}

TEST_CASE("Asia/Almaty: +06:00 until 2024-03-01, +05:00 since, as the built-in rule") {
  TimeZone almaty = zone("Asia/Almaty");
  CHECK(almaty.offsetAt(at("2024-02-29T17:59:59Z")) == minutes{360});
  CHECK(almaty.offsetAt(at("2024-02-29T18:00:00Z")) == minutes{300});
  CHECK(almaty.offsetAt(at("2090-06-01T00:00:00Z")) == minutes{300});
  TimeZone builtIn;
  CHECK(builtIn.name() == "Asia/Almaty (built in)");
  for (std::int64_t s = 1104537600; s < 2000000000; s += 86400 * 7 + 3607) {  // 2005 on
    Instant t = fromUnixSeconds(s);
    CAPTURE(formatRfc3339(t));
    CHECK(almaty.offsetAt(t) == builtIn.offsetAt(t));
    CHECK(builtIn.offsetAt(t) == almatyOffset(t));
  }
}

TEST_CASE("zones agree with the C library reading the same files, 1900 to 2100") {
  for (const char* name :
       {"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Almaty", "America/Sao_Paulo",
        "Europe/Dublin", "Pacific/Chatham", "Asia/Kolkata", "America/Nuuk", "Africa/Casablanca",
        "Asia/Tehran", "Antarctica/Troll"}) {
    CAPTURE(name);
    TimeZone z = zone(name);
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    int disagree = 0;
    // Every 5 days and 7 hours: every year's transitions are passed on both sides.
    for (std::int64_t s = -2208988800; s < 4102444800 && disagree < 3; s += 5 * 86400 + 7 * 3600) {
      long expected = libcOffsetMinutes(name, s);
      long got = z.offsetAt(fromUnixSeconds(s)).count();
      if (got != expected) {
        ++disagree;
        CAPTURE(s);
        CHECK(got == expected);
      }
    }
    CHECK(disagree == 0);
  }
  unsetenv("TZ");
  tzset();
}

TEST_CASE("POSIX TZ strings") {
  auto rule = [](const char* s) {
    auto tz = parsePosixTz(s);
    REQUIRE_MESSAGE(tz, s);
    return *tz;
  };
  CHECK(rule("<+05>-5").offsetAt(0) == 5 * 3600);
  CHECK_FALSE(rule("<+05>-5").dstOffset);
  CHECK(rule("<+0545>-5:45").offsetAt(0) == 5 * 3600 + 45 * 60);
  PosixTz ny = rule("EST5EDT,M3.2.0,M11.1.0");
  CHECK(ny.offsetAt(toUnixSeconds(at("2300-07-01T00:00:00Z"))) == -4 * 3600);
  CHECK(ny.offsetAt(toUnixSeconds(at("2300-12-01T00:00:00Z"))) == -5 * 3600);
  // Transition times outside 0-24h (America/Nuuk): -1 and 0 o'clock local.
  PosixTz nuuk = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  CHECK(nuuk.offsetAt(toUnixSeconds(at("2030-03-31T00:59:59Z"))) == -2 * 3600);
  CHECK(nuuk.offsetAt(toUnixSeconds(at("2030-03-31T01:00:00Z"))) == -1 * 3600);
  // Julian days: J60 is March 1 even in a leap year; 59 (zero-based) is February 29 then.
  PosixTz julian = rule("AAA0BBB,J60/0,J300/0");
  CHECK(julian.offsetAt(toUnixSeconds(at("2028-02-29T23:59:59Z"))) == 0);
  CHECK(julian.offsetAt(toUnixSeconds(at("2028-03-01T00:00:00Z"))) == 3600);
  PosixTz zeroBased = rule("AAA0BBB,59/0,300/0");
  CHECK(zeroBased.offsetAt(toUnixSeconds(at("2028-02-29T00:00:00Z"))) == 3600);
  CHECK(zeroBased.offsetAt(toUnixSeconds(at("2028-02-28T23:59:59Z"))) == 0);
  // Summer time all year (a permanent-DST footer).
  PosixTz always = rule("EST5EDT,0/0,J365/25");
  CHECK(always.offsetAt(toUnixSeconds(at("2040-01-01T06:00:00Z"))) == -4 * 3600);
  CHECK(always.offsetAt(toUnixSeconds(at("2040-12-31T23:00:00Z"))) == -4 * 3600);
  for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
                          "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J10", "EST5EDT,M3.2.0", "<+05-5",
                          "EST25", "EST5EDT,M3.2.0/168,M11.1.0", "EST5 extra"}) {
    CAPTURE(bad);
    CHECK_FALSE(parsePosixTz(bad));
  }
}

TEST_CASE("bad TZif bytes are refused with a reason") {
  std::string good = zoneBytes("Europe/Berlin");
  auto refused = [](const std::string& bytes, const char* reason) {
    std::string why;
    CHECK_FALSE(TimeZone::fromTzif(bytes, "x", &why));
    CHECK(why.find(reason) != std::string::npos);
  };
  refused("", "not a TZif file");
  refused("TZif2", "not a TZif file");
  refused("#!/bin/sh\n" + std::string(64, ' '), "not a TZif file");
  refused(good.substr(0, good.size() / 2), "truncated");
  std::string badVersion = good;
  badVersion[4] = '9';
  refused(badVersion, "version");
  std::string badFooter = good;
  badFooter.replace(badFooter.rfind("CET-1"), 5, "C?T-1");
  refused(badFooter, "footer");
  std::string noFooter = good.substr(0, good.rfind('\n', good.size() - 2));
  refused(noFooter, "footer");
  // A version-1 file (the 32-bit block alone, no footer) is read too.
  auto count = [&](int i) {
    const auto* p = reinterpret_cast<const unsigned char*>(good.data() + 20 + 4 * i);
    return std::size_t{p[0]} << 24 | std::size_t{p[1]} << 16 | std::size_t{p[2]} << 8 | p[3];
  };
  std::size_t v1Size =
      44 + count(3) * 5 + count(4) * 6 + count(5) + count(2) * 8 + count(1) + count(0);
  std::string v1 = good.substr(0, v1Size);
  v1[4] = '\0';
  std::string why;
  auto old = TimeZone::fromTzif(v1, "Europe/Berlin", &why);
  REQUIRE_MESSAGE(old, why);
  CHECK(old->offsetAt(at("2026-07-01T00:00:00Z")) == minutes{120});
  CHECK(old->offsetAt(at("2026-12-01T00:00:00Z")) == minutes{60});
}

TEST_CASE("fixed offsets") {
  CHECK(parseUtcOffset("+05:00") == minutes{300});
  CHECK(parseUtcOffset("-03:30") == minutes{-210});
  CHECK(parseUtcOffset("+0545") == minutes{345});
  CHECK(parseUtcOffset("Z") == minutes{0});
  CHECK(parseUtcOffset("UTC") == minutes{0});
  CHECK(parseUtcOffset("+18:00") == minutes{18 * 60});
  for (const char* bad : {"", "5", "+5", "+05", "+05:0", "+05:60", "+18:01", "+19:00", "05:00",
                          "+05:00 ", "+05-00", "utc", "+5:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseUtcOffset(bad));
  }
  TimeZone plus5 = TimeZone::fixed(minutes{300});
  CHECK(plus5.name() == "+05:00");
  CHECK(plus5.offsetAt(at("2024-02-29T17:00:00Z")) == minutes{300});
  CHECK(TimeZone::fixed(minutes{-210}).name() == "-03:30");
  CHECK(TimeZone::fixed(minutes{-210}).offsetAt(at("1999-01-01T00:00:00Z")) == minutes{-210});
}

TEST_CASE("zone names that may be looked up") {
  for (const char* ok : {"Asia/Almaty", "Europe/Berlin", "America/Argentina/Buenos_Aires",
                         "Etc/GMT+5", "UTC", "America/Port-au-Prince"}) {
    CAPTURE(ok);
    CHECK(isZoneName(ok));
  }
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "Asia/../../etc/passwd", "Asia/",
                          "Asia//Almaty", ".hidden", "Asia/Al maty", "Asia\\Almaty", "-Asia"}) {
    CAPTURE(bad);
    CHECK_FALSE(isZoneName(bad));
  }
}
