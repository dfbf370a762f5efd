// The consent API against the real `charta serve`, on SQLite and on a real PostgreSQL server.

#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "consent/consent_support.h"
#include "core/sha256.h"
#include "core/time.h"

using namespace charta;
using namespace charta::consent_testing;
using namespace std::chrono;

#define BACKENDS SqliteLedger, PgLedger

namespace {

// A subject id that must never show up in logs or problem details.
const std::string kSubject = "subj-Ωmega-7f3a9c";

Object::Ptr purposeState(const Object::Ptr& status, const std::string& purpose) {
  auto arr = status->getArray("purposes");
  for (unsigned i = 0; i < arr->size(); ++i) {
    auto p = arr->getObject(i);
    if (str(p, "purpose") == purpose) return p;
  }
  FAIL("no purpose " << purpose << " in status");
  return nullptr;
}

template <typename Shop>
Object::Ptr status(Shop& s, const std::string& subject, const std::string& token) {
  auto r = s.get("/api/v1/subjects/" + pct(subject) + "/status?document=personal-data", token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return parseObject(r.body);
}

}  // namespace

TEST_CASE_TEMPLATE("consents: record, replay, read, withdraw, block, export, verify", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  const auto& t = tokens();

  // The exact text and commit of v1, as the CLI shows them.
  auto shown = s.cli({"--json", "show", "personal-data@v1"});
  REQUIRE(shown.status == 0);
  auto v1 = parseObject(shown.out);

  auto body = consentBody(kSubject, "v1", "\"marketing\",\"account\"",
                          ",\"form_id\":\"checkout-2\",\"evidence\":{\"ua\":\"Mozilla/5.0\","
                          "\"b\":[1,2]}");
  auto created = s.post("/api/v1/consents", body, t.site.token, "key-1");
  INFO(created.body);
  REQUIRE(created.status == 201);
  auto receipt = parseObject(created.body);
  const std::string id = str(receipt, "record_id");
  CHECK(created.header("location") == "/api/v1/consents/" + id);
  CHECK(created.header("content-type") == "application/json");
  CHECK(str(receipt, "pii_principal_id") == kSubject);
  CHECK(str(receipt, "event_type") == "given");
  CHECK(str(receipt, "collection_method") == "web-form");
  CHECK(str(receipt, "form_id") == "checkout-2");
  CHECK(str(receipt, "jurisdiction") == "KZ");
  auto notice = receipt->getObject("privacy_notice");
  CHECK(str(notice, "document") == "personal-data");
  CHECK(num(notice, "edition") == 1);
  CHECK(str(notice, "commit") == str(v1, "commit"));
  CHECK(str(notice, "text_sha256") == str(v1, "text_sha256"));
  CHECK(str(notice, "language") == "ru");
  CHECK(str(notice, "url").find("/personal-data/v1") != std::string::npos);
  CHECK_FALSE(notice->has("page_sha256"));  // the client did not say a page was shown
  auto purposes = receipt->getArray("purposes");
  REQUIRE(purposes->size() == 2);
  CHECK(elem(purposes, 0) == "account");
  CHECK(elem(purposes, 1) == "marketing");
  CHECK(str(receipt->getObject("evidence"), "ua") == "Mozilla/5.0");

  SUBCASE("idempotency: the same key and body replays; another body is a conflict") {
    // Members in another order and evidence members reordered: the same request.
    auto again = s.post("/api/v1/consents",
                        "{\"evidence\":{\"b\":[1,2],\"ua\":\"Mozilla/5.0\"},\"form_id\":"
                        "\"checkout-2\",\"collection_method\":\"web-form\",\"purposes\":["
                        "\"account\",\"marketing\"],\"language\":\"ru\",\"edition\":1,"
                        "\"document\":\"personal-data\",\"subject\":\"" +
                            kSubject + "\"}",
                        t.site.token, "key-1");
    INFO(again.body);
    CHECK(again.status == 200);
    CHECK(str(parseObject(again.body), "record_id") == id);
    CHECK(again.header("location").empty());
    auto other = s.post("/api/v1/consents", consentBody(kSubject, "v1", "\"advertising\""),
                        t.site.token, "key-1");
    CHECK(other.status == 409);
    CHECK(str(parseObject(other.body), "type") ==
          "https://charta.dev/problems/idempotency-key-reused");
    CHECK(s.count() == 1);
  }

  SUBCASE("read back by id, by subject, status, export") {
    auto one = s.get("/api/v1/consents/" + id);
    REQUIRE(one.status == 200);
    CHECK(str(parseObject(one.body)->getObject("chain"), "hash") ==
          str(receipt->getObject("chain"), "hash"));
    CHECK(s.get("/api/v1/consents/00000000-0000-4000-8000-000000000000").status == 404);
    CHECK(s.get("/api/v1/consents/nonsense").status == 404);

    auto list = s.get("/api/v1/subjects/subj-%CE%A9mega-7f3a9c/consents");
    REQUIRE(list.status == 200);
    CHECK(parseObject(list.body)->getArray("events")->size() == 1);

    auto st = status(s, kSubject, t.site.token);
    CHECK(str(st->getObject("in_force"), "edition") == "v1");
    CHECK(flag(st, "blocked") == false);
    CHECK(str(purposeState(st, "marketing"), "state") == "given");
    CHECK(str(purposeState(st, "marketing"), "given_under") == "v1");
    CHECK(str(purposeState(st, "marketing"), "clause") == "4.1.10");
    CHECK(str(purposeState(st, "account"), "state") == "given");
    CHECK(str(purposeState(st, "advertising"), "state") == "never_given");
    CHECK(status(s, kSubject, t.auditor.token)->getArray("purposes")->size() == 3);
    CHECK(s.get("/api/v1/subjects/x/status?document=nope", t.site.token).status == 404);
    CHECK(s.get("/api/v1/subjects/x/status", t.site.token).status == 400);

    auto x = s.get("/api/v1/subjects/" + pct(kSubject) + "/export");
    REQUIRE(x.status == 200);
    auto exported = parseObject(x.body);
    CHECK(str(exported, "pii_principal_id") == kSubject);
    CHECK(exported->getArray("events")->size() == 1);
    // Any subject id can be named in a path: "/" as %2F, "..", spaces.
    for (std::string odd : {"shop/user 42", "..", "a%b?c#d"}) {
      CAPTURE(odd);
      REQUIRE(s.post("/api/v1/consents", consentBody(odd, "v1", "\"marketing\"")).status == 201);
      auto r = s.get("/api/v1/subjects/" + pct(odd) + "/export");
      REQUIRE(r.status == 200);
      auto o = parseObject(r.body);
      CHECK(str(o, "pii_principal_id") == odd);
      CHECK(o->getArray("events")->size() == 1);
    }
    auto none = parseObject(s.get("/api/v1/subjects/somebody-else/export").body);
    CHECK(none->getArray("events")->size() == 0);

    // The CLI exports the same events.
    auto cli = s.cli({"ledger", "export", "--subject", kSubject});
    INFO(cli.err);
    REQUIRE(cli.status == 0);
    auto cliExport = parseObject(cli.out);
    REQUIRE(cliExport->getArray("events")->size() == 1);
    CHECK(str(cliExport->getArray("events")->getObject(0), "record_id") == id);
  }

  SUBCASE("the edition by commit id; the page shown, by its SHA-256") {
    std::string commit = str(v1, "commit");
    auto byCommit =
        s.post("/api/v1/consents",
               "{\"subject\":\"c-1\",\"document\":\"personal-data\",\"commit\":\"" + commit +
                   "\",\"language\":\"ru\",\"purposes\":[\"advertising\"],"
                   "\"collection_method\":\"web-form\"}");
    INFO(byCommit.body);
    CHECK(byCommit.status == 201);
    CHECK(num(parseObject(byCommit.body)->getObject("privacy_notice"), "edition") == 1);

    auto page = testing::http(s.port(), "GET", "/personal-data/v1");
    REQUIRE(page.status == 200);
    std::string pageSha = core::sha256Hex(page.body);
    auto withPage = s.post("/api/v1/consents", consentBody("c-2", "v1", "\"marketing\"",
                                                           ",\"page_sha256\":\"" + pageSha + "\""));
    INFO(withPage.body);
    REQUIRE(withPage.status == 201);
    CHECK(str(parseObject(withPage.body)->getObject("privacy_notice"), "page_sha256") == pageSha);

    auto wrongPage = s.post("/api/v1/consents",
                            consentBody("c-3", "v1", "\"marketing\"",
                                        ",\"page_sha256\":\"" + std::string(64, 'a') + "\""));
    CHECK(wrongPage.status == 422);
    auto problem = parseObject(wrongPage.body);
    CHECK(str(problem, "type") == "https://charta.dev/problems/page-mismatch");
    CHECK(str(problem, "page_sha256") == pageSha);
    CHECK(s.count() == 3);
  }

  SUBCASE("refused editions and purposes: 422 with the edition in force; nothing written") {
    std::string draft = s.commitEdit("Черновик, не опубликован.");
    struct Case {
      std::string body;
      std::string slug;
      std::string editionStatus;
    };
    std::vector<Case> cases = {
        {consentBody("r-1", "v9", "\"marketing\""), "edition-not-in-force", "unknown"},
        {"{\"subject\":\"r-2\",\"document\":\"personal-data\",\"commit\":\"" + draft +
             "\",\"language\":\"ru\",\"purposes\":[\"marketing\"],\"collection_method\":\"api\"}",
         "edition-not-in-force", "draft"},
        {"{\"subject\":\"r-3\",\"document\":\"personal-data\",\"commit\":\"" +
             std::string(40, 'e') +
             "\",\"language\":\"ru\",\"purposes\":[\"marketing\"],\"collection_method\":\"api\"}",
         "edition-not-in-force", "unknown"},
        {consentBody("r-4", "v1", "\"marketing\",\"telepathy\""), "unknown-purpose", ""},
        {"{\"subject\":\"r-5\",\"document\":\"terms\",\"edition\":\"v1\",\"language\":\"ru\","
         "\"purposes\":[\"marketing\"],\"collection_method\":\"api\"}",
         "unknown-document", ""},
        {"{\"subject\":\"r-6\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":"
         "\"kk\",\"purposes\":[\"marketing\"],\"collection_method\":\"api\"}",
         "unknown-language", ""},
    };
    for (const auto& c : cases) {
      CAPTURE(c.body);
      auto r = s.post("/api/v1/consents", c.body);
      INFO(r.body);
      CHECK(r.status == 422);
      CHECK(r.header("content-type") == "application/problem+json");
      auto p = parseObject(r.body);
      CHECK(str(p, "type") == "https://charta.dev/problems/" + c.slug);
      if (!c.editionStatus.empty()) {
        CHECK(str(p, "edition_status") == c.editionStatus);
        CHECK(str(p->getObject("in_force"), "edition") == "v1");
      }
      if (c.slug == "unknown-purpose") CHECK(p->getArray("catalogue")->size() == 3);
    }
    CHECK(s.count() == 1);
  }

  SUBCASE("withdrawal, then blocking (6.2.4) refuses consents until unblocked") {
    auto w = s.post("/api/v1/withdrawals",
                    "{\"subject\":\"" + kSubject +
                        "\",\"document\":\"personal-data\",\"language\":\"ru\",\"purposes\":["
                        "\"marketing\"],\"collection_method\":\"account-settings\"}");
    INFO(w.body);
    REQUIRE(w.status == 201);
    CHECK(str(parseObject(w.body), "event_type") == "withdrawn");
    auto st = status(s, kSubject, t.site.token);
    CHECK(str(purposeState(st, "marketing"), "state") == "withdrawn");
    CHECK(str(purposeState(st, "account"), "state") == "given");

    // Only the legal role blocks.
    CHECK(s.post("/api/v1/subjects/" + pct(kSubject) + "/block", "{}", t.site.token).status == 403);
    CHECK(s.post("/api/v1/subjects/" + pct(kSubject) + "/block", "{}", t.auditor.token).status ==
          403);
    auto blocked = s.post("/api/v1/subjects/" + pct(kSubject) + "/block",
                          "{\"evidence\":{\"request\":\"letter 2026-11-20\"}}", t.legal.token);
    INFO(blocked.body);
    REQUIRE(blocked.status == 201);
    CHECK(str(parseObject(blocked.body), "event_type") == "blocked");
    CHECK(flag(status(s, kSubject, t.auditor.token), "blocked"));

    auto refused = s.post("/api/v1/consents", consentBody(kSubject, "v1", "\"marketing\""));
    CHECK(refused.status == 409);
    auto problem = parseObject(refused.body);
    CHECK(str(problem, "type") == "https://charta.dev/problems/subject-blocked");
    CHECK(str(problem, "detail").find(kSubject) == std::string::npos);
    // A withdrawal is still recorded for a blocked subject.
    CHECK(s.post("/api/v1/withdrawals",
                 "{\"subject\":\"" + kSubject +
                     "\",\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
                     "\"purposes\":[\"account\"],\"collection_method\":\"api\"}")
              .status == 201);

    // An empty body is fine too.
    auto unblocked =
        testing::http(s.port(), "POST", "/api/v1/subjects/" + pct(kSubject) + "/unblock",
                      bearer(t.legal.token), "");
    INFO(unblocked.body);
    REQUIRE(unblocked.status == 201);
    CHECK(s.post("/api/v1/consents", consentBody(kSubject, "v1", "\"marketing\"")).status == 201);
    auto after = status(s, kSubject, t.auditor.token);
    CHECK_FALSE(flag(after, "blocked"));
    CHECK(str(purposeState(after, "marketing"), "state") == "given");
    CHECK(str(purposeState(after, "account"), "state") == "withdrawn");

    auto all = parseObject(s.get("/api/v1/subjects/" + pct(kSubject) + "/consents").body);
    CHECK(all->getArray("events")->size() == 6);
    CHECK(s.count() == 6);
  }

  // Every case ends with an intact chain, and the subject id in no log or metric.
  auto v = s.verify();
  CHECK(flag(v, "ok"));
  CHECK(num(v, "checked") == num(v, "head_seq"));
  CHECK(str(v, "backend") == B::kName);
  auto cliVerify = s.cli({"ledger", "verify"});
  INFO(cliVerify.out << cliVerify.err);
  CHECK(cliVerify.status == 0);
  CHECK(cliVerify.out.find("ledger ok") == 0);
  auto metrics = testing::http(s.port(), "GET", "/metrics");
  CHECK(metrics.body.find("charta_consents_written_total{event=\"given\"}") != std::string::npos);
  CHECK(metrics.body.find(kSubject) == std::string::npos);
  CHECK(metrics.body.find("subj-") == std::string::npos);
  // The logs as written in full: the server flushes its access log on SIGTERM.
  CHECK(s.server->kill(SIGTERM) == 0);
  const std::string log = s.server->out();
  CHECK(log.find("\"route\":\"/api/v1/consents\"") != std::string::npos);
  CHECK(log.find("subj-") == std::string::npos);
  CHECK(log.find(kSubject) == std::string::npos);
  CHECK(s.server->err().find("subj-") == std::string::npos);
}

TEST_CASE_TEMPLATE("status: renewal after a material edition naming marketing", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  const auto& t = tokens();
  const std::string who = "renewal-subject";

  REQUIRE(
      s.post("/api/v1/consents", consentBody(who, "v1", "\"marketing\",\"advertising\"")).status ==
      201);
  auto st = status(s, who, t.site.token);
  CHECK(str(purposeState(st, "marketing"), "state") == "given");
  CHECK(str(purposeState(st, "advertising"), "state") == "given");

  // A material v2 that asks for marketing again, in force a few seconds from now.
  s.commitEdit("Дополнение: уточнены условия рассылок.");
  auto effective = core::now() + seconds(4);
  s.publish({"--effective-from", core::formatRfc3339(effective, core::kKazakhstanOffset, false),
             "--material", "--renew-purposes", "marketing", "--summary", "marketing changes"});

  // Upcoming only: refused, naming v1 as the edition in force.
  REQUIRE(eventually([&] {
    auto r = s.post("/api/v1/consents", consentBody(who, "v2", "\"marketing\""));
    return r.status == 422 && str(parseObject(r.body), "edition_status") == "upcoming";
  }));
  auto upcoming =
      parseObject(s.post("/api/v1/consents", consentBody(who, "v2", "\"marketing\"")).body);
  CHECK(str(upcoming->getObject("in_force"), "edition") == "v1");
  CHECK(str(purposeState(status(s, who, t.site.token), "marketing"), "state") == "given");

  // v2 takes effect: renewal required for marketing only.
  REQUIRE(eventually(
      [&] { return str(status(s, who, t.site.token)->getObject("in_force"), "edition") == "v2"; }));
  st = status(s, who, t.site.token);
  auto marketing = purposeState(st, "marketing");
  CHECK(str(marketing, "state") == "renewal_required");
  CHECK(str(marketing, "given_under") == "v1");
  CHECK(str(marketing, "renewal_for") == "v2");
  CHECK(str(purposeState(st, "advertising"), "state") == "given");
  CHECK(str(purposeState(st, "advertising"), "given_under") == "v1");
  CHECK(str(purposeState(st, "account"), "state") == "never_given");

  // A form still showing v1 (within the grace) may record what v2 left unchanged; a purpose v2
  // asks again for is refused: that consent would need renewal at once, the subject must see v2.
  auto stale = s.post("/api/v1/consents", consentBody("late-reader", "v1", "\"marketing\""));
  CHECK(stale.status == 422);
  CHECK(stale.body.find("edition-not-in-force") != std::string::npos);
  CHECK(stale.body.find("\"superseded\"") != std::string::npos);
  CHECK(stale.body.find("v2 changed the terms of a purpose asked for") != std::string::npos);
  REQUIRE(s.post("/api/v1/consents", consentBody("late-reader", "v1", "\"advertising\"")).status ==
          201);
  CHECK(str(purposeState(status(s, "late-reader", t.site.token), "advertising"), "state") ==
        "given");
  CHECK(str(purposeState(status(s, "late-reader", t.site.token), "marketing"), "state") ==
        "never_given");

  // Given again under v2: valid.
  auto renewed = s.post("/api/v1/consents", consentBody(who, "v2", "\"marketing\""));
  INFO(renewed.body);
  REQUIRE(renewed.status == 201);
  st = status(s, who, t.auditor.token);
  CHECK(str(purposeState(st, "marketing"), "state") == "given");
  CHECK(str(purposeState(st, "marketing"), "given_under") == "v2");
  CHECK(str(purposeState(st, "advertising"), "state") == "given");

  // A scheduled v3 withdrawn before it takes effect can never be consented to.
  s.commitEdit("Редакция, которая будет отозвана.");
  s.publish({"--effective-from", "2099-01-01T00:00:00+05:00"});
  auto w = s.cli({"withdraw", "personal-data", "v3", "--reason", "published by mistake"});
  INFO(w.err);
  REQUIRE(w.status == 0);
  REQUIRE(eventually([&] {
    auto r = s.post("/api/v1/consents", consentBody(who, "v3", "\"marketing\""));
    return r.status == 422 && str(parseObject(r.body), "edition_status") == "withdrawn";
  }));
  auto withdrawn =
      parseObject(s.post("/api/v1/consents", consentBody(who, "v3", "\"marketing\"")).body);
  CHECK(str(withdrawn->getObject("in_force"), "edition") == "v2");
  CHECK(s.count() == 3);
  CHECK(flag(s.verify(), "ok"));
}

TEST_CASE_TEMPLATE("bad input: each refused with its status, nothing written", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  const auto& t = tokens();
  REQUIRE(s.post("/api/v1/consents", consentBody("seed-subject", "v1", "\"marketing\"")).status ==
          201);
  const long long before = s.count();

  std::string deep = "{\"a\":";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  std::string bigEvidence = "{\"blob\":\"" + std::string(5000, 'x') + "\"}";
  const std::string valid = consentBody("bad-input-subject", "v1", "\"marketing\"");

  struct Case {
    std::string name;
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;
    std::string body;
    int status;
  };
  const auto site = json(t.site.token);
  auto with = [](std::map<std::string, std::string> h, const std::string& k, const std::string& v) {
    h[k] = v;
    return h;
  };
  std::vector<Case> cases = {
      {"malformed JSON", "POST", "/api/v1/consents", site, "{\"subject\": \"x\",", 400},
      {"not an object", "POST", "/api/v1/consents", site, "[1,2,3]", 400},
      {"deep nesting", "POST", "/api/v1/consents", site,
       valid.substr(0, valid.size() - 1) + ",\"evidence\":" + deep + "}", 400},
      {"evidence above 4 KiB", "POST", "/api/v1/consents", site,
       valid.substr(0, valid.size() - 1) + ",\"evidence\":" + bigEvidence + "}", 400},
      {"bad UTF-8", "POST", "/api/v1/consents", site,
       consentBody("bad-\xC3\x28-utf8", "v1", "\"marketing\""), 400},
      {"overlong UTF-8", "POST", "/api/v1/consents", site,
       consentBody("x\xC0\xAF", "v1", "\"marketing\""), 400},
      {"unknown field", "POST", "/api/v1/consents", site,
       valid.substr(0, valid.size() - 1) + ",\"admin\":true}", 400},
      {"missing token", "POST", "/api/v1/consents", json(""), valid, 401},
      {"unknown token", "POST", "/api/v1/consents", json("charta_not-a-real-token"), valid, 401},
      {"wrong role (auditor)", "POST", "/api/v1/consents", json(t.auditor.token), valid, 403},
      {"wrong role (legal)", "POST", "/api/v1/withdrawals", json(t.legal.token), valid, 403},
      {"wrong media type", "POST", "/api/v1/consents", with(site, "Content-Type", "text/plain"),
       valid, 415},
      {"subject too long", "POST", "/api/v1/consents", site,
       consentBody(std::string(129, 's'), "v1", "\"marketing\""), 400},
      {"subject with a control character", "POST", "/api/v1/consents", site,
       consentBody("tab\\there", "v1", "\"marketing\""), 400},
      {"empty subject", "POST", "/api/v1/consents", site, consentBody("", "v1", "\"marketing\""),
       400},
      {"no purposes", "POST", "/api/v1/consents", site, consentBody("p", "v1", ""), 400},
      {"purpose not a string", "POST", "/api/v1/consents", site, consentBody("p", "v1", "42"), 400},
      {"edition as a rev-parse expression", "POST", "/api/v1/consents", site,
       consentBody("p", "HEAD~1", "\"marketing\""), 400},
      {"no edition", "POST", "/api/v1/consents", site,
       "{\"subject\":\"p\",\"document\":\"personal-data\",\"language\":\"ru\",\"purposes\":["
       "\"marketing\"],\"collection_method\":\"api\"}",
       400},
      {"subject a number", "POST", "/api/v1/consents", site,
       "{\"subject\":42,\"document\":\"personal-data\",\"edition\":\"v1\",\"language\":\"ru\","
       "\"purposes\":[\"marketing\"],\"collection_method\":\"api\"}",
       400},
      {"bad collection method", "POST", "/api/v1/consents", site,
       valid.substr(0, valid.find("web-form")) + "Web Form\"}", 400},
      {"bad Idempotency-Key", "POST", "/api/v1/consents",
       with(site, "Idempotency-Key", "two words"), valid, 400},
      {"GET on a POST route", "GET", "/api/v1/consents", site, "", 405},
      {"block without a token", "POST", "/api/v1/subjects/x/block", json(""), "{}", 401},
      {"block by the site", "POST", "/api/v1/subjects/x/block", site, "{}", 403},
      {"verify by the site", "GET", "/api/v1/ledger/verify", site, "", 403},
      {"export without a token", "GET", "/api/v1/subjects/x/export", {}, "", 401},
      {"status without a token",
       "GET",
       "/api/v1/subjects/x/status?document=personal-data",
       {},
       "",
       401},
      {"status by legal", "GET", "/api/v1/subjects/x/status?document=personal-data",
       bearer(t.legal.token), "", 403},
      {"subject id too long in the path", "GET",
       "/api/v1/subjects/" + std::string(129, 'z') + "/export", bearer(t.auditor.token), "", 400},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto r = testing::http(s.port(), c.method, c.path, c.headers, c.body);
    INFO(r.body.substr(0, 400));
    CHECK(r.status == c.status);
    if (r.status != 413) {
      CHECK(r.header("content-type") == "application/problem+json");
      auto p = parseObject(r.body);
      CHECK(num(p, "status") == c.status);
      CHECK(str(p, "detail").find("bad-input-subject") == std::string::npos);
    }
    if (c.status == 401) CHECK(r.header("www-authenticate") == "Bearer");
    if (c.status == 405) CHECK(r.header("allow") == "POST");
  }
  // A huge body: refused on its Content-Length, before it is read.
  std::string huge = valid.substr(0, valid.size() - 1) + ",\"evidence\":{\"pad\":\"" +
                     std::string(200 * 1024, 'p') + "\"}}";
  auto refused = testing::rawExchange(
      s.port(), "POST /api/v1/consents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    t.site.token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(huge.size()) + "\r\n\r\n" + huge.substr(0, 4096));
  CHECK(refused.rfind("HTTP/1.1 413", 0) == 0);

  CHECK(s.count() == before);
  CHECK(flag(s.verify(), "ok"));
  // The server is still healthy, and accepts the valid request.
  CHECK(s.post("/api/v1/consents", valid).status == 201);
  CHECK(s.count() == before + 1);
}

TEST_CASE_TEMPLATE("tampering with the database is found by charta ledger verify", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  std::vector<std::string> ids, seqs;  // the chain also holds the publication of v1
  for (int i = 1; i <= 6; ++i) {
    auto r = s.post("/api/v1/consents",
                    consentBody("tamper-" + std::to_string(i), "v1", "\"marketing\""));
    REQUIRE(r.status == 201);
    ids.push_back(str(parseObject(r.body), "record_id"));
    seqs.push_back(std::to_string(num(parseObject(r.body)->getObject("chain"), "seq")));
  }
  auto ok = s.cli({"ledger", "verify"});
  REQUIRE(ok.status == 0);
  s.server.reset();  // stopped: the files are edited at rest, as an attacker with disk access

  // Drop the append-only guards and change what seq 3 says; remove seq 5.
  std::string sql;
  if constexpr (std::is_same_v<B, SqliteLedger>) {
    sql =
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;\n"
        "UPDATE events SET bytes = CAST(replace(CAST(bytes AS TEXT), 'marketing', 'marketinG')"
        " AS BLOB) WHERE seq = " +
        seqs[2] +
        ";\n"
        "DELETE FROM events WHERE seq = " +
        seqs[4] + ";\n";
    auto r = testing::runProgram(
        {"sqlite3", "-batch", "-bail", (s.box / "var/consents.db").string()}, sql);
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
  } else {
    sql =
        "DROP TRIGGER events_no_change ON events;\n"
        "UPDATE events SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), 'marketing',"
        " 'marketinG'), 'UTF8') WHERE seq = " +
        seqs[2] +
        ";\n"
        "DELETE FROM events WHERE seq = " +
        seqs[4] + ";\n";
    s.backend.psql(sql);
  }

  auto broken = s.cli({"ledger", "verify"});
  INFO(broken.out << broken.err);
  CHECK(broken.status == 5);
  CHECK(broken.out.find("seq " + seqs[2] + " changed " + ids[2]) != std::string::npos);
  CHECK(broken.out.find("seq " + seqs[4] + " removed") != std::string::npos);
  CHECK(broken.out.find("ledger BROKEN") != std::string::npos);
  for (const auto& line : {"tamper-3", "tamper-5"})
    CHECK(broken.out.find(line) == std::string::npos);

  auto asJson = s.cli({"ledger", "verify", "--json"});
  CHECK(asJson.status == 5);
  auto report = parseObject(asJson.out);
  CHECK_FALSE(flag(report, "ok"));
  auto findings = report->getArray("findings");
  REQUIRE(findings->size() >= 2);
  CHECK(str(findings->getObject(0), "kind") == "changed");
  CHECK(num(findings->getObject(0), "seq") == std::stoll(seqs[2]));

  // The auditor API says the same.
  s.start();
  auto api = s.verify();
  CHECK_FALSE(flag(api, "ok"));
  CHECK(api->getArray("findings")->size() == findings->size());

  // The CLI's usage errors.
  CHECK(s.cli({"ledger"}).status == 2);
  CHECK(s.cli({"ledger", "bogus"}).status == 2);
  CHECK(s.cli({"ledger", "export"}).status == 2);
}
