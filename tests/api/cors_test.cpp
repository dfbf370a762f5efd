// Cross-origin access against the real `charta serve`: the public reads answer every origin
// (Access-Control-Allow-Origin: *, never with credentials, the same bytes whatever the Origin);
// the writes and the other reads answer no origin unless api.cors_origins lists it.
#include "api/api_support.h"

using namespace charta;
using namespace charta::apitest;

namespace {

const std::string kShop = "https://shop.example";
const std::string kAdmin = "https://admin.shop.example";

std::string consentBody(const std::string& subject) {
  return "{\"subject\":\"" + subject +
         "\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
         "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"}";
}

std::map<std::string, std::string> withOrigin(std::map<std::string, std::string> h,
                                              const std::string& origin) {
  h["Origin"] = origin;
  return h;
}

std::map<std::string, std::string> preflight(const std::string& origin, const std::string& method,
                                             const std::string& headers = "") {
  std::map<std::string, std::string> h = {{"Origin", origin},
                                          {"Access-Control-Request-Method", method}};
  if (!headers.empty()) h["Access-Control-Request-Headers"] = headers;
  return h;
}

bool contains(const std::string& list, const std::string& item) {
  std::string l = list, i = item;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : i) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l.find(i) != std::string::npos;
}

void checkNoCors(const HttpResponse& r) {
  CHECK(r.header("access-control-allow-origin").empty());
  CHECK(r.header("access-control-allow-credentials").empty());
  CHECK(r.header("access-control-allow-methods").empty());
}

void checkPublic(const HttpResponse& r) {
  CHECK(r.header("access-control-allow-origin") == "*");
  CHECK(r.header("access-control-allow-credentials").empty());
  CHECK(contains(r.header("access-control-expose-headers"), "ETag"));
  // The answer is the same for every origin, so caches need no Vary: Origin.
  CHECK_FALSE(contains(r.header("vary"), "origin"));
  // The security headers stay.
  CHECK_FALSE(r.header("content-security-policy").empty());
  CHECK(r.header("x-content-type-options") == "nosniff");
}

}  // namespace

TEST_CASE("public reads answer every origin, with and without an Origin header") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  for (const std::string target :
       {"/api/v1/documents", "/api/v1/documents/personal-data",
        "/api/v1/documents/personal-data/current", "/api/v1/documents/personal-data/editions",
        "/api/v1/documents/personal-data/editions/v1?format=html",
        "/api/v1/documents/personal-data/diff?from=v1&to=v1", "/api/v1/openapi.json",
        "/personal-data", "/personal-data/v1", "/personal-data/versions",
        "/personal-data/feed.atom", "/sitemap.xml", "/robots.txt", "/no-such-page",
        "/api/v1/documents/no-such-document/current"}) {
    CAPTURE(target);
    auto r = http(server.port(), "GET", target, {{"Origin", kShop}});
    CHECK(r.status < 500);
    checkPublic(r);
    checkPublic(http(server.port(), "GET", target));
    checkPublic(http(server.port(), "HEAD", target, {{"Origin", kShop}}));
  }
  // A page keeps its own Vary, and a 304 carries the CORS headers too.
  auto page = http(server.port(), "GET", "/personal-data", {{"Origin", kShop}});
  CHECK(contains(page.header("vary"), "Accept-Language"));
  auto current = http(server.port(), "GET", "/api/v1/documents/personal-data/current");
  auto again = http(server.port(), "GET", "/api/v1/documents/personal-data/current",
                    {{"Origin", kShop}, {"If-None-Match", current.header("etag")}});
  CHECK(again.status == 304);
  checkPublic(again);
}

TEST_CASE("a preflight for a public read is answered for GET and HEAD, without Authorization") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  for (const std::string target : {"/api/v1/documents/personal-data/current", "/personal-data"}) {
    CAPTURE(target);
    auto r = http(server.port(), "OPTIONS", target, preflight(kShop, "GET", "if-none-match"));
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    CHECK(r.header("access-control-allow-origin") == "*");
    CHECK(contains(r.header("access-control-allow-methods"), "GET"));
    CHECK_FALSE(contains(r.header("access-control-allow-methods"), "POST"));
    CHECK(contains(r.header("access-control-allow-headers"), "If-None-Match"));
    CHECK_FALSE(contains(r.header("access-control-allow-headers"), "Authorization"));
    CHECK(r.header("access-control-allow-credentials").empty());
    CHECK_FALSE(r.header("access-control-max-age").empty());
    // A write to a public path is no public read.
    auto post = http(server.port(), "OPTIONS", target, preflight(kShop, "POST"));
    checkProblem(post, 403, "forbidden");
    checkNoCors(post);
  }
  // A plain OPTIONS (no preflight) is answered as before.
  auto plain = http(server.port(), "OPTIONS", "/api/v1/documents/personal-data/current");
  checkProblem(plain, 405, "method-not-allowed");
}

