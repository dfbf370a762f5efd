// Verifications of the ledger run off the request: POST /api/v1/ledger/verifications answers 202
// at once and the verification is polled at its Location, against the real `charta serve` on
// SQLite and on a real PostgreSQL server.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "consent/consent_support.h"

using namespace charta;
using namespace charta::consent_testing;

namespace {

// Polls "location" until the verification is no longer running (each answer is an event of the
// verification's thread: it moves from running to done or failed once).
template <typename Shop>
Object::Ptr finished(Shop& s, const std::string& location) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto r = s.get(location);
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    auto o = parseObject(r.body);
    if (str(o, "state") != "running") return o;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

template <typename Shop>
std::string started(Shop& s, const std::string& query = "") {
  auto r = s.post("/api/v1/ledger/verifications" + query, "", tokens().auditor.token);
  INFO(r.body);
  REQUIRE(r.status == 202);
  const std::string location = r.header("location");
  CHECK(location.rfind("/api/v1/ledger/verifications/", 0) == 0);
  CHECK(r.header("retry-after") == "1");
  auto o = parseObject(r.body);
  CHECK(str(o, "state") == "running");
  CHECK(location == "/api/v1/ledger/verifications/" + str(o, "id"));
  CHECK(o->isNull("finished_at"));
  CHECK(o->isNull("report"));
  return location;
}

}  // namespace

TEST_CASE_TEMPLATE("verifications: started off the request, polled, finding tampering", B,
                   SqliteLedger, PgLedger) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  std::vector<long long> seqs;
  for (int i = 1; i <= 5; ++i) {
    auto r = s.post("/api/v1/consents",
                    consentBody("verif-" + std::to_string(i), "v1", "\"marketing\""));
    REQUIRE(r.status == 201);
    seqs.push_back(num(parseObject(r.body)->getObject("chain"), "seq"));
    if (i == 3) {
      auto anchored = s.cli({"ledger", "anchor"});
      INFO(anchored.err);
      REQUIRE(anchored.status == 0);
    }
  }

  // The whole log: done, with the report GET /api/v1/ledger/verify answers.
  auto done = finished(s, started(s));
  CHECK(str(done, "state") == "done");
  CHECK_FALSE(done->isNull("finished_at"));
  CHECK_FALSE(flag(done, "since_anchor"));
  auto report = done->getObject("report");
  CHECK(flag(report, "ok"));
  CHECK(num(report, "checked") == seqs.back());  // the publication of v1 is chained first
  CHECK(num(done, "checked") == seqs.back());
  CHECK(done->isNull("error"));
  auto sync = s.verify();
  CHECK(num(sync, "checked") == num(report, "checked"));
  CHECK(str(sync, "root") == str(report, "root"));

  // Since the latest anchor (at the third consent or later): the last two events at most.
  auto since = finished(s, started(s, "?since_anchor=true"));
  CHECK(flag(since, "since_anchor"));
  CHECK(flag(since->getObject("report"), "ok"));
  CHECK(num(since->getObject("report"), "head_seq") == seqs.back());
  CHECK(num(since->getObject("report"), "checked") <= 2);

  // Who may, and what is refused.
  auto site = s.post("/api/v1/ledger/verifications", "", tokens().site.token);
  CHECK(site.status == 403);
  CHECK(testing::http(s.port(), "POST", "/api/v1/ledger/verifications").status == 401);
  CHECK(s.get("/api/v1/ledger/verifications/" + std::string(36, '0')).status == 404);
  CHECK(s.get("/api/v1/ledger/verifications").status == 405);
  auto bad = s.post("/api/v1/ledger/verifications?since_anchor=maybe", "", tokens().auditor.token);
  CHECK(bad.status == 400);
  CHECK(bad.header("content-type") == "application/problem+json");

  // An attacker with the database edits an event: the next verification names it.
  s.server.reset();
  if constexpr (std::is_same_v<B, SqliteLedger>) {
    auto r = testing::runProgram(
        {"sqlite3", "-batch", "-bail", (s.box / "var/consents.db").string()},
        "DROP TRIGGER events_no_update;\n"
        "UPDATE events SET bytes = CAST(replace(CAST(bytes AS TEXT), 'marketing', 'marketinG')"
        " AS BLOB) WHERE seq = " +
            std::to_string(seqs[1]) + ";\n");
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
  } else {
    s.backend.psql(
        "DROP TRIGGER events_no_change ON events;\n"
        "UPDATE events SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), 'marketing',"
        " 'marketinG'), 'UTF8') WHERE seq = " +
        std::to_string(seqs[1]) + ";\n");
  }
  s.start();
  auto broken = finished(s, started(s));
  CHECK(str(broken, "state") == "done");
  auto findings = broken->getObject("report")->getArray("findings");
  REQUIRE(findings->size() >= 1);
  CHECK(str(findings->getObject(0), "kind") == "changed");
  CHECK(num(findings->getObject(0), "seq") == seqs[1]);
  CHECK_FALSE(flag(broken->getObject("report"), "ok"));
  CHECK(broken->getObject("report")->getArray("findings")->size() ==
        s.verify()->getArray("findings")->size());
}
