// Contract tests of the write API (role legal) against the real `charta serve`.
#include <future>
#include <sstream>
#include <thread>

#include "api/api_support.h"

using namespace charta;
using namespace charta::apitest;
using namespace std::chrono;

namespace {

const std::string kCurrent = "/api/v1/documents/personal-data/current";
const std::string kPublications = "/api/v1/documents/personal-data/publications";

std::map<std::string, std::string> legalJson(const std::string& ifMatch = "") {
  auto h = bearer(kLegalToken);
  h["Content-Type"] = "application/json";
  if (!ifMatch.empty()) h["If-Match"] = ifMatch;
  return h;
}

std::string etagOf(uint16_t port) {
  auto r = http(port, "GET", kCurrent);
  REQUIRE(r.status == 200);
  return r.header("etag");
}

double metric(const std::string& exposition, const std::string& series) {
  size_t p = exposition.find("\n" + series + " ");
  if (p == std::string::npos) return 0;
  return std::stod(exposition.substr(p + series.size() + 2));
}

}  // namespace

TEST_CASE("the write routes need a bearer token with role legal") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  struct Route {
    const char* method;
    std::string target;
  };
  for (const Route& r :
       {Route{"GET", "/api/v1/documents/personal-data/revisions"}, Route{"POST", kPublications},
        Route{"POST", "/api/v1/documents/personal-data/editions/v1/withdrawal"}}) {
    CAPTURE(r.target);
    std::map<std::string, std::string> json = {{"Content-Type", "application/json"}};
    auto none = http(server.port(), r.method, r.target, json, "{}");
    checkProblem(none, 401, "unauthorized");
    CHECK(none.header("www-authenticate") == "Bearer");
    json["Authorization"] = "Bearer not-a-token";
    checkProblem(http(server.port(), r.method, r.target, json, "{}"), 401, "unauthorized");
    json["Authorization"] = std::string("Bearer ") + kSiteToken;
    checkProblem(http(server.port(), r.method, r.target, json, "{}"), 403, "forbidden");
    json["Authorization"] = std::string("Bearer ") + kAuditorToken;
    checkProblem(http(server.port(), r.method, r.target, json, "{}"), 403, "forbidden");
  }
  checkProblem(http(server.port(), "GET", kPublications, bearer(kLegalToken)), 405);
  checkProblem(http(server.port(), "PUT", "/api/v1/documents/personal-data/revisions",
                    bearer(kLegalToken), "x"),
               405);
}

TEST_CASE("GET …/revisions lists drafts and published commits") {
  ApiSite site;
  std::string draft = site.commitEdit("Черновик.");
  ServerProcess server(site.box.path(), site.defs());
  const std::string target = "/api/v1/documents/personal-data/revisions";
  auto r = http(server.port(), "GET", target, bearer(kLegalToken));
  REQUIRE(r.status == 200);
  CHECK(r.header("cache-control") == "private, no-cache");
  auto revs = object(r.body)->getArray("revisions");
  REQUIRE(revs->size() == 2);
  auto first = revs->getObject(0);
  CHECK(str(first, "commit") == draft);
  CHECK(first->getValue<bool>("draft"));
  CHECK(str(first, "author") == "Legal Team");
  auto second = revs->getObject(1);
  CHECK_FALSE(second->getValue<bool>("draft"));
  CHECK(second->getArray("editions")->getElement<std::string>(0) == "v1");
  auto h = bearer(kLegalToken);
  h["If-None-Match"] = r.header("etag");
  CHECK(http(server.port(), "GET", target, h).status == 304);
  CHECK(object(http(server.port(), "GET", target + "?limit=1", bearer(kLegalToken)).body)
            ->getArray("revisions")
            ->size() == 1);
  checkProblem(http(server.port(), "GET", target + "?limit=0", bearer(kLegalToken)), 400);
  checkProblem(http(server.port(), "GET", "/api/v1/documents/terms/revisions", bearer(kLegalToken)),
               404);
}

