#include <doctest/doctest.h>

#include "core/timeline.h"

using namespace charta::core;
using namespace std::chrono;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }

Edition edition(int no, const char* published, const char* effective) {
  Edition e{*DocumentId::parse("personal-data"),
            *EditionNo::of(no),
            *CommitId::parse(std::string(40, static_cast<char>('0' + no % 10))),
            at(published),
            at(effective),
            kKazakhstanOffset,
            false,
            {},
            {},
            {},
            std::nullopt,
            std::nullopt};
  return e;
}

Edition withdrawn(Edition e, const char* when) {
  e.withdrawal = Withdrawal{at(when), {}, "not needed"};
  return e;
}

// nullopt-able edition number in force, for compact tables.
int inForce(const Timeline& tl, Instant t) {
  const Edition* e = tl.inForceAt(t);
  return e ? e->no.value() : 0;
}

}  // namespace

TEST_CASE("in force at T-1ms, T, T+1ms around each switch") {
  // v1 effective at publication; v2 scheduled; v3 scheduled later.
  Timeline tl({edition(1, "2026-01-01T10:00:00+05:00", "2026-01-01T10:00:00+05:00"),
               edition(2, "2026-02-01T10:00:00+05:00", "2026-03-01T00:00:00+05:00"),
               edition(3, "2026-02-02T10:00:00+05:00", "2026-04-01T00:00:00+05:00")});
  struct Case {
    const char* t;
    int ms;
    int expected;
  };
  const Case cases[] = {
      {"2026-01-01T10:00:00+05:00", -1, 0}, {"2026-01-01T10:00:00+05:00", 0, 1},
      {"2026-01-01T10:00:00+05:00", 1, 1},  {"2026-03-01T00:00:00+05:00", -1, 1},
      {"2026-03-01T00:00:00+05:00", 0, 2},  {"2026-03-01T00:00:00+05:00", 1, 2},
      {"2026-04-01T00:00:00+05:00", -1, 2}, {"2026-04-01T00:00:00+05:00", 0, 3},
      {"2026-04-01T00:00:00+05:00", 1, 3},  {"2030-01-01T00:00:00Z", 0, 3},
  };
  for (const auto& c : cases) {
    CAPTURE(c.t);
    CAPTURE(c.ms);
    CHECK(inForce(tl, at(c.t) + milliseconds{c.ms}) == c.expected);
  }
}

TEST_CASE("upcoming and next switch of scheduled editions") {
  Timeline tl({edition(1, "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
               edition(2, "2026-02-01T10:00:00Z", "2026-03-01T00:00:00Z")});
  struct Case {
    const char* t;
    int upcoming;      // first upcoming edition, 0 for none
    const char* next;  // next switch, "" for none
  };
  const Case cases[] = {
      {"2025-12-31T00:00:00Z", 0, "2026-01-01T10:00:00Z"},  // v2 not yet published
      {"2026-01-15T00:00:00Z", 0, "2026-03-01T00:00:00Z"},  // v2 unknown then, but known now
      {"2026-02-01T10:00:00Z", 2, "2026-03-01T00:00:00Z"},
      {"2026-02-28T23:59:59.999Z", 2, "2026-03-01T00:00:00Z"},
      {"2026-03-01T00:00:00Z", 0, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.t);
    auto up = tl.upcomingAt(at(c.t));
    CHECK((up.empty() ? 0 : up.front()->no.value()) == c.upcoming);
    auto next = tl.nextSwitchAfter(at(c.t));
    CHECK((next ? formatRfc3339(*next) : std::string()) == c.next);
  }
}

TEST_CASE("a withdrawn scheduled edition never takes effect") {
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               withdrawn(edition(2, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
                         "2026-02-10T00:00:00Z"),
               edition(3, "2026-02-11T00:00:00Z", "2026-03-02T00:00:00Z")});
  CHECK(inForce(tl, at("2026-03-01T00:00:00Z")) == 1);
  CHECK(inForce(tl, at("2026-03-02T00:00:00Z") - milliseconds{1}) == 1);
  CHECK(inForce(tl, at("2026-03-02T00:00:00Z")) == 3);
  // Before its withdrawal it was upcoming; after it, not.
  auto before = tl.upcomingAt(at("2026-02-09T00:00:00Z"));
  REQUIRE(before.size() == 1);
  CHECK(before.front()->no.value() == 2);
  auto after = tl.upcomingAt(at("2026-02-12T00:00:00Z"));
  REQUIRE(after.size() == 1);
  CHECK(after.front()->no.value() == 3);
  CHECK(formatRfc3339(*tl.nextSwitchAfter(at("2026-02-12T00:00:00Z"))) == "2026-03-02T00:00:00Z");
}

