// The real `charta serve` in the languages of its pages, in the configured time zone, with the
// relative links of a text resolved: a Kazakh translation gets Kazakh labels and a working link to
// the text that prevails; site.timezone=Europe/Berlin dates everything in Berlin's time;
// site.link_base resolves a link to a file charta does not publish.
#include <cstdlib>
#include <ctime>
#include <regex>

#include "api/api_support.h"

using namespace charta;
using namespace charta::apitest;

namespace {

const char* kLinkBase = "https://git.example/acme/policies/blob/main/";

// Every datetime="..." of a page, or every <published>/<updated> of a feed.
std::vector<std::string> moments(const std::string& body, const std::string& pattern) {
  std::vector<std::string> out;
  std::regex re(pattern);
  for (std::sregex_iterator it(body.begin(), body.end(), re), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// Each moment carries Berlin's offset at that instant, as the C library reads the zone.
void checkBerlin(const std::vector<std::string>& found) {
  REQUIRE(found.size() >= 2);
  setenv("TZ", ":Europe/Berlin", 1);
  tzset();
  for (const std::string& m : found) {
    CAPTURE(m);
    auto zoned = core::parseRfc3339Zoned(m);
    REQUIRE(zoned);
    std::time_t t = static_cast<std::time_t>(core::toUnixSeconds(zoned->instant));
    std::tm tm{};
    REQUIRE(localtime_r(&t, &tm));
    CHECK(zoned->offset.count() == tm.tm_gmtoff / 60);
  }
  unsetenv("TZ");
  tzset();
}

bool has(const std::string& body, const std::string& part) {
  return body.find(part) != std::string::npos;
}

// A Kazakh text beside the Russian one, relative links in the Russian one: v2; a Kazakh edit: v3.
void addKazakhAndLinks(ApiSite& site) {
  testing::sh(
      "cp personal-data/ru.md personal-data/kk.md && "
      "sed -i 's|<text lang=\"ru\" path=\"personal-data/ru.md\"/>|&<text lang=\"kk\" "
      "path=\"personal-data/kk.md\"/>|' charta.xml && git add personal-data/kk.md",
      site.box / "wt");
  site.commitEdit("См. также [условия](../terms/README.md) и [текст на казахском](kk.md).");
  site.publishCli();
  testing::sh(
      "printf '\\nҚосымша сөйлем.\\n' >> personal-data/kk.md && git commit -qam kk && "
      "git push -q origin main",
      site.box / "wt");
  site.publishCli();
}

}  // namespace

TEST_CASE("a Kazakh translation, Berlin time and the link base, over HTTP") {
  ApiSite site;
  addKazakhAndLinks(site);
  ServerProcess server(site.box.path(), site.defs({"site.timezone=Europe/Berlin",
                                                   std::string("site.link_base=") + kLinkBase}));

  auto kk = http(server.port(), "GET", "/personal-data/v3?lang=kk");
  REQUIRE(kk.status == 200);
  CHECK(kk.header("content-language") == "kk");
  for (const char* words : {"<dt>Күшіне енген уақыты</dt>", "<dt>Жарияланған уақыты</dt>",
                            "Барлық редакциялар", "Мәтінге өту", "Өзгерістер арнасы (Atom)",
                            "<nav class=\"lang-switch\" aria-label=\"Тіл\">"}) {
    CAPTURE(words);
    CHECK(has(kk.body, words));
  }
  CHECK_FALSE(has(kk.body, "All editions"));
  // The text that prevails: a note with a link to the same edition in Russian, which works.
  std::smatch link;
  REQUIRE(std::regex_search(kk.body, link,
                            std::regex("notice-controlling\" role=\"note\"><p>Бұл мәтін — "
                                       "аударма\\. [^<]*<a href=\"([^\"]+)\"[^>]*>Русский</a>")));
  CHECK(link[1] == "/personal-data/v3?lang=ru");
  auto ru = http(server.port(), "GET", link[1], {{"Accept-Language", "kk"}});
  REQUIRE(ru.status == 200);
  CHECK(ru.header("content-language") == "ru");
  CHECK(has(ru.body, "<dt>Действует с</dt>"));
  CHECK_FALSE(has(ru.body, "notice-controlling"));

  // Berlin time on the pages, the archive and the feed; the API keeps the stored offsets.
  checkBerlin(moments(kk.body, "datetime=\"([^\"]+)\""));
  checkBerlin(moments(http(server.port(), "GET", "/personal-data/versions?lang=kk").body,
                      "datetime=\"([^\"]+)\""));
  auto feed = http(server.port(), "GET", "/personal-data/feed.atom");
  REQUIRE(feed.status == 200);
  checkBerlin(moments(feed.body, "<published>([^<]+)</published>"));
  CHECK(std::regex_search(kk.body, std::regex(">2\\d{3} жылғы \\d+ [^<]+ \\(UTC\\+0[12]:00\\)<")));

  // The changes page in Kazakh.
  auto changes = http(server.port(), "GET", "/personal-data/changes/v2...v3?lang=kk");
  REQUIRE(changes.status == 200);
  CHECK(has(changes.body, "Не өзгерді: <a href=\"/personal-data/v2?lang=kk\">2-редакция</a>"));
  CHECK(has(changes.body, "Қысқаша шолу"));

  // Links: the sibling text charta publishes goes to its page, the other file to the base.
  auto v2 = http(server.port(), "GET", "/personal-data/v2");
  REQUIRE(v2.status == 200);
  CHECK(has(v2.body, std::string("<a href=\"") + kLinkBase + "terms/README.md\">условия</a>"));
  CHECK(has(v2.body, "<a href=\"/personal-data?lang=kk\">текст на казахском</a>"));
  auto sibling = http(server.port(), "GET", "/personal-data?lang=kk");
  CHECK(sibling.status == 200);
  CHECK(sibling.header("content-language") == "kk");

  // Error pages in the language the browser asks for among the page strings, else Russian.
  auto missing = http(server.port(), "GET", "/personal-data/v9", {{"Accept-Language", "kk-KZ"}});
  CHECK(missing.status == 404);
  CHECK(has(missing.body, "<html lang=\"kk\""));
  CHECK(has(missing.body, "Бет табылмады"));
  CHECK(has(missing.body, "Мұндай редакция жоқ."));
  auto english = http(server.port(), "GET", "/nope", {{"Accept-Language", "en-GB,ru;q=0.5"}});
  CHECK(english.status == 404);
  CHECK(has(english.body, "There is no such page."));
  auto plain = http(server.port(), "GET", "/nope");
  CHECK(has(plain.body, "<html lang=\"ru\""));
  CHECK(has(plain.body, "Страница не найдена"));
  auto other = http(server.port(), "GET", "/nope", {{"Accept-Language", "de"}});
  CHECK(has(other.body, "Страница не найдена"));
}

TEST_CASE("a site.timezone charta cannot use stops the server at start with one line") {
  ApiSite site;
  auto serve = [&](const std::string& zone, const std::vector<std::string>& env) {
    auto r = testing::run(
        {testing::chartaBinary(), "-D", "server.port=0", "-D", "site.timezone=" + zone, "serve"},
        site.box.path(), env);
    INFO(r.err);
    CHECK(r.status != 0);
    return r.err;
  };
  std::string err = serve("Mars/Olympus_Mons", {});
  CHECK(has(err, "site.timezone \\\"Mars/Olympus_Mons\\\": no such zone in /usr/share/zoneinfo"));
  err = serve("Asia/Almaty", {"TZDIR=/nonexistent/zoneinfo"});
  CHECK(has(err, "install the tzdata package"));
  err = serve("+25:00", {});
  CHECK(has(err, "not an offset like +05:00"));
  err = serve("../../etc/passwd", {});
  CHECK(has(err, "neither an offset like +05:00 nor a zone like Asia/Almaty"));
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  // build-site refuses it the same way.
  auto r = testing::run(
      {testing::chartaBinary(), "-D", "site.timezone=Europe/Nowhere", "build-site", "--out", "out"},
      site.box.path(), testing::gitEnv());
  CHECK(r.status != 0);
  CHECK(has(r.err, "site.timezone \"Europe/Nowhere\": no such zone"));
}
