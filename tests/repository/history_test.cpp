// The history of a document along the branch's first parents: renames declared with
// previous-paths are followed, merges and side-branch commits are not revisions, a commit that
// changes only another document's entry in charta.xml is none of its business, and the history
// older than charta.xml is read with the charta.xml that adopted it. Then imported editions:
// written all or none, read back as imported, only before the first edition.

#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include "core/error.h"
#include "core/publication.h"
#include "repository/policy_repository.h"
#include "repository/repo_fixture.h"

using namespace charta;
using repository::PolicyRepository;
using testing::at;
using testing::kLegal;
using testing::Sandbox;
using testing::sh;

namespace {

const core::DocumentId kTerms = *core::DocumentId::parse("terms");

std::string registryXml(const std::string& title, bool other) {
  return "<charta version=\"1\">\n"
         "  <document id=\"terms\" route=\"/terms\" controlling-lang=\"en\">\n"
         "    <title>" +
         title +
         "</title>\n"
         "    <text lang=\"en\" path=\"docs/new.md\" previous-paths=\"docs/old.md\"/>\n"
         "  </document>\n" +
         (other ? "  <document id=\"privacy\" controlling-lang=\"en\">\n"
                  "    <text lang=\"en\" path=\"docs/privacy.md\"/>\n  </document>\n"
                : "") +
         "</charta>\n";
}

// A repository whose history has the traits of one adopted by charta; "ids" receives each
// step's commit by name.
struct History {
  Sandbox box;
  std::filesystem::path dir = box / "repo";
  std::map<std::string, core::CommitId> ids;

  void commit(const std::string& name, const std::string& script) {
    sh(script + " && git add -A && git commit -qm '" + name + "'", dir);
    ids.emplace(name, *core::CommitId::parse(sh("git rev-parse HEAD | tr -d '\\n'", dir)));
  }
  void writeRegistry(const std::string& name, const std::string& title, bool other) {
    std::ofstream(dir / "charta.xml") << registryXml(title, other);
    commit(name, "true");
  }

  History() {
    std::filesystem::create_directories(dir);
    sh("git init -q -b main . && git config user.name 'Legal Team' && "
       "git config user.email legal@shop.test && mkdir docs",
       dir);
    commit("A", "printf '# Terms\\n\\nOne.\\n' > docs/old.md");
    commit("B", "echo readme > README.md");
    sh("git checkout -q -b side", dir);
    commit("S", "printf '# Terms\\n\\nOne. Two.\\n' > docs/old.md");
    sh("git checkout -q main", dir);
    commit("C", "echo more >> README.md");
    sh("git merge -q --no-ff -m M side", dir);
    ids.emplace("M", *core::CommitId::parse(sh("git rev-parse HEAD | tr -d '\\n'", dir)));
    commit("R", "git mv docs/old.md docs/new.md");
    writeRegistry("X", "Terms", false);
    commit("Y", "printf '# Privacy\\n\\nText.\\n' > docs/privacy.md && " +
                    std::string("sed -i 's|</charta>|  <document id=\"privacy\" "
                                "controlling-lang=\"en\"><text lang=\"en\" "
                                "path=\"docs/privacy.md\"/></document>\\n</charta>|' charta.xml"));
    commit("Z", "printf '# Terms\\n\\nOne. Two. Three.\\n' > docs/new.md");
    writeRegistry("W", "Terms of Service", true);
  }

  core::CommitId operator[](const std::string& name) const { return ids.at(name); }
};

std::vector<std::string> names(const History& h, const std::vector<core::RevisionInfo>& revs) {
  std::vector<std::string> out;
  for (const auto& r : revs) {
    std::string name = "?";
    for (const auto& [n, id] : h.ids) {
      if (id == r.commit) name = n;
    }
    out.push_back(name);
  }
  return out;
}

core::Edition imported(const History& h, const std::string& name, int no, const char* effective) {
  core::Edition e{kTerms,
                  *core::EditionNo::of(no),
                  h[name],
                  at("2026-12-01T10:00:00+05:00"),
                  at(effective),
                  std::chrono::minutes(0),
                  false,
                  {},
                  "",
                  kLegal,
                  std::nullopt,
                  std::nullopt};
  e.imported = true;
  return e;
}

}  // namespace

TEST_CASE("the revisions of a document follow first parents and renames") {
  History h;
  auto repo = PolicyRepository::open(h.dir);
  const core::Document doc = *repo->registry(repo->head()).document(kTerms);
  // S is on a side branch; R only renames; B, C and Y change other files or another entry.
  CHECK(names(h, repo->revisions(doc)) == std::vector<std::string>{"W", "Z", "X", "M", "A"});
  CHECK(names(h, repo->textRevisions(doc)) == std::vector<std::string>{"Z", "M", "A"});
  CHECK(names(h, repo->textRevisions(doc, h["M"])) == std::vector<std::string>{"Z", "M"});
  CHECK_THROWS_AS(repo->textRevisions(doc, h["S"]), NotFound);
  CHECK(repo->revisions(doc, 1000, true).size() == 10);
  CHECK(repo->revisions(doc, 2).size() == 2);
}

