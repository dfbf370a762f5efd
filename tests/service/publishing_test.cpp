// Publishing against a real git repository edited with the git CLI: the rules of
// core/publication.h applied to what the repository holds, each refusal leaving the tags as they
// were, and the tags read back by git itself.

#include "service/publishing.h"

#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "core/error.h"
#include "repository/repo_fixture.h"

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

// v1 of the seed: its "7.1.." is a lint error (numbering), accepted as `charta init` accepts it.
PublishRequest seedRequest() {
  PublishRequest r = request();
  r.force = "imported as received";
  return r;
}

struct Fixture : testing::RepoFixture {
  Publishing publishing{*repo, {}};
};

}  // namespace

TEST_CASE(
    "publishing with an expected number: a publication by another process in between is refused") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  auto first = seedRequest();
  first.expectedNo = core::EditionNo::of(1);
  CHECK(f.publishing.publish(first, t0).no.value() == 1);

  // A caller saw v1 as the latest and means to publish v2; another publisher gets v2 first.
  f.commitEdit("10.1. Новый пункт.");
  CHECK(f.publishing.publish(request(), t0 + hours{1}).no.value() == 2);
  f.commitEdit("10.2. Ещё один пункт.");
  auto late = request();
  late.expectedNo = core::EditionNo::of(2);
  const auto before = f.tags();
  CHECK_THROWS_WITH_AS(f.publishing.publish(late, t0 + hours{2}),
                       "the next edition of personal-data is v3, not v2: it was published "
                       "meanwhile; nothing was written",
                       service::UnexpectedEdition);
  CHECK_THROWS_AS(f.publishing.publish(late, t0 + hours{2}), Conflict);  // callers that retry
  CHECK(f.tags() == before);                                             // nothing written
  late.expectedNo = core::EditionNo::of(3);
  CHECK(f.publishing.publish(late, t0 + hours{2}).no.value() == 3);
}

TEST_CASE("publishing: v1 now, a scheduled v2, the switch at its exact moment") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  core::Edition v1 = f.publishing.publish(seedRequest(), t0 + milliseconds{999});
  CHECK(v1.no.value() == 1);
  // To the millisecond, read back from the tag (Published-At; the tagger time has seconds).
  CHECK(v1.publishedAt == t0 + milliseconds{999});
  CHECK(v1.effectiveFrom == t0 + milliseconds{999});  // section 9.2: in force from publication
  CHECK(f.repo->timeline(kDoc).inForceAt(t0 + milliseconds{998}) == nullptr);
  CHECK(sh("git cat-file -p personal-data/v1 | grep '^tagger'", f.dir)
            .find(" " + std::to_string(core::toUnixSeconds(t0)) + " +0500") != std::string::npos);
  CHECK(v1.publisher.name == "Legal Team");
  CHECK(v1.forcedReason == "imported as received");

  f.commitEdit("10.1. Новый пункт.");
  const auto t1 = at("2026-12-01T00:00:00+05:00");
  auto req = request(t1);
  req.material = true;
  req.renewPurposes = {*core::PurposeId::parse("marketing")};
  req.summary = "Пункт 10.1: новое условие";
  core::Edition v2 = f.publishing.publish(req, t0 + hours{1});
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
  CHECK_FALSE(read->forcedReason);

  // The tag is an ordinary annotated git tag with trailers that git itself can read.
  std::string trailers =
      sh("git tag -l --format='%(contents)' personal-data/v2 | git "
         "interpret-trailers --parse",
         f.dir);
  CHECK(trailers.find("Effective-From: 2026-12-01T00:00:00+05:00") != std::string::npos);
  CHECK(trailers.find("Published-At: 2026-11-26T11:00:00+05:00") != std::string::npos);
  CHECK(trailers.find("Material: yes") != std::string::npos);
  CHECK(trailers.find("Renew-Purposes: marketing") != std::string::npos);
  CHECK(sh("git cat-file -p personal-data/v2 | grep '^tagger'", f.dir).find("Legal Team") !=
        std::string::npos);
}

