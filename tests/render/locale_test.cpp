// The languages of the pages (the catalogue of src/render/strings), the time zone of the moments
// they show and where the relative links of a text lead.
#include <doctest/doctest.h>

#include "render/catalogue.h"
#include "render/page_words.h"
#include "render/render_support.h"
#include "render/site.h"

using namespace charta;
using namespace charta::render;
using namespace charta::render::testing;

namespace {

core::Lang lang(const char* tag) { return *core::Lang::parse(tag); }

core::Instant at(const char* rfc3339) { return *core::parseRfc3339(rfc3339); }

core::Document document(std::vector<const char*> langs) {
  core::Document d{*core::DocumentId::parse("personal-data"),
                   "Политика конфиденциальности",
                   "/personal-data",
                   lang(langs.front()),
                   {},
                   {},
                   {}};
  for (const char* l : langs) {
    d.files[l] = std::string("personal-data/") + l + ".md";
    d.langs.push_back(lang(l));
  }
  return d;
}

core::Edition edition(int no, const char* published, const char* effective) {
  core::Edition e{.doc = *core::DocumentId::parse("personal-data"),
                  .no = *core::EditionNo::of(no),
                  .commit = *core::CommitId::parse(std::string(40, static_cast<char>('a' + no))),
                  .publishedAt = at(published),
                  .effectiveFrom = at(effective),
                  .effectiveOffset = core::kKazakhstanOffset,
                  .material = false,
                  .renewPurposes = {},
                  .summary = {},
                  .publisher = {"Юрист", "legal@example.kz"},
                  .forcedReason = std::nullopt,
                  .withdrawal = std::nullopt};
  return e;
}

EditionPageModel page(const char* pageLang, std::vector<const char*> langs = {"ru", "kk"}) {
  return EditionPageModel{
      .document = document(std::move(langs)),
      .edition = edition(2, "2026-11-20T10:15:00+05:00", "2026-12-01T00:00:00+05:00"),
      .lang = lang(pageLang),
      .title = "Құпиялылық саясаты",
      .text = renderMarkdown("## 1. Жалпы ережелер\n\n1.1. Мәтін.\n"),
      .status = Status::kInForce};
}

const Site& site() {
  static const Site s(sourceDir());
  return s;
}

bool has(const std::string& page, std::string_view part) {
  return page.find(part) != std::string::npos;
}

core::TimeZone berlin() {
  std::string why;
  auto z = core::TimeZone::fromTzif(readFile("/usr/share/zoneinfo/Europe/Berlin"), "Europe/Berlin",
                                    &why);
  REQUIRE_MESSAGE(z, why);
  return *z;
}

}  // namespace

TEST_CASE("every language of the catalogue has every key, and English is among them") {
  const auto& all = detail::catalogues();
  for (const char* l : {"en", "ru", "kk"}) {
    CAPTURE(l);
    CHECK(all.count(l) == 1);
  }
  std::vector<std::string> problems = detail::catalogueProblems(detail::catalogueKeys());
  for (const std::string& p : problems) CHECK_MESSAGE(false, p);
}

TEST_CASE("a strings file: key = value lines, comments; what a translator can get wrong") {
  auto c = detail::parseCatalogue("xx",
                                  "# a comment\n\n  skip =  Go to the text \r\n"
                                  "edition.numbered = No. {N}\n"
                                  "not a line\n"
                                  "Upper = x\n"
                                  "skip = again\n"
                                  "error =\n");
  CHECK(c.entries.at("skip") == "Go to the text");
  CHECK(c.entries.at("edition.numbered") == "No. {N}");
  REQUIRE(c.problems.size() == 4);
  CHECK(c.problems[0] == "xx.txt:5: not a \"key = value\" line");
  CHECK(c.problems[1] == "xx.txt:6: not a \"key = value\" line");
  CHECK(c.problems[2] == "xx.txt:7: \"skip\" is given twice");
  CHECK(c.problems[3] == "xx.txt:8: \"error\" has no value");
}

