// The policy repository as git: files at a revision, the revisions of a document, and the tags
// of editions and withdrawals written with compare-and-swap and read back. The rules that decide
// what may be written are tested in tests/core/publication_test.cpp and, on a real repository, in
// tests/service/publishing_test.cpp.

#include <doctest/doctest.h>

#include <map>

#include "core/error.h"
#include "core/publication.h"
#include "repository/policy_repository.h"
#include "repository/repo_fixture.h"

using namespace charta;
using namespace std::chrono;
using repository::PolicyRepository;
using testing::at;
using testing::kDoc;
using testing::kLegal;
using testing::Sandbox;
using testing::sh;

namespace {

core::EditionNo no(int n) { return *core::EditionNo::of(n); }

// An edition of "commit" with the terms a tag states; its number is set by the caller.
core::Edition terms(const core::CommitId& commit, core::Instant publishedAt,
                    std::optional<core::Instant> effective = std::nullopt) {
  return core::Edition{kDoc,
                       no(1),
                       commit,
                       publishedAt,
                       effective.value_or(publishedAt),
                       core::kKazakhstanOffset,
                       false,
                       {},
                       {},
                       kLegal,
                       std::nullopt,
                       std::nullopt};
}

core::Edition tag(PolicyRepository& repo, core::Edition e, int n) {
  e.no = no(n);
  return repo.createEditionTag(e.doc, e.no, e.commit, core::editionMessage(e), e.publisher,
                               e.publishedAt, e.effectiveOffset);
}

}  // namespace

TEST_CASE("a new repository holds the seed texts at its first commit") {
  for (bool bare : {true, false}) {
    CAPTURE(bare);
    Sandbox box;
    auto repo =
        PolicyRepository::create(box / "repo", testing::sourceDir() / "policies", bare, kLegal);
    auto head = repo->head();
    auto reg = repo->registry(head);
    const core::Document* doc = reg.document(kDoc);
    REQUIRE(doc);
    auto text = repo->text(*doc, head, doc->controllingLang);
    REQUIRE(text);
    CHECK(text->bytes == testing::slurp(testing::sourceDir() / "policies/personal-data/ru.md"));
    CHECK(text->title == "Политика конфиденциальности персональных данных");
    CHECK(text->body().find("**Публичная оферта.**") == 1);  // after the blank line
    // The hash is that of the exact bytes git stores.
    std::string gitSha =
        sh("git --git-dir='" + (bare ? box / "repo" : box / "repo/.git").string() + "' show " +
           head.str() + ":personal-data/ru.md | sha256sum | cut -c1-64");
    CHECK(text->sha256 + "\n" == gitSha);
    CHECK_FALSE(repo->text(*doc, head, *core::Lang::parse("kk")));
    CHECK_FALSE(repo->readFile(head, "no/such/file"));
    CHECK_THROWS_AS(repo->readFile(*core::CommitId::parse(std::string(40, 'a')), "charta.xml"),
                    NotFound);
    CHECK_THROWS_AS(
        PolicyRepository::create(box / "repo", testing::sourceDir() / "policies", bare, kLegal),
        InvalidInput);
    CHECK(PolicyRepository::open(box / "repo")->head() == head);
  }
  Sandbox box;
  CHECK_THROWS_AS(PolicyRepository::open(box / "none"), repository::RepositoryError);
}

TEST_CASE("commits made with the git CLI show up as drafts without reopening") {
  testing::RepoFixture f;
  const core::Document doc = *f.repo->registry(f.repo->head()).document(kDoc);
  CHECK(f.repo->revisions(doc).size() == 1);
  auto c1 = f.commitEdit("10.1. Новый пункт.", "Add 10.1");
  sh("echo readme > README.md && git add README.md && git commit -qm 'Unrelated file'", f.dir);
  auto revs = f.repo->revisions(doc);
  REQUIRE(revs.size() == 2);  // the unrelated commit does not touch the document
  CHECK(revs[0].commit == c1);
  CHECK(revs[0].subject() == "Add 10.1");
  CHECK(revs[0].author.name == "Legal Team");
  CHECK(f.repo->onBranch(c1));
  auto text = f.repo->text(doc, c1, doc.controllingLang);
  CHECK(text->body().find("10.1. Новый пункт.") != std::string::npos);
}

TEST_CASE("how far back each file last changed, for the lint's lagging translations") {
  testing::RepoFixture f;
  const std::vector<std::string> files{"personal-data/ru.md", "charta.xml", "README.md", "none"};
  auto first = f.repo->lastChanges(f.repo->head(), files);
  CHECK(first == std::map<std::string, size_t>{{"personal-data/ru.md", 0}, {"charta.xml", 0}});
  f.commitEdit("10.1. Новый пункт.");
  sh("echo readme > README.md && git add README.md && git commit -qm 'Readme'", f.dir);
  auto later = f.repo->lastChanges(f.repo->head(), files);
  CHECK(later == std::map<std::string, size_t>{
                     {"README.md", 0}, {"personal-data/ru.md", 1}, {"charta.xml", 2}});
}