TEST_CASE("POST …/publications: If-Match, 428, 412, 201 and the CLI's refusals") {
  ApiSite site;
  std::string commit = site.commitEdit("Новый пункт.");
  ServerProcess server(site.box.path(), site.defs());
  const uint16_t port = server.port();
  const std::string etag = etagOf(port);

  // Refused before any precondition is looked at: malformed requests.
  struct Bad {
    std::string body;
    int status;
    const char* slug;
  };
  for (const Bad& b : {Bad{"{\"revision\":\"HEAD~1\"}", 400, "invalid-request"},
                       Bad{"{\"revision\":\"main\"}", 400, "invalid-request"},
                       Bad{"{\"revision\":\"9d21e3a\"}", 400, "invalid-request"},
                       Bad{"{\"effective_from\":\"2030-01-01T00:00:00\"}", 400, "invalid-time"},
                       Bad{"{\"material\":\"yes\"}", 400, "invalid-request"},
                       Bad{"{\"renew_purposes\":\"marketing\"}", 400, "invalid-request"},
                       Bad{"{\"surprise\":1}", 400, "unknown-field"},
                       Bad{"[1]", 400, "invalid-json"}, Bad{"{\"summary\":", 400, "invalid-json"},
                       Bad{std::string(40, '[') + std::string(40, ']'), 400, "invalid-json"},
                       Bad{"{\"summary\":\"\xff\"}", 400, "invalid-json"}}) {
    CAPTURE(b.body);
    checkProblem(http(port, "POST", kPublications, legalJson(etag), b.body), b.status, b.slug);
  }
  auto plain = legalJson(etag);
  plain["Content-Type"] = "text/plain";
  checkProblem(http(port, "POST", kPublications, plain, "{}"), 415, "unsupported-media-type");
  // A body over server.max_body is refused before it is read.
  std::string big = testing::rawExchange(
      port, "POST " + kPublications +
                " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
                kLegalToken + "\r\nIf-Match: " + etag + "\r\nContent-Length: 70000\r\n\r\n");
  CHECK(big.rfind("HTTP/1.1 413", 0) == 0);

  checkProblem(http(port, "POST", kPublications, legalJson(), "{}"), 428, "precondition-required");
  checkProblem(http(port, "POST", kPublications, legalJson("*"), "{}"), 428);
  auto stale = http(port, "POST", kPublications, legalJson("\"0123\""), "{}");
  checkProblem(stale, 412, "precondition-failed");
  CHECK(stale.header("etag") == etag);
  checkProblem(http(port, "POST", kPublications, legalJson("W/" + etag), "{}"), 412);

  // The CLI's rules: backdating is refused with the same words.
  auto back = http(port, "POST", kPublications, legalJson(etag),
                   "{\"effective_from\":\"2020-01-01T00:00:00+05:00\"}");
  checkProblem(back, 422, "publication-refused");
  auto cli = testing::run({testing::chartaBinary(), "publish", "personal-data", "--effective-from",
                           "2020-01-01T00:00:00+05:00"},
                          site.box.path(), testing::gitEnv());
  CHECK(cli.status == 2);
  std::string detail = str(object(back.body), "detail");
  CHECK(detail.find("never earlier") != std::string::npos);
  CHECK(cli.err.find(detail.substr(0, detail.find(" is before"))) != std::string::npos);
  checkProblem(
      http(port, "POST", kPublications, legalJson(etag), "{\"renew_purposes\":[\"marketing\"]}"),
      422, "publication-refused");
  checkProblem(http(port, "POST", kPublications, legalJson(etag),
                    "{\"material\":true,\"renew_purposes\":[\"no-such\"]}"),
               422, "publication-refused");

  // Published: 201, Location, the new current ETag; the read API sees it at once.
  const core::Instant when = floor<seconds>(core::now()) + hours(24);
  auto ok = http(port, "POST", kPublications, legalJson(etag),
                 "{\"revision\":\"" + commit + "\",\"effective_from\":\"" + formatAt(when) +
                     "\",\"material\":true,\"renew_purposes\":[\"marketing\"],"
                     "\"summary\":\"Пункт 10.1\"}");
  REQUIRE_MESSAGE(ok.status == 201, ok.body);
  CHECK(ok.header("location") == "/api/v1/documents/personal-data/editions/v2");
  auto e = object(ok.body);
  CHECK(str(e, "edition") == "v2");
  CHECK(str(e, "status") == "upcoming");
  CHECK(str(e, "commit") == commit);
  CHECK(e->getValue<bool>("material"));
  CHECK(str(e->getObject("publisher"), "name") == "legal");
  auto cur = http(port, "GET", kCurrent);
  CHECK(cur.header("etag") == str(e, "current_etag"));
  CHECK(str(object(cur.body)->getObject("upcoming"), "edition") == "v2");
  auto editions = testing::run({testing::chartaBinary(), "--json", "editions", "personal-data"},
                               site.box.path(), testing::gitEnv());
  CHECK(editions.out.find("Пункт 10.1") != std::string::npos);

  // The old ETag is stale now; the same text as the upcoming edition is refused like the CLI.
  checkProblem(http(port, "POST", kPublications, legalJson(etag), "{}"), 412);
  auto same = http(port, "POST", kPublications, legalJson(cur.header("etag")), "{}");
  checkProblem(same, 422, "publication-refused");
  CHECK(str(object(same.body), "detail").find("nothing to publish") != std::string::npos);
  auto m = http(port, "GET", "/metrics").body;
  CHECK(metric(m, "charta_publication_conflicts_total{reason=\"precondition\"}") == 3);
  CHECK(metric(m, "charta_publications_total") == 1);
}

