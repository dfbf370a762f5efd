// A reading of the editions keeps what it read by object id (tags::ReadMemo): later readings
// reuse it, and still see every change of the refs, whoever makes it.

#include <doctest/doctest.h>

#include "core/publication.h"
#include "repository/policy_repository.h"
#include "repository/repo_fixture.h"

using namespace charta;
using repository::PolicyRepository;
using testing::at;
using testing::kDoc;
using testing::kLegal;
using testing::sh;

namespace {

core::Edition publish(PolicyRepository& repo, const core::CommitId& commit, int n,
                      const char* when) {
  core::Edition e{kDoc,         *core::EditionNo::of(n),
                  commit,       at(when),
                  at(when),     core::kKazakhstanOffset,
                  false,        {},
                  {},           kLegal,
                  std::nullopt, std::nullopt};
  return repo.createEditionTag(e.doc, e.no, e.commit, core::editionMessage(e), e.publisher,
                               e.publishedAt, e.effectiveOffset);
}

std::vector<int> numbers(const repository::DocumentEditions& eds) {
  std::vector<int> out;
  for (const auto& e : eds.timeline.editions()) out.push_back(e.no.value());
  return out;
}

}  // namespace

TEST_CASE("readings reuse what they read by object id and still see every change of the refs") {
  testing::RepoFixture f;
  publish(*f.repo, f.repo->head(), 1, "2026-11-26T10:00:00+05:00");
  publish(*f.repo, f.commitEdit("10.1. Новый пункт."), 2, "2026-11-26T11:00:00+05:00");
  CHECK(numbers(f.repo->editions(kDoc)) == std::vector<int>{1, 2});

  // Published by another process: the next reading reads the new tag and keeps the others.
  auto other = PolicyRepository::open(f.dir);
  const core::CommitId c3 = f.commitEdit("10.2. Ещё пункт.");
  publish(*other, c3, 3, "2026-11-26T12:00:00+05:00");
  auto eds = f.repo->editions(kDoc);
  REQUIRE(numbers(eds) == std::vector<int>{1, 2, 3});
  CHECK(eds.documents.at(3).id == kDoc);
  CHECK(eds.problems.empty());

  // The ref moved to another tag object (by hand): read afresh, it is no edition any more.
  const std::string v3 = sh("git rev-parse refs/tags/personal-data/v3", f.dir);
  sh("git tag -f -a personal-data/v3 -m 'hand made' " + c3.str(), f.dir);
  eds = f.repo->editions(kDoc);
  CHECK(numbers(eds) == std::vector<int>{1, 2});
  REQUIRE(eds.problems.size() == 1);
  CHECK(eds.problems[0].ref == "refs/tags/personal-data/v3");

  // And back to the edition's own tag object: the edition again, exactly as first read.
  sh("git update-ref refs/tags/personal-data/v3 " + v3, f.dir);
  eds = f.repo->editions(kDoc);
  CHECK(numbers(eds) == std::vector<int>{1, 2, 3});
  CHECK(eds.problems.empty());
  CHECK(eds.timeline.edition(*core::EditionNo::of(3))->commit == c3);
  // A fresh handle, which has read nothing, reads the same.
  CHECK(numbers(PolicyRepository::open(f.dir)->editions(kDoc)) == std::vector<int>{1, 2, 3});
}
