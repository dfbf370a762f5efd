// Contract tests of the public read API against the real `charta serve`.
#include <thread>

#include "api/api_support.h"

using namespace charta;
using namespace charta::apitest;
using namespace std::chrono;

namespace {

long maxAge(const std::string& cacheControl) {
  auto p = cacheControl.find("max-age=");
  REQUIRE_MESSAGE(p != std::string::npos, cacheControl);
  return std::stol(cacheControl.substr(p + 8));
}

// "%2B" for '+': what a careful client sends.
std::string encodeAt(const std::string& t) {
  std::string out;
  for (char c : t) out += c == '+' ? std::string("%2B") : std::string(1, c);
  return out;
}

void checkJsonHeaders(const HttpResponse& r) {
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("x-content-type-options") == "nosniff");
  std::string etag = r.header("etag");
  CHECK(etag.size() == 34);
  CHECK(etag.front() == '"');
  CHECK_FALSE(r.header("cache-control").empty());
}

// 304 with the ETag of "r", and a fresh 200 with another tag.
void checkConditional(uint16_t port, const std::string& target, const HttpResponse& r) {
  auto again = http(port, "GET", target, {{"If-None-Match", r.header("etag")}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.header("etag") == r.header("etag"));
  CHECK(again.header("cache-control") == r.header("cache-control"));
  CHECK(http(port, "GET", target, {{"If-None-Match", "\"0000\", " + r.header("etag")}}).status ==
        304);
  CHECK(http(port, "GET", target, {{"If-None-Match", "\"0000\""}}).status == 200);
  auto head = http(port, "HEAD", target);
  CHECK(head.status == 200);
  CHECK(head.header("etag") == r.header("etag"));
  CHECK(head.header("content-length") == std::to_string(r.body.size()));
}

}  // namespace

TEST_CASE("GET /api/v1/documents and /api/v1/documents/{doc}") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  auto list = http(server.port(), "GET", "/api/v1/documents");
  REQUIRE(list.status == 200);
  checkJsonHeaders(list);
  CHECK(maxAge(list.header("cache-control")) == 60);  // nothing scheduled: site.max_age_s
  checkConditional(server.port(), "/api/v1/documents", list);
  auto docs = object(list.body)->getArray("documents");
  REQUIRE(docs->size() == 1);
  auto d = docs->getObject(0);
  CHECK(str(d, "id") == "personal-data");
  CHECK(str(d, "route") == "/personal-data");
  CHECK(str(d, "in_force") == "v1");
  CHECK(d->isNull("next_switch"));
  CHECK(str(d->getObject("links"), "current") == "/api/v1/documents/personal-data/current");

  auto one = http(server.port(), "GET", "/api/v1/documents/personal-data");
  REQUIRE(one.status == 200);
  checkJsonHeaders(one);
  checkConditional(server.port(), "/api/v1/documents/personal-data", one);
  auto o = object(one.body);
  CHECK(o->getValue<int>("editions") == 1);
  CHECK(str(o, "controlling_lang") == "ru");
  bool marketing = false;
  auto purposes = o->getArray("purposes");
  for (size_t i = 0; i < purposes->size(); ++i) {
    if (str(purposes->getObject(static_cast<unsigned>(i)), "id") == "marketing") {
      marketing = true;
      CHECK(str(purposes->getObject(static_cast<unsigned>(i)), "clause") == "2.1.2");
    }
  }
  CHECK(marketing);

  checkProblem(http(server.port(), "GET", "/api/v1/documents/terms"), 404, "document-not-found");
  checkProblem(http(server.port(), "GET", "/api/v1/documents/Bad_Id"), 400, "invalid-document-id");
  checkProblem(http(server.port(), "GET", "/api/v1/documents?x=1"), 400, "invalid-parameter");
  auto post = http(server.port(), "POST", "/api/v1/documents", {}, "");
  checkProblem(post, 405, "method-not-allowed");
  CHECK(post.header("allow") == "GET, HEAD");
  checkProblem(http(server.port(), "DELETE", "/api/v1/documents/personal-data"), 405);
  checkProblem(http(server.port(), "GET", "/api/v1/documents/personal-data/nope"), 404);
  checkProblem(http(server.port(), "GET", "/api/v1/documents/personal-data/"), 404);
}