TEST_CASE("the history older than charta.xml is read with the charta.xml that adopted it") {
  History h;
  auto repo = PolicyRepository::open(h.dir);
  CHECK(repo->registryCommit(h["A"]) == h["X"]);
  CHECK(repo->registryCommit(h["Z"]) == h["Z"]);
  CHECK(repo->registryCommit(h["S"]) == h["X"]);  // merged: older than X too
  const core::Registry old = repo->registry(h["A"]);
  REQUIRE(old.document(kTerms));
  auto text = repo->text(*old.document(kTerms), h["A"], *core::Lang::parse("en"));
  REQUIRE(text);
  CHECK(text->path == "docs/old.md");
  CHECK(text->body() == "# Terms\n\nOne.\n");
  sh("git checkout -q --orphan stray && git rm -rfq . && echo x > x && git add x && "
     "git commit -qm stray && git checkout -q main",
     h.dir);
  const auto stray = *core::CommitId::parse(sh("git rev-parse stray | tr -d '\\n'", h.dir));
  CHECK_FALSE(repo->registryCommit(stray));
  CHECK_THROWS_AS(repo->registry(stray), repository::InvalidRegistry);
}

TEST_CASE("imported editions: all or none, read back as imported, only before the first") {
  History h;
  auto repo = PolicyRepository::open(h.dir);
  auto v1 = imported(h, "A", 1, "2015-03-01T00:00:00+00:00");
  v1.registryAt = h["X"];
  auto v2 = imported(h, "M", 2, "2016-03-01T00:00:00+00:00");
  v2.registryAt = h["X"];
  auto v3 = imported(h, "Z", 3, "2017-03-01T00:00:00+00:00");
  const core::Instant now = at("2026-12-01T10:00:00+05:00");

  SUBCASE("a tag in the way: nothing is written") {
    sh("git tag -a -m 'Publish terms v2' terms/v2 HEAD", h.dir);
    CHECK_THROWS_AS(repo->importEditions(kTerms, {v1, v2, v3}, kLegal, now, {}), Conflict);
    CHECK(sh("git tag -l", h.dir) == "terms/v2\n");
  }
  SUBCASE("written and read back") {
    auto written = repo->importEditions(kTerms, {v1, v2, v3}, kLegal, now, {});
    REQUIRE(written.size() == 3);
    CHECK(written[0].imported);
    CHECK(written[0].registryAt == h["X"]);
    CHECK(written[0].effectiveFrom == at("2015-03-01T00:00:00+00:00"));
    CHECK(written[2].commit == h["Z"]);
    auto found = repo->editions(kTerms);
    CHECK(found.problems.empty());
    CHECK(found.timeline.inForceAt(now)->no == written[2].no);
    CHECK(found.timeline.inForceAt(at("2016-06-01T00:00:00+00:00"))->no == written[1].no);
    CHECK(found.documents.at(1).id == kTerms);
    CHECK(sh("git cat-file -p terms/v1", h.dir).find("Imported: yes") != std::string::npos);
    // A second import finds editions: nothing is written.
    CHECK_THROWS_AS(repo->importEditions(kTerms, {v1}, kLegal, now, {}), Conflict);
    // Published by charta afterwards: fine. Imported after it: not an edition.
    core::Edition v4 = imported(h, "W", 4, "2026-12-02T00:00:00+05:00");
    v4.imported = false;
    v4.publishedAt = at("2026-12-01T11:00:00+05:00");
    repo->createEditionTag(kTerms, v4.no, v4.commit, core::editionMessage(v4), kLegal,
                           v4.publishedAt, {});
    core::Edition v5 = imported(h, "W", 5, "2026-12-01T00:00:00+05:00");
    v5.publishedAt = at("2026-12-01T12:00:00+05:00");
    sh("git tag -a -F - terms/v5 " + h["W"].str() + " <<'EOF'\n" + core::editionMessage(v5) +
           "\nEOF",
       h.dir);
    auto after = repo->editions(kTerms);
    REQUIRE(after.problems.size() == 1);
    CHECK(after.problems[0].reason.find("imported after v4") != std::string::npos);
  }
}

TEST_CASE("an imported edition that takes effect after its import is no edition") {
  History h;
  auto repo = PolicyRepository::open(h.dir);
  auto v1 = imported(h, "Z", 1, "2030-01-01T00:00:00+00:00");
  CHECK_THROWS_AS(repo->importEditions(kTerms, {v1}, kLegal, at("2026-12-01T10:00:00+05:00"), {}),
                  repository::RepositoryError);
  CHECK(sh("git tag -l", h.dir).empty());
}
