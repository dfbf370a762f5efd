// The legal team's review before publishing, end to end with the real binary, the real server
// over HTTP and pushes with the git CLI to the bare repository `charta init` made: a material
// edition inside its notice period refused by the CLI, the API and the pre-receive hook;
// approvals of the exact revision recorded in git and counted by the CLI and the API alike; the
// preview of a draft as a static site and over the API.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "record/record_support.h"

using namespace charta;
using namespace charta::recordtest;
using namespace std::chrono;

namespace {

std::map<std::string, std::string> writeHeaders(const char* token) {
  auto h = bearer(token);
  h["Content-Type"] = "application/json";
  return h;
}

testing::HttpResponse publishApi(const ServerProcess& s, const std::string& body) {
  auto h = writeHeaders(kLegalToken);
  h["If-Match"] =
      testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  return testing::http(s.port(), "POST", "/api/v1/documents/personal-data/publications", h, body);
}

// Sets attributes of the document's element in charta.xml in the clone, commits and pushes.
void setAttributes(Record& r, const std::string& attributes) {
  RunResult c =
      r.shell("sed -i 's|controlling-lang=\"ru\">|controlling-lang=\"ru\" " + attributes +
              ">|' charta.xml && git commit -qam 'Review rules' && git push -q origin main");
  REQUIRE_MESSAGE(c.status == 0, c.err);
}

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string problemType(const testing::HttpResponse& r) {
  return object(r.body)->getValue<std::string>("type");
}

}  // namespace

TEST_CASE("a material edition inside the notice period: refused by the CLI, the API and the hook") {
  Record r;
  setAttributes(r, "material-notice-days=\"30\"");
  r.commitEdit("Новый абзац.");
  const core::Instant now = core::now();

  RunResult cli =
      r.charta({"publish", "personal-data", "--material", "--effective-from", at(now + days{10})});
  CHECK(cli.status == 2);
  CHECK(cli.err.find("material-notice-days") != std::string::npos);

  ServerProcess server(r.box.path(), {tokens()});
  auto api =
      publishApi(server, "{\"material\":true,\"effective_from\":\"" + at(now + days{29}) + "\"}");
  CHECK(api.status == 422);
  CHECK(problemType(api) == "https://charta.dev/problems/notice-period");
  auto eds = object(r.charta({"--json", "in-force", "personal-data"}).out);
  CHECK(eds->getValue<std::string>("edition") == "v1");

  // A tag made by hand in the clone, as charta would write it but inside the notice period.
  testing::sh("git fetch -q origin", r.box / "wt");
  auto forge = [&](const std::string& effective) {
    const core::Instant t = core::now();
    testing::writeFile(r.box / "message",
                       "Publish personal-data v2\n\nEffective-From: " + effective +
                           "\nPublished-At: " + at(t) + "\nMaterial: yes\n");
    RunResult tag = r.shell(
        "git tag -f -a personal-data/v2 -F ../message HEAD && git push origin personal-data/v2",
        "wt", {"GIT_COMMITTER_DATE=@" + std::to_string(core::toUnixSeconds(t)) + " +0500"});
    return tag;
  };
  RunResult pushed = forge(at(core::now() + days{3}));
  INFO("push: " << pushed.err);
  CHECK(pushed.status != 0);
  CHECK(pushed.err.find("remote: charta: refs/tags/personal-data/v2: a material edition of "
                        "personal-data takes effect at least 30 days") != std::string::npos);
  CHECK(r.remoteTags().find("personal-data/v2") == std::string::npos);
  // The same tag after the notice period goes through.
  RunResult later = forge(at(core::now() + days{31}));
  CHECK_MESSAGE(later.status == 0, later.err);
  CHECK(r.remoteTags().find("personal-data/v2") != std::string::npos);
}

