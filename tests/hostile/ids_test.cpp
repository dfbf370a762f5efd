// Path traversal and git revision syntax in every place a request names something: documents,
// editions, revisions, purposes, languages, subjects, consents; in paths, queries and bodies.
#include <string>
#include <vector>

#include "hostile/hostile_support.h"

using namespace charta::hostile;

namespace {

// Ids that name files or git objects if anything passes them on unchecked. Each is sent
// percent-encoded (so "/" arrives as %2F) and, where the wire allows, as it is.
const std::vector<std::string>& hostileIds() {
  static const std::vector<std::string> ids = {
      "..",
      "../",
      "../../charta.xml",
      "..\\..\\charta.xml",
      "%2e%2e",
      "%2e%2e%2f%2e%2e%2fcharta.xml",
      "personal-data/../../charta.xml",
      "/etc/passwd",
      "%2F",
      "HEAD",
      "HEAD~1",
      "HEAD^",
      "@{-1}",
      "@{upstream}",
      "main",
      "main^{tree}",
      "main@{0}",
      "v1:charta.xml",
      "v1:personal-data/ru.md",
      "HEAD:charta.xml",
      ":/Publish",
      "refs/tags/personal-data/v1",
      "personal-data/v1",
      "personal-data/v1^{commit}",
      "v1^",
      "v1~0",
      "v01",
      "v0",
      "v-1",
      "v99999999999999999999",
      "-1",
      "--help",
      "*",
      "ru/../../charta.xml",
      std::string("v1\0", 3),
      std::string("personal-data\0../charta.xml", 27),
      std::string(3000, 'a'),
      std::string(1000, '.'),
  };
  return ids;
}

// How a place may answer a hostile id besides 400 and 404.
enum class Also {
  kNothing,
  kOpaque,     // subject ids are the shop's opaque strings: "..", "HEAD~1" are ordinary ids (200)
  kFilter,     // a filter naming a document that does not exist matches nothing (200)
  kDraftsAuth  // a diff of anything but editions needs a token (401 without one)
};

// A route with one place for an id and the role that may use it.
struct Place {
  const char* method;
  std::string before, after;  // the target is before + id + after
  const char* token;          // nullptr: public
  Also also = Also::kNothing;
};

const std::vector<Place>& pathPlaces() {
  static const std::vector<Place> places = {
      {"GET", "/api/v1/documents/", "", nullptr},
      {"GET", "/api/v1/documents/", "/current", nullptr},
      {"GET", "/api/v1/documents/", "/editions", nullptr},
      {"GET", "/api/v1/documents/", "/editions/v1", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions/", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions/", "?format=markdown", nullptr},
      {"GET", "/api/v1/documents/", "/diff", nullptr},
      {"GET", "/api/v1/documents/", "/revisions", kLegalToken},
      {"POST", "/api/v1/documents/", "/publications", kLegalToken},
      {"POST", "/api/v1/documents/personal-data/editions/", "/withdrawal", kLegalToken},
      {"POST", "/api/v1/documents/", "/editions/v1/withdrawal", kLegalToken},
      {"GET", "/api/v1/consents/", "", kAuditorToken},
      {"GET", "/api/v1/subjects/", "/consents", kAuditorToken, Also::kOpaque},
      {"GET", "/api/v1/subjects/", "/status?document=personal-data", kSiteToken, Also::kOpaque},
      {"GET", "/api/v1/subjects/", "/export", kAuditorToken, Also::kOpaque},
      // Query positions.
      {"GET", "/api/v1/documents/personal-data/current?at=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions?cursor=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions?limit=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions/v1?lang=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/editions/v1?format=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/diff?from=", "&to=v1", nullptr, Also::kDraftsAuth},
      {"GET", "/api/v1/documents/personal-data/diff?from=v1&to=", "", nullptr, Also::kDraftsAuth},
      {"GET", "/api/v1/documents/personal-data/diff?from=", "&to=v1", kLegalToken},
      {"GET", "/api/v1/documents/personal-data/diff?from=v1&to=", "", kLegalToken},
      {"GET", "/api/v1/documents/personal-data/diff?lang=", "", nullptr},
      {"GET", "/api/v1/documents/personal-data/revisions?limit=", "", kLegalToken},
      {"GET", "/api/v1/subjects/s-1/status?document=", "", kSiteToken},
      {"GET", "/api/v1/subjects/s-1/consents?document=", "", kAuditorToken, Also::kFilter},
  };
  return places;
}

// The site's pages: a 404 page (HTML) for anything that is not a page.
const std::vector<std::pair<std::string, std::string>>& pagePlaces() {
  static const std::vector<std::pair<std::string, std::string>> places = {
      {"/", ""},
      {"/personal-data/", ""},
      {"/personal-data/", "/x"},
      {"/personal-data?lang=", ""},
      {"/personal-data/v1?lang=", ""},
      {"/personal-data/changes/", ""},
      {"/personal-data/changes/v1...", ""},
      {"/assets/", ""},
      {"/assets/", "/charta.css"},
  };
  return places;
}

bool isPublicationBodyTarget(const Place& p) {
  return p.method == std::string("POST") && p.after == "/publications";
}

}  // namespace