TEST_CASE("edition tags: created only as the next number, read back as git reads them") {
  testing::RepoFixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  const core::CommitId c0 = f.repo->head();

  CHECK_THROWS_WITH_AS(tag(*f.repo, terms(c0, t0), 2),
                       "the next edition of personal-data is v1, not v2; nothing was written",
                       repository::EditionNumberTaken);
  CHECK(f.tags().empty());

  core::Edition v1 = tag(*f.repo, terms(c0, t0), 1);
  CHECK(v1.no == no(1));
  CHECK(v1.commit == c0);
  CHECK(v1.publishedAt == t0);
  CHECK(v1.publisher.email == "legal@shop.test");

  // A caller that read the timeline before v1 existed asks for v1 again: nothing is written.
  const auto c1 = f.commitEdit("10.1. Новый пункт.");
  CHECK_THROWS_AS(tag(*f.repo, terms(c1, t0), 1), repository::EditionNumberTaken);
  CHECK_THROWS_AS(tag(*f.repo, terms(c1, t0), 1), Conflict);  // what callers retry on
  CHECK(f.tags() == std::vector<std::string>{"personal-data/v1"});

  auto scheduled = terms(c1, t0 + hours{1}, at("2026-12-01T00:00:00+05:00"));
  scheduled.material = true;
  scheduled.renewPurposes = {*core::PurposeId::parse("marketing")};
  scheduled.summary = "Пункт 10.1";
  core::Edition v2 = tag(*f.repo, scheduled, 2);
  CHECK(v2.material);
  CHECK(v2.renewPurposes == scheduled.renewPurposes);
  CHECK(v2.effectiveFrom == at("2026-12-01T00:00:00+05:00"));
  CHECK(sh("git tag -l --format='%(contents)' personal-data/v2 | git interpret-trailers --parse",
           f.dir) ==
        "Effective-From: 2026-12-01T00:00:00+05:00\nPublished-At: 2026-11-26T11:00:00+05:00\n"
        "Material: yes\nRenew-Purposes: marketing\nSummary: Пункт 10.1\n");
  CHECK(sh("git cat-file -p personal-data/v2 | grep '^tagger'", f.dir) ==
        "tagger Legal Team <legal@shop.test> " +
            std::to_string(core::toUnixSeconds(t0 + hours{1})) + " +0500\n");
  CHECK_THROWS_AS(tag(*f.repo, terms(*core::CommitId::parse(std::string(40, 'a')), t0), 3),
                  NotFound);
  sh("git fsck --strict --no-dangling", f.dir);
}

TEST_CASE("tags that charta did not write are not editions: reported, and never overwritten") {
  testing::RepoFixture f;
  tag(*f.repo, terms(f.repo->head(), at("2026-11-26T10:00:00+05:00")), 1);
  sh("git tag release-1 && git tag personal-data/v7 && git tag personal-data/V8 && "
     "git tag -a personal-data/v03 -m 'hand made' && git tag -a personal-data/v9 -m 'no trailers' "
     "&& "
     "git tag -a -m 'Publish' -m 'Effective-From: 2026-01-01T00:00:00Z' personal-data/v10 "
     "HEAD^{tree}",
     f.dir);
  repository::DocumentEditions eds = f.repo->editions(kDoc);
  REQUIRE(eds.timeline.editions().size() == 1);
  CHECK(eds.timeline.latest()->no.value() == 1);
  CHECK(eds.documents.at(1).id == kDoc);
  // Each tag named as charta names editions is reported with why it is not one; the numbers
  // missing below the highest are reported as deleted. Names charta does not read are not.
  std::map<std::string, std::string> problems;
  for (const auto& p : eds.problems) problems.emplace(p.ref, p.reason);
  CHECK(problems.at("refs/tags/personal-data/v7") ==
        "a lightweight tag: charta writes annotated tags");
  CHECK(problems.at("refs/tags/personal-data/v9")
            .find("does not open with \"Publish "
                  "personal-data v9\"") != std::string::npos);
  CHECK(problems.at("refs/tags/personal-data/v10") == "it points at a tree, not a commit");
  CHECK(problems.at("refs/tags/personal-data/v2").find("an edition was deleted") !=
        std::string::npos);
  CHECK_FALSE(problems.count("refs/tags/personal-data/v03"));
  CHECK_FALSE(problems.count("refs/tags/personal-data/V8"));
  CHECK(f.repo->documentsWithTags() == std::vector<core::DocumentId>{kDoc});
  // The next number is still v2, with no gap.
  auto c1 = f.commitEdit("10.1. Новый пункт.");
  CHECK(tag(*f.repo, terms(c1, at("2026-11-26T11:00:00+05:00")), 2).no == no(2));
  // A foreign tag on the next number is named, not overwritten: retrying does not help.
  sh("git tag personal-data/v3", f.dir);
  const std::string foreign = sh("git rev-parse personal-data/v3", f.dir);
  auto c2 = f.commitEdit("10.2. Ещё пункт.");
  try {
    tag(*f.repo, terms(c2, at("2026-11-26T12:00:00+05:00")), 3);
    FAIL("a foreign tag was overwritten");
  } catch (const repository::ForeignTag& e) {
    CHECK(e.ref() == "refs/tags/personal-data/v3");
    CHECK(std::string(e.what()).find("refs/tags/personal-data/v3 is not an edition (a lightweight "
                                     "tag: charta writes annotated tags)") == 0);
  }
  CHECK(sh("git rev-parse personal-data/v3", f.dir) == foreign);
  CHECK(sh("git cat-file -t " + foreign, f.dir) == "commit\n");
}