TEST_CASE("publication is refused, and nothing written, when the rules say no") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.publishing.publish(seedRequest(), t0);
  auto before = f.tags();

  SUBCASE("backdating") {
    f.commitEdit("10.1. Новый пункт.");
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(t0 - seconds{1}), t0),
                         doctest::Contains("before the moment of publication"), InvalidInput);
  }
  SUBCASE("the same text as the edition in force") {
    sh("git commit -q --allow-empty -m 'Nothing changed'", f.dir);
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(), t0 + seconds{5}),
                         doctest::Contains("same as edition v1 (in force)"), InvalidInput);
  }
  SUBCASE("the same text as an upcoming edition") {
    f.commitEdit("10.1. Новый пункт.");
    f.publishing.publish(request(at("2026-12-01T00:00:00+05:00")), t0);
    before = f.tags();
    sh("git commit -q --allow-empty -m 'Nothing changed'", f.dir);
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(), t0 + seconds{5}),
                         doctest::Contains("same as edition v2 (upcoming)"), InvalidInput);
  }
  SUBCASE("an invalid charta.xml") {
    sh("echo '<charta version=\"1\"><document' > charta.xml && git commit -qam 'Break xml'", f.dir);
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(), t0), doctest::Contains("charta.xml"),
                         InvalidInput);
  }
  SUBCASE("no text in the controlling language") {
    sh("git rm -q personal-data/ru.md && git commit -qm 'Remove text'", f.dir);
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(), t0), doctest::Contains("no text"),
                         InvalidInput);
  }
  SUBCASE("a purpose whose clause is missing") {
    sh("sed -i 's/^4.1.10. /4.1.99. /' personal-data/ru.md && git commit -qam 'Renumber'", f.dir);
    CHECK_THROWS_WITH_AS(f.publishing.publish(request(), t0),
                         doctest::Contains("purpose \"marketing\" is tied to clause 4.1.10"),
                         InvalidInput);
  }
  SUBCASE("renew-purposes that the catalogue lacks, or without --material") {
    f.commitEdit("10.1. Новый пункт.");
    auto req = request();
    req.material = true;
    req.renewPurposes = {*core::PurposeId::parse("telepathy")};
    CHECK_THROWS_AS(f.publishing.publish(req, t0), InvalidInput);
    req.material = false;
    req.renewPurposes = {*core::PurposeId::parse("marketing")};
    CHECK_THROWS_AS(f.publishing.publish(req, t0), InvalidInput);
  }
  SUBCASE("a revision that is not on the branch") {
    sh("git checkout -q -b side && echo x >> personal-data/ru.md && git commit -qam side && "
       "git checkout -q main",
       f.dir);
    auto side = *core::CommitId::parse(sh("git rev-parse side | tr -d '\\n'", f.dir));
    auto req = request();
    req.revision = side;
    CHECK_THROWS_WITH_AS(f.publishing.publish(req, t0), doctest::Contains("not on refs/heads/main"),
                         InvalidInput);
  }
  SUBCASE("a summary with a line break") {
    f.commitEdit("10.1. Новый пункт.");
    auto req = request();
    req.summary = "two\nlines";
    CHECK_THROWS_AS(f.publishing.publish(req, t0), InvalidInput);
  }
  SUBCASE("a publisher git cannot write") {
    f.commitEdit("10.1. Новый пункт.");
    auto req = request();
    req.publisher = core::Person{"Legal <Team>", ""};
    CHECK_THROWS_WITH_AS(f.publishing.publish(req, t0), "invalid publisher name or e-mail",
                         InvalidInput);
  }
  SUBCASE("a lint error the edition in force did not have") {
    f.commitEdit("10.1. Как сказано в п. 42.");  // a reference to a clause there is not
    try {
      f.publishing.publish(request(), t0);
      FAIL("published despite a lint error");
    } catch (const service::LintRefused& e) {
      CHECK(std::string(e.what()).rfind("lint: ", 0) == 0);
      CHECK(e.report().blocking() >= 1);
      CHECK(e.report().errors() > e.report().blocking());  // the seed's own, inherited from v1
    }
  }
  SUBCASE("a replica") {
    f.commitEdit("10.1. Новый пункт.");
    Publishing replica(*f.repo, {.replica = true});
    CHECK_THROWS_AS(replica.publish(request(), t0), service::ReplicaReadOnly);
    CHECK_THROWS_AS(replica.withdraw(kDoc, *core::EditionNo::of(1), "x", kLegal, t0),
                    service::ReplicaReadOnly);
  }
  CHECK(f.tags() == before);
}