TEST_CASE("hostile ids in paths and queries: 4xx problems, never a file, never a 5xx") {
  Shop shop;
  const auto etag =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  REQUIRE_FALSE(etag.empty());
  size_t sent = 0;
  for (const Place& place : pathPlaces()) {
    for (const std::string& id : hostileIds()) {
      std::vector<std::string> forms = {pct(id)};
      // As it is where the request line allows it (no control bytes, no spaces).
      bool wireSafe = id.size() < 3500;
      for (char c : id) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '?' || c == '#') wireSafe = false;
      }
      if (wireSafe) forms.push_back(id);
      for (const std::string& form : forms) {
        std::string target = place.before + form + place.after;
        std::vector<std::string> headers;
        if (place.token) headers.push_back(std::string("Authorization: Bearer ") + place.token);
        std::optional<std::string> body;
        if (place.method == std::string("POST")) {
          headers.push_back("Content-Type: application/json");
          headers.push_back("If-Match: " + etag);
          body = isPublicationBodyTarget(place) ? "{}" : "{\"reason\":\"hostile\"}";
        }
        auto r = roundTrip(shop.port(), request(place.method, target, headers, body));
        CAPTURE(target);
        ++sent;
        REQUIRE_MESSAGE(r.wellFormed, r.why);
        CHECK_FALSE(leaksFile(r.body));
        CHECK(r.status < 500);
        CAPTURE(r.status);
        bool expected = r.status == 400 || r.status == 404;
        if (place.also == Also::kOpaque || place.also == Also::kFilter) {
          // The (empty) record of that subject; ids that are not 1-128 bytes of UTF-8 without
          // control characters still get 400.
          expected = expected || r.status == 200;
          if (r.status == 200) {
            CHECK(r.header("content-type") == "application/json");
            CHECK(r.body.find("\"given\"") == std::string::npos);  // nothing recorded for it
          }
        }
        if (place.also == Also::kDraftsAuth) {
          expected = expected || r.status == 401 || r.status == 429;
        }
        CHECK(expected);
        if (r.status != 200) checkProblemJson(r);
      }
    }
  }
  MESSAGE(sent << " hostile API requests");
  // Nothing was published or withdrawn, and the server still answers.
  CHECK(shop.editions() == std::vector<std::string>{"v1"});
  CHECK(shop.ledgerEvents() == 0);
  shop.checkAlive();
}

TEST_CASE("hostile ids in the site's pages: the 404 page, never a file") {
  Shop shop;
  for (const auto& [before, after] : pagePlaces()) {
    for (const std::string& id : hostileIds()) {
      std::string target = before + pct(id) + after;
      CAPTURE(target);
      auto r = roundTrip(shop.port(), request("GET", target));
      REQUIRE_MESSAGE(r.wellFormed, r.why);
      CHECK_FALSE(leaksFile(r.body));
      CHECK((r.status == 400 || r.status == 404));
    }
  }
  // Dot segments and git syntax written as they are.
  for (const char* target :
       {"/..", "/../charta.xml", "/assets/../charta.xml", "/assets/..%2f..%2fcharta.xml",
        "/personal-data/..", "/personal-data/HEAD:charta.xml", "/personal-data/v1:charta.xml",
        "/personal-data/main^{tree}", "/personal-data/@{-1}", "/personal-data/v1/../../charta.xml",
        "/personal-data/changes/v1...HEAD~1", "/personal-data/changes/HEAD...v1", "/.git/config",
        "/var/policies.git/config", "/policies.git/HEAD"}) {
    CAPTURE(target);
    auto r = roundTrip(shop.port(), request("GET", target));
    REQUIRE_MESSAGE(r.wellFormed, r.why);
    CHECK_FALSE(leaksFile(r.body));
    CHECK((r.status == 400 || r.status == 404));
  }
  shop.checkAlive();
}

