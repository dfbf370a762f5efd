// The acceptance rules of a consent: which edition it cites (core::citeEdition) and whether it
// may be recorded (core::checkConsent).
#include <doctest/doctest.h>

#include <string>

#include "core/consent.h"

using namespace charta::core;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }
PurposeId pid(const char* id) { return *PurposeId::parse(id); }
CommitId commit(char c) { return *CommitId::parse(std::string(40, c)); }

Edition edition(int no, char c, const char* published, const char* effective) {
  return Edition{*DocumentId::parse("personal-data"),
                 *EditionNo::of(no),
                 commit(c),
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

// v1 in force since January; v2 published in February, in force from March; v3 of v2's commit
// republished in April; v4 scheduled for June and withdrawn in May.
Timeline timeline() {
  Edition v4 = edition(4, 'd', "2026-05-01T00:00:00+05:00", "2026-06-01T00:00:00+05:00");
  v4.withdrawal = Withdrawal{at("2026-05-10T00:00:00+05:00"), {"legal", ""}, "mistake"};
  return Timeline({edition(1, 'a', "2026-01-01T00:00:00+05:00", "2026-01-01T00:00:00+05:00"),
                   edition(2, 'b', "2026-02-01T00:00:00+05:00", "2026-03-01T00:00:00+05:00"),
                   edition(3, 'b', "2026-04-01T00:00:00+05:00", "2026-04-01T00:00:00+05:00"), v4});
}

// "v2", or the refusal's name.
std::string cite(const NamedEdition& named, const char* now, bool onBranch = false) {
  Timeline tl = timeline();
  bool asked = false;
  Citation c = citeEdition(tl, named, at(now), [&](const CommitId&) {
    asked = true;
    return onBranch;
  });
  if (c.edition) {
    CHECK_FALSE(asked);  // the repository is asked only about commits that are no edition
    return c.edition->no.str();
  }
  return std::string(uncitableName(*c.refused));
}

NamedEdition byNo(int no) { return NamedEdition{EditionNo::of(no), std::nullopt}; }
NamedEdition byCommit(char c) { return NamedEdition{std::nullopt, commit(c)}; }

}  // namespace

TEST_CASE("a consent cites an edition in force or superseded, never a draft or a future one") {
  struct Case {
    NamedEdition named;
    const char* now;
    bool onBranch;
    const char* expected;
  };
  const Case cases[] = {
      {byNo(1), "2026-02-15T00:00:00+05:00", false, "v1"},
      {byNo(2), "2026-02-15T00:00:00+05:00", false, "upcoming"},
      {byNo(2), "2026-02-28T23:59:59.999+05:00", false, "upcoming"},
      {byNo(2), "2026-03-01T00:00:00+05:00", false, "v2"},
      {byNo(1), "2026-03-01T00:00:00+05:00", false, "v1"},         // superseded: still a fair basis
      {byNo(4), "2026-05-05T00:00:00+05:00", false, "withdrawn"},  // withdrawn at every moment
      {byNo(4), "2026-07-01T00:00:00+05:00", false, "withdrawn"},
      {byNo(9), "2026-07-01T00:00:00+05:00", false, "unknown"},
      {NamedEdition{EditionNo::of(1), commit('b')}, "2026-07-01T00:00:00+05:00", false, "mismatch"},
      {NamedEdition{EditionNo::of(2), commit('b')}, "2026-07-01T00:00:00+05:00", false, "v2"},
      // A commit published twice: the newest edition of it that can be cited.
      {byCommit('b'), "2026-03-15T00:00:00+05:00", false, "v2"},
      {byCommit('b'), "2026-04-01T00:00:00+05:00", false, "v3"},
      {byCommit('b'), "2026-02-15T00:00:00+05:00", false, "upcoming"},
      {byCommit('e'), "2026-07-01T00:00:00+05:00", true, "draft"},
      {byCommit('e'), "2026-07-01T00:00:00+05:00", false, "unknown"},
      // Nothing named (a withdrawal of consent): the edition in force.
      {NamedEdition{}, "2026-03-15T00:00:00+05:00", false, "v2"},
      {NamedEdition{}, "2025-12-31T23:59:59+05:00", false, "none"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.now);
    CAPTURE(c.expected);
    CHECK(cite(c.named, c.now, c.onBranch) == c.expected);
  }
}

TEST_CASE("checkConsent: language, then purposes, then the page shown") {
  const Document doc{*DocumentId::parse("personal-data"),
                     "Политика",
                     "/personal-data",
                     *Lang::parse("ru"),
                     {{"ru", "personal-data/ru.md"}, {"kk", "personal-data/kk.md"}},
                     {*Lang::parse("ru"), *Lang::parse("kk")},
                     {{pid("account"), "4.1.6", ""}, {pid("marketing"), "4.1.10", ""}}};
  const Lang ru = *Lang::parse("ru"), en = *Lang::parse("en");
  const std::string shown(64, 'a'), other(64, 'b');

  auto refused = [&](const Lang& lang, std::vector<PurposeId> purposes,
                     std::optional<std::string> pageShown, std::optional<std::string> served) {
    ConsentCheck c = checkConsent(doc, lang, purposes, pageShown, [&](const std::string& page) {
      return served && *served == page;
    });
    if (!c.refused) return std::string("ok");
    switch (*c.refused) {
      case ConsentRefusal::kUnknownLanguage:
        return std::string("language");
      case ConsentRefusal::kUnknownPurpose:
        return "purpose " + c.purpose->str();
      case ConsentRefusal::kPageMismatch:
        return std::string("page");
    }
    return std::string("?");
  };
  CHECK(refused(ru, {pid("marketing")}, std::nullopt, std::nullopt) == "ok");
  CHECK(refused(ru, {pid("marketing")}, shown, shown) == "ok");
  CHECK(refused(ru, {pid("marketing")}, shown, other) == "page");
  CHECK(refused(ru, {pid("marketing")}, shown, std::nullopt) == "page");
  CHECK(refused(ru, {pid("account"), pid("telepathy"), pid("psi")}, shown, other) ==
        "purpose telepathy");
  CHECK(refused(en, {pid("telepathy")}, shown, other) == "language");
}