TEST_CASE("GET …/current: at T-1 ms, T and T+1 ms around a switch; caching; bad times") {
  ApiSite site;
  site.commitEdit("Новый пункт о хранении данных.");
  // A switch with a millisecond part, 40 s from now.
  const core::Instant t = floor<seconds>(core::now()) + seconds(40) + milliseconds(250);
  auto v2 = site.publishCli({"--effective-from", formatAt(t)});
  CHECK(str(v2, "edition") == "v2");
  ServerProcess server(site.box.path(), site.defs());
  const std::string base = "/api/v1/documents/personal-data/current";

  auto cur = http(server.port(), "GET", base);
  REQUIRE(cur.status == 200);
  checkJsonHeaders(cur);
  checkConditional(server.port(), base, cur);
  auto o = object(cur.body);
  CHECK(str(o, "edition") == "v1");
  CHECK(str(o, "status") == "in_force");
  CHECK(str(o, "commit").size() == 40);
  CHECK_FALSE(str(o, "published_at").empty());
  CHECK_FALSE(str(o, "effective_from").empty());
  CHECK(str(o, "page_url").find("/personal-data") != std::string::npos);
  CHECK(str(o->getObject("upcoming"), "edition") == "v2");
  CHECK(*core::parseRfc3339(str(o, "next_switch")) == t);
  // Caches may keep it only until the switch.
  long age = maxAge(cur.header("cache-control"));
  CHECK(age <= 40);
  CHECK(age >= 35);
  CHECK(cur.header("cache-control").find("public") == 0);

  // The hashes are those of the exact bytes served.
  auto texts = o->getArray("texts");
  REQUIRE(texts->size() == 1);
  auto ru = texts->getObject(0);
  CHECK(str(ru, "lang") == "ru");
  CHECK(ru->getValue<bool>("controlling"));
  auto md = http(server.port(), "GET", str(ru, "text_url"));
  REQUIRE(md.status == 200);
  CHECK(core::sha256Hex(md.body) == str(ru, "text_sha256"));
  auto page = http(server.port(), "GET", "/personal-data");
  REQUIRE(page.status == 200);
  CHECK(core::sha256Hex(page.body) == str(ru, "page_sha256"));

  struct Case {
    core::Instant at;
    const char* edition;
  };
  for (const Case& c :
       {Case{t - milliseconds(1), "v1"}, Case{t, "v2"}, Case{t + milliseconds(1), "v2"}}) {
    std::string at = formatAt(c.at);
    CAPTURE(at);
    for (const std::string& q : {at, encodeAt(at)}) {  // '+' literal or percent-encoded
      auto r = http(server.port(), "GET", base + "?at=" + q);
      REQUIRE(r.status == 200);
      auto a = object(r.body);
      CHECK(str(a, "edition") == std::string(c.edition));
      CHECK(str(a, "status") == "in_force");
    }
  }
  // At T-1 ms the answer names the switch; after it, nothing is scheduled.
  auto before =
      object(http(server.port(), "GET", base + "?at=" + formatAt(t - milliseconds(1))).body);
  CHECK(*core::parseRfc3339(str(before, "next_switch")) == t);
  auto after = object(http(server.port(), "GET", base + "?at=" + encodeAt(formatAt(t))).body);
  CHECK(after->isNull("next_switch"));
  CHECK(after->isNull("upcoming"));
  // The same answer in UTC.
  auto utc = http(server.port(), "GET", base + "?at=" + core::formatRfc3339(t, minutes(0), true));
  CHECK(str(object(utc.body), "edition") == "v2");

  // A settled past moment may be cached long.
  auto v1At = str(o, "effective_from");
  std::this_thread::sleep_until(system_clock::time_point(*core::parseRfc3339(v1At) + seconds(3)));
  auto past = http(server.port(), "GET", base + "?at=" + encodeAt(v1At));
  CHECK(str(object(past.body), "edition") == "v1");

  // Before the first edition: nothing in force, a problem with an ETag (the first If-Match).
  auto none = http(server.port(), "GET", base + "?at=2001-01-01T00:00:00Z");
  checkProblem(none, 404, "not-in-force");
  CHECK_FALSE(none.header("etag").empty());
  CHECK(maxAge(past.header("cache-control")) == 86400);

  for (const char* bad : {"2026-12-01T00:00:00", "2026-12-01", "2026-12-01T00:00:00%2005:00",
                          "yesterday", "", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z"}) {
    CAPTURE(bad);
    checkProblem(http(server.port(), "GET", base + "?at=" + std::string(bad)), 400, "invalid-time");
  }
  checkProblem(
      http(server.port(), "GET", base + "?at=2026-12-01T00:00:00Z&at=2026-12-01T00:00:00Z"), 400,
      "invalid-parameter");
  checkProblem(http(server.port(), "GET", base + "?when=now"), 400, "invalid-parameter");
  checkProblem(http(server.port(), "GET", "/api/v1/documents/terms/current"), 404,
               "document-not-found");
  checkProblem(http(server.port(), "POST", base, {{"Content-Type", "application/json"}}, "{}"),
               405);
}

TEST_CASE("GET …/editions: newest first, cursor pagination with Link rel=next") {
  ApiSite site;
  for (int i = 2; i <= 5; ++i) {
    site.commitEdit("Дополнение номер " + std::to_string(i) + ".");
    site.publishCli();
  }
  ServerProcess server(site.box.path(), site.defs());
  const std::string base = "/api/v1/documents/personal-data/editions";
  std::vector<std::string> seen;
  std::string target = base + "?limit=2";
  int pages = 0;
  while (!target.empty()) {
    CAPTURE(target);
    auto r = http(server.port(), "GET", target);
    REQUIRE(r.status == 200);
    checkJsonHeaders(r);
    checkConditional(server.port(), target, r);
    auto o = object(r.body);
    auto eds = o->getArray("editions");
    for (size_t i = 0; i < eds->size(); ++i) {
      auto e = eds->getObject(static_cast<unsigned>(i));
      seen.push_back(str(e, "edition"));
      CHECK(str(e->getObject("links"), "self") == base + "/" + str(e, "edition"));
    }
    std::string link = r.header("link");
    ++pages;
    if (o->isNull("next_cursor")) {
      CHECK(link.empty());
      target.clear();
    } else {
      std::string cursor = str(o, "next_cursor");
      CHECK(link == "<" + base + "?limit=2&cursor=" + cursor + ">; rel=\"next\"");
      target = link.substr(1, link.find('>') - 1);
    }
  }
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"v5", "v4", "v3", "v2", "v1"});
  auto all = object(http(server.port(), "GET", base).body);  // default limit 20
  CHECK(all->getArray("editions")->size() == 5);
  CHECK(all->isNull("next_cursor"));
  CHECK(str(all->getArray("editions")->getObject(0), "status") == "in_force");
  CHECK(str(all->getArray("editions")->getObject(1), "status") == "superseded");

  for (const char* bad : {"?limit=0", "?limit=101", "?limit=x", "?cursor=zzz", "?cursor=b0",
                          "?cursor=b01", "?page=2"}) {
    CAPTURE(bad);
    checkProblem(http(server.port(), "GET", base + bad), 400);
  }
  checkProblem(http(server.port(), "GET", "/api/v1/documents/terms/editions"), 404);
}

