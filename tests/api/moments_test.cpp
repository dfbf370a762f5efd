// The site as it was at a moment: `charta build-site --at T` writes exactly the pages the server
// sent at T, whatever was published or withdrawn since; the Atom feed never dates anything after
// the moment it is served at; a receipt links the page in the language the person was shown.
#include <functional>
#include <map>
#include <thread>

#include "api/api_support.h"

using namespace charta;
using namespace charta::apitest;

namespace {

// Waits until the wall clock is in a later whole second than "t": a tag made from then on has a
// tagger time after "t" (git keeps whole seconds).
void waitForSecondAfter(core::Instant t) {
  while (core::toUnixSeconds(core::now()) <= core::toUnixSeconds(t)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Every <updated> of an Atom feed, the feed's own first.
std::vector<core::Instant> updatedMoments(const std::string& feed) {
  std::vector<core::Instant> out;
  for (size_t p = feed.find("<updated>"); p != std::string::npos;
       p = feed.find("<updated>", p + 1)) {
    size_t end = feed.find("</updated>", p);
    auto t = core::parseRfc3339(feed.substr(p + 9, end - p - 9));
    REQUIRE(t);
    out.push_back(*t);
  }
  return out;
}

// Polls "done" until it holds (for at most 20 s).
bool eventually(const std::function<bool()>& done) {
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       std::chrono::steady_clock::now() < end;) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string cli(ApiSite& site, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::chartaBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = testing::run(argv, site.box.path(), testing::gitEnv());
  INFO(r.err);
  REQUIRE(r.status == 0);
  return r.out;
}

}  // namespace

TEST_CASE("build-site --at T writes the site exactly as the server sent it at T") {
  ApiSite site;
  site.commitEdit("Второе изменение.");
  site.publishCli({"--effective-from", "2099-01-01T00:00:00+05:00"});  // v2, upcoming
  ServerProcess server(site.box.path(), site.defs());
  // What the server sends at T, between the publication of v2 and anything that follows.
  const core::Instant t = core::now();
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/personal-data", "personal-data/index.html"},
      {"/personal-data/v1", "personal-data/v1/index.html"},
      {"/personal-data/v2", "personal-data/v2/index.html"},
      {"/personal-data/changes/v1...v2", "personal-data/changes/v1...v2/index.html"},
      {"/personal-data/versions", "personal-data/versions/index.html"},
      {"/personal-data/feed.atom", "personal-data/feed.atom"},
      {"/sitemap.xml", "sitemap.xml"}};
  std::map<std::string, std::string> atT;
  for (const auto& [path, file] : paths) {
    auto r = http(server.port(), "GET", path);
    REQUIRE(r.status == 200);
    atT[path] = r.body;
  }
  const core::Instant fetched = core::now();
  // The feed served then dates nothing after that moment: v2 has not taken effect.
  for (core::Instant u : updatedMoments(atT["/personal-data/feed.atom"])) CHECK(u <= fetched);

  // After T: v2 is withdrawn and v3 published (effective at once).
  waitForSecondAfter(fetched);
  cli(site, {"withdraw", "personal-data", "v2", "--reason", "Ошибка в тексте"});
  site.commitEdit("Третье изменение.");
  site.publishCli();
  // The server picks the new tags up within repository.poll_ms.
  REQUIRE(
      eventually([&] { return http(server.port(), "GET", "/personal-data/v3").status == 200; }));
  // The feed now: the withdrawn v2 is dated by its withdrawal, never by the moment it would
  // have taken effect.
  auto feed = http(server.port(), "GET", "/personal-data/feed.atom").body;
  for (core::Instant u : updatedMoments(feed)) CHECK(u <= core::now());

  const std::string at = core::formatRfc3339(t, core::kKazakhstanOffset, false);
  cli(site, {"build-site", "--out", "out", "--at", at});
  for (const auto& [path, file] : paths) {
    CAPTURE(path);
    CHECK(testing::slurp(site.box / "out" / file) == atT[path]);
  }
  // Nothing published after T is there.
  CHECK_FALSE(std::filesystem::exists(site.box / "out/personal-data/v3"));
  CHECK_FALSE(std::filesystem::exists(site.box / "out/personal-data/changes/v2...v3"));
  auto schedule = object(testing::slurp(site.box / "out/schedule.json"));
  CHECK(str(schedule, "next_switch") == "2099-01-01T00:00:00+05:00");  // as known at T
  auto doc = schedule->getArray("documents")->getObject(0);
  CHECK(str(doc, "in_force") == "v1");

  // Without --at: the site now, v3 in force and v2 withdrawn, as the server sends it.
  cli(site, {"build-site", "--out", "now"});
  for (const auto& [path, file] : paths) {
    CAPTURE(path);
    CHECK(testing::slurp(site.box / "now" / file) == http(server.port(), "GET", path).body);
  }
  CHECK(std::filesystem::exists(site.box / "now/personal-data/v3/index.html"));
}

TEST_CASE("a receipt links the page in the language that was shown") {
  ApiSite site;
  // A Kazakh text beside the Russian one, published as v2.
  testing::sh(
      "cp personal-data/ru.md personal-data/kk.md && "
      "sed -i 's|<text lang=\"ru\" path=\"personal-data/ru.md\"/>|&<text lang=\"kk\" "
      "path=\"personal-data/kk.md\"/>|' charta.xml && git add personal-data/kk.md",
      site.box / "wt");
  site.commitEdit("Казахский текст.");
  site.publishCli();
  ServerProcess server(site.box.path(), site.defs());
  auto page = http(server.port(), "GET", "/personal-data/v2?lang=kk");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-language") == "kk");
  auto consent = [&](const std::string& lang, const std::string& extra) {
    auto headers = bearer(kSiteToken);
    headers["Content-Type"] = "application/json";
    return http(server.port(), "POST", "/api/v1/consents", headers,
                "{\"subject\":\"s-kk\",\"document\":\"personal-data\",\"edition\":\"v2\","
                "\"language\":\"" +
                    lang + "\",\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"" +
                    extra + "}");
  };
  // The page shown, in any case of its tag, with the SHA-256 of the Kazakh page.
  for (const std::string lang : {"kk", "KK"}) {
    auto r = consent(lang, ",\"page_sha256\":\"" + core::sha256Hex(page.body) + "\"");
    INFO(r.body);
    REQUIRE(r.status == 201);
    auto notice = object(r.body)->getObject("privacy_notice");
    CHECK(str(notice, "language") == "kk");
    CHECK(str(notice, "url") == "https://shop.example/personal-data/v2?lang=kk");
    // The receipt read back says the same.
    auto back = http(server.port(), "GET", "/api/v1/consents/" + str(object(r.body), "record_id"),
                     bearer(kAuditorToken));
    CHECK(str(object(back.body)->getObject("privacy_notice"), "url") ==
          "https://shop.example/personal-data/v2?lang=kk");
  }
  // The controlling language needs no ?lang=.
  auto r = consent("ru", "");
  REQUIRE(r.status == 201);
  CHECK(str(object(r.body)->getObject("privacy_notice"), "url") ==
        "https://shop.example/personal-data/v2");
}
