// Importing the history before charta against a real repository edited with the git CLI: the
// dates file, the editions planned from the first-parent revisions, the refusals that leave the
// tags as they were, and the editions read back.

#include "service/importing.h"

#include <doctest/doctest.h>

#include <functional>

#include "core/error.h"
#include "repository/repo_fixture.h"
#include "service/errors.h"

using namespace charta;
using service::ImportRequest;
using testing::at;
using testing::kDoc;
using testing::kLegal;
using testing::sh;

namespace {

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const service::Failure& e) {
    CHECK(e.fault() == service::Fault::kPublicationRefused);
    return e.what();
  }
  FAIL("not refused");
  return "";
}

}  // namespace

TEST_CASE("the dates file: a commit and a moment a line; comments and blank lines skipped") {
  const std::string a(40, 'a'), b(40, 'b');
  auto dates = service::parseEffectiveDates(
      "# known dates\n\n" + a + " 2015-02-20T09:00:00-08:00\r\n" + b + "   2016-04-15T09:00:00Z\n");
  REQUIRE(dates.size() == 2);
  CHECK(dates.at(a).instant == at("2015-02-20T17:00:00Z"));
  CHECK(dates.at(a).offset == std::chrono::minutes{-480});
  for (const std::string& bad :
       {a + " 2015-02-20", a + " 2015-02-20T09:00:00", std::string("abc 2015-02-20T09:00:00Z"),
        a + " 2015-02-20T09:00:00Z extra"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(service::parseEffectiveDates("\n" + bad + "\n"),
                         doctest::Contains("dates line 2"), InvalidInput);
  }
  CHECK_THROWS_WITH_AS(
      service::parseEffectiveDates(a + " 2015-02-20T09:00:00Z\n" + a + " 2016-02-20T09:00:00Z\n"),
      doctest::Contains("again"), InvalidInput);
}

TEST_CASE("an import: one edition per revision of the text, dated, then refused") {
  testing::RepoFixture f;
  const core::CommitId seed = f.repo->head();
  sh("echo readme > README.md && git add README.md && git commit -qm 'Readme'", f.dir);
  const core::CommitId c1 = f.commitEdit("10.1. Новый пункт.", "Add 10.1");
  const core::CommitId c2 = f.commitEdit("10.2. Ещё пункт.", "Add 10.2");
  const core::Instant now = core::now();
  ImportRequest request{kDoc, {}, std::nullopt, kLegal};
  request.dates.emplace(
      seed.str(), core::ZonedInstant{at("2020-01-01T00:00:00+05:00"), std::chrono::minutes{300}});

  SUBCASE("planned and written") {
    auto plan = service::planImport(*f.repo, request, now);
    REQUIRE(plan.size() == 3);  // the README commit changes no text
    CHECK(plan[0].commit == seed);
    CHECK(plan[0].effectiveFrom == at("2020-01-01T00:00:00+05:00"));
    CHECK(plan[1].commit == c1);
    CHECK(plan[1].effectiveFrom <= now);
    CHECK(plan[2].summary == "Add 10.2");
    auto written = service::importHistory(*f.repo, request, now);
    REQUIRE(written.size() == 3);
    CHECK(written[2].commit == c2);
    CHECK(written[2].imported);
    CHECK(f.repo->timeline(kDoc).inForceAt(now)->no == written[2].no);
    const auto tags = f.tags();
    CHECK(refusal([&] {
            service::importHistory(*f.repo, request, now);
          }).find("has editions already (v1–v3)") != std::string::npos);
    CHECK(f.tags() == tags);
  }
  SUBCASE("from a commit on") {
    request.since = c1;
    auto plan = service::planImport(*f.repo, request, now);
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].commit == c1);
  }
  SUBCASE("dates out of the order of the history") {
    request.dates.emplace(
        c1.str(), core::ZonedInstant{at("2019-01-01T00:00:00+05:00"), std::chrono::minutes{300}});
    CHECK(refusal([&] {
            service::importHistory(*f.repo, request, now);
          }).find("give its date in --dates") != std::string::npos);
    CHECK(f.tags().empty());
  }
  SUBCASE("a date after the import") {
    request.dates.emplace(c2.str(), core::ZonedInstant{now + std::chrono::hours(1), {}});
    CHECK(refusal([&] { service::planImport(*f.repo, request, now); }).find("later than now") !=
          std::string::npos);
  }
}
