// charta lint, charta diff and the lint that every publish runs, on real repositories driven by
// the git CLI and the real charta binary.
#include <Poco/JSON/Array.h>

#include "redline/redline_support.h"

using namespace charta;
using namespace charta::redlinetest;

namespace {

const std::string kSeedDot =
    "personal-data/ru.md:12: warning [number-style] clause 1.1: the clause number \"1.1\" has no "
    "dot after it, unlike the others \xE2\x80\x94 fix: write \"1.1. \"";
const std::string kSeedNumbering =
    "personal-data/ru.md:131: error [numbering] clause 7.1: the clause number is written "
    "\"7.1..\" with no space after it \xE2\x80\x94 fix: write \"7.1. \": one dot, then a space";

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t e = s.find('\n', pos);
    if (e == std::string::npos) e = s.size();
    out.push_back(s.substr(pos, e - pos));
    pos = e + 1;
  }
  return out;
}

// The findings of `charta --json lint` that block publishing, as "rule clause" strings.
std::vector<std::string> blocking(const Poco::JSON::Object::Ptr& report) {
  std::vector<std::string> out;
  auto findings = report->getArray("findings");
  for (size_t i = 0; i < findings->size(); ++i) {
    auto f = findings->getObject(static_cast<unsigned>(i));
    if (!f->getValue<bool>("blocks")) continue;
    std::string clause = f->isNull("clause") ? "" : f->getValue<std::string>("clause");
    out.push_back(f->getValue<std::string>("rule") + " " + clause);
  }
  return out;
}

