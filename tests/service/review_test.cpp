// The review before publishing against a real repository edited with the git CLI: notice periods
// of material editions, approvals of the exact revision recorded in git, and the preview of a
// draft, byte for byte the page served once the same revision is published.

#include <doctest/doctest.h>

#include "core/error.h"
#include "render/site.h"
#include "repository/repo_fixture.h"
#include "service/catalog.h"
#include "service/pages.h"
#include "service/preview.h"
#include "service/publishing.h"

using namespace charta;
using namespace std::chrono;
using service::Publishing;
using service::PublishRequest;
using testing::at;
using testing::kDoc;
using testing::kLegal;
using testing::sh;

namespace {

PublishRequest request(std::optional<core::Instant> effective = std::nullopt) {
  return PublishRequest{kDoc, std::nullopt, effective, core::kKazakhstanOffset, false, {},
                        "",   std::nullopt, kLegal};
}

const core::Person kAnna{"Anna Petrova", "anna@shop.test"};
const core::Person kBoris{"Boris Ivanov", "boris@shop.test"};

struct Fixture : testing::RepoFixture {
  Publishing publishing{*repo, {}};
  const core::Instant t0 = at("2026-11-26T10:00:00+05:00");

  Fixture() {
    auto first = request();
    first.force = "imported as received";  // the seed's "7.1.."
    publishing.publish(first, t0);
  }
  // Sets attributes of the document's element in charta.xml and commits it.
  core::CommitId setAttributes(const std::string& attributes) {
    sh("sed -i 's|controlling-lang=\"ru\">|controlling-lang=\"ru\" " + attributes +
           ">|' charta.xml && git commit -qam 'Review rules'",
       dir);
    return repo->head();
  }
};

}  // namespace

TEST_CASE(
    "a material edition inside its notice period is refused; after it, or not material, not") {
  Fixture f;
  f.setAttributes("material-notice-days=\"30\"");
  f.commitEdit("10.1. Новый пункт.");
  const core::Instant now = f.t0 + hours{1};
  auto material = request(now + days{29} + hours{23});
  material.material = true;
  const auto before = f.tags();
  CHECK_THROWS_AS(f.publishing.publish(material, now), service::NoticeRefused);
  try {
    f.publishing.publish(material, now);
  } catch (const service::NoticeRefused& e) {
    CHECK(std::string(e.what()).find("at least 30 days after it is published") !=
          std::string::npos);
  }
  CHECK(f.tags() == before);
  material.effectiveFrom = now + days{30};
  CHECK(f.publishing.publish(material, now).no.value() == 2);
  f.commitEdit("10.2. Ещё один пункт.");
  CHECK(f.publishing.publish(request(), now + hours{1}).no.value() == 3);  // not material: at once
}

TEST_CASE("approvals: the author's own does not count, another commit's neither; two unlock") {
  Fixture f;
  f.setAttributes("approvals=\"2\"");
  const core::CommitId other = f.commitEdit("10.1. Новый пункт.");
  const core::CommitId revision = f.commitEdit("10.2. Ещё один пункт.");
  const core::Instant now = f.t0 + hours{1};
  const core::Person author = f.repo->author(revision);
  REQUIRE(author.email == "legal@shop.test");

  CHECK_THROWS_AS(f.publishing.publish(request(), now), service::ApprovalsMissing);
  // The author approves their own revision: recorded, never counted.
  auto own = f.publishing.approve(kDoc, revision, author, now);
  CHECK(own.recorded.size() == 1);
  CHECK(own.counted.empty());
  // An approval of the commit before it does not count for this one.
  CHECK(f.publishing.approve(kDoc, other, kAnna, now).counted.size() == 1);
  CHECK(f.publishing.approve(kDoc, revision, kBoris, now).counted.size() == 1);
  // The same person twice is one approval.
  auto again = f.publishing.approve(kDoc, revision, core::Person{"boris ivanov", ""}, now);
  CHECK(again.recorded.size() == 2);
  CHECK(again.counted.size() == 1);
  const auto before = f.tags();
  try {
    f.publishing.publish(request(), now);
    FAIL("published with one approval");
  } catch (const service::ApprovalsMissing& e) {
    CHECK(std::string(e.what()).find("needs 2 approvals") != std::string::npos);
  }
  CHECK(f.tags() == before);

  auto done = f.publishing.approve(kDoc, revision, kAnna, now + minutes{1});
  CHECK(done.counted.size() == 2);
  core::Edition e = f.publishing.publish(request(), now + minutes{2});
  REQUIRE(e.approvedBy.size() == 2);
  CHECK(e.approvedBy[0].name == "Boris Ivanov");
  CHECK(e.approvedBy[1].name == "Anna Petrova");
  const std::string tag = sh("git cat-file -p personal-data/v2", f.dir);
  CHECK(tag.find("Approved-By: Boris Ivanov <boris@shop.test>\nApproved-By: Anna Petrova "
                 "<anna@shop.test>") != std::string::npos);
  // Recorded in git under refs/charta/, where every clone sees it.
  CHECK(sh("git log --format=%an refs/charta/approvals/personal-data/" + revision.str(), f.dir) ==
        "Anna Petrova\nBoris Ivanov\nLegal Team\n");
  CHECK(f.repo->timeline(kDoc).edition(e.no)->approvedBy.size() == 2);
}

