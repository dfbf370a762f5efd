#include <doctest/doctest.h>

#include "core/error.h"
#include "repository/policy_repository.h"
#include "support/sandbox.h"

using namespace charta;
using namespace std::chrono;
using repository::PolicyRepository;
using repository::PublishRequest;
using testing::Sandbox;
using testing::sh;

namespace {

const core::DocumentId kDoc = *core::DocumentId::parse("personal-data");
const core::Person kLegal{"Legal Team", "legal@shop.test"};

core::Instant at(const char* t) { return *core::parseRfc3339(t); }

PublishRequest request(std::optional<core::Instant> effective = std::nullopt) {
  return PublishRequest{kDoc, std::nullopt, effective, core::kKazakhstanOffset, false, {},
                        "",   std::nullopt, kLegal};
}

// v1 of the seed: its "7.1.." is a lint error (numbering), accepted as `charta init` accepts it.
PublishRequest seedRequest() {
  PublishRequest r = request();
  r.force = "imported as received";
  return r;
}

// A policy repository with a work tree, made from policies/, edited with the git CLI.
struct Fixture {
  Sandbox box;
  std::filesystem::path dir = box / "policies";
  std::unique_ptr<PolicyRepository> repo =
      PolicyRepository::create(dir, testing::sourceDir() / "policies", false, kLegal);

  // Appends "line" to the Russian text and commits it with the git CLI; returns the commit.
  core::CommitId commitEdit(const std::string& line, const std::string& message = "Edit") {
    sh("printf '\\n%s\\n' '" + line + "' >> personal-data/ru.md && git commit -qam '" + message +
           "' && git rev-parse HEAD",
       dir);
    return repo->head();
  }
  std::vector<std::string> tags() {
    std::string out = sh("git tag -l", dir);
    std::vector<std::string> v;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t e = out.find('\n', pos);
      v.push_back(out.substr(pos, e - pos));
      pos = e + 1;
    }
    return v;
  }
};

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
  Fixture f;
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

TEST_CASE(
    "publishing with an expected number: a publication by another process in between is refused") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  auto first = seedRequest();
  first.expectedNo = core::EditionNo::of(1);
  CHECK(f.repo->publish(first, t0).no.value() == 1);

  // A caller saw v1 as the latest and means to publish v2; another publisher gets v2 first.
  f.commitEdit("10.1. Новый пункт.");
  CHECK(f.repo->publish(request(), t0 + hours{1}).no.value() == 2);
  f.commitEdit("10.2. Ещё один пункт.");
  auto late = request();
  late.expectedNo = core::EditionNo::of(2);
  const auto before = f.tags();
  CHECK_THROWS_AS(f.repo->publish(late, t0 + hours{2}), repository::UnexpectedEdition);
  CHECK_THROWS_AS(f.repo->publish(late, t0 + hours{2}), Conflict);  // callers that retry on it
  CHECK(f.tags() == before);                                        // nothing written
  late.expectedNo = core::EditionNo::of(3);
  CHECK(f.repo->publish(late, t0 + hours{2}).no.value() == 3);
}

