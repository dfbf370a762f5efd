// The rules of publication as pure functions: tables of inputs and the refusal (or none) each
// gets. The same rules against a real git repository: tests/service/publishing_test.cpp.

#include "core/publication.h"

#include <doctest/doctest.h>

#include <string>

#include "core/trailers.h"

using namespace charta::core;
using namespace std::chrono;

namespace {

Instant at(const char* text) { return *parseRfc3339(text); }
DocumentId doc() { return *DocumentId::parse("personal-data"); }
PurposeId pid(const char* id) { return *PurposeId::parse(id); }
EditionNo no(int n) { return *EditionNo::of(n); }
CommitId commit(char c) { return *CommitId::parse(std::string(40, c)); }
Lang lang(const char* tag) { return *Lang::parse(tag); }

Document document() {
  Document d{doc(), "Политика", "/personal-data", lang("ru"), {}, {}, {}};
  d.files = {{"ru", "personal-data/ru.md"}, {"kk", "personal-data/kk.md"}};
  d.langs = {lang("ru"), lang("kk")};
  d.purposes = {{pid("marketing"), "4.1.10", "Рассылки"},
                {pid("advertising"), "4.1.11", "Реклама"}};
  return d;
}

Edition edition(int n, const char* published, const char* effective) {
  return Edition{doc(),
                 no(n),
                 commit(static_cast<char>('0' + n)),
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

Edition withdrawn(Edition e, const char* when) {
  e.withdrawal = Withdrawal{at(when), {"Legal", ""}, "mistake"};
  return e;
}

const char* kBody =
    "4. Цели\n\n"
    "4.1.10. Рассылки и специальные предложения.\n\n"
    "4.1.11. Рекламная деятельность.\n";

// The refusal as a short string for tables: "" when allowed.
std::string said(const Refusal& r) { return r ? *r : ""; }

LintFinding finding(Severity s, const char* rule, const char* inherited = "") {
  LintFinding f;
  f.severity = s;
  f.rule = rule;
  f.file = "personal-data/ru.md";
  f.line = 7;
  f.message = std::string(rule) + " is wrong";
  f.inheritedFrom = inherited;
  return f;
}

}  // namespace

TEST_CASE("who may be written as tagger") {
  struct Case {
    Person person;
    bool safe;
  } cases[] = {
      {{"Legal Team", "legal@shop.kz"}, true},
      {{"Юридический отдел", ""}, true},  // an e-mail is optional
      {{"", "legal@shop.kz"}, false},     // a name is not
      {{"Legal <x>", "legal@shop.kz"}, false},
      {{"Legal", "legal@shop.kz>"}, false},
      {{"Legal\nTeam", ""}, false},
      {{std::string(200, 'a'), ""}, true},
      {{std::string(201, 'a'), ""}, false},
      {{"Legal", std::string(201, 'a')}, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.person.name);
    CAPTURE(c.person.email);
    CHECK(isPersonSafe(c.person) == c.safe);
  }
  CHECK(isPersonSafe(defaultPublisher()));
}

TEST_CASE("no backdating: effective from the moment of publication, to the millisecond, or later") {
  const Instant published = at("2026-11-26T10:00:00.750+05:00");
  struct Case {
    const char* effective;
    bool refused;
  } cases[] = {
      {"2026-11-26T10:00:00.750+05:00", false},  // the default: the moment itself (9.2)
      {"2026-12-01T00:00:00+05:00", false},      // scheduled
      {"2026-11-26T10:00:00.749+05:00", true},   // one millisecond before: refused
      {"2026-11-26T10:00:00+05:00", true},       // the tagger's second, without its milliseconds
      {"2026-11-26T09:00:00.750+04:00", false},  // the same moment, written at another offset
      {"2020-01-01T00:00:00Z", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.effective);
    Refusal r = backdating(at(c.effective), published, kKazakhstanOffset);
    CHECK(r.has_value() == c.refused);
    if (r)
      CHECK(r->find("is before the moment of publication 2026-11-26T10:00:00.750+05:00") !=
            std::string::npos);
  }
}

TEST_CASE("the moment of a tag: its trailer's milliseconds within the tagger's second") {
  const Instant tagger = at("2026-11-26T10:00:00+05:00");
  CHECK(tagMoment(tagger, std::nullopt) == tagger);
  CHECK(tagMoment(tagger, at("2026-11-26T10:00:00.999+05:00")) ==
        at("2026-11-26T10:00:00.999+05:00"));
  CHECK(tagMoment(tagger, tagger) == tagger);
  // A trailer outside the tagger's second is not believed: the tagger time is what git says.
  CHECK(tagMoment(tagger, at("2026-11-26T10:00:01+05:00")) == tagger);
  CHECK(tagMoment(tagger, at("2026-11-26T09:59:59.999+05:00")) == tagger);
  CHECK(tagMoment(tagger, at("2025-01-01T00:00:00Z")) == tagger);
}

TEST_CASE("the text: words in the controlling language, and every purpose's clause") {
  const Document d = document();
  struct Case {
    std::string body;
    const char* refusal;  // a part of the message; "" when allowed
  } cases[] = {
      {kBody, ""},
      {"", "has no text in its controlling language ru at "},
      {" \n\t\r\n", "has no text in its controlling language ru"},
      {"4.1.10. Рассылки.\n",
       "purpose \"advertising\" is tied to clause 4.1.11, which the ru "
       "text does not have"},
      // A number inside a paragraph is a reference, not the clause.
      {"4.1.10. Рассылки, см. 4.1.11. ниже.\n", "purpose \"advertising\" is tied to clause 4.1.11"},
      {"Текст без пунктов.\n", "purpose \"marketing\""},  // the first missing one is named
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    std::string r = said(textRefusal(d, c.body, commit('a')));
    if (*c.refusal == '\0') {
      CHECK(r.empty());
    } else {
      CHECK(r.find(c.refusal) != std::string::npos);
    }
  }
}

TEST_CASE("the terms: renew-purposes from the catalogue and only when material; one-line texts") {
  const Document d = document();
  struct Case {
    bool material;
    std::vector<PurposeId> renew;
    std::string summary;
    std::optional<std::string> force;
    const char* refusal;
  } cases[] = {
      {false, {}, "", std::nullopt, ""},
      {true, {pid("marketing"), pid("advertising")}, "Пункт 4.1.10", "imported", ""},
      {true,
       {pid("telepathy")},
       "",
       std::nullopt,
       "renew-purposes: \"telepathy\" is not a purpose of \"personal-data\" at this revision"},
      // Both wrong: the catalogue is checked first.
      {false, {pid("telepathy")}, "", std::nullopt, "is not a purpose"},
      {false,
       {pid("marketing")},
       "",
       std::nullopt,
       "renew-purposes needs a material change (--material)"},
      {false, {}, "two\nlines", std::nullopt, "summary must be one line"},
      {false, {}, std::string(2000, 's'), std::nullopt, ""},
      {false, {}, std::string(2001, 's'), std::nullopt, "summary must be one line"},
      {false, {}, "", std::string(), "the reason to force must be one non-empty line"},
      {false, {}, "", "a\rb", "the reason to force must be one non-empty line"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.refusal);
    std::string r = said(termsRefusal(d, c.material, c.renew, c.summary, c.force));
    if (*c.refusal == '\0') {
      CHECK(r.empty());
    } else {
      CHECK(r.find(c.refusal) != std::string::npos);
    }
  }
}

TEST_CASE("the same text as the edition in force or upcoming is nothing to publish") {
  const Instant now = at("2026-11-27T00:00:00+05:00");
  // v1 in force, v2 superseded by v3 (in force now), v4 upcoming, v5 upcoming but withdrawn.
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z"),
               edition(3, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
               edition(4, "2026-04-01T00:00:00Z", "2026-12-01T00:00:00+05:00"),
               withdrawn(edition(5, "2026-04-02T00:00:00Z", "2026-12-02T00:00:00+05:00"),
                         "2026-04-03T00:00:00Z")});
  std::vector<const Edition*> inPlay = editionsInPlay(tl, now);
  REQUIRE(inPlay.size() == 2);
  CHECK(inPlay[0]->no == no(3));
  CHECK(inPlay[1]->no == no(4));

  const TextFiles a{{"ru", "A"}, {"kk", "Ә"}};
  const TextFiles b{{"ru", "B"}, {"kk", "Ә"}};
  struct Case {
    TextFiles draft;
    std::optional<TextFiles> v3, v4;
    std::string refusal;
  } cases[] = {
      {a, b, b, ""},
      {a, a, b, "the text at " + std::string(40, 'd') + " is the same as edition v3 (in force)"},
      {a, b, a, "is the same as edition v4 (upcoming): nothing to publish"},
      {a, std::nullopt, a, "v4 (upcoming)"},  // v3's charta.xml did not declare the document
      {a, TextFiles{{"ru", "A"}}, b, ""},     // a language fewer is a change
      {a, TextFiles{{"ru", "A"}, {"en", "Ә"}}, b, ""},
      {TextFiles{{"ru", "A"}, {"kk", std::nullopt}}, TextFiles{{"ru", "A"}, {"kk", std::nullopt}},
       b, ""},  // a missing file is never the same
  };
  for (const Case& c : cases) {
    CAPTURE(c.refusal);
    std::vector<EditionTexts> texts{{inPlay[0], c.v3}, {inPlay[1], c.v4}};
    std::string r = said(repeatedText(c.draft, commit('d'), texts, tl, now));
    if (c.refusal.empty()) {
      CHECK(r.empty());
    } else {
      CHECK(r.find(c.refusal) != std::string::npos);
    }
  }
}

TEST_CASE("numbers: the next one, never reused; an expected number that is not the next") {
  CHECK(nextEditionNo(Timeline()) == no(1));
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               withdrawn(edition(2, "2026-02-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                         "2026-02-02T00:00:00Z")});
  CHECK(nextEditionNo(tl) == no(3));
  CHECK_FALSE(unexpectedEdition(doc(), no(3), std::nullopt));
  CHECK_FALSE(unexpectedEdition(doc(), no(3), no(3)));
  CHECK(said(unexpectedEdition(doc(), no(3), no(2))) ==
        "the next edition of personal-data is v3, not v2: it was published meanwhile; nothing was "
        "written");
}

TEST_CASE("the lint baseline: the latest edition never withdrawn, before the one linted") {
  Timeline tl({edition(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
               edition(2, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z"),
               withdrawn(edition(3, "2026-03-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                         "2026-03-02T00:00:00Z"),
               edition(4, "2026-04-01T00:00:00Z", "2026-12-02T00:00:00Z")});
  struct Case {
    std::optional<int> before;
    int baseline;  // 0: none
  } cases[] = {
      {std::nullopt, 4},  // a draft: against the latest, upcoming or not
      {5, 4},
      {4, 2},  // v3 was withdrawn: its defects were never accepted
      {3, 2},
      {2, 1},
      {1, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.before);
    std::optional<EditionNo> before = c.before ? std::optional(no(*c.before)) : std::nullopt;
    const Edition* b = lintBaseline(tl, before);
    CHECK((b ? b->no.value() : 0) == c.baseline);
  }
  CHECK(lintBaseline(Timeline()) == nullptr);
}

TEST_CASE("a translation lags when it changed further back than the controlling text") {
  const Document d = document();
  struct Case {
    std::map<std::string, size_t> changedAt;
    bool kkLags;
  } cases[] = {
      {{{"personal-data/ru.md", 0}, {"personal-data/kk.md", 3}}, true},
      {{{"personal-data/ru.md", 3}, {"personal-data/kk.md", 0}}, false},
      {{{"personal-data/ru.md", 2}, {"personal-data/kk.md", 2}}, false},  // the same commit
      {{{"personal-data/kk.md", 3}}, false},                              // ru unknown
      {{{"personal-data/ru.md", 0}}, false},                              // kk unknown
  };
  for (const Case& c : cases) {
    std::vector<LintText> texts{{lang("ru"), "personal-data/ru.md", "x", true},
                                {lang("kk"), "personal-data/kk.md", "x", false}};
    markLagging(texts, d, c.changedAt);
    CHECK_FALSE(texts[0].lagging);  // the controlling text never lags
    CHECK(texts[1].lagging == c.kkLags);
  }
}

TEST_CASE("lint errors the baseline did not have refuse; the rest are warnings") {
  LintReport clean;
  clean.findings = {finding(Severity::kWarning, "long-clause"),
                    finding(Severity::kError, "numbering", "v1")};
  CHECK_FALSE(lintRefusal(clean, doc()));
  CHECK(lintWarnings(clean) ==
        std::vector<std::string>{"lint: " + formatFinding(clean.findings[0])});

  LintReport one = clean;
  one.findings.push_back(finding(Severity::kError, "reference"));
  CHECK(said(lintRefusal(one, doc())) == "lint: 1 error blocks publishing (" +
                                             formatFinding(one.findings[2]) +
                                             "): fix the text, or publish with --force REASON");
  CHECK(lintWarnings(one).back() == "lint (forced): " + formatFinding(one.findings[2]));

  LintReport two = one;
  two.findings.push_back(finding(Severity::kError, "raw-html"));
  CHECK(
      said(lintRefusal(two, doc())) ==
      "lint: 2 errors block publishing (" + formatFinding(two.findings[2]) +
          "; `charta lint personal-data` lists all): fix the text, or publish with --force REASON");
  CHECK(lintWarnings(two).size() == 3);
}

TEST_CASE("a purpose clause with other words: suggested, and a warning unless renewed") {
  const Document d = document();
  const std::string changed =
      "4. Цели\n\n"
      "4.1.10. Рассылки, специальные предложения и опросы.\n\n"
      "4.1.11. Рекламная деятельность.\n";
  struct Case {
    bool material;
    std::vector<PurposeId> renew;
    const char* warning;  // "" when none
  } cases[] = {
      {false,
       {},
       "but the edition is published as not material: if consent to marketing must be "
       "renewed, publish with --material --renew-purposes marketing"},
      {true, {}, "and Renew-Purposes does not name marketing"},
      {true, {pid("advertising")}, "and Renew-Purposes does not name marketing"},
      {true, {pid("marketing")}, ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.warning);
    PurposeNotes n = touchedPurposes(kBody, d.purposes, no(1), changed, d, c.material, c.renew);
    CHECK(n.suggested == std::vector<PurposeId>{pid("marketing")});
    if (*c.warning == '\0') {
      CHECK(n.warnings.empty());
    } else {
      REQUIRE(n.warnings.size() == 1);
      CHECK(n.warnings[0].rfind("the words of clause 4.1.10 (purpose marketing) changed since v1, ",
                                0) == 0);
      CHECK(n.warnings[0].find(c.warning) != std::string::npos);
    }
  }
  PurposeNotes same = touchedPurposes(kBody, d.purposes, no(1), kBody, d, false, {});
  CHECK(same.suggested.empty());
  CHECK(same.warnings.empty());
}

TEST_CASE("withdrawal: a reason, only strictly before the edition takes effect") {
  CHECK_FALSE(reasonRefusal("Ошибка в тексте"));
  for (const std::string& bad :
       {std::string(), std::string("two\nlines"), std::string(2001, 'r')}) {
    CHECK(said(reasonRefusal(bad)) ==
          "a withdrawal needs a reason: one line of valid UTF-8, at most 2000 bytes");
  }
  const Edition e = edition(2, "2026-11-26T10:00:00+05:00", "2026-12-01T00:00:00+05:00");
  CHECK_FALSE(tookEffect(e, at("2026-11-30T23:59:59.999+05:00")));
  CHECK(said(tookEffect(e, at("2026-12-01T00:00:00+05:00"))) ==
        "edition v2 of personal-data took effect at 2026-12-01T00:00:00+05:00; an edition that has "
        "taken effect cannot be withdrawn: publish a new one");
  CHECK(tookEffect(e, at("2026-12-01T00:00:00.001+05:00")));
  CHECK(tookEffect(e, at("2027-01-01T00:00:00Z")));
}