TEST_CASE("a key a language lacks is shown in English; a language without a file is English") {
  auto partial = detail::parseCatalogue("kk", "skip = Мәтінге өту\n");
  const auto& en = detail::catalogues().at("en");
  detail::Strings s = detail::stringsFrom(&partial, &en);
  CHECK(s.skip == "Мәтінге өту");
  CHECK(s.allEditions == "All editions");
  CHECK(s.redline.summary == "Summary");
  CHECK(s.months[11] == "December");
  CHECK(detail::stringsFor(lang("de")).skip == "Skip to the text");
  CHECK(detail::stringsFor(lang("KK-kz")).skip == "Мәтінге өту");
  CHECK(detail::stringsFor(lang("ru")).skip == "Перейти к тексту");
  CHECK(pageString(lang("uz"), "notice.preview").rfind("Preview:", 0) == 0);
  CHECK(pageString(lang("kk"), "no.such.key").empty());
}

TEST_CASE("moments in Kazakh, Russian and English, in the site's zone") {
  core::Instant t = at("2026-11-30T19:00:00Z");
  CHECK(formatMoment(t, lang("kk")) == "2026 жылғы 1 желтоқсан, 00:00 (UTC+05:00)");
  CHECK(formatMoment(t, lang("ru")) == "1 декабря 2026, 00:00 (UTC+05:00)");
  CHECK(formatMoment(t, lang("en")) == "1 December 2026, 00:00 (UTC+05:00)");
  CHECK(formatMoment(t, lang("ru"), berlin()) == "30 ноября 2026, 20:00 (UTC+01:00)");
  CHECK(formatMoment(at("2026-07-01T10:00:00Z"), lang("kk"), berlin()) ==
        "2026 жылғы 1 шілде, 12:00 (UTC+02:00)");
  CHECK(formatMoment(t, lang("en"), core::TimeZone::fixed(std::chrono::minutes{-210})) ==
        "30 November 2026, 15:30 (UTC-03:30)");
}

TEST_CASE("a Kazakh translation: Kazakh labels, and the controlling language with a link") {
  std::string kk = site().editionPage(page("kk"));
  CHECK(has(kk, "<html lang=\"kk\""));
  CHECK(has(kk, "<dt>Күшіне енген уақыты</dt>"));
  CHECK(has(kk, ">2026 жылғы 1 желтоқсан, 00:00 (UTC+05:00)</time>"));
  CHECK(has(kk, "Барлық редакциялар"));
  CHECK(has(kk, "Мәтінге өту"));
  CHECK(has(kk, "<title>Құпиялылық саясаты — 2-редакция</title>"));
  CHECK(has(kk,
            "<div class=\"notice notice-controlling\" role=\"note\"><p>Бұл мәтін — аударма. "
            "Мәтіндер арасында алшақтық болған жағдайда түпнұсқа басым күшке ие болады: <a "
            "href=\"/personal-data/v2?lang=ru\" hreflang=\"ru\" lang=\"ru\">Русский</a>.</p>"));
  CHECK_FALSE(has(kk, "Edition"));
  CHECK_FALSE(has(kk, "In force"));
  // The text in the controlling language says nothing of the kind.
  std::string ru = site().editionPage(page("ru"));
  CHECK_FALSE(has(ru, "notice-controlling"));
  CHECK(has(ru, "<dt>Действует с</dt>"));
  // An English document with a Kazakh translation: English prevails, the note is in Kazakh.
  std::string enFirst = site().editionPage(page("kk", {"en", "kk"}));
  CHECK(has(enFirst, "href=\"/personal-data/v2?lang=en\" hreflang=\"en\" lang=\"en\">English</a>"));
  // A translation into a language the catalogue lacks: in English.
  std::string de = site().editionPage(page("de", {"ru", "de"}));
  CHECK(has(de,
            "This text is a translation. Should it differ from the original, the original "
            "prevails: <a href=\"/personal-data/v2?lang=ru\""));
}