TEST_CASE("publishing: v1 now, a scheduled v2, the switch at its exact moment") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  core::Edition v1 = f.repo->publish(seedRequest(), t0);
  CHECK(v1.no.value() == 1);
  CHECK(v1.publishedAt == t0);
  CHECK(v1.effectiveFrom == t0);  // section 9.2: in force from publication
  CHECK(v1.publisher.name == "Legal Team");

  f.commitEdit("10.1. Новый пункт.");
  const auto t1 = at("2026-12-01T00:00:00+05:00");
  auto req = request(t1);
  req.material = true;
  req.renewPurposes = {*core::PurposeId::parse("marketing")};
  req.summary = "Пункт 10.1: новое условие";
  core::Edition v2 = f.repo->publish(req, t0 + hours{1});
  CHECK(v2.no.value() == 2);

  core::Timeline tl = f.repo->timeline(kDoc);
  REQUIRE(tl.editions().size() == 2);
  CHECK(tl.inForceAt(t1 - milliseconds{1})->no.value() == 1);
  CHECK(tl.inForceAt(t1)->no.value() == 2);
  CHECK(tl.upcomingAt(t1 - milliseconds{1}).front()->no.value() == 2);
  const core::Edition* read = tl.edition(*core::EditionNo::of(2));
  CHECK(read->material);
  REQUIRE(read->renewPurposes.size() == 1);
  CHECK(read->renewPurposes[0].str() == "marketing");
  CHECK(read->summary == "Пункт 10.1: новое условие");
  CHECK(read->effectiveOffset == core::kKazakhstanOffset);

  // The tag is an ordinary annotated git tag with trailers that git itself can read.
  std::string trailers =
      sh("git tag -l --format='%(contents)' personal-data/v2 | git "
         "interpret-trailers --parse",
         f.dir);
  CHECK(trailers.find("Effective-From: 2026-12-01T00:00:00+05:00") != std::string::npos);
  CHECK(trailers.find("Material: yes") != std::string::npos);
  CHECK(trailers.find("Renew-Purposes: marketing") != std::string::npos);
  CHECK(sh("git cat-file -p personal-data/v2 | grep '^tagger'", f.dir).find("Legal Team") !=
        std::string::npos);
}

TEST_CASE("publication is refused, and nothing written, when the rules say no") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.repo->publish(seedRequest(), t0);
  auto before = f.tags();

  SUBCASE("backdating") {
    f.commitEdit("10.1. Новый пункт.");
    CHECK_THROWS_WITH_AS(f.repo->publish(request(t0 - seconds{1}), t0),
                         doctest::Contains("before the moment of publication"), InvalidInput);
  }
  SUBCASE("the same text as the edition in force") {
    sh("git commit -q --allow-empty -m 'Nothing changed'", f.dir);
    CHECK_THROWS_WITH_AS(f.repo->publish(request(), t0 + seconds{5}),
                         doctest::Contains("same as edition v1"), InvalidInput);
  }
  SUBCASE("an invalid charta.xml") {
    sh("echo '<charta version=\"1\"><document' > charta.xml && git commit -qam 'Break xml'", f.dir);
    CHECK_THROWS_WITH_AS(f.repo->publish(request(), t0), doctest::Contains("charta.xml"),
                         InvalidInput);
  }
  SUBCASE("no text in the controlling language") {
    sh("git rm -q personal-data/ru.md && git commit -qm 'Remove text'", f.dir);
    CHECK_THROWS_WITH_AS(f.repo->publish(request(), t0), doctest::Contains("no text"),
                         InvalidInput);
  }
  SUBCASE("a purpose whose clause is missing") {
    sh("sed -i 's/^4.1.10. /4.1.99. /' personal-data/ru.md && git commit -qam 'Renumber'", f.dir);
    CHECK_THROWS_WITH_AS(f.repo->publish(request(), t0),
                         doctest::Contains("purpose \"marketing\" is tied to clause 4.1.10"),
                         InvalidInput);
  }
  SUBCASE("renew-purposes that the catalogue lacks, or without --material") {
    f.commitEdit("10.1. Новый пункт.");
    auto req = request();
    req.material = true;
    req.renewPurposes = {*core::PurposeId::parse("telepathy")};
    CHECK_THROWS_AS(f.repo->publish(req, t0), InvalidInput);
    req.material = false;
    req.renewPurposes = {*core::PurposeId::parse("marketing")};
    CHECK_THROWS_AS(f.repo->publish(req, t0), InvalidInput);
  }
  SUBCASE("a revision that is not on the branch") {
    sh("git checkout -q -b side && echo x >> personal-data/ru.md && git commit -qam side && "
       "git checkout -q main",
       f.dir);
    auto side = *core::CommitId::parse(sh("git rev-parse side | tr -d '\\n'", f.dir));
    auto req = request();
    req.revision = side;
    CHECK_THROWS_WITH_AS(f.repo->publish(req, t0), doctest::Contains("not on refs/heads/main"),
                         InvalidInput);
  }
  SUBCASE("a summary with a line break") {
    f.commitEdit("10.1. Новый пункт.");
    auto req = request();
    req.summary = "two\nlines";
    CHECK_THROWS_AS(f.repo->publish(req, t0), InvalidInput);
  }
  CHECK(f.tags() == before);
  CHECK(f.repo->timeline(kDoc).editions().size() == 1);
}