TEST_CASE("hostile ids in request bodies: 4xx problems, nothing recorded or published") {
  Shop shop;
  const auto etag =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  const std::string consentTemplate =
      "{\"subject\":\"s-1\",\"document\":@document@,\"edition\":@edition@,\"language\":@language@,"
      "\"purposes\":[@purpose@],\"collection_method\":@method@@extra@}";
  auto fill = [&](std::string tpl, const std::string& field, const std::string& value) {
    const std::vector<std::pair<std::string, std::string>> defaults = {
        {"@document@", "\"personal-data\""}, {"@edition@", "\"v1\""},      {"@language@", "\"ru\""},
        {"@purpose@", "\"marketing\""},      {"@method@", "\"web-form\""}, {"@extra@", ""}};
    for (const auto& [k, def] : defaults) {
      size_t p = tpl.find(k);
      tpl.replace(p, k.size(), k == field ? value : def);
    }
    return tpl;
  };
  long long recorded = 0;
  for (const std::string& id : hostileIds()) {
    const std::string v = jsonString(id);
    struct Body {
      const char* target;
      std::string body;
      const char* token;
      bool opaque = false;  // a free-form token of the shop: recorded as it is (201)
    };
    const std::vector<Body> bodies = {
        {"/api/v1/consents", fill(consentTemplate, "@document@", v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@edition@", v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@language@", v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@purpose@", v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@method@", v), kSiteToken, true},
        {"/api/v1/consents", fill(consentTemplate, "@extra@", ",\"commit\":" + v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@extra@", ",\"page_sha256\":" + v), kSiteToken},
        {"/api/v1/consents", fill(consentTemplate, "@extra@", ",\"form_id\":" + v), kSiteToken,
         true},
        {"/api/v1/withdrawals",
         "{\"subject\":\"s-1\",\"document\":" + v + ",\"purposes\":[\"marketing\"]}", kSiteToken},
        {"/api/v1/withdrawals",
         "{\"subject\":\"s-1\",\"document\":\"personal-data\",\"edition\":" + v +
             ",\"purposes\":[\"marketing\"]}",
         kSiteToken},
        {"/api/v1/withdrawals",
         "{\"subject\":\"s-1\",\"document\":\"personal-data\",\"purposes\":[" + v + "]}",
         kSiteToken},
        {"/api/v1/documents/personal-data/publications", "{\"revision\":" + v + "}", kLegalToken},
        {"/api/v1/documents/personal-data/publications",
         "{\"renew_purposes\":[" + v + "],\"material\":true}", kLegalToken},
        {"/api/v1/documents/personal-data/publications", "{\"effective_from\":" + v + "}",
         kLegalToken},
        {"/api/v1/subjects/s-1/block", "{\"document\":" + v + "}", kLegalToken},
    };
    for (const auto& b : bodies) {
      INFO("target " << b.target);
      CAPTURE(b.body.substr(0, 300));
      auto r =
          roundTrip(shop.port(), request("POST", b.target,
                                         {std::string("Authorization: Bearer ") + b.token,
                                          "Content-Type: application/json", "If-Match: " + etag},
                                         b.body));
      REQUIRE_MESSAGE(r.wellFormed, r.why);
      CHECK_FALSE(leaksFile(r.body));
      CAPTURE(r.status);
      if (b.opaque && r.status == 201) {
        ++recorded;
        // Recorded exactly as sent, in a JSON string.
        CHECK(charta::apitest::object(r.body)->has("pii_principal_id"));
      } else {
        CHECK((r.status == 400 || r.status == 404 || r.status == 422));
        checkProblemJson(r);
      }
    }
  }
  CHECK(shop.editions() == std::vector<std::string>{"v1"});
  CHECK(shop.ledgerEvents() == recorded);
  shop.checkAlive();
}