TEST_CASE("what a publication notices: new lint findings and purpose clauses that changed") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.publishing.publish(seedRequest(), t0);
  sh("sed -i 's/^4.1.10. /4.1.10. Также опросы. /' personal-data/ru.md && git commit -qam Edit",
     f.dir);
  service::PublishNotes notes;
  f.publishing.publish(request(), t0 + hours{1}, &notes);
  REQUIRE(notes.suggestedRenewPurposes.size() == 1);
  CHECK(notes.suggestedRenewPurposes[0].str() == "marketing");
  REQUIRE_FALSE(notes.warnings.empty());
  CHECK(notes.warnings.back().find("the words of clause 4.1.10 (purpose marketing) changed since "
                                   "v1, but the edition is published as not material") == 0);
  CHECK(notes.lint.blocking() == 0);  // the seed's errors are v1's
  for (const auto& f2 : notes.lint.findings) {
    if (f2.severity == core::Severity::kError) CHECK(f2.inheritedFrom == "v1");
  }
}

TEST_CASE("the lint of a revision and of an edition: the baseline is the edition before") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  core::Edition v1 = f.publishing.publish(seedRequest(), t0);
  auto linted = f.publishing.lint(kDoc, v1.commit, v1.effectiveFrom, v1.effectiveOffset, v1.no);
  CHECK_FALSE(linted.baseline);  // v1 is judged on its own: its errors block
  CHECK(linted.report.blocking() > 0);
  auto draft = f.publishing.lint(kDoc, f.repo->head(), std::nullopt, core::kKazakhstanOffset);
  CHECK(draft.baseline == v1.no);
  CHECK(draft.report.blocking() == 0);
  CHECK_THROWS_AS(f.publishing.lint(*core::DocumentId::parse("cookies"), f.repo->head(),
                                    std::nullopt, core::kKazakhstanOffset),
                  InvalidInput);
}

TEST_CASE("a foreign tag on the next number is named, not overwritten") {
  Fixture f;
  f.publishing.publish(seedRequest(), at("2026-11-26T10:00:00+05:00"));
  sh("git tag personal-data/v2", f.dir);
  f.commitEdit("10.1. Новый пункт.");
  CHECK_THROWS_WITH_AS(f.publishing.publish(request(), at("2026-11-26T12:00:00+05:00")),
                       doctest::Contains("refs/tags/personal-data/v2 is not an edition"),
                       repository::ForeignTag);
  CHECK(sh("git cat-file -t personal-data/v2", f.dir) == "commit\n");
}

TEST_CASE("editions are numbered in the order of publication, whatever the clocks said") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.publishing.publish(seedRequest(), t0);
  f.commitEdit("10.1. Новый пункт.");
  // A publisher whose clock was read before v1's moment takes v1's moment, not an earlier one.
  core::Edition v2 = f.publishing.publish(request(), t0 - milliseconds{300});
  CHECK(v2.no.value() == 2);
  CHECK(v2.publishedAt == t0);
  CHECK(v2.effectiveFrom == t0);
  CHECK(f.repo->editions(kDoc).problems.empty());
  // An effective moment asked for before that is backdating.
  f.commitEdit("10.2. Ещё пункт.");
  CHECK_THROWS_WITH_AS(f.publishing.publish(request(t0 - milliseconds{1}), t0 - seconds{1}),
                       doctest::Contains("is before the moment of publication"), InvalidInput);
}