TEST_CASE("tags that charta did not write are ignored") {
  Fixture f;
  f.repo->publish(seedRequest(), at("2026-11-26T10:00:00+05:00"));
  sh("git tag release-1 && git tag personal-data/v7 && git tag personal-data/V8 && "
     "git tag -a personal-data/v03 -m 'hand made' && git tag -a personal-data/v9 -m 'no trailers' "
     "&& "
     "git tag -a -m 'Publish' -m 'Effective-From: 2026-01-01T00:00:00Z' personal-data/v10 "
     "HEAD^{tree}",
     f.dir);
  core::Timeline tl = f.repo->timeline(kDoc);
  REQUIRE(tl.editions().size() == 1);
  CHECK(tl.latest()->no.value() == 1);
  // The next number is still v2, with no gap.
  f.commitEdit("10.1. Новый пункт.");
  CHECK(f.repo->publish(request(), at("2026-11-26T11:00:00+05:00")).no.value() == 2);
  // A foreign tag on the next number is reported, not overwritten.
  sh("git tag personal-data/v3", f.dir);
  f.commitEdit("10.2. Ещё пункт.");
  CHECK_THROWS_WITH_AS(f.repo->publish(request(), at("2026-11-26T12:00:00+05:00")),
                       doctest::Contains("not an edition written by charta"),
                       repository::RepositoryError);
}

TEST_CASE("withdrawal of a scheduled edition, and of nothing else") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.repo->publish(seedRequest(), t0);
  f.commitEdit("10.1. Новый пункт.");
  const auto t1 = at("2026-12-01T00:00:00+05:00");
  f.repo->publish(request(t1), t0);

  CHECK_THROWS_AS(f.repo->withdraw(kDoc, *core::EditionNo::of(1), "mistake", kLegal, t0),
                  InvalidInput);
  CHECK_THROWS_AS(f.repo->withdraw(kDoc, *core::EditionNo::of(2), "", kLegal, t0), InvalidInput);
  CHECK_THROWS_AS(f.repo->withdraw(kDoc, *core::EditionNo::of(5), "x", kLegal, t0), NotFound);
  // At the effective moment itself it is too late.
  CHECK_THROWS_AS(f.repo->withdraw(kDoc, *core::EditionNo::of(2), "late", kLegal, t1),
                  InvalidInput);

  core::Edition w =
      f.repo->withdraw(kDoc, *core::EditionNo::of(2), "Ошибка в тексте", kLegal, t0 + hours{2});
  REQUIRE(w.withdrawal);
  CHECK_THROWS_AS(f.repo->withdraw(kDoc, *core::EditionNo::of(2), "again", kLegal, t0 + hours{3}),
                  Conflict);
  core::Timeline tl = f.repo->timeline(kDoc);
  CHECK(tl.inForceAt(t1 + hours{1})->no.value() == 1);
  CHECK(tl.edition(*core::EditionNo::of(2))->withdrawal->reason == "Ошибка в тексте");
  // Recorded as a git object; the edition's tag is untouched.
  CHECK(sh("git cat-file -t personal-data/withdrawn/v2", f.dir) == "tag\n");
  CHECK(sh("git rev-parse personal-data/withdrawn/v2^{}", f.dir) ==
        sh("git rev-parse personal-data/v2^{}", f.dir));
  // The next edition takes the next number: withdrawn numbers are never reused.
  f.commitEdit("10.2. Ещё пункт.");
  CHECK(f.repo->publish(request(), t0 + hours{4}).no.value() == 3);
}