TEST_CASE("approvals: recorded in git, counted by the CLI and the API, named on the archive") {
  Record r;
  setAttributes(r, "approvals=\"2\"");
  const std::string older = r.commitEdit("Первый абзац.");
  const std::string revision = r.commitEdit("Второй абзац.");
  const std::string route = "/api/v1/documents/personal-data/revisions/" + revision + "/approvals";

  // The author's own approval is recorded and does not count.
  auto own = object(r.charta({"--json", "approve", "personal-data", revision, "--as",
                              "Legal Team <legal@shop.test>"})
                        .out);
  CHECK(own->getValue<int>("counted") == 0);
  CHECK(own->getValue<int>("needed") == 2);
  // An approval of another commit does not count for this one.
  REQUIRE(r.charta({"approve", "personal-data", older, "--as", "Anna <anna@shop.test>"}).status ==
          0);
  RunResult cli = r.charta({"publish", "personal-data"});
  CHECK(cli.status == 2);
  CHECK(cli.err.find("needs 2 approvals") != std::string::npos);

  ServerProcess server(r.box.path(), {tokens()});
  CHECK(testing::http(server.port(), "POST", route, {}, "{}").status == 401);
  CHECK(testing::http(server.port(), "POST", route, writeHeaders(kSiteToken), "{}").status == 403);
  auto approved = testing::http(server.port(), "POST", route, writeHeaders(kLegalToken), "{}");
  REQUIRE_MESSAGE(approved.status == 201, approved.body);
  CHECK(object(approved.body)->getValue<int>("counted") == 1);
  auto refused = publishApi(server, "{}");
  CHECK(refused.status == 422);
  CHECK(problemType(refused) == "https://charta.dev/problems/approvals-missing");

  REQUIRE(
      r.charta({"approve", "personal-data", revision, "--as", "Anna <anna@shop.test>"}).status ==
      0);
  // Approving again changes nothing and says where the revision stands.
  auto state =
      object(testing::http(server.port(), "POST", route, writeHeaders(kLegalToken), "{}").body);
  CHECK(state->getValue<int>("counted") == 2);
  CHECK(state->getValue<bool>("approved"));
  auto published = publishApi(server, "{}");
  REQUIRE_MESSAGE(published.status == 201, published.body);
  const std::string tag = testing::sh("git cat-file -p personal-data/v2", r.bare());
  CHECK(tag.find("Approved-By: legal <api@charta.invalid>\nApproved-By: Anna <anna@shop.test>") !=
        std::string::npos);
  // Every clone sees who approved.
  testing::sh("git fetch -q origin 'refs/charta/*:refs/charta/*'", r.box / "wt");
  CHECK(testing::sh("git log --format=%an refs/charta/approvals/personal-data/" + revision,
                    r.box / "wt") == "Anna\nlegal\nLegal Team\n");
  CHECK(eventually([&] {
    auto archive = testing::http(server.port(), "GET", "/personal-data/versions");
    return archive.body.find("Одобрили: legal, Anna.") != std::string::npos;
  }));

  // A tag made by hand that names approvers who never approved its commit is refused by the hook.
  r.commitEdit("Третий абзац.");
  const core::Instant t = core::now();
  testing::writeFile(r.box / "message",
                     "Publish personal-data v3\n\nEffective-From: " + at(t + minutes{5}) +
                         "\nPublished-At: " + at(t) +
                         "\nMaterial: no\nApproved-By: Anna <anna@shop.test>\nApproved-By: "
                         "legal <api@charta.invalid>\n");
  RunResult forged =
      r.shell("git tag -a personal-data/v3 -F ../message HEAD && git push origin personal-data/v3",
              "wt", {"GIT_COMMITTER_DATE=@" + std::to_string(core::toUnixSeconds(t)) + " +0500"});
  CHECK(forged.status != 0);
  CHECK(forged.err.find("remote: charta: refs/tags/personal-data/v3: its Approved-By trailers do "
                        "not name enough approvals") != std::string::npos);
  CHECK(r.remoteTags().find("personal-data/v3") == std::string::npos);
}

TEST_CASE("the preview: a static site from the CLI, the page and the redline over the API") {
  Record r;
  const std::string revision = r.commitEdit("Новый абзац предварительного просмотра.");
  RunResult cli = r.charta({"preview", "personal-data", revision, "--out", "preview"});
  REQUIRE_MESSAGE(cli.status == 0, cli.err);
  for (const char* path :
       {"preview/index.html", "preview/ru/index.html", "preview/ru/changes/index.html",
        "preview/lint/index.html", "preview/assets/charta.css"}) {
    CHECK_MESSAGE(std::filesystem::exists(r.box / path), path);
  }
  const std::string page = readText(r.box / "preview/ru/index.html");
  CHECK(page.find("<meta name=\"robots\" content=\"noindex\"/>") != std::string::npos);
  CHECK(page.find("это не опубликованная редакция") != std::string::npos);
  CHECK(page.find("Новый абзац предварительного просмотра.") != std::string::npos);
  CHECK(readText(r.box / "preview/index.html").find("noindex") != std::string::npos);
  // A folder that is not empty is refused.
  CHECK(r.charta({"preview", "personal-data", "--out", "preview"}).status == 2);

  ServerProcess server(r.box.path(), {tokens()});
  const std::string base = "/api/v1/documents/personal-data/revisions/" + revision;
  CHECK(testing::http(server.port(), "GET", base + "/page").status == 401);
  CHECK(testing::http(server.port(), "GET", base + "/page", bearer(kSiteToken)).status == 403);
  auto api = testing::http(server.port(), "GET", base + "/page?lang=ru", bearer(kLegalToken));
  REQUIRE_MESSAGE(api.status == 200, api.body);
  CHECK(api.header("x-robots-tag") == "noindex");
  CHECK(api.body.find("notice-preview") != std::string::npos);
  CHECK(api.body.find("Новый абзац предварительного просмотра.") != std::string::npos);
  auto redline = testing::http(server.port(), "GET", base + "/redline", bearer(kLegalToken));
  REQUIRE_MESSAGE(redline.status == 200, redline.body);
  CHECK(redline.body.find("<ins") != std::string::npos);
  CHECK(testing::http(server.port(), "GET", base + "/page?lang=de", bearer(kLegalToken)).status ==
        404);
  // Nothing was published.
  CHECK(testing::http(server.port(), "GET", "/personal-data/v2").status == 404);
}
