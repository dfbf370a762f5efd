// Tags made behind the hook's back (with git on the server itself, or on a host that runs no
// hooks) are read under the same rules: one that breaks them is not an edition — never served,
// reported by `charta editions`, /readyz, a metric and a log line — and one that holds the next
// edition's name stops publishing with an answer that names it.

#include "record/record_support.h"

using namespace charta;
using namespace charta::recordtest;
using namespace std::chrono;

namespace {

// `git tag` in the bare repository itself: no hook runs.
void tagInBare(const Record& r, const std::string& args, const std::string& env = "") {
  testing::sh(env + " git tag " + args, r.box / "var/policies.git");
}

}  // namespace

TEST_CASE("a forged tag is never served, and said once: editions, readyz, metric, log") {
  Record r;
  const std::string commit = r.commitEdit("Новый абзац.");
  // Issue 13: an annotated v2 with Effective-From months before its tagger time.
  testing::writeFile(r.box / "forged",
                     "Publish personal-data v2\n\nEffective-From: 2026-06-01T00:00:00+05:00\n"
                     "Material: no\n");
  tagInBare(r, "-a personal-data/v2 -F ../../forged " + commit);

  RunResult editions = r.charta({"editions", "personal-data"});
  CHECK(editions.status == 0);
  CHECK(editions.out.find("personal-data v1") != std::string::npos);
  CHECK(editions.out.find("v2") == std::string::npos);
  CHECK(editions.err ==
        "charta: warning: refs/tags/personal-data/v2 is not an edition: effective-from "
        "2026-06-01T00:00:00+05:00 is before the moment of publication " +
            editions.err.substr(editions.err.find("publication ") + 12));
  // in-force --at a moment before it existed names no v2 (nothing was in force then), nor now.
  CHECK(r.charta({"in-force", "personal-data", "--at", "2026-07-01T00:00:00+05:00"}).status == 4);
  CHECK(object(r.charta({"--json", "in-force", "personal-data"}).out)
            ->getValue<std::string>("edition") == "v1");

  ServerProcess server(r.box.path(), {tokens()});
  auto ready = testing::http(server.port(), "GET", "/readyz");
  CHECK(ready.status == 200);
  auto o = object(ready.body);
  CHECK(o->getValue<std::string>("tags").find("refs/tags/personal-data/v2: effective-from") == 0);
  CHECK(o->getValue<std::string>("branch") == "ok");
  CHECK(testing::http(server.port(), "GET", "/api/v1/documents/personal-data/editions/v2").status ==
        404);
  CHECK(testing::http(server.port(), "GET", "/personal-data/v2").status == 404);
  auto current =
      object(testing::http(server.port(), "GET", "/api/v1/documents/personal-data/current").body);
  CHECK(current->getValue<std::string>("edition") == "v1");
  auto metrics = testing::http(server.port(), "GET", "/metrics").body;
  CHECK(metrics.find("charta_repository_problems_total{kind=\"tag\"} 1") != std::string::npos);
  // Said once, however often the repository is read again.
  r.commitEdit("Ещё абзац.");
  REQUIRE(eventually([&] {
    return server.err().find("repository changed: pages reloaded") != std::string::npos;
  }));
  CHECK(occurrences(server.err(), "refs/tags/personal-data/v2: effective-from") == 1);

  // Issue 12 (5c): a foreign tag on the next number stops publishing with 409 naming the tag
  // (not 503, which invites retries), and the CLI with exit 2.
  RunResult cli = r.charta({"publish", "personal-data"});
  CHECK(cli.status == 2);
  CHECK(cli.err.find("refs/tags/personal-data/v2 is not an edition") != std::string::npos);
  CHECK(cli.err.find("an operator removes or renames it") != std::string::npos);
  auto etag =
      testing::http(server.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  auto headers = bearer(kLegalToken);
  headers["If-Match"] = etag;
  headers["Content-Type"] = "application/json";
  auto api = testing::http(server.port(), "POST", "/api/v1/documents/personal-data/publications",
                           headers, "{}");
  CHECK(api.status == 409);
  auto problem = object(api.body);
  CHECK(problem->getValue<std::string>("type") == "https://charta.dev/problems/foreign-tag");
  CHECK(problem->getValue<std::string>("tag") == "refs/tags/personal-data/v2");
  CHECK(object(testing::http(server.port(), "GET", "/readyz").body)
            ->getValue<std::string>("repository") == "ok");

  // What the README tells the operator to do: look, then move the tag out of the way.
  testing::sh("git tag -d personal-data/v2 >/dev/null", r.box / "var/policies.git");
  RunResult again = r.charta({"publish", "personal-data"});
  CHECK_MESSAGE(again.status == 0, again.err);
}

TEST_CASE("a deleted edition is detected as a gap; a backdated one behind v1 is not read") {
  Record r;
  r.commitEdit("Новый абзац.");
  REQUIRE(r.charta({"publish", "personal-data"}).status == 0);
  r.commitEdit("Ещё абзац.");
  REQUIRE(r.charta({"publish", "personal-data"}).status == 0);
  // v2 deleted on the server itself, where no hook runs.
  testing::sh("git tag -d personal-data/v2 >/dev/null", r.box / "var/policies.git");
  RunResult editions = r.charta({"editions", "personal-data"});
  CHECK(editions.err.find("refs/tags/personal-data/v2 is not an edition: there is no such tag, "
                          "though v3 exists: an edition was deleted") != std::string::npos);
  CHECK(editions.out.find("personal-data v3") != std::string::npos);

  // A v4 whose tagger time and Effective-From are a year back: behind v3, so not an edition.
  testing::writeFile(r.box / "forged",
                     "Publish personal-data v4\n\nEffective-From: 2025-12-01T00:00:00+05:00\n");
  tagInBare(r, "-a personal-data/v4 -F ../../forged main",
            "GIT_COMMITTER_DATE='2025-12-01T00:00:00+05:00'");
  editions = r.charta({"editions", "personal-data"});
  CHECK(editions.err.find("refs/tags/personal-data/v4 is not an edition: it was published at "
                          "2025-12-01T00:00:00+05:00, before v3") != std::string::npos);
  // Nothing was in force then: v1 was published just now.
  CHECK(r.charta({"in-force", "personal-data", "--at", "2026-01-01T00:00:00+05:00"}).status == 4);
}