TEST_CASE("an edition is named v<N> everywhere; language tags in any case; bad escapes are 400") {
  Shop shop;
  auto consent = [&](const std::string& edition, const std::string& language) {
    std::string body =
        "{\"subject\":\"s-ids\",\"document\":\"personal-data\",\"edition\":" + edition +
        ",\"language\":" + jsonString(language) +
        ",\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"}";
    CAPTURE(body);
    return http(shop.port(), "POST", "/api/v1/consents",
                {{"Authorization", std::string("Bearer ") + kSiteToken},
                 {"Content-Type", "application/json"}},
                body);
  };
  // "V1" and "1" are refused in a body as in a path: one rule, v<N> (or the JSON integer N).
  for (const char* name : {"\"V1\"", "\"1\"", "\"v01\""}) {
    auto r = consent(name, "ru");
    CHECK(r.status == 400);
    checkProblemJson(r);
    CHECK(charta::apitest::object(r.body)->optValue<std::string>("field", "") == "edition");
  }
  CHECK(http(shop.port(), "GET", "/personal-data/V1").status == 404);
  auto r = http(shop.port(), "GET", "/api/v1/documents/personal-data/editions/V1");
  CHECK(r.status == 400);
  checkProblemJson(r);
  r = http(shop.port(), "GET", "/api/v1/documents/personal-data/diff?from=V1&to=v1");
  CHECK(r.status == 400);
  CHECK(shop.ledgerEvents() == 0);

  // Language tags are case-insensitive (RFC 5646): "RU" is ru, in a body, on a page, in the API;
  // the receipt records the document's own spelling.
  r = consent("\"v1\"", "RU");
  REQUIRE(r.status == 201);
  CHECK(charta::apitest::object(r.body)
            ->getObject("privacy_notice")
            ->getValue<std::string>("language") == "ru");
  r = consent("1", "Ru");
  CHECK(r.status == 201);
  r = http(shop.port(), "GET", "/personal-data?lang=RU");
  CHECK(r.status == 200);
  CHECK(r.header("content-language") == "ru");
  const std::string page = r.body;
  r = http(shop.port(), "GET", "/api/v1/documents/personal-data/editions/v1?lang=RU");
  CHECK(r.status == 200);
  r = http(shop.port(), "GET",
           "/api/v1/documents/personal-data/editions/v1?format=markdown&lang=RU");
  CHECK(r.status == 200);
  CHECK(r.header("content-language") == "ru");
  // A language the document does not have: the controlling language, as the README says (the
  // page of ?lang=xx is the page in force, byte for byte).
  for (const char* tag : {"xx", "en-GB", "kk"}) {
    CAPTURE(tag);
    r = http(shop.port(), "GET", std::string("/personal-data?lang=") + tag);
    CHECK(r.status == 200);
    CHECK(r.header("content-language") == "ru");
    CHECK(r.body == page);
    CHECK(http(shop.port(), "GET", std::string("/personal-data/v1?lang=") + tag).status == 200);
    CHECK(http(shop.port(), "GET", std::string("/personal-data/versions?lang=") + tag).status ==
          200);
  }
  // ... and Accept-Language before it.
  r = http(shop.port(), "GET", "/personal-data?lang=xx", {{"Accept-Language", "kk, ru;q=0.5"}});
  CHECK(r.status == 200);
  CHECK(r.header("content-language") == "ru");
  // Something that is not a language tag at all is a malformed request.
  CHECK(http(shop.port(), "GET", "/personal-data?lang=x_1").status == 400);
  CHECK(http(shop.port(), "GET", "/personal-data?lang=").status == 400);

  // A malformed percent-encoding is 400, not "no such page": in a path or a query, on a page or
  // in the API, with a token or without.
  for (const std::string target :
       {"/personal-data%zz", "/personal-data/v%1", "/personal-data?lang=%zz", "/%", "/livez%",
        "/personal-data?x=%g0"}) {
    CAPTURE(target);
    auto raw = roundTrip(shop.port(), request("GET", target));
    REQUIRE_MESSAGE(raw.wellFormed, raw.why);
    CHECK(raw.status == 400);
    CHECK_FALSE(leaksFile(raw.body));
  }
  for (const std::string target :
       {"/api/v1/documents/personal%zzdata", "/api/v1/documents/personal-data/editions/v%",
        "/api/v1/subjects/a%zz/consents", "/api/v1/consents/%", "/api/v1/nothing%zz",
        "/api/v1/documents/personal-data/current?at=%zz",
        "/api/v1/documents/personal-data/editions?limit=1%"}) {
    CAPTURE(target);
    auto raw =
        roundTrip(shop.port(),
                  request("GET", target, {"Authorization: Bearer " + std::string(kAuditorToken)}));
    REQUIRE_MESSAGE(raw.wellFormed, raw.why);
    CHECK(raw.status == 400);
    checkProblemJson(raw);
    CHECK(charta::apitest::object(raw.body)->getValue<std::string>("type") ==
          "https://charta.dev/problems/invalid-request");
  }
  auto raw = roundTrip(shop.port(), request("POST", "/api/v1/subjects/s%zz/block",
                                            {"Authorization: Bearer " + std::string(kLegalToken)}));
  CHECK(raw.status == 400);
  CHECK(shop.ledgerEvents() == 2);
  shop.checkAlive();
}
