// A commit on the branch whose charta.xml is invalid (issue 13): the editions are read with the
// charta.xml of their own commits, so every published page goes on being served, across
// restarts; /readyz stays 200 and names the problem; lint and publishing refuse with 422
// invalid-registry (CLI exit 2); build-site still writes the whole site, and refuses to write one
// that lacks a published document.

#include <filesystem>

#include "record/record_support.h"

using namespace charta;
using namespace charta::recordtest;
using namespace std::chrono;

namespace {

// Everything a visitor and a shop see of the published document.
void servedWhole(const ServerProcess& server) {
  CHECK(testing::http(server.port(), "GET", "/personal-data").status == 200);
  CHECK(testing::http(server.port(), "GET", "/personal-data/v1").status == 200);
  CHECK(testing::http(server.port(), "GET", "/personal-data/v2").status == 200);
  auto docs = object(testing::http(server.port(), "GET", "/api/v1/documents").body);
  CHECK(docs->getArray("documents")->size() == 1);
  auto current = testing::http(server.port(), "GET", "/api/v1/documents/personal-data/current");
  CHECK(current.status == 200);
  CHECK(object(current.body)->getValue<std::string>("edition") == "v2");
}

}  // namespace

TEST_CASE("a broken charta.xml at the tip takes nothing down, across a restart") {
  Record r;
  r.commitEdit("Новый абзац.");
  REQUIRE(r.charta({"publish", "personal-data"}).status == 0);
  auto server = std::make_unique<ServerProcess>(r.box.path(), std::vector<std::string>{tokens()});
  servedWhole(*server);

  testing::sh(
      "echo '<charta version=\"1\"><document' > charta.xml && git commit -qam broken && "
      "git push -q origin main",
      r.box / "wt");
  const std::string tip = testing::sh("git rev-parse HEAD", r.box / "wt").substr(0, 40);
  const std::string problem = "charta.xml at " + tip + ": ";
  auto branch = [&] {
    auto ready = testing::http(server->port(), "GET", "/readyz");
    CHECK(ready.status == 200);
    return object(ready.body)->getValue<std::string>("branch");
  };
  REQUIRE(eventually([&] { return branch() != "ok"; }));
  CHECK(branch().find(problem) == 0);
  servedWhole(*server);
  // Said once per tip: a log line and a metric.
  CHECK(occurrences(server->err(), "charta.xml at the tip of the branch is invalid") == 1);
  CHECK(testing::http(server->port(), "GET", "/metrics")
            .body.find("charta_repository_problems_total{kind=\"branch\"} 1") != std::string::npos);

  // Restarted on the broken tip: the same.
  server.reset();
  server = std::make_unique<ServerProcess>(r.box.path(), std::vector<std::string>{tokens()});
  servedWhole(*server);
  CHECK(branch().find(problem) == 0);
  CHECK(occurrences(server->err(), "charta.xml at the tip of the branch is invalid") == 1);

  // Lint and publishing refuse with the reason: a problem of the repository, not of the request.
  RunResult lint = r.charta({"lint", "personal-data"});
  CHECK(lint.status == 2);
  CHECK(lint.err.find(problem) != std::string::npos);
  RunResult publish = r.charta({"publish", "personal-data"});
  CHECK(publish.status == 2);
  CHECK(publish.err.find(problem) != std::string::npos);
  auto headers = bearer(kLegalToken);
  headers["If-Match"] =
      testing::http(server->port(), "GET", "/api/v1/documents/personal-data/current")
          .header("etag");
  headers["Content-Type"] = "application/json";
  auto api = testing::http(server->port(), "POST", "/api/v1/documents/personal-data/publications",
                           headers, "{}");
  CHECK(api.status == 422);
  CHECK(object(api.body)->getValue<std::string>("type") ==
        "https://charta.dev/problems/invalid-registry");
  CHECK(object(api.body)->getValue<std::string>("detail").find(problem) == 0);
  auto revisions = testing::http(server->port(), "GET", "/api/v1/documents/personal-data/revisions",
                                 bearer(kLegalToken));
  CHECK(revisions.status == 422);

  // A static export is the whole site still.
  RunResult site = r.charta({"build-site", "--out", "site"});
  CHECK_MESSAGE(site.status == 0, site.err);
  CHECK(std::filesystem::exists(r.box / "site/personal-data/index.html"));
  CHECK(std::filesystem::exists(r.box / "site/personal-data/v2/index.html"));

  // Mended: said so.
  testing::sh("git revert --no-edit HEAD >/dev/null && git push -q origin main", r.box / "wt");
  REQUIRE(eventually([&] { return branch() == "ok"; }));
}

TEST_CASE("build-site refuses a site that lacks a published document, and writes nothing") {
  // Nothing published: a static deploy of that would take the policy down.
  Record bare({"--no-publish"});
  RunResult empty = bare.charta({"build-site", "--out", "site"});
  CHECK(empty.status != 0);
  CHECK(empty.err.find("build-site refused: no document is published") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(bare.box / "site"));

  // A published text that cannot be read: refused before anything is written.
  Record r;
  const std::string blob =
      testing::sh("git rev-parse personal-data/v1:personal-data/ru.md", r.box / "var/policies.git");
  const std::string object = "objects/" + blob.substr(0, 2) + "/" + blob.substr(2, 38);
  REQUIRE(std::filesystem::exists(r.box / "var/policies.git" / object));
  testing::sh("chmod u+w " + object + " && printf 'damaged' > " + object,
              r.box / "var/policies.git");
  RunResult damaged = r.charta({"build-site", "--out", "site"});
  CHECK(damaged.status != 0);
  CHECK_FALSE(std::filesystem::exists(r.box / "site"));
}
