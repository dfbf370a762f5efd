// CR, LF and other control characters in every string member of every write body and in request
// headers: the answers stay well-formed (no injected header or response), nothing reaches a git
// trailer, and the server's logs stay one JSON object per line.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hostile/hostile_support.h"

using namespace charta::hostile;

namespace {

const std::vector<std::string>& nasty() {
  static const std::vector<std::string> v = {
      "a\r\nX-Injected: 1",
      "a\r\n\r\nHTTP/1.1 200 OK\r\nX-Injected: 1\r\n\r\n",
      "a\nMaterial: no\nEffective-From: 1999-01-01T00:00:00+05:00",
      "a\rb",
      std::string("a\0b", 3),
      "a\x1b[31mred",
      "a\x7f",
      "a\tb",
      "\xe2\x80\xa8line\xe2\x80\xa9",  // U+2028, U+2029
      "\xc2\x85next",                  // U+0085
      "\"},{\"level\":\"error\"",
  };
  return v;
}

// One string member of a write body, with the rest of a body the route accepts.
struct Member {
  const char* target;
  const char* token;
  std::string before, after;  // the body is before + JSON string + after
};

std::vector<Member> members() {
  const std::string consent =
      "\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
      "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"";
  return {
      {"/api/v1/consents", kSiteToken, "{\"subject\":", "," + consent + "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\",\"edition\":\"v1\",\"language\":\"ru\",\"purposes\":[\"marketing\"],"
       "\"collection_method\":\"web-form\",\"document\":",
       "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\",\"document\":\"personal-data\",\"language\":\"ru\","
       "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\",\"edition\":",
       "}"},
      {"/api/v1/consents", kSiteToken, "{\"subject\":\"s-1\"," + consent + ",\"language\":", "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
       "\"collection_method\":\"web-form\",\"purposes\":[",
       "]}"},
      {"/api/v1/consents", kSiteToken, "{\"subject\":\"s-1\"," + consent + ",\"commit\":", "}"},
      {"/api/v1/consents", kSiteToken, "{\"subject\":\"s-1\"," + consent + ",\"form_id\":", "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\"," + consent + ",\"page_sha256\":", "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
       "\"purposes\":[\"marketing\"],\"collection_method\":",
       "}"},
      {"/api/v1/consents", kSiteToken,
       "{\"subject\":\"s-1\"," + consent + ",\"evidence\":{\"ip\":", "}}"},
      {"/api/v1/withdrawals", kSiteToken,
       "{\"document\":\"personal-data\",\"purposes\":[\"marketing\"],\"subject\":", "}"},
      {"/api/v1/withdrawals", kSiteToken,
       "{\"subject\":\"s-1\",\"purposes\":[\"marketing\"],\"document\":", "}"},
      {"/api/v1/subjects/s-1/block", kLegalToken, "{\"collection_method\":", "}"},
      {"/api/v1/subjects/s-1/block", kLegalToken, "{\"form_id\":", "}"},
      {"/api/v1/subjects/s-1/block", kLegalToken, "{\"document\":", "}"},
      {"/api/v1/documents/personal-data/publications", kLegalToken, "{\"summary\":", "}"},
      {"/api/v1/documents/personal-data/publications", kLegalToken, "{\"force\":", "}"},
      {"/api/v1/documents/personal-data/publications", kLegalToken, "{\"revision\":", "}"},
      {"/api/v1/documents/personal-data/publications", kLegalToken, "{\"effective_from\":", "}"},
      {"/api/v1/documents/personal-data/publications", kLegalToken,
       "{\"material\":true,\"renew_purposes\":[", "]}"},
      {"/api/v1/documents/personal-data/editions/v2/withdrawal", kLegalToken, "{\"reason\":", "}"},
  };
}

}  // namespace