TEST_CASE("the preview of a draft is the page served after publishing it, apart from the notice") {
  Fixture f;
  // A translation, so that every language is previewed.
  sh("mkdir -p personal-data && printf '# Privacy policy\\n\\n1. General\\n\\n1.1. Text.\\n' > "
     "personal-data/en.md && sed -i 's|<text lang=\"ru\" path=\"personal-data/ru.md\"/>|<text "
     "lang=\"ru\" path=\"personal-data/ru.md\"/><text lang=\"en\" path=\"personal-data/en.md\"/>|' "
     "charta.xml && git add -A && git commit -qm 'English'",
     f.dir);
  const core::CommitId revision = f.commitEdit("10.1. Новый пункт.");
  render::Site site(testing::sourceDir());
  service::Catalog catalog(*f.repo, {});
  catalog.refresh();
  service::Previews previews(catalog, site, f.publishing);
  const core::Instant now = f.t0 + hours{1};
  service::PreviewRequest req{kDoc,  revision, std::nullopt, core::kKazakhstanOffset,
                              false, {},       "Пункт 10.1"};
  const service::Preview p = previews.preview(req, now);
  CHECK(p.edition.no.value() == 2);
  REQUIRE(p.pages.size() == 2);
  REQUIRE(p.redlines.size() == 1);  // v1, in force, has no English text to compare with
  CHECK(p.redlines.count("ru") == 1);
  for (const auto& [lang, bytes] : p.pages) {
    CHECK(bytes.find("<meta name=\"robots\" content=\"noindex\"/>") != std::string::npos);
    CHECK(bytes.find("notice-preview") != std::string::npos);
  }

  auto publish = request();
  publish.revision = revision;
  publish.summary = "Пункт 10.1";
  publish.force = "the English text is new";  // whatever its lint says; the page never shows it
  REQUIRE(f.publishing.publish(publish, now).no.value() == 2);
  catalog.refresh();
  service::Pages pages(catalog, site);
  for (const core::Lang& lang : p.document.langs) {
    auto served = pages.edition(kDoc, *core::EditionNo::of(2), lang, now + hours{5});
    REQUIRE(served);
    CHECK(service::markPreview(*served->body, lang) == p.pages.at(lang.str()));
    CHECK(*served->body != p.pages.at(lang.str()));
    auto snap = catalog.snapshot();
    const service::DocumentState* d = snap->find(kDoc);
    auto changes = pages.changes(*d, *d->timeline.edition(*core::EditionNo::of(1)),
                                 *d->timeline.edition(*core::EditionNo::of(2)), lang);
    CHECK(static_cast<bool>(changes) == (p.redlines.count(lang.str()) == 1));
    if (changes) CHECK(service::markPreview(*changes->body, lang) == p.redlines.at(lang.str()));
  }
  // The static site: an index, every language's page and redline, the lint, the assets.
  auto files = service::previewSite(p, site, now);
  std::set<std::string> paths;
  for (const auto& file : files) {
    paths.insert(file.path);
    if (file.path.ends_with(".html")) {
      CHECK_MESSAGE(file.bytes.find("noindex") != std::string::npos, file.path);
      CHECK_MESSAGE(file.bytes.find("notice-preview") != std::string::npos, file.path);
    }
  }
  for (const char* path : {"index.html", "lint/index.html", "ru/index.html", "en/index.html",
                           "ru/changes/index.html", "assets/charta.css"}) {
    CHECK_MESSAGE(paths.count(path) == 1, path);
  }
}
