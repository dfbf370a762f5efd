#include "core/lint.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "core/front_matter.h"
#include "support/sandbox.h"

using namespace charta;
using namespace charta::core;
namespace fs = std::filesystem;

namespace {

fs::path casesDir() { return testing::sourceDir() / "tests/core/lint_cases"; }

Lang lang(const char* tag) { return *Lang::parse(tag); }

Document document(std::string route = "/personal-data", std::vector<const char*> langs = {"ru"}) {
  Document d{
      *DocumentId::parse("personal-data"), "Политика", std::move(route), lang("ru"), {}, {}, {}};
  for (const char* l : langs) {
    d.files[l] = std::string("personal-data/") + l + ".md";
    d.langs.push_back(lang(l));
  }
  return d;
}

// The input of a case file: its front matter sets route, effective-from and purposes.
LintInput caseInput(const std::string& content) {
  MarkdownFile fm = splitFrontMatter(content);
  auto meta = [&](const char* k) { return fm.meta.count(k) ? fm.meta.at(k) : std::string(); };
  LintInput in{.document = document(meta("route").empty() ? "/personal-data" : meta("route")),
               .baseUrl = "https://shop.kz",
               .texts = {{lang("ru"), "personal-data/ru.md", content, false}}};
  std::stringstream ss(meta("purposes"));
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    in.document.purposes.push_back(
        {*PurposeId::parse(item.substr(0, eq)), item.substr(eq + 1), ""});
  }
  if (auto t = parseRfc3339Zoned(meta("effective-from"))) {
    in.effectiveFrom = t->instant;
    in.effectiveOffset = t->offset;
  }
  return in;
}

std::string lines(const LintReport& r) {
  std::string out;
  for (const auto& f : r.findings) out += formatFinding(f) + "\n";
  return out;
}

const std::string& seedFile() {
  static const std::string file =
      testing::slurp(testing::sourceDir() / "policies/personal-data/ru.md");
  return file;
}

// The seed as the repository presents it: charta.xml's three purposes, effective now.
LintInput seedInput(const std::string& text) {
  Document d = document();
  d.purposes = {{*PurposeId::parse("account"), "4.1.6", ""},
                {*PurposeId::parse("marketing"), "4.1.10", ""},
                {*PurposeId::parse("advertising"), "4.1.11", ""}};
  return LintInput{.document = d,
                   .registryXml = testing::slurp(testing::sourceDir() / "policies/charta.xml"),
                   .baseUrl = "https://lada-kazakhstan.kz",
                   .texts = {{lang("ru"), "personal-data/ru.md", text, false}},
                   .effectiveFrom = *parseRfc3339("2026-11-26T10:00:00+05:00")};
}

}  // namespace

TEST_CASE("lint cases: one minimal text per rule, findings exactly as expected") {
  std::set<std::string> rulesSeen;
  size_t cases = 0;
  for (const auto& e : fs::directory_iterator(casesDir())) {
    if (e.path().extension() != ".md" || e.path().filename() == "README.md") continue;
    ++cases;
    std::string name = e.path().stem().string();
    CAPTURE(name);
    LintReport r = lint(caseInput(testing::slurp(e.path())));
    CHECK(lines(r) == testing::slurp(casesDir() / (name + ".expected")));
    for (const auto& f : r.findings) rulesSeen.insert(f.rule);
    if (name == "clean") CHECK(r.findings.empty());
  }
  CHECK(cases >= 12);
  for (const char* rule :
       {"numbering", "reference", "own-url", "purpose-clause", "raw-html", "utf8", "empty-section",
        "effective-date", "number-style", "split-clause", "long-clause"}) {
    CHECK_MESSAGE(rulesSeen.count(rule), rule);
  }
}