TEST_CASE("GET …/editions/{edition}: JSON, exact Markdown, the page as HTML; strict ids") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  const std::string base = "/api/v1/documents/personal-data/editions/v1";
  auto r = http(server.port(), "GET", base);
  REQUIRE(r.status == 200);
  checkJsonHeaders(r);
  checkConditional(server.port(), base, r);
  auto o = object(r.body);
  CHECK(str(o, "edition") == "v1");
  CHECK(o->getValue<int>("number") == 1);
  CHECK(o->isNull("withdrawal"));
  auto ru = o->getArray("texts")->getObject(0);

  auto md = http(server.port(), "GET", base + "?format=markdown");
  REQUIRE(md.status == 200);
  CHECK(md.header("content-type") == "text/markdown; charset=utf-8");
  CHECK(md.header("cache-control") == "public, max-age=31536000, immutable");
  CHECK(md.header("content-language") == "ru");
  CHECK(core::sha256Hex(md.body) == str(ru, "text_sha256"));
  CHECK(md.body == testing::slurp(testing::sourceDir() / "tests/api/seed/personal-data/ru.md"));
  checkConditional(server.port(), base + "?format=markdown", md);
  CHECK(http(server.port(), "GET", base + "?format=markdown&lang=ru").body == md.body);

  auto html = http(server.port(), "GET", base + "?format=html");
  REQUIRE(html.status == 200);
  CHECK(html.header("content-type") == "text/html; charset=utf-8");
  CHECK(html.body == http(server.port(), "GET", "/personal-data/v1").body);
  CHECK(core::sha256Hex(html.body) == str(ru, "page_sha256"));
  checkConditional(server.port(), base + "?format=html", html);

  checkProblem(http(server.port(), "GET", base + "?format=pdf"), 400, "invalid-parameter");
  checkProblem(http(server.port(), "GET", base + "?lang=de"), 404, "text-not-found");
  checkProblem(http(server.port(), "GET", base + "?lang=!!"), 400, "invalid-parameter");
  checkProblem(http(server.port(), "GET", "/api/v1/documents/personal-data/editions/v9"), 404,
               "edition-not-found");
  // Only v<N>: never anything git's rev-parse would understand.
  for (const char* bad : {"v01", "1", "HEAD~1", "v1%5E", "main", "%40%7B-1%7D", "v0", "v-1",
                          "0123456789012345678901234567890123456789"}) {
    CAPTURE(bad);
    checkProblem(
        http(server.port(), "GET", "/api/v1/documents/personal-data/editions/" + std::string(bad)),
        400, "invalid-edition");
  }
}