TEST_CASE("two editions scheduled out of order: the latest effective moment wins") {
  // v2 is scheduled for 10 March; v3, published later, for 5 March.
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               edition(2, "2026-02-01T00:00:00Z", "2026-03-10T00:00:00Z"),
               edition(3, "2026-02-02T00:00:00Z", "2026-03-05T00:00:00Z")});
  CHECK(inForce(tl, at("2026-03-05T00:00:00Z") - milliseconds{1}) == 1);
  CHECK(inForce(tl, at("2026-03-05T00:00:00Z")) == 3);
  CHECK(inForce(tl, at("2026-03-10T00:00:00Z") - milliseconds{1}) == 3);
  CHECK(inForce(tl, at("2026-03-10T00:00:00Z")) == 2);
  const Instant mid = at("2026-03-06T00:00:00Z");
  CHECK(tl.statusAt(*tl.edition(*EditionNo::of(1)), mid) == EditionStatus::kSuperseded);
  CHECK(tl.statusAt(*tl.edition(*EditionNo::of(2)), mid) == EditionStatus::kUpcoming);
  CHECK(tl.statusAt(*tl.edition(*EditionNo::of(3)), mid) == EditionStatus::kInForce);
  CHECK(std::string(statusName(EditionStatus::kInForce)) == "in_force");
  auto up = tl.upcomingAt(at("2026-02-03T00:00:00Z"));
  REQUIRE(up.size() == 2);
  CHECK(up[0]->no.value() == 3);
  CHECK(up[1]->no.value() == 2);
}

TEST_CASE("same effective moment: the higher number wins; lookups by number") {
  Timeline tl({edition(2, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
               edition(1, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")});
  CHECK(inForce(tl, at("2026-02-01T00:00:00Z")) == 2);
  CHECK(tl.edition(*EditionNo::of(1))->no.value() == 1);
  CHECK(tl.edition(*EditionNo::of(3)) == nullptr);
  CHECK(tl.latest()->no.value() == 2);
  CHECK(Timeline().inForceAt(at("2026-02-01T00:00:00Z")) == nullptr);
}

TEST_CASE("same moment: the lower number is outranked, never upcoming once known, withdrawn") {
  // v2 is scheduled for 1 March; v3, published later, for the same moment.
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               edition(2, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
               edition(3, "2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z")});
  const Edition& v2 = *tl.edition(*EditionNo::of(2));
  CHECK(tl.cancelled(v2));
  CHECK(tl.outrankedBy(v2)->no.value() == 3);
  CHECK_FALSE(tl.cancelled(*tl.edition(*EditionNo::of(3))));
  CHECK(tl.outrankedBy(*tl.edition(*EditionNo::of(3))) == nullptr);
  // Before v3 was published, v2 was upcoming; after, only v3 is: current.upcoming names it.
  auto before = tl.upcomingAt(at("2026-02-05T00:00:00Z"));
  REQUIRE(before.size() == 1);
  CHECK(before.front()->no.value() == 2);
  auto after = tl.upcomingAt(at("2026-02-11T00:00:00Z"));
  REQUIRE(after.size() == 1);
  CHECK(after.front()->no.value() == 3);
  for (const char* t : {"2026-02-11T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"}) {
    CAPTURE(t);
    CHECK(tl.statusAt(v2, at(t)) == EditionStatus::kWithdrawn);
  }
  CHECK(inForce(tl, at("2026-03-01T00:00:00Z") - milliseconds{1}) == 1);
  CHECK(inForce(tl, at("2026-03-01T00:00:00Z")) == 3);
  CHECK(tl.statusAt(*tl.edition(*EditionNo::of(1)), at("2026-03-01T00:00:00Z")) ==
        EditionStatus::kSuperseded);
  CHECK(tl.epochAt(at("2026-03-01T00:00:00Z")) == 2);  // one switch at that moment, not two
  // A withdrawn edition outranks nothing: once v3 is withdrawn, v2 takes effect after all.
  Timeline back({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                 edition(2, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
                 withdrawn(edition(3, "2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z"),
                           "2026-02-20T00:00:00Z")});
  CHECK_FALSE(back.cancelled(*back.edition(*EditionNo::of(2))));
  CHECK(inForce(back, at("2026-03-01T00:00:00Z")) == 2);
}