TEST_CASE("writes and the other reads answer no origin by default") {
  ApiSite site;
  ServerProcess server(site.box.path(), site.defs());
  auto siteToken = bearer(kSiteToken);
  siteToken["Content-Type"] = "application/json";
  for (const std::string target :
       {"/api/v1/consents", "/api/v1/withdrawals", "/api/v1/documents/personal-data/publications",
        "/api/v1/subjects/s-1/block"}) {
    CAPTURE(target);
    auto r = http(server.port(), "OPTIONS", target,
                  preflight(kShop, "POST", "authorization,content-type"));
    checkProblem(r, 403, "forbidden");
    checkNoCors(r);
  }
  auto created = http(server.port(), "POST", "/api/v1/consents", withOrigin(siteToken, kShop),
                      consentBody("c-1"));
  CHECK(created.status == 201);
  checkNoCors(created);
  CHECK_FALSE(contains(created.header("vary"), "origin"));
  for (const std::string target : {"/api/v1/subjects/c-1/status?document=personal-data",
                                   "/api/v1/documents/personal-data/revisions",
                                   "/api/v1/ledger/verify", "/metrics", "/livez", "/readyz"}) {
    CAPTURE(target);
    checkNoCors(http(server.port(), "GET", target, withOrigin(bearer(kAuditorToken), kShop)));
    auto r = http(server.port(), "OPTIONS", target, preflight(kShop, "GET", "authorization"));
    CHECK(r.status == 403);
    checkNoCors(r);
  }
}

TEST_CASE(
    "origins listed in api.cors_origins may write, echoed exactly and never with credentials") {
  ApiSite site;
  ServerProcess server(site.box.path(),
                       site.defs({"api.cors_origins=" + kAdmin + ", http://127.0.0.1:9999"}));
  auto r = http(server.port(), "OPTIONS", "/api/v1/consents",
                preflight(kAdmin, "POST", "authorization,content-type,idempotency-key"));
  CHECK(r.status == 204);
  CHECK(r.header("access-control-allow-origin") == kAdmin);
  CHECK(contains(r.header("access-control-allow-methods"), "POST"));
  CHECK(contains(r.header("access-control-allow-headers"), "Authorization"));
  CHECK(contains(r.header("access-control-allow-headers"), "Idempotency-Key"));
  CHECK(r.header("access-control-allow-credentials").empty());
  CHECK(contains(r.header("vary"), "Origin"));
  // Another origin, or the listed one with another port or scheme, is not listed.
  for (const std::string& other : std::vector<std::string>{
           kShop, "http://admin.shop.example", kAdmin + ":8443", "http://127.0.0.1:9998", "null"}) {
    CAPTURE(other);
    auto refused = http(server.port(), "OPTIONS", "/api/v1/consents", preflight(other, "POST"));
    CHECK(refused.status == 403);
    checkNoCors(refused);
  }

  auto siteToken = bearer(kSiteToken);
  siteToken["Content-Type"] = "application/json";
  auto created = http(server.port(), "POST", "/api/v1/consents", withOrigin(siteToken, kAdmin),
                      consentBody("c-2"));
  CHECK(created.status == 201);
  CHECK(created.header("access-control-allow-origin") == kAdmin);
  CHECK(created.header("access-control-allow-credentials").empty());
  CHECK(contains(created.header("access-control-expose-headers"), "Location"));
  CHECK(contains(created.header("vary"), "Origin"));
  // The answer depends on the Origin now, so it varies on it even when none was sent.
  auto unlisted = http(server.port(), "POST", "/api/v1/consents", withOrigin(siteToken, kShop),
                       consentBody("c-3"));
  CHECK(unlisted.status == 201);
  checkNoCors(unlisted);
  CHECK(contains(unlisted.header("vary"), "Origin"));
  CHECK(contains(
      http(server.port(), "POST", "/api/v1/consents", siteToken, consentBody("c-4")).header("vary"),
      "Origin"));
  // The public reads stay the same for everyone.
  checkPublic(
      http(server.port(), "GET", "/api/v1/documents/personal-data/current", {{"Origin", kAdmin}}));
}

TEST_CASE("api.cors_origins takes origins only") {
  ApiSite site;
  for (const std::string bad :
       {"*", "null", "https://admin.shop.example/path", "ftp://admin.shop.example",
        "https://user@admin.shop.example", "https://Admin.shop.example", "admin.shop.example"}) {
    CAPTURE(bad);
    // (timeout: should the refusal fail, the server must not hold the test up.)
    auto r = testing::run({"timeout", "20", testing::chartaBinary(), "-D",
                           "api.cors_origins=" + bad, "-D", "server.port=0", "serve"},
                          site.box.path());
    CHECK(r.status != 0);
    CHECK(r.err.find("api.cors_origins") != std::string::npos);
  }
}