TEST_CASE("the seed: exactly its two real defects, 7.1.. and 1.1 without a dot") {
  // Read from the seed: "1.1 В настоящей Политике" has no dot after its number, unlike every other
  // clause (a style warning); "7.1..В случае утраты" has a doubled dot and no space (an error of
  // numbering). Its references (п.п. 5.2. и 5.3., п. 4) exist, the numbering is otherwise
  // continuous, 9.3 gives https://lada-kazakhstan.kz/personal-data, the purposes' clauses 4.1.6,
  // 4.1.10 and 4.1.11 exist, it names no effective date and has no HTML or empty section.
  LintReport r = lint(seedInput(seedFile()));
  INFO(lines(r));
  REQUIRE(r.findings.size() == 2);
  const LintFinding& dot = r.findings[0];
  CHECK(dot.severity == Severity::kWarning);
  CHECK(dot.rule == "number-style");
  CHECK(dot.file == "personal-data/ru.md");
  CHECK(dot.line == 12);
  CHECK(dot.clause == "1.1");
  CHECK(dot.hint == "write \"1.1. \"");
  const LintFinding& doubled = r.findings[1];
  CHECK(doubled.severity == Severity::kError);
  CHECK(doubled.rule == "numbering");
  CHECK(doubled.line == 131);
  CHECK(doubled.clause == "7.1");
  CHECK(doubled.subject == "7.1..");
  CHECK(formatFinding(doubled) ==
        "personal-data/ru.md:131: error [numbering] clause 7.1: the clause number is written "
        "\"7.1..\" with no space after it \xE2\x80\x94 fix: write \"7.1. \": one dot, then a "
        "space");
  CHECK(r.errors() == 1);
  CHECK(r.warnings() == 1);
  CHECK(r.blocking() == 1);
}

TEST_CASE("inherited findings: what the previous edition had does not block; a new error does") {
  LintReport v1 = lint(seedInput(seedFile()));
  std::string edited = seedFile() + "\n10.1. Новый пункт.\n";
  LintReport v2 = lint(seedInput(edited));
  markInherited(v2, v1, "v1");
  CHECK(v2.errors() == 1);
  CHECK(v2.blocking() == 0);
  CHECK(formatFinding(v2.findings[1]).ends_with("(already in v1: does not block publishing)"));

  // Lines moved (a paragraph added at the top) and a dangling reference added.
  std::string shifted = seedFile();
  shifted.insert(shifted.find("## 1."), "Дополнение к вступлению.\n\n");
  shifted += "\n10.1. См. п. 12 настоящей Политики.\n";
  LintReport v3 = lint(seedInput(shifted));
  markInherited(v3, v1, "v1");
  CHECK(v3.errors() == 2);
  CHECK(v3.blocking() == 1);
  const LintFinding* dangling = nullptr;
  for (const auto& f : v3.findings) {
    if (f.blocks()) dangling = &f;
  }
  REQUIRE(dangling);
  CHECK(dangling->rule == "reference");
  CHECK(dangling->clause == "10.1");
  CHECK(dangling->subject == "12");
}

TEST_CASE("languages: a missing text, an empty one, a lagging translation") {
  const std::string ok = "## 1. РАЗДЕЛ\n\n1.1. Текст.\n";
  SUBCASE("the controlling text is missing") {
    LintInput in{.document = document("/personal-data", {"ru", "kk"}),
                 .texts = {{lang("ru"), "personal-data/ru.md", std::nullopt, false},
                           {lang("kk"), "personal-data/kk.md", ok, false}}};
    LintReport r = lint(in);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].rule == "missing-text");
    CHECK(r.findings[0].severity == Severity::kError);
    CHECK(r.findings[0].file == "personal-data/ru.md");
    CHECK(r.findings[0].message.find("controlling language ru") != std::string::npos);
  }
  SUBCASE("a translation is missing or empty") {
    LintInput in{.document = document("/personal-data", {"ru", "kk", "en"}),
                 .texts = {{lang("ru"), "personal-data/ru.md", ok, false},
                           {lang("kk"), "personal-data/kk.md", std::nullopt, false},
                           {lang("en"), "personal-data/en.md", "---\ntitle: x\n---\n\n", false}}};
    LintReport r = lint(in);
    REQUIRE(r.findings.size() == 2);
    CHECK(r.findings[0].file == "personal-data/kk.md");
    CHECK(r.findings[0].rule == "missing-text");
    CHECK(r.findings[1].file == "personal-data/en.md");
    CHECK(r.findings[1].message == "the text is empty");
  }
  SUBCASE("a translation older than the controlling text") {
    LintInput in{.document = document("/personal-data", {"ru", "kk"}),
                 .texts = {{lang("ru"), "personal-data/ru.md", ok, true},
                           {lang("kk"), "personal-data/kk.md", ok, true}}};
    LintReport r = lint(in);
    REQUIRE(r.findings.size() == 1);  // the controlling text is never "lagging"
    CHECK(r.findings[0].rule == "lagging-text");
    CHECK(r.findings[0].severity == Severity::kWarning);
    CHECK(r.findings[0].file == "personal-data/kk.md");
    CHECK(r.blocking() == 0);
  }
}