TEST_CASE("a forged tag: backdated, out of order, or of a commit without the document") {
  testing::RepoFixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  tag(*f.repo, terms(f.repo->head(), t0), 1);
  const auto c1 = f.commitEdit("10.1. Новый пункт.");
  // Effective-From months before its tagger time (issue 13).
  sh("GIT_COMMITTER_DATE='2026-11-27T10:00:00+05:00' git tag -a personal-data/v2 -m 'Publish "
     "personal-data v2' -m 'Effective-From: 2026-06-01T00:00:00+05:00' " +
         c1.str(),
     f.dir);
  // A tagger time before v1's, Effective-From the same: backdated behind an edition.
  sh("GIT_COMMITTER_DATE='2026-01-01T10:00:00+05:00' git tag -a personal-data/v3 -m 'Publish "
     "personal-data v3' -m 'Effective-From: 2026-01-01T10:00:00+05:00' " +
         c1.str(),
     f.dir);
  repository::DocumentEditions eds = f.repo->editions(kDoc);
  CHECK(eds.timeline.editions().size() == 1);
  REQUIRE(eds.problems.size() == 2);
  CHECK(eds.problems[0].str() ==
        "refs/tags/personal-data/v2: effective-from 2026-06-01T00:00:00+05:00 is before the "
        "moment of publication 2026-11-27T10:00:00+05:00: an edition takes effect when it is "
        "published or later, never earlier");
  CHECK(eds.problems[1].reason.find("before v1") != std::string::npos);
  CHECK(f.repo->timeline(kDoc).inForceAt(at("2026-07-01T00:00:00+05:00")) == nullptr);
}

TEST_CASE("withdrawal tags: of an edition's tag object, once") {
  testing::RepoFixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  tag(*f.repo, terms(f.repo->head(), t0, at("2026-12-01T00:00:00+05:00")), 1);
  const std::string message =
      core::withdrawalMessage(kDoc, no(1), "Ошибка", t0 + hours{1}, hours{5});
  CHECK_THROWS_AS(f.repo->createWithdrawalTag(kDoc, no(2), message, kLegal, t0, hours{5}),
                  NotFound);
  f.repo->createWithdrawalTag(kDoc, no(1), message, kLegal, t0 + hours{1}, hours{5});
  CHECK_THROWS_WITH_AS(
      f.repo->createWithdrawalTag(kDoc, no(1), message, kLegal, t0 + hours{2}, hours{5}),
      "edition v1 of personal-data is already withdrawn", Conflict);
  const core::Timeline tl = f.repo->timeline(kDoc);
  const core::Edition* e = tl.edition(no(1));
  REQUIRE(e->withdrawal);
  CHECK(e->withdrawal->at == t0 + hours{1});
  CHECK(e->withdrawal->reason == "Ошибка");
  CHECK(e->withdrawal->by.name == "Legal Team");
  // The withdrawal's object is the edition's tag object, not its commit.
  CHECK(sh("git cat-file -p personal-data/withdrawn/v1 | sed -n 's/^object //p'", f.dir) ==
        sh("git rev-parse personal-data/v1", f.dir));
}

TEST_CASE("the git identity of the repository, when one is configured") {
  testing::RepoFixture f;
  sh("git config user.name 'Юрист' && git config user.email 'lawyer@shop.test'", f.dir);
  auto who = f.repo->gitUser();
  REQUIRE(who);
  CHECK(who->name == "Юрист");
  CHECK(who->email == "lawyer@shop.test");
}