// The rules of the findings that do not block (warnings, inherited errors).
std::vector<std::string> rules(const Poco::JSON::Object::Ptr& report, const char* severity) {
  std::vector<std::string> out;
  auto findings = report->getArray("findings");
  for (size_t i = 0; i < findings->size(); ++i) {
    auto f = findings->getObject(static_cast<unsigned>(i));
    if (f->getValue<std::string>("severity") == severity && f->isNull("inherited_from")) {
      out.push_back(f->getValue<std::string>("rule"));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("init publishes the seed as received, forced; lint names exactly its two defects") {
  PolicySite site;
  CHECK(site.tagMessage("personal-data/v1").find("Forced: imported as received") !=
        std::string::npos);
  auto editions = site.charta({"--json", "editions", "personal-data"});
  REQUIRE(editions.status == 0);
  auto list = Poco::JSON::Parser().parse(editions.out).extract<Poco::JSON::Array::Ptr>();
  CHECK(list->getObject(0)->getValue<std::string>("forced") == "imported as received");

  // v1 itself: the numbering error would block publishing it again without --force.
  auto v1 = site.charta({"lint", "personal-data", "v1"});
  CHECK(v1.status == 2);
  CHECK(v1.err.empty());
  auto out = lines(v1.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == kSeedDot);
  CHECK(out[1] == kSeedNumbering);
  CHECK(out[2] == "personal-data at v1: 1 error, 1 warning; publishing would be refused");

  // The branch tip is v1: against v1 nothing is new, so nothing blocks.
  auto tip = site.charta({"lint", "personal-data"});
  CHECK(tip.status == 0);
  out = lines(tip.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == kSeedDot + " (already in v1)");
  CHECK(out[1] == kSeedNumbering + " (already in v1: does not block publishing)");
  CHECK(out[2].find(": 1 error, 1 warning (1 already in v1)") != std::string::npos);

  auto json = site.charta({"--json", "lint", "personal-data"});
  REQUIRE(json.status == 0);
  auto report = object(json.out);
  CHECK(report->getValue<std::string>("baseline") == "v1");
  CHECK(report->getValue<int>("errors") == 1);
  CHECK(report->getValue<int>("warnings") == 1);
  CHECK(report->getValue<int>("blocking") == 0);
  auto f = report->getArray("findings")->getObject(1);
  CHECK(f->getValue<std::string>("file") == "personal-data/ru.md");
  CHECK(f->getValue<int>("line") == 131);
  CHECK(f->getValue<std::string>("clause") == "7.1");
  CHECK(f->getValue<std::string>("rule") == "numbering");
  CHECK(f->getValue<std::string>("inherited_from") == "v1");
  CHECK_FALSE(f->getValue<std::string>("hint").empty());
}

TEST_CASE("publishing an edition with a lint error fails without --force and leaves no tag") {
  PolicySite site;
  const std::string before = site.tags();
  site.commit(site.seed + "\n10.1. Подробнее см. п. 12 настоящей Политики.\n");

  auto refused = site.charta({"publish", "personal-data"});
  INFO("stderr: " << refused.err);
  CHECK(refused.status == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err.find('\n') == refused.err.size() - 1);  // one line
  CHECK(refused.err.rfind("charta: lint: 1 error blocks publishing (personal-data/ru.md:", 0) == 0);
  CHECK(refused.err.find("[reference] clause 10.1") != std::string::npos);
  CHECK(refused.err.find("--force REASON") != std::string::npos);
  CHECK(site.tags() == before);

  auto forced = site.charta(
      {"--json", "publish", "personal-data", "--force", "п. 12 появится в следующей редакции"});
  REQUIRE_MESSAGE(forced.status == 0, forced.err);
  auto v2 = object(forced.out);
  CHECK(v2->getValue<std::string>("edition") == "v2");
  CHECK(v2->getValue<std::string>("forced") == "п. 12 появится в следующей редакции");
  auto warnings = v2->getArray("warnings");
  REQUIRE(warnings->size() == 1);
  CHECK(warnings->getElement<std::string>(0).rfind("lint (forced): personal-data/ru.md:", 0) == 0);
  CHECK(site.tagMessage("personal-data/v2").find("Forced: п. 12 появится в следующей редакции") !=
        std::string::npos);

  // The forced defect does not block the next edition; a new one would.
  site.commit(site.text() + "\n10.2. Ещё один пункт.\n");
  auto v3 = site.charta({"publish", "personal-data"});
  CHECK(v3.status == 0);
  CHECK(v3.err.empty());
  CHECK(site.tags().find("personal-data/v3") != std::string::npos);
}

TEST_CASE("the lint catches each defect class through the CLI, and publishing respects it") {
  PolicySite site;
  const std::string& seed = site.seed;
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string> blocking;
  };
  const Case cases[] = {
      {"a gap in the numbering",
       replaced(seed, "8.4. К настоящей", "8.5. К настоящей"),
       {"numbering 8.5"}},
      {"a number used twice",
       replaced(seed, "2.4. Администрация", "2.3. Администрация"),
       {"numbering 2.3"}},
      {"a dangling reference",
       replaced(seed, "указанных в п. 4 настоящей", "указанных в п. 14 настоящей"),
       {"reference 6.2.1"}},
      {"the policy's own URL",
       replaced(seed, "lada-kazakhstan.kz/personal-data", "lada-kazakhstan.kz/privacy"),
       {"own-url 9.3"}},
      {"raw HTML",
       replaced(seed, "без согласия Пользователя.", "без <b>согласия</b> Пользователя."),
       {"raw-html 9.1"}},
      {"invalid UTF-8", seed + "\n10.1. Текст \xff\xfe.\n", {"utf8 10.1"}},
      {"an empty section", seed + "\n## 10. ЗАКЛЮЧИТЕЛЬНЫЕ ПОЛОЖЕНИЯ\n", {"empty-section 10"}},
      {"an effective date other than Effective-From",
       seed + "\n10.1. Настоящая редакция вступает в силу 1 января 2099 года.\n",
       {"effective-date 10.1"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    site.commit(c.text);
    auto lint = site.charta({"--json", "lint", "personal-data"});
    CHECK(lint.status == 2);
    CHECK(blocking(object(lint.out)) == c.blocking);
    auto publish = site.charta({"publish", "personal-data"});
    CHECK(publish.status == 2);
    CHECK(publish.err.find("charta: lint: ") == 0);
  }
  CHECK(site.tags() == "personal-data/v1\n");

  // The date is right when Effective-From says so: then it publishes, scheduled.
  auto scheduled =
      site.charta({"lint", "personal-data", "--effective-from", "2099-01-01T00:00:00+05:00"});
  CHECK(scheduled.status == 0);
  CHECK(site.charta({"publish", "personal-data", "--effective-from", "2099-01-01T00:00:00+05:00"})
            .status == 0);
  auto v2 = site.charta({"lint", "personal-data", "v2"});
  CHECK(v2.status == 0);  // checked against its own Effective-From, and against v1
  CHECK(v2.out.find("effective-date") == std::string::npos);

  // A purpose tied to a clause that does not exist, and a missing controlling text.
  site.commit(seed);
  site.commit(replaced(site.text("charta.xml"), "clause=\"4.1.10\"", "clause=\"4.1.99\""),
              "charta.xml");
  auto purpose = object(site.charta({"--json", "lint", "personal-data"}).out);
  CHECK(blocking(purpose) == std::vector<std::string>{"purpose-clause 4.1.99"});
  testing::sh("git rm -q personal-data/ru.md && git commit -qm gone && git push -q origin main",
              site.box / "wt");
  auto missing = object(site.charta({"--json", "lint", "personal-data"}).out);
  CHECK(blocking(missing) == std::vector<std::string>{"missing-text "});
}

TEST_CASE("warnings: a split clause, a long clause, a translation behind the controlling text") {
  PolicySite site;
  std::string long10;
  for (int i = 0; i < 160; ++i) long10 += " слово";
  site.commit(site.seed + "\nПродолжение пункта 9.3 отдельным абзацем.\n\n10.1." + long10 + ".\n");
  auto r = object(site.charta({"--json", "lint", "personal-data"}).out);
  CHECK(rules(r, "warning") == std::vector<std::string>{"split-clause", "long-clause"});
  CHECK(r->getValue<int>("blocking") == 0);

  // A Kazakh text, then a change of the Russian one only: the translation lags.
  std::string xml =
      replaced(site.text("charta.xml"), "<text lang=\"ru\" path=\"personal-data/ru.md\"/>",
               "<text lang=\"ru\" path=\"personal-data/ru.md\"/>\n    <text lang=\"kk\" "
               "path=\"personal-data/kk.md\"/>");
  testing::writeFile(site.box / "wt/personal-data/kk.md",
                     "## 1. ЖАЛПЫ ЕРЕЖЕЛЕР\n\n1.1. Осы Саясат.\n");
  site.commit(xml, "charta.xml");
  auto fresh = object(site.charta({"--json", "lint", "personal-data"}).out);
  CHECK(rules(fresh, "warning") == std::vector<std::string>{"split-clause", "long-clause"});
  site.commit(site.text() + "\n10.2. Новый пункт.\n");
  auto lagging = object(site.charta({"--json", "lint", "personal-data"}).out);
  CHECK(rules(lagging, "warning") ==
        std::vector<std::string>{"split-clause", "long-clause", "lagging-text"});
  auto findings = lagging->getArray("findings");
  auto f = findings->getObject(static_cast<unsigned>(findings->size() - 1));
  CHECK(f->getValue<std::string>("rule") == "lagging-text");
  CHECK(f->getValue<std::string>("file") == "personal-data/kk.md");
}

TEST_CASE("publish names the purposes whose clause changed, and warns when not material") {
  PolicySite site;
  site.commit(
      replaced(site.seed, "с его согласия, обновлений", "с его письменного согласия, обновлений"));
  auto plain = site.charta({"publish", "personal-data"});
  REQUIRE_MESSAGE(plain.status == 0, plain.err);
  CHECK(plain.err ==
        "charta: warning: the words of clause 4.1.10 (purpose marketing) changed since v1, but the "
        "edition is published as not material: if consent to marketing must be renewed, publish "
        "with --material --renew-purposes marketing\n");

  site.commit(replaced(site.text(), "Осуществления рекламной деятельности",
                       "Осуществления рекламной и маркетинговой деятельности"));
  auto json = object(site.charta({"--json", "publish", "personal-data", "--material",
                                  "--renew-purposes", "marketing"})
                         .out);
  auto suggested = json->getArray("suggested_renew_purposes");
  REQUIRE(suggested->size() == 1);
  CHECK(suggested->getElement<std::string>(0) == "advertising");
  auto warnings = json->getArray("warnings");
  REQUIRE(warnings->size() == 1);
  CHECK(warnings->getElement<std::string>(0) ==
        "the words of clause 4.1.11 (purpose advertising) changed since v2, and Renew-Purposes "
        "does not name advertising");

  site.commit(replaced(site.text(), "маркетинговой деятельности", "маркетинговой активности"));
  auto named =
      site.charta({"publish", "personal-data", "--material", "--renew-purposes", "advertising"});
  CHECK(named.status == 0);
  CHECK(named.err.empty());
}

TEST_CASE("charta diff: clause by clause, word by word; plain, coloured, JSON; errors") {
  PolicySite site;
  std::string text = replaced(site.seed, "5.2. Пользователь соглашается",
                              "5.2. Администрация сайта вправе передавать обезличенные данные "
                              "партнёрам.\n\n5.3. Пользователь соглашается");
  text = replaced(text, "5.3. Персональные данные Пользователя могут",
                  "5.4. Персональные данные Пользователя могут");
  text = replaced(text, "5.4. При утрате", "5.5. При утрате");
  text = replaced(text, "5.5. Администрация сайта принимает", "5.6. Администрация сайта принимает");
  text = replaced(text, "5.6. Администрация сайта совместно", "5.7. Администрация сайта совместно");
  text = replaced(text, "с его согласия, обновлений", "с его письменного согласия, обновлений");
  text = replaced(text,
                  "8.4. К настоящей Политике конфиденциальности и отношениям между Пользователем "
                  "и Администрацией сайта применяется действующее законодательство Республики "
                  "Казахстан по местонахождению Компании.\n\n",
                  "");
  const std::string draft = site.commit(text);
  REQUIRE(site.charta({"publish", "personal-data"}).status == 0);

  auto plain = site.charta({"diff", "personal-data", "v1", "v2"});
  REQUIRE_MESSAGE(plain.status == 0, plain.err);
  CHECK(plain.out.find('\x1b') == std::string::npos);
  auto out = lines(plain.out);
  REQUIRE(out.size() == 10);
  CHECK(out[0] ==
        "personal-data v1 -> v2 (ru): 1 changed, 5 moved, 1 added, 1 removed, 64 unchanged");
  CHECK(out[1] == "purposes whose clause changed (Renew-Purposes, if material): marketing");
  CHECK(
      out[2].rfind("changed 4.1.10 [marketing]: Предоставления Пользователю с его {+письменного+} "
                   "согласия, обновлений",
                   0) == 0);
  CHECK(out[3] ==
        "added 5.2: Администрация сайта вправе передавать обезличенные данные партнёрам.");
  CHECK(out[4] == "moved 5.2 -> 5.3");
  CHECK(out[8] == "moved 5.6 -> 5.7");
  CHECK(out[9].rfind("removed 8.4: К настоящей Политике", 0) == 0);

  auto colour = site.charta({"diff", "personal-data", "v1", "v2", "--color", "always"});
  CHECK(colour.out.find("\x1b[4;32mписьменного\x1b[0m") != std::string::npos);
  CHECK(colour.out.find("{+") == std::string::npos);

  auto json = object(site.charta({"--json", "diff", "personal-data", "v1", draft}).out);
  CHECK(json->getObject("to")->getValue<std::string>("revision") == draft);
  CHECK(json->getObject("to")->getValue<std::string>("edition") == "v2");
  auto summary = json->getObject("summary");
  CHECK(summary->getValue<int>("moved") == 5);
  CHECK(summary->getValue<int>("removed") == 1);
  auto clauses = json->getArray("clauses");
  size_t moved = 0;
  for (size_t i = 0; i < clauses->size(); ++i) {
    auto c = clauses->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("status") != "moved") continue;
    ++moved;
    CHECK_FALSE(c->getValue<bool>("text_changed"));
    CHECK(c->getArray("ops")->size() == 1);
    CHECK(c->getArray("ops")->getObject(0)->getValue<std::string>("op") == "equal");
  }
  CHECK(moved == 5);

  auto check = [&](std::vector<std::string> args, int status, const std::string& part) {
    auto r = site.charta(args);
    INFO("stderr: " << r.err);
    CHECK(r.status == status);
    CHECK(r.out.empty());
    CHECK(r.err.find(part) != std::string::npos);
  };
  check({"diff", "personal-data", "v1", "v9"}, 4, "no edition v9");
  check({"diff", "personal-data", "v1", "HEAD"}, 2, "neither v<N> nor");
  check({"diff", "personal-data", "v1"}, 2, "to (v<N> or a commit id)");
  check({"diff", "personal-data", "v1", "v2", "--color", "sometimes"}, 2, "--color");
  check({"diff", "personal-data", "v1", "v2", "--lang", "kk"}, 4, "no kk text");
  check({"lint", "personal-data", "v7"}, 4, "no edition v7");
}