TEST_CASE("the Kazakh archive and feed") {
  core::Edition v1 = edition(1, "2025-01-10T10:00:00+05:00", "2025-01-10T10:00:00+05:00");
  core::Edition v2 = edition(2, "2026-11-20T10:15:00+05:00", "2026-12-01T00:00:00+05:00");
  std::string archive = site().archivePage({document({"ru", "kk"}),
                                            lang("kk"),
                                            "",
                                            {{v1, Status::kSuperseded}, {v2, Status::kInForce}}});
  for (const char* words : {"<th scope=\"col\">Мәртебесі</th>", ">қолданыста<", ">қолданылмайды<",
                            ">2-редакция<", ">2-редакциядағы өзгерістер<"}) {
    CAPTURE(words);
    CHECK(has(archive, words));
  }
  FeedModel feed{document({"ru", "kk"}), lang("kk"), "", "https://shop.kz", {v1, v2}};
  std::string atom = site().atomFeed(feed);
  CHECK(has(atom, "<title>2-редакция</title>"));
  CHECK(has(atom, "2026 жылғы 1 желтоқсан, 00:00 (UTC+05:00) күшіне енеді."));
}

TEST_CASE("site.timezone: every moment of the pages and the feed in the zone") {
  Site berlinSite(sourceDir(), SiteOptions{berlin(), ""});
  CHECK(berlinSite.digest() != site().digest());
  std::string ru = berlinSite.editionPage(page("ru"));
  CHECK(has(ru,
            "<time datetime=\"2026-11-30T20:00:00+01:00\">30 ноября 2026, 20:00 "
            "(UTC+01:00)</time>"));
  CHECK_FALSE(has(ru, "+05:00"));
  core::Edition summer = edition(3, "2027-06-01T12:00:00+05:00", "2027-07-01T00:00:00+05:00");
  FeedModel feed{document({"ru"}), lang("ru"), "", "https://shop.kz", {summer}};
  std::string atom = berlinSite.atomFeed(feed);
  CHECK(has(atom, "<published>2027-06-01T09:00:00+02:00</published>"));
  CHECK(has(atom, "30 июня 2027, 21:00 (UTC+02:00)"));
}

TEST_CASE("relative links: sibling texts go to their pages, others to the link base") {
  LinkRules rules{"legal/privacy.md",
                  "https://github.com/acme/policies/blob/main/",
                  {{"legal/terms.md", "/terms"}, {"legal/privacy.kk.md", "/privacy?lang=kk"}}};
  CHECK(resolveLink("terms.md", rules) == "/terms");
  CHECK(resolveLink("./terms.md#b-3", rules) == "/terms#b-3");
  CHECK(resolveLink("../legal/terms.md?plain=1#a", rules) == "/terms#a");
  CHECK(resolveLink("privacy.kk.md", rules) == "/privacy?lang=kk");
  CHECK(resolveLink("../README.md", rules) ==
        "https://github.com/acme/policies/blob/main/README.md");
  CHECK(resolveLink("other.md#x", rules) ==
        "https://github.com/acme/policies/blob/main/legal/other.md#x");
  CHECK(resolveLink("../../../up.md", rules) == "https://github.com/acme/policies/blob/main/up.md");
  CHECK(resolveLink("images/", rules) ==
        "https://github.com/acme/policies/blob/main/legal/images/");
  for (const char* kept : {"#a-definitions", "/terms", "?lang=en", "https://example.com/x.md",
                           "mailto:dpo@example.com", "tel:+77001234567", ""}) {
    CAPTURE(kept);
    CHECK(resolveLink(kept, rules) == kept);
  }
  rules.base.clear();
  CHECK(resolveLink("terms.md", rules) == "/terms");
  CHECK(resolveLink("other.md", rules) == "other.md");
}

TEST_CASE("renderMarkdown resolves the links and keeps the words") {
  LinkRules rules{
      "personal-data/ru.md", "https://git.example/policies/", {{"terms/ru.md", "/terms"}}};
  const char* text =
      "См. [условия](../terms/ru.md#p-2) и [устав](../charter.md), [раздел](#p-1).\n";
  RenderedText plain = renderMarkdown(text);
  RenderedText linked = renderMarkdown(text, std::nullopt, rules);
  CHECK(has(plain.html, "href=\"../terms/ru.md#p-2\""));
  CHECK(has(linked.html, "<a href=\"/terms#p-2\">условия</a>"));
  CHECK(has(linked.html, "<a href=\"https://git.example/policies/charter.md\">устав</a>"));
  CHECK(has(linked.html, "<a href=\"#p-1\">раздел</a>"));
  pugi::xml_document a, b;
  parseFragment(a, plain.html);
  parseFragment(b, linked.html);
  CHECK(textContent(a) == textContent(b));
}