TEST_CASE("a purpose without its clause points at its line in charta.xml") {
  std::string text = seedFile();
  text.replace(text.find("4.1.10. "), 8, "4.1.99. ");
  LintReport r = lint(seedInput(text));
  const LintFinding* p = nullptr;
  for (const auto& f : r.findings) {
    if (f.rule == "purpose-clause") p = &f;
  }
  REQUIRE(p);
  CHECK(p->file == "charta.xml");
  CHECK(p->line == 11);
  CHECK(p->clause == "4.1.10");
  CHECK(p->subject == "marketing");
  CHECK(p->blocks());
}

TEST_CASE("effective dates: the day at the offset of Effective-From decides") {
  const std::string text = "## 1. РАЗДЕЛ\n\n1.1. Редакция вступает в силу 01.12.2026.\n";
  LintInput in{.document = document(), .texts = {{lang("ru"), "personal-data/ru.md", text, false}}};
  in.effectiveFrom = *parseRfc3339("2026-11-30T19:00:00Z");  // 00:00 on 1 December in Almaty
  CHECK(lint(in).findings.empty());
  in.effectiveOffset = std::chrono::minutes{0};  // written in UTC it is still 30 November
  REQUIRE(lint(in).findings.size() == 1);
  CHECK(lint(in).findings[0].rule == "effective-date");
  in.effectiveFrom.reset();
  CHECK(lint(in).findings.empty());
}

TEST_CASE("soup: random Markdown-ish bytes, every line a valid finding") {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {"## ",
                                           "# 5. ",
                                           "1.",
                                           "1.1 ",
                                           "7.1..",
                                           "4.1.10. ",
                                           "\n",
                                           "\n\n",
                                           "- ",
                                           "> ",
                                           "```\n",
                                           "**",
                                           "_",
                                           "<b>",
                                           "<!--",
                                           "<https://a.kz/x>",
                                           "п. ",
                                           "пункт 12 ",
                                           "политика размещена по адресу ",
                                           "http://",
                                           "вступает в силу 01.12.2026 ",
                                           "«1» декабря 2026",
                                           "\xff",
                                           "\xd0",
                                           "слово ",
                                           ".",
                                           ",",
                                           "---\n",
                                           "title: x\n"};
  for (int round = 0; round < 300; ++round) {
    std::string s;
    size_t n = rng() % 200;
    for (size_t k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    Document d = document();
    d.purposes = {{*PurposeId::parse("marketing"), "4.1.10", ""}};
    LintInput in{.document = d,
                 .texts = {{lang("ru"), "personal-data/ru.md", s, false}},
                 .effectiveFrom = *parseRfc3339("2026-12-01T00:00:00+05:00")};
    LintReport r = lint(in);
    size_t lineCount = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
    for (const auto& f : r.findings) {
      CHECK(f.line <= lineCount);
      CHECK_FALSE(f.message.empty());
      CHECK_FALSE(f.hint.empty());
      CHECK(formatFinding(f).find('\n') == std::string::npos);
    }
  }
}
