// The variants of an edition's page over time (core::pageStateAt, pageVariantIntervals), which
// archived variant a consent may cite (pageVariantCitable), and when a superseded edition stops
// being citable (inForceUntil, citeEdition's grace).
#include <doctest/doctest.h>

#include <string>

#include "core/consent.h"
#include "core/page_state.h"

using namespace charta::core;
using namespace std::chrono;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }

Edition edition(int no, const char* published, const char* effective) {
  return Edition{*DocumentId::parse("personal-data"),
                 *EditionNo::of(no),
                 *CommitId::parse(std::string(40, static_cast<char>('a' + no))),
                 at(published),
                 at(effective),
                 kKazakhstanOffset,
                 false,
                 {},
                 {},
                 {},
                 std::nullopt,
                 std::nullopt};
}

// v1 in force from January 1; v2 announced February 1 for March 1; v3 announced March 10 for
// June 1 and withdrawn April 1; v4 announced May 1 for May 2.
Timeline timeline() {
  Edition v3 = edition(3, "2026-03-10T00:00:00+05:00", "2026-06-01T00:00:00+05:00");
  v3.withdrawal = Withdrawal{at("2026-04-01T00:00:00+05:00"), {"legal", ""}, "mistake"};
  return Timeline({edition(1, "2026-01-01T00:00:00+05:00", "2026-01-01T00:00:00+05:00"),
                   edition(2, "2026-02-01T00:00:00+05:00", "2026-03-01T00:00:00+05:00"), v3,
                   edition(4, "2026-05-01T00:00:00+05:00", "2026-05-02T00:00:00+05:00")});
}

std::string variantsOf(const Timeline& tl, int no) {
  std::string out;
  for (const VariantInterval& i : pageVariantIntervals(tl, *tl.edition(*EditionNo::of(no)))) {
    out += i.variant + " " + formatRfc3339(i.from, kKazakhstanOffset, false).substr(0, 10) + "..";
    out += (i.until ? formatRfc3339(*i.until, kKazakhstanOffset, false).substr(0, 10) : "") + "; ";
  }
  return out;
}

}  // namespace

TEST_CASE("an edition's page goes through its variants as editions are announced and switch") {
  Timeline tl = timeline();
  CHECK(variantsOf(tl, 1) ==
        "in-force 2026-01-01..2026-02-01; notice:v2 2026-02-01..2026-03-01; "
        "superseded 2026-03-01..; ");
  // A notice withdrawn: the page is the plain in-force page again, then announces v4.
  CHECK(variantsOf(tl, 2) ==
        "upcoming:v1 2026-02-01..2026-03-01; in-force 2026-03-01..2026-03-10; "
        "notice:v3 2026-03-10..2026-04-01; in-force 2026-04-01..2026-05-01; "
        "notice:v4 2026-05-01..2026-05-02; superseded 2026-05-02..; ");
  CHECK(variantsOf(tl, 3) == "withdrawn 2026-03-10..; ");
  CHECK(variantsOf(tl, 4) == "upcoming:v2 2026-05-01..2026-05-02; in-force 2026-05-02..; ");

  const Edition& v2 = *tl.edition(*EditionNo::of(2));
  CHECK(pageStateAt(tl, v2, at("2026-03-15T00:00:00+05:00")).variant() == "notice:v3");
  CHECK(pageStateAt(tl, v2, at("2026-04-15T00:00:00+05:00")).variant() == "in-force");
}

TEST_CASE("an archived variant is citable while its time reaches into the grace") {
  Timeline tl = timeline();
  const Edition& v1 = *tl.edition(*EditionNo::of(1));
  const Edition& v2 = *tl.edition(*EditionNo::of(2));
  const milliseconds day = hours(24);
  // The form opened before v2 was announced, the consent a minute after the announcement.
  CHECK(pageVariantCitable(tl, v1, "in-force", at("2026-02-01T00:01:00+05:00"), day));
  CHECK(pageVariantCitable(tl, v1, "in-force", at("2026-02-02T00:00:00+05:00"), day));
  CHECK_FALSE(pageVariantCitable(tl, v1, "in-force", at("2026-02-02T00:00:00.001+05:00"), day));
  CHECK_FALSE(pageVariantCitable(tl, v1, "in-force", at("2026-02-01T00:01:00+05:00"), {}));
  CHECK(pageVariantCitable(tl, v1, "notice:v2", at("2026-03-01T12:00:00+05:00"), day));
  CHECK(pageVariantCitable(tl, v1, "superseded", at("2027-01-01T00:00:00+05:00"), day));
  // A variant the edition's page never was, or not yet.
  CHECK_FALSE(pageVariantCitable(tl, v1, "notice:v3", at("2026-03-15T00:00:00+05:00"), day));
  CHECK_FALSE(pageVariantCitable(tl, v2, "notice:v4", at("2026-04-15T00:00:00+05:00"), day));
  // Two stretches of "in-force": the later one counts.
  CHECK(pageVariantCitable(tl, v2, "in-force", at("2026-05-01T12:00:00+05:00"), day));
}

TEST_CASE("a superseded edition is citable for the grace after it stopped being in force") {
  Timeline tl = timeline();
  CHECK(inForceUntil(tl, *tl.edition(*EditionNo::of(1))) == at("2026-03-01T00:00:00+05:00"));
  CHECK(inForceUntil(tl, *tl.edition(*EditionNo::of(2))) == at("2026-05-02T00:00:00+05:00"));
  CHECK(inForceUntil(tl, *tl.edition(*EditionNo::of(3))) == std::nullopt);
  CHECK(inForceUntil(tl, *tl.edition(*EditionNo::of(4))) == std::nullopt);

  auto cite = [&](int no, const char* now, std::optional<milliseconds> grace) {
    Citation c = citeEdition(
        tl, NamedEdition{EditionNo::of(no), std::nullopt}, at(now),
        [](const CommitId&) { return false; }, grace);
    return c.edition ? c.edition->no.str() : std::string(uncitableName(*c.refused));
  };
  const milliseconds day = hours(24);
  CHECK(cite(1, "2026-03-02T00:00:00+05:00", day) == "v1");
  CHECK(cite(1, "2026-03-02T00:00:00.001+05:00", day) == "superseded");
  CHECK(cite(1, "2026-07-01T00:00:00+05:00", std::nullopt) == "v1");  // no grace: withdrawals
  CHECK(cite(2, "2026-05-02T12:00:00+05:00", day) == "v2");
  CHECK(cite(2, "2026-05-04T00:00:00+05:00", day) == "superseded");
  CHECK(cite(4, "2030-01-01T00:00:00+05:00", day) == "v4");  // in force: no limit
}