TEST_CASE("withdrawal of a scheduled edition, and of nothing else") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.publishing.publish(seedRequest(), t0);
  f.commitEdit("10.1. Новый пункт.");
  const auto t1 = at("2026-12-01T00:00:00+05:00");
  f.publishing.publish(request(t1), t0);
  const auto before = f.tags();

  CHECK_THROWS_WITH_AS(f.publishing.withdraw(kDoc, *core::EditionNo::of(1), "mistake", kLegal, t0),
                       doctest::Contains("cannot be withdrawn"), InvalidInput);
  CHECK_THROWS_AS(f.publishing.withdraw(kDoc, *core::EditionNo::of(2), "", kLegal, t0),
                  InvalidInput);
  CHECK_THROWS_AS(
      f.publishing.withdraw(kDoc, *core::EditionNo::of(2), "x", core::Person{"", ""}, t0),
      InvalidInput);
  CHECK_THROWS_AS(f.publishing.withdraw(kDoc, *core::EditionNo::of(5), "x", kLegal, t0), NotFound);
  // At the effective moment itself it is too late.
  CHECK_THROWS_AS(f.publishing.withdraw(kDoc, *core::EditionNo::of(2), "late", kLegal, t1),
                  InvalidInput);
  CHECK(f.tags() == before);

  core::Edition w = f.publishing.withdraw(kDoc, *core::EditionNo::of(2), "Ошибка в тексте", kLegal,
                                          t0 + hours{2} + milliseconds{500});
  REQUIRE(w.withdrawal);
  CHECK(w.withdrawal->at == t0 + hours{2} + milliseconds{500});
  CHECK_THROWS_WITH_AS(
      f.publishing.withdraw(kDoc, *core::EditionNo::of(2), "again", kLegal, t0 + hours{3}),
      "edition v2 of personal-data is already withdrawn", Conflict);
  core::Timeline tl = f.repo->timeline(kDoc);
  CHECK(tl.inForceAt(t1 + hours{1})->no.value() == 1);
  CHECK(tl.edition(*core::EditionNo::of(2))->withdrawal->reason == "Ошибка в тексте");
  CHECK(tl.edition(*core::EditionNo::of(2))->withdrawal->at == t0 + hours{2} + milliseconds{500});
  // Recorded as a git object; the edition's tag is untouched.
  CHECK(sh("git cat-file -t personal-data/withdrawn/v2", f.dir) == "tag\n");
  CHECK(sh("git rev-parse personal-data/withdrawn/v2^{}", f.dir) ==
        sh("git rev-parse personal-data/v2^{}", f.dir));
  CHECK(sh("git tag -l --format='%(contents)' personal-data/withdrawn/v2 | git "
           "interpret-trailers --parse",
           f.dir) == "Reason: Ошибка в тексте\nWithdrawn-At: 2026-11-26T12:00:00.500+05:00\n");
  // A millisecond before the moment is in time; the moment itself is not (above).
  f.commitEdit("10.2. Пункт.");
  const core::Edition v3 = f.publishing.publish(request(t1 + hours{1}), t0 + hours{3});
  CHECK(f.publishing.withdraw(kDoc, v3.no, "in time", kLegal, v3.effectiveFrom - milliseconds{1})
            .withdrawal);
  CHECK(f.repo->timeline(kDoc).cancelled(*f.repo->timeline(kDoc).edition(v3.no)));
  // The next edition takes the next number: withdrawn numbers are never reused.
  f.commitEdit("10.3. Ещё пункт.");
  CHECK(f.publishing.publish(request(), t0 + hours{4}).no.value() == 4);
}

TEST_CASE("threads publishing different drafts at once: each gets its own number, none is lost") {
  Fixture f;
  const auto t0 = at("2026-11-26T10:00:00+05:00");
  f.publishing.publish(seedRequest(), t0);
  std::vector<core::CommitId> drafts;
  for (int i = 1; i <= 6; ++i) {
    drafts.push_back(
        f.commitEdit("10." + std::to_string(i) + ". Пункт " + std::to_string(i) + "."));
  }
  // Every thread judges the timeline it read; a number taken meanwhile makes it judge again.
  std::vector<std::thread> threads;
  std::vector<std::string> failures(drafts.size());
  for (size_t i = 0; i < drafts.size(); ++i) {
    threads.emplace_back([&, i] {
      auto req = request();
      req.revision = drafts[i];
      for (int attempt = 0; attempt < 20; ++attempt) {
        try {
          f.publishing.publish(req, t0 + hours{1});
          return;
        } catch (const Conflict&) {
          // lost every round of its own retries: a careful caller tries again
        } catch (const std::exception& e) {
          failures[i] = e.what();
          return;
        }
      }
      failures[i] = "still conflicting after 20 attempts";
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& failure : failures) CHECK(failure == "");
  core::Timeline tl = f.repo->timeline(kDoc);
  REQUIRE(tl.editions().size() == drafts.size() + 1);
  std::set<std::string> published;
  for (int n = 2; n <= static_cast<int>(drafts.size()) + 1; ++n) {
    const core::Edition* e = tl.edition(*core::EditionNo::of(n));
    REQUIRE(e);  // no gap
    published.insert(e->commit.str());
  }
  std::set<std::string> expected;
  for (const auto& d : drafts) expected.insert(d.str());
  CHECK(published == expected);
  sh("git fsck --strict --no-dangling", f.dir);
}