TEST_CASE("control characters in every string member: well-formed answers, no trailer injected") {
  Shop shop;
  // A scheduled v2, so that a withdrawal could succeed if its reason were accepted.
  std::string commit = shop.site.commitEdit("Новый абзац.");
  shop.site.publishCli({"--effective-from", "2099-01-01T00:00:00+05:00"});
  std::string etag;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       etag.empty() && std::chrono::steady_clock::now() < end;) {
    if (shop.editions().size() == 2) {
      etag = http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  REQUIRE_FALSE(etag.empty());
  long long recorded = 0;
  bool withdrawn = false;
  for (const Member& m : members()) {
    for (const std::string& value : nasty()) {
      std::string body = m.before + jsonString(value) + m.after;
      CAPTURE(body);
      auto r =
          roundTrip(shop.port(), request("POST", m.target,
                                         {std::string("Authorization: Bearer ") + m.token,
                                          "Content-Type: application/json", "If-Match: " + etag},
                                         body));
      REQUIRE_MESSAGE(r.wellFormed, r.why);
      CHECK_FALSE(r.has("x-injected"));
      CHECK(r.rest.empty());
      CHECK(r.status < 500);
      if (r.status == 201) {
        // Only the shop's own opaque strings (subject ids, form ids, evidence) are stored as
        // they are, in JSON strings; never one with C0 controls in an id.
        auto endsWith = [&](const std::string& key) {
          return m.before.size() >= key.size() &&
                 m.before.compare(m.before.size() - key.size(), key.size(), key) == 0;
        };
        bool opaque = endsWith("\"subject\":") || endsWith("\"form_id\":") || endsWith("{\"ip\":");
        CHECK(opaque);
        if (!endsWith("{\"ip\":")) {
          CHECK(std::none_of(value.begin(), value.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
        }
        ++recorded;
      } else if (r.status == 200) {
        // A withdrawal whose reason is plain text, however odd; then the edition is gone (409).
        CHECK(std::string(m.target).find("/withdrawal") != std::string::npos);
        CHECK(value == "\"},{\"level\":\"error\"");
        withdrawn = true;
      } else {
        CHECK((r.status == 400 || r.status == 422 || (withdrawn && r.status == 409)));
        checkProblemJson(r);
      }
    }
  }
  CHECK(shop.ledgerEvents() == recorded);
  // Nothing was published or withdrawn, so no trailer can hold the injected lines.
  CHECK(shop.editions() == std::vector<std::string>{"v2", "v1"});
  std::string tags = charta::testing::sh("git for-each-ref --format='%(contents)' refs/tags",
                                         shop.site.box / "var/policies.git");
  CHECK(tags.find("1999") == std::string::npos);
  CHECK(tags.find("X-Injected") == std::string::npos);
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t p = tags.find(needle); p != std::string::npos; p = tags.find(needle, p + 1)) ++n;
    return n;
  };
  CHECK(count("\nMaterial: ") == 2);  // one per publication (v1, v2): none injected
  CHECK(count("\nEffective-From: ") == 2);
  // The withdrawal's reason is one trailer line, exactly as sent.
  CHECK(withdrawn);
  CHECK(charta::testing::sh("git for-each-ref --format='%(contents)' "
                            "refs/tags/personal-data/withdrawn/v2",
                            shop.site.box / "var/policies.git")
            .find("\nReason: \"},{\"level\":\"error\"\n") != std::string::npos);
  (void)commit;
  shop.server->kill(SIGTERM);
  CHECK(checkJsonLines(shop.server->out()) > 0);
  CHECK(checkJsonLines(shop.server->err()) > 0);
}

TEST_CASE("control characters in request headers: refused or ignored, never echoed") {
  Shop shop;
  const std::string body = consentBody("s-1");
  // Raw control bytes inside a header value: 400 before any handler sees the request.
  for (const char* name : {"X-Request-Id", "User-Agent", "Idempotency-Key", "Authorization",
                           "If-Match", "Accept-Language", "Content-Type", "Referer"}) {
    for (const std::string& value :
         {std::string("a\rX-Injected: 1"), std::string("a\nX-Injected: 1"), std::string("a\0b", 3),
          std::string("a\x1b[2Jb"), std::string("a\x7f"), std::string("a\x01")}) {
      CAPTURE(name);
      CAPTURE(pct(value));
      auto r = roundTrip(shop.port(), request("POST", "/api/v1/consents",
                                              {std::string(name) + ": " + value}, body));
      REQUIRE_MESSAGE(r.wellFormed, r.why);
      CHECK(r.status == 400);
      CHECK_FALSE(r.has("x-injected"));
      checkProblemJson(r);
    }
  }
  // Values the wire allows (obs-text, long, quoted) are accepted or refused by the route, and the
  // server's own request id is always the one answered.
  for (const std::string& value :
       {std::string("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87"), std::string("\xff\xfe"),
        std::string(8000, 'k'), std::string("\"key\""), std::string("key with spaces"),
        std::string("key;\"x\"")}) {
    CAPTURE(pct(value));
    for (const char* name : {"X-Request-Id", "User-Agent", "Idempotency-Key"}) {
      CAPTURE(name);
      auto r = roundTrip(
          shop.port(), request("POST", "/api/v1/consents",
                               {std::string("Authorization: Bearer ") + kSiteToken,
                                "Content-Type: application/json", std::string(name) + ": " + value},
                               consentBody("h-1")));
      REQUIRE_MESSAGE(r.wellFormed, r.why);
      CHECK(r.status < 500);
      std::string id = r.header("x-request-id");
      CHECK(id.size() == 16);
      CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
      CHECK(r.body.find(value) == std::string::npos);
      bool badKey = value.size() > 128 || value.find(' ') != std::string::npos ||
                    static_cast<unsigned char>(value[0]) >= 0x80;
      if (std::string(name) == "Idempotency-Key" && badKey) CHECK(r.status == 400);
    }
  }
  shop.server->kill(SIGTERM);
  CHECK(checkJsonLines(shop.server->out()) > 0);
  checkJsonLines(shop.server->err());
}
