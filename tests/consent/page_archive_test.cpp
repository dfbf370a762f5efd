// What a consent may cite once editions move on, against the real `charta serve`: the page a
// form showed before an edition was announced (the page archive), an edition superseded long ago
// (refused), and purposes whose clause was renumbered without charta.xml following (publishing
// refused).

#include <doctest/doctest.h>

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

std::string withPage(const std::string& sha) { return ",\"page_sha256\":\"" + sha + "\""; }

// The variant the ledger archived the page "sha" as ("" when it is not archived).
template <typename B>
std::string archivedVariant(Shop<B>& s, const std::string& sha) {
  std::string sql = "SELECT variant FROM pages WHERE sha256 = '" + sha + "'";
  std::string out;
  if constexpr (std::is_same_v<B, PgLedger>) {
    out = s.backend.psql(sql);
  } else {
    out = testing::sh("sqlite3 var/consents.db \"" + sql + "\"", s.box.path());
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string pageSha(uint16_t port, const std::string& path) {
  auto page = testing::http(port, "GET", path);
  REQUIRE(page.status == 200);
  return core::sha256Hex(page.body);
}

std::string later(hours h) {
  return core::formatRfc3339(core::now() + h, core::kKazakhstanOffset, false);
}

}  // namespace

TEST_CASE_TEMPLATE("announcing an edition keeps the forms opened before it valid", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  // The form: the page of v1 as served before anything is announced. It is archived first.
  const std::string before = pageSha(s.port(), "/personal-data/v1");
  CHECK(archivedVariant(s, before) == "in-force");

  // v2 is announced for next month: v1's page now carries the notice, so its bytes change.
  s.commitEdit("Announced edit.");
  s.publish({"--effective-from", later(hours(24 * 30))});
  std::string after;
  REQUIRE(eventually([&] {
    after = pageSha(s.port(), "/personal-data/v1");
    return after != before;
  }));
  CHECK(archivedVariant(s, after) == "notice:v2");

  // The form opened before the announcement, submitted after it: recorded, citing that page.
  auto r = s.post("/api/v1/consents",
                  consentBody("form-early", "v1", "\"marketing\"", withPage(before)));
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(str(parseObject(r.body)->getObject("privacy_notice"), "page_sha256") == before);
  CHECK(s.post("/api/v1/consents", consentBody("form-late", "v1", "\"marketing\"", withPage(after)))
            .status == 201);

  // A page that was never served, or one of another edition, is still refused.
  auto forged = s.post("/api/v1/consents", consentBody("form-forged", "v1", "\"marketing\"",
                                                       withPage(std::string(64, 'c'))));
  CHECK(forged.status == 422);
  CHECK(str(parseObject(forged.body), "type") == "https://charta.dev/problems/page-mismatch");
  CHECK(str(parseObject(forged.body), "page_sha256") == after);
  auto v2page = pageSha(s.port(), "/personal-data/v2");
  CHECK(archivedVariant(s, v2page) == "upcoming:v1");
  CHECK(
      s.post("/api/v1/consents", consentBody("form-other", "v1", "\"marketing\"", withPage(v2page)))
          .status == 422);
  CHECK(flag(s.verify(), "ok"));

  // Without a grace, the page of before the announcement is no longer a fair page to cite.
  s.server.reset();
  s.backend.defs.push_back("consent.page_grace_s=0");
  s.start();
  auto stale = s.post("/api/v1/consents",
                      consentBody("form-stale", "v1", "\"marketing\"", withPage(before)));
  CHECK(stale.status == 422);
  CHECK(str(parseObject(stale.body), "type") == "https://charta.dev/problems/page-mismatch");
  CHECK(s.post("/api/v1/consents",
               consentBody("form-current", "v1", "\"marketing\"", withPage(after)))
            .status == 201);
}

TEST_CASE("build-site archives every page it writes") {
  Shop<SqliteLedger> s;
  auto cli = s.cli({"build-site", "--out", (s.box / "site").string()});
  INFO(cli.err);
  REQUIRE(cli.status == 0);
  std::string page = testing::slurp(s.box / "site" / "personal-data" / "v1" / "index.html");
  CHECK(archivedVariant(s, core::sha256Hex(page)) == "in-force");
}

TEST_CASE_TEMPLATE("a consent citing an edition superseded longer than the grace is refused", B,
                   BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  // v2 takes effect at once: v1 stopped being in force a moment ago.
  s.commitEdit("Immediate edit.");
  s.publish({});
  REQUIRE(eventually([&] {
    auto r = testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current");
    return num(parseObject(r.body), "number") == 2;
  }));
  // Within consent.superseded_grace_s (a day): a form that showed v1 is still recorded.
  CHECK(s.post("/api/v1/consents", consentBody("sup-1", "v1", "\"marketing\"")).status == 201);

  // With no grace at all, v1 is stale: refused, naming the edition to show instead.
  s.server.reset();
  s.backend.defs.push_back("consent.superseded_grace_s=0");
  s.start();
  auto r = s.post("/api/v1/consents", consentBody("sup-2", "v1", "\"marketing\""));
  INFO(r.body);
  REQUIRE(r.status == 422);
  auto problem = parseObject(r.body);
  CHECK(str(problem, "type") == "https://charta.dev/problems/edition-not-in-force");
  CHECK(str(problem, "edition_status") == "superseded");
  CHECK(str(problem->getObject("in_force"), "edition") == "v2");
  // The subject's status does not report a consent under v1; the edition in force is accepted.
  auto status = s.get("/api/v1/subjects/sup-2/status?document=personal-data");
  CHECK(status.body.find("\"given\"") == std::string::npos);
  CHECK(s.post("/api/v1/consents", consentBody("sup-2", "v2", "\"marketing\"")).status == 201);
  // A withdrawal of consent may still name what it ends.
  CHECK(s.post("/api/v1/withdrawals", consentBody("sup-1", "v1", "\"marketing\"")).status == 201);
}

TEST_CASE("a purpose's clause renumbered without charta.xml following: lint and publish refuse") {
  Shop<SqliteLedger> s;
  s.start();
  // Delete clause 4.1.9 and renumber 4.1.10-4.1.12 down by one; charta.xml stays as it was.
  testing::sh(
      "sed -i '/^4\\.1\\.9\\. /,+1d; s/^4\\.1\\.10\\. /4.1.9. /; s/^4\\.1\\.11\\. /4.1.10. /; "
      "s/^4\\.1\\.12\\. /4.1.11. /' personal-data/ru.md && "
      "git commit -qam 'Remove clause 4.1.9' && git push -q origin main",
      s.box / "wt");

  auto lint = s.cli({"lint", "personal-data"});
  INFO(lint.out << lint.err);
  CHECK(lint.status == 2);
  CHECK(lint.out.find("[purpose-moved] clause 4.1.10: purpose \"marketing\" is tied to clause "
                      "4.1.10, which now holds the words of clause 4.1.11 of v1; the words of "
                      "clause 4.1.10 it was tied to in v1 are now clause 4.1.9") !=
        std::string::npos);
  CHECK(lint.out.find("clause=\"4.1.9\" for purpose marketing") != std::string::npos);
  CHECK(lint.out.find("purpose \"advertising\" is tied to clause 4.1.11") != std::string::npos);

  auto cli = s.cli({"publish", "personal-data"});
  CHECK(cli.status == 2);
  CHECK(cli.err.find("purpose-moved") != std::string::npos);

  auto current = s.get("/api/v1/documents/personal-data/current");
  auto h = json(tokens().legal.token);
  h["If-Match"] = current.header("etag");
  auto r = testing::http(s.port(), "POST", "/api/v1/documents/personal-data/publications", h, "{}");
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.body.find("lint-refused") != std::string::npos);
  CHECK(r.body.find("purpose-moved") != std::string::npos);

  // charta.xml follows its clauses: the edition publishes.
  testing::sh(
      "sed -i 's/clause=\"4.1.10\"/clause=\"4.1.9\"/; s/clause=\"4.1.11\"/clause=\"4.1.10\"/' "
      "charta.xml && git commit -qam 'Purposes follow their clauses' && git push -q origin main",
      s.box / "wt");
  lint = s.cli({"lint", "personal-data"});
  CHECK(lint.out.find("purpose-moved") == std::string::npos);
  s.publish({});
}
