// Malformed JSON bodies and malformed UTF-8 in bodies, queries and paths: always a 4xx problem,
// never a 5xx, a crash or a record.
#include <string>
#include <vector>

#include "hostile/hostile_support.h"

using namespace charta::hostile;

namespace {

struct Write {
  const char* target;
  const char* token;
};

// Every route that reads a JSON body.
const std::vector<Write>& writes() {
  static const std::vector<Write> w = {
      {"/api/v1/consents", kSiteToken},
      {"/api/v1/withdrawals", kSiteToken},
      {"/api/v1/subjects/s-1/block", kLegalToken},
      {"/api/v1/subjects/s-1/unblock", kLegalToken},
      {"/api/v1/documents/personal-data/publications", kLegalToken},
      {"/api/v1/documents/personal-data/editions/v1/withdrawal", kLegalToken},
  };
  return w;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Posts "body" to every write route; each must answer 400 (or 413 when "tooLarge") as a problem.
void refusedEverywhere(Shop& shop, const std::string& etag, const std::string& body,
                       int status = 400) {
  for (const Write& w : writes()) {
    INFO("target " << w.target);
    auto r = roundTrip(shop.port(), request("POST", w.target,
                                            {std::string("Authorization: Bearer ") + w.token,
                                             "Content-Type: application/json", "If-Match: " + etag},
                                            body));
    REQUIRE_MESSAGE(r.wellFormed, r.why);
    CHECK(r.status == status);
    checkProblemJson(r);
  }
}

}  // namespace

TEST_CASE("deeply nested JSON is refused before parsing; the server never overflows its stack") {
  Shop shop({"server.max_body=4194304"});
  const std::string etag =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  auto deep = [](size_t depth) {
    return std::vector<std::string>{
        repeat("[", depth), repeat("[", depth) + repeat("]", depth),
        "{\"evidence\":" + repeat("{\"a\":", depth) + "1" + repeat("}", depth) + "}",
        // Closing brackets first cannot bring the count below zero and hide what follows.
        repeat("]", depth) + repeat("[", depth)};
  };
  for (size_t depth : {9, 129, 1000}) {
    CAPTURE(depth);
    for (const std::string& body : deep(depth)) refusedEverywhere(shop, etag, body);
  }
  // Megabytes of nesting: the check before parsing is shared by every route; two suffice.
  for (size_t depth : {100000, 600000}) {
    CAPTURE(depth);
    for (const std::string& body : deep(depth)) {
      for (const char* target :
           {"/api/v1/consents", "/api/v1/documents/personal-data/editions/v1/withdrawal"}) {
        INFO("target " << target);
        auto r = roundTrip(shop.port(), request("POST", target,
                                                {std::string("Authorization: Bearer ") +
                                                     (target[8] == 'c' ? kSiteToken : kLegalToken),
                                                 "Content-Type: application/json"},
                                                body));
        REQUIRE_MESSAGE(r.wellFormed, r.why);
        CHECK(r.status == 400);
        checkProblemJson(r);
      }
    }
  }
  // Brackets inside strings are text, not nesting: accepted where the member is free text.
  auto ok = http(shop.port(), "POST", "/api/v1/consents",
                 {{"Authorization", std::string("Bearer ") + kSiteToken},
                  {"Content-Type", "application/json"}},
                 "{\"subject\":\"s-[[[[[[[[[[[[[[[[[[[[\",\"document\":\"personal-data\","
                 "\"edition\":\"v1\",\"language\":\"ru\",\"purposes\":[\"marketing\"],"
                 "\"collection_method\":\"web-form\",\"evidence\":{\"x\":\"" +
                     repeat("[{", 2000) + "\"}}");
  CHECK(ok.status == 201);
  CHECK(shop.ledgerEvents() == 1);
  shop.checkAlive();
}

TEST_CASE("malformed JSON, duplicate members, wrong types, huge numbers: 400 problems") {
  Shop shop;
  const std::string etag =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  for (const std::string& body : std::vector<std::string>{
           " ",
           "null",
           "true",
           "0",
           "\"x\"",
           "[]",
           "[{}]",
           "{",
           "}",
           "{\"a\"}",
           "{\"a\":}",
           "{\"a\":1,}",
           "{,}",
           "{'a':1}",
           "{\"a\":01}",
           "{\"a\":1e}",
           "{\"a\":NaN}",
           "{\"a\":Infinity}",
           "{\"a\":-}",
           "{\"a\":\"\\x41\"}",
           "{\"a\":\"\\u12\"}",
           "{\"a\":\"unterminated}",
           "{\"a\":1}{\"b\":2}",
           "{\"a\":1} x",
           std::string("{\"a\":\"\0\"}", 9),
           std::string("{\0}", 3),
           "{\"a\":\"tab\there\"}",
           "{\"a\":\"new\nline\"}",
           "\xef\xbb\xbf{}",  // a byte-order mark
           "{\"unknown\":1}",
           "{\"subject\":\"a\",\"subject\":\"b\"}",
           "{\"reason\":\"a\",\"reason\":\"b\"}",
           "{\"summary\":\"a\",\"summary\":\"a\"}",
           "{\"evidence\":{\"k\":1,\"k\":2}}",
           "{\"evidence\":{\"k\":{\"j\":1,\"j\":1}}}",
       }) {
    CAPTURE(body);
    refusedEverywhere(shop, etag, body);
  }
  // Wrong types and huge numbers in each member of the consent body.
  const std::string base =
      "\"subject\":\"s-1\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
      "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"";
  auto with = [&](const std::string& member, const std::string& value) {
    // Replaces "member" in the base body, or adds it.
    std::string b = "{" + base + "}";
    std::string key = "\"" + member + "\":";
    size_t p = b.find(key);
    if (p == std::string::npos) return "{" + base + "," + key + value + "}";
    size_t vStart = p + key.size();
    size_t vEnd = b[vStart] == '[' ? b.find(']', vStart) + 1 : b.find_first_of(",}", vStart + 1);
    if (b[vStart] == '"') vEnd = b.find('"', vStart + 1) + 1;
    return b.substr(0, vStart) + value + b.substr(vEnd);
  };
  const std::vector<std::string> wrong = {
      "1",
      "-1",
      "1.5",
      "1e308",
      "-1e308",
      "1e999",
      "99999999999999999999999999999999",
      "-99999999999999999999999999999999",
      "18446744073709551616",
      "9223372036854775808",
      "true",
      "null",
      "[]",
      "{}",
      "[[\"marketing\"]]",
      "[1]",
      "[null]",
      "\"\"",
  };
  for (const char* member : {"subject", "document", "edition", "language", "purposes",
                             "collection_method", "commit", "form_id", "evidence", "page_sha256"}) {
    for (const std::string& value : wrong) {
      if (std::string(member) == "edition" && value == "1") continue;  // 1 is "v1"
      std::string body = with(member, value);
      CAPTURE(body);
      auto r = http(shop.port(), "POST", "/api/v1/consents",
                    {{"Authorization", std::string("Bearer ") + kSiteToken},
                     {"Content-Type", "application/json"}},
                    body);
      // null means "not given" for the optional members; an empty evidence object is evidence.
      bool optional = std::string(member) == "commit" || std::string(member) == "form_id" ||
                      std::string(member) == "evidence" || std::string(member) == "page_sha256" ||
                      std::string(member) == "edition";
      if (optional && (value == "null" || (std::string(member) == "evidence" && value == "{}"))) {
        CHECK((r.status == 201 || r.status == 400));
        continue;
      }
      CHECK(r.status == 400);
      checkProblemJson(r);
    }
  }
  // The publication and withdrawal members.
  for (const char* member :
       {"revision", "effective_from", "material", "renew_purposes", "summary", "force"}) {
    for (const std::string& value : wrong) {
      if (value == "null") continue;  // "not given" for every one of them
      if (std::string(member) == "material" && value == "true") continue;
      std::string body = "{\"" + std::string(member) + "\":" + value + "}";
      CAPTURE(body);
      auto r = http(shop.port(), "POST", "/api/v1/documents/personal-data/publications",
                    {{"Authorization", std::string("Bearer ") + kLegalToken},
                     {"Content-Type", "application/json"},
                     {"If-Match", etag}},
                    body);
      CHECK((r.status == 400 || r.status == 422));
      checkProblemJson(r);
    }
  }
  for (const std::string& value : wrong) {
    std::string body = "{\"reason\":" + value + "}";
    CAPTURE(body);
    auto r = http(shop.port(), "POST", "/api/v1/documents/personal-data/editions/v1/withdrawal",
                  {{"Authorization", std::string("Bearer ") + kLegalToken},
                   {"Content-Type", "application/json"}},
                  body);
    CHECK(r.status == 400);
    checkProblemJson(r);
  }
  CHECK(shop.editions() == std::vector<std::string>{"v1"});
  shop.checkAlive();
}

TEST_CASE("invalid UTF-8 in bodies, queries and paths: 400, never stored") {
  Shop shop;
  const std::string etag =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  const std::vector<std::string> bad = {
      "\xff",              // never valid
      "\xc0\xaf",          // overlong "/"
      "\xe0\x80\xaf",      // overlong "/"
      "\xed\xa0\x80",      // a surrogate
      "\xf4\x90\x80\x80",  // beyond U+10FFFF
      "\xc3",              // truncated
      "a\x80z",            // a lone continuation byte
  };
  for (const std::string& b : bad) {
    CAPTURE(pct(b));
    // Raw in a JSON string, in a key, and as JSON escapes of unpaired surrogates.
    refusedEverywhere(shop, etag, "{\"reason\":\"" + b + "\"}");
    refusedEverywhere(shop, etag, "{\"" + b + "\":1}");
    auto consent = http(shop.port(), "POST", "/api/v1/consents",
                        {{"Authorization", std::string("Bearer ") + kSiteToken},
                         {"Content-Type", "application/json"}},
                        consentBody("s-" + b));
    CHECK(consent.status == 400);
    checkProblemJson(consent);
    // Percent-encoded in paths and query values.
    for (const std::string& target : std::vector<std::string>{
             "/api/v1/documents/" + pct(b),
             "/api/v1/documents/personal-data/editions/v1?lang=" + pct(b),
             "/api/v1/documents/personal-data/current?at=" + pct(b),
             "/api/v1/documents/personal-data/editions?cursor=" + pct(b),
             "/api/v1/documents/personal-data/diff?from=v1&to=" + pct(b),
             "/api/v1/subjects/" + pct(b) + "/consents",
             "/api/v1/subjects/" + pct(b) + "/export",
             "/api/v1/subjects/s-1/status?document=" + pct(b),
             "/api/v1/consents/" + pct(b),
         }) {
      CAPTURE(target);
      auto r = http(shop.port(), "GET", target, bearer(kAuditorToken));
      CHECK((r.status == 400 || r.status == 404));
      checkProblemJson(r);
    }
    for (const std::string& target :
         std::vector<std::string>{"/" + pct(b), "/personal-data/" + pct(b)}) {
      CAPTURE(target);
      CHECK(http(shop.port(), "GET", target).status == 404);
    }
    // Not a language tag: a malformed request.
    CHECK(http(shop.port(), "GET", "/personal-data?lang=" + pct(b)).status == 400);
    // Raw bytes above 0x7f in the request line are not a URI at all.
    auto raw = roundTrip(shop.port(), request("GET", "/api/v1/documents/" + b));
    REQUIRE_MESSAGE(raw.wellFormed, raw.why);
    CHECK(raw.status == 400);
  }
  for (const char* escape : {"\\ud800", "\\udfff", "\\ud800\\u0041", "\\udc00\\ud800"}) {
    CAPTURE(escape);
    auto r = http(shop.port(), "POST", "/api/v1/consents",
                  {{"Authorization", std::string("Bearer ") + kSiteToken},
                   {"Content-Type", "application/json"}},
                  "{\"subject\":\"s-" + std::string(escape) +
                      "\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
                      "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"}");
    CHECK(r.status == 400);
    checkProblemJson(r);
  }
  CHECK(shop.ledgerEvents() == 0);
  shop.checkAlive();
}

TEST_CASE("a number outside its member's range is 400 naming the member, never wrapped") {
  Shop shop;
  auto post = [&](const std::string& body) {
    CAPTURE(body);
    return http(shop.port(), "POST", "/api/v1/consents",
                {{"Authorization", std::string("Bearer ") + kSiteToken},
                 {"Content-Type", "application/json"}},
                body);
  };
  // A consent body for subject "s-n" with "member" set to the raw JSON "value".
  auto body = [](const std::string& member, const std::string& value) {
    std::string b =
        "{\"subject\":\"s-n\",\"document\":\"personal-data\",\"language\":\"ru\","
        "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"";
    if (member != "edition") b += ",\"edition\":\"v1\"";
    return b + ",\"" + member + "\":" + value + "}";
  };
  auto refused = [&](const HttpResponse& r, const std::string& member) {
    INFO(r.body);
    CHECK(r.status == 400);
    checkProblemJson(r);
    auto o = charta::apitest::object(r.body);
    CHECK(o->getValue<std::string>("type") == "https://charta.dev/problems/invalid-request");
    CHECK(o->optValue<std::string>("field", "") == member);
  };
  // Valid JSON numbers, each outside what an edition may be (1 to 999999, a whole number).
  // 2^64 + 1 and 2^64 + 2 once wrapped to v1 and v2; -(2^64 - 1) was refused as invalid JSON.
  for (const char* value :
       {"18446744073709551617", "18446744073709551618", "-18446744073709551615",
        "18446744073709551615", "9223372036854775808", "-9223372036854775809", "4294967297",
        "1000000", "0", "-1", "1e400", "-1e400", "1e-400", "1.0", "1e0", "2.5"}) {
    CAPTURE(value);
    refused(post(body("edition", value)), "edition");
  }
  // Names of editions other than v<N>.
  for (const char* value : {"\"V1\"", "\"1\"", "\"v01\"", "\" v1\""}) {
    CAPTURE(value);
    refused(post(body("edition", value)), "edition");
  }
  // Inside a member that takes any JSON (evidence) a number beyond 64 bits or a double is
  // refused too: it would be stored as another number.
  for (const char* value : {"{\"n\":18446744073709551617}", "{\"n\":[1,{\"m\":1e400}]}",
                            "{\"n\":-18446744073709551615}", "{\"n\":1e-400}"}) {
    CAPTURE(value);
    refused(post(body("evidence", value)), "evidence");
  }
  // In a member that takes no number at all, and in the other bodies: a field error as well.
  refused(post(body("form_id", "-18446744073709551615")), "form_id");
  auto r = http(shop.port(), "POST", "/api/v1/documents/personal-data/editions/v1/withdrawal",
                {{"Authorization", std::string("Bearer ") + kLegalToken},
                 {"Content-Type", "application/json"}},
                "{\"reason\":18446744073709551617}");
  refused(r, "reason");
  // A member that is not taken at all is named as such, whatever its value.
  r = post(body("unknown", "1e400"));
  CHECK(r.status == 400);
  CHECK(charta::apitest::object(r.body)->getValue<std::string>("type") ==
        "https://charta.dev/problems/unknown-field");
  // Malformed JSON stays invalid-json, also next to a huge number.
  r = post("{\"edition\":18446744073709551617,}");
  CHECK(r.status == 400);
  CHECK(charta::apitest::object(r.body)->getValue<std::string>("type") ==
        "https://charta.dev/problems/invalid-json");
  CHECK(shop.ledgerEvents() == 0);

  // Numbers within range are kept exactly: the edition as a JSON integer, and evidence numbers
  // at the ends of 64 bits.
  r = post(body("edition", "1"));
  REQUIRE(r.status == 201);
  r = post(
      "{\"subject\":\"s-m\",\"document\":\"personal-data\",\"edition\":1,\"language\":\"ru\","
      "\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\",\"evidence\":"
      "{\"max\":9223372036854775807,\"min\":-9223372036854775808,\"half\":0.5}}");
  REQUIRE(r.status == 201);
  CHECK(r.body.find("\"max\":9223372036854775807") != std::string::npos);
  CHECK(r.body.find("\"min\":-9223372036854775808") != std::string::npos);
  CHECK(r.body.find("\"half\":0.5") != std::string::npos);
  auto receipt = charta::apitest::object(r.body);
  CHECK(receipt->getObject("privacy_notice")->getValue<int>("edition") == 1);
  CHECK(shop.ledgerEvents() == 2);
  shop.checkAlive();
}