TEST_CASE("concurrent POST …/publications with the same If-Match: exactly one 201, the rest 412") {
  ApiSite site;
  site.commitEdit("Гонка публикаций.");
  ServerProcess server(site.box.path(), site.defs());
  const std::string etag = etagOf(server.port());
  constexpr int kClients = 8;
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<int>> results;
  for (int i = 0; i < kClients; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      start.wait();
      return http(server.port(), "POST", kPublications, legalJson(etag),
                  "{\"summary\":\"client " + std::to_string(i) + "\"}")
          .status;
    }));
  }
  go.set_value();
  int created = 0, failed = 0;
  for (auto& f : results) {
    int s = f.get();
    created += s == 201;
    failed += s == 412;
  }
  CHECK(created == 1);
  CHECK(failed == kClients - 1);
  auto eds = object(http(server.port(), "GET", "/api/v1/documents/personal-data/editions").body);
  CHECK(eds->getArray("editions")->size() == 2);
  CHECK(testing::sh("git tag -l 'personal-data/v*' | wc -l", site.box / "var/policies.git")
            .find('2') == 0);
}

TEST_CASE("POST …/editions/{edition}/withdrawal: scheduled only, once, with a reason") {
  ApiSite site;
  site.commitEdit("Будет отозван.");
  const core::Instant when = floor<seconds>(core::now()) + hours(48);
  site.publishCli({"--effective-from", formatAt(when)});
  ServerProcess server(site.box.path(), site.defs());
  const uint16_t port = server.port();
  const std::string target = "/api/v1/documents/personal-data/editions/v2/withdrawal";
  checkProblem(http(port, "POST", target, legalJson(), "{}"), 400, "invalid-request");
  checkProblem(http(port, "POST", target, legalJson(), "{\"reason\":\"\"}"), 400);
  checkProblem(http(port, "POST", target, legalJson(), "{\"reason\":\"a\\nb\"}"), 422);
  checkProblem(http(port, "POST", target, legalJson("\"stale\""), "{\"reason\":\"x\"}"), 412);
  std::string etag = etagOf(port);
  auto ok = http(port, "POST", target, legalJson(etag), "{\"reason\":\"Ошибка в тексте\"}");
  REQUIRE_MESSAGE(ok.status == 200, ok.body);
  auto e = object(ok.body);
  CHECK(str(e, "status") == "withdrawn");
  CHECK(str(e->getObject("withdrawal"), "reason") == "Ошибка в тексте");
  CHECK(str(e->getObject("withdrawal"), "by") == "legal");
  CHECK(object(http(port, "GET", kCurrent).body)->isNull("upcoming"));
  checkProblem(http(port, "POST", target, legalJson(), "{\"reason\":\"again\"}"), 409,
               "already-withdrawn");
  checkProblem(http(port, "POST", "/api/v1/documents/personal-data/editions/v1/withdrawal",
                    legalJson(), "{\"reason\":\"in force\"}"),
               422, "withdrawal-refused");
  checkProblem(http(port, "POST", "/api/v1/documents/personal-data/editions/v7/withdrawal",
                    legalJson(), "{\"reason\":\"none\"}"),
               404);
  checkProblem(http(port, "POST", "/api/v1/documents/personal-data/editions/HEAD/withdrawal",
                    legalJson(), "{\"reason\":\"none\"}"),
               400, "invalid-edition");
  // The withdrawal is a git object, as the CLI writes it.
  CHECK(testing::sh("git tag -l 'personal-data/withdrawn/*'", site.box / "var/policies.git") ==
        "personal-data/withdrawn/v2\n");
}

TEST_CASE("the first edition of a new document: If-Match names the not-in-force answer") {
  ApiSite site;
  testing::sh(
      "mkdir -p terms && printf '# Условия\\n\\n1. Общие положения.\\n' > terms/ru.md && "
      "sed -i 's#</charta>#  <document id=\"terms\" route=\"/terms\" controlling-lang=\"ru\">"
      "<title>Условия</title><text lang=\"ru\" path=\"terms/ru.md\"/></document>\\n</charta>#' "
      "charta.xml && git add -A && git commit -qm terms && git push -q origin main",
      site.box / "wt");
  ServerProcess server(site.box.path(), site.defs());
  auto none = http(server.port(), "GET", "/api/v1/documents/terms/current");
  checkProblem(none, 404, "not-in-force");
  REQUIRE_FALSE(none.header("etag").empty());
  auto ok = http(server.port(), "POST", "/api/v1/documents/terms/publications",
                 legalJson(none.header("etag")), "{}");
  REQUIRE_MESSAGE(ok.status == 201, ok.body);
  CHECK(str(object(ok.body), "edition") == "v1");
  auto cur = http(server.port(), "GET", "/api/v1/documents/terms/current");
  CHECK(cur.status == 200);
  CHECK(str(object(cur.body), "edition") == "v1");
}

TEST_CASE(
    "POST …/publications runs the pre-publication lint like the CLI; force publishes anyway") {
  ApiSite site;
  // A clause number written "3.2.." is a numbering error that blocks publishing.
  site.commitEdit("");
  testing::sh(
      "printf '\\n3.2.. Пункт с ошибкой в номере.\\n' >> personal-data/ru.md && "
      "git commit -qam lint && git push -q origin main",
      site.box / "wt");
  ServerProcess server(site.box.path(), site.defs());
  const uint16_t port = server.port();
  std::string etag = etagOf(port);
  auto refused = http(port, "POST", kPublications, legalJson(etag), "{}");
  checkProblem(refused, 422, "lint-refused");
  auto findings = object(refused.body)->getArray("findings");
  REQUIRE(findings->size() >= 1);
  CHECK(str(findings->getObject(0), "rule") == "numbering");
  CHECK(str(findings->getObject(0), "clause") == "3.2");
  // The shape of `charta --json lint`: what is absent is null, never 0 or "".
  CHECK(findings->getObject(0)->getValue<int>("line") > 0);
  CHECK(findings->getObject(0)->isNull("inherited_from"));
  CHECK(findings->getObject(0)->getValue<bool>("blocks"));
  auto lint = testing::run({testing::chartaBinary(), "--json", "lint", "personal-data"},
                           site.box.path(), testing::gitEnv());
  CHECK(lint.status == 2);
  auto text = [](const Poco::JSON::Object::Ptr& o) {
    std::ostringstream ss;
    o->stringify(ss);
    return ss.str();
  };
  auto cliFindings = object(lint.out)->getArray("findings");
  bool same = false;
  for (size_t i = 0; i < cliFindings->size(); ++i) {
    same = same ||
           text(cliFindings->getObject(static_cast<unsigned>(i))) == text(findings->getObject(0));
  }
  CHECK(same);
  auto cli = testing::run({testing::chartaBinary(), "publish", "personal-data"}, site.box.path(),
                          testing::gitEnv());
  CHECK(cli.status == 2);
  CHECK(cli.err.find("numbering") != std::string::npos);

  auto forced = http(port, "POST", kPublications, legalJson(etag),
                     "{\"force\":\"the numbering is fixed in the next edition\"}");
  REQUIRE_MESSAGE(forced.status == 201, forced.body);
  auto e = object(forced.body);
  CHECK(str(e, "forced") == "the numbering is fixed in the next edition");
  CHECK(e->getArray("warnings")->size() >= 1);
  CHECK(e->has("suggested_renew_purposes"));
}

TEST_CASE("If-Match holds against a CLI publisher in another process") {
  ApiSite site;
  // The server never looks at the repository by itself during the test: what it knows of the
  // CLI's publications it must learn in the write itself.
  ServerProcess server(site.box.path(), site.defs({"repository.poll_ms=600000"}));
  auto editionCount = [&] {
    return std::stoi(
        testing::sh("git tag -l 'personal-data/v*' | wc -l", site.box / "var/policies.git"));
  };

  // The ETag read before the CLI published v2 is stale: 412 naming the current ETag, and
  // nothing published by the API.
  site.commitEdit("Первая правка.");
  const std::string before = etagOf(server.port());
  site.publishCli();  // v2, by another process
  site.commitEdit("Вторая правка.");
  auto r = http(server.port(), "POST", kPublications, legalJson(before), "{}");
  INFO(r.body);
  checkProblem(r, 412, "precondition-failed");
  const std::string named = r.header("etag");
  CHECK_FALSE(named.empty());
  CHECK(named != before);
  CHECK(editionCount() == 2);
  // The ETag it named is that of current as it is now (v2), and it publishes v3.
  auto current = http(server.port(), "GET", kCurrent);
  CHECK(current.header("etag") == named);
  CHECK(object(current.body)->getValue<int>("number") == 2);
  r = http(server.port(), "POST", kPublications, legalJson(named), "{}");
  REQUIRE(r.status == 201);
  CHECK(object(r.body)->getValue<int>("number") == 3);

  // The CLI and the API at the same moment with the ETag of v<n>: one edition v<n+1>, never
  // two, and never an API edition with another number.
  int apiWon = 0, cliWon = 0;
  for (int round = 0; round < 6; ++round) {
    CAPTURE(round);
    site.commitEdit("Гонка " + std::to_string(round) + ".");
    const int n = editionCount();
    const std::string etag = etagOf(server.port());
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    auto cli = std::async(std::launch::async, [&] {
      start.wait();
      return testing::run({testing::chartaBinary(), "--json", "publish", "personal-data"},
                          site.box.path(), testing::gitEnv());
    });
    // The API's request leaves a little later each round (0 to 200 ms after the CLI starts), so
    // that some rounds find the CLI's tag already written and others do not.
    auto api = std::async(std::launch::async, [&, round] {
      start.wait();
      std::this_thread::sleep_for(milliseconds(40 * round));
      return http(server.port(), "POST", kPublications, legalJson(etag), "{}");
    });
    go.set_value();
    testing::RunResult c = cli.get();
    HttpResponse a = api.get();
    INFO("cli " << c.status << " " << c.err << " api " << a.status << " " << a.body);
    CHECK(editionCount() == n + 1);
    if (a.status == 201) {
      ++apiWon;
      CHECK(object(a.body)->getValue<int>("number") == n + 1);
      CHECK(c.status != 0);  // 3: lost the race; 2: the text is already published; 6: busy
    } else {
      ++cliWon;
      // 412: the API saw the CLI's edition move the ETag; 409/503: it met the CLI's tag or lock;
      // 422: it read the CLI's edition first and refused to publish the same text again.
      const bool refusedSame =
          a.status == 422 && a.body.find("is the same as edition") != std::string::npos;
      CHECK((a.status == 412 || a.status == 409 || a.status == 503 || refusedSame));
      CHECK(c.status == 0);
      CHECK(object(c.out)->getValue<int>("number") == n + 1);
    }
  }
  MESSAGE("the API won " << apiWon << " rounds, the CLI " << cliWon);
  CHECK(editionCount() == 3 + 6);
}
