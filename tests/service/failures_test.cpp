// What the repository's failures are to a caller (service::failureOf), for the kinds this record
// of editions added: charta.xml broken at a revision, a foreign tag on the next number, and a
// repository that cannot be read for a moment.

#include <doctest/doctest.h>

#include "repository/policy_repository.h"
#include "service/errors.h"

using namespace charta;
using service::Fault;

TEST_CASE("an invalid charta.xml is a repository problem (422), not a malformed request (400)") {
  service::Failure f =
      service::failureOf(repository::InvalidRegistry("charta.xml at abc: no <document>"));
  CHECK(f.fault() == Fault::kInvalidRegistry);
  CHECK(std::string(f.what()) == "charta.xml at abc: no <document>");
}

TEST_CASE("a foreign tag on the next number is named, and no retry is invited") {
  service::Failure f = service::failureOf(repository::ForeignTag(
      "refs/tags/personal-data/v3 is not an edition", "refs/tags/personal-data/v3"));
  CHECK(f.fault() == Fault::kForeignTag);
  CHECK_FALSE(f.retryAfter);
  REQUIRE(f.extra());
  CHECK(f.extra()->getValue<std::string>("tag") == "refs/tags/personal-data/v3");
}

TEST_CASE("a repository unreadable for a moment is busy (retry), never damaged, never not found") {
  service::Failure f = service::failureOf(
      repository::RepositoryUnavailable("opening /srv/x/objects/pack/p.idx: Too many open files"));
  CHECK(f.fault() == Fault::kRepositoryBusy);
  REQUIRE(f.retryAfter);
  CHECK(f.retryAfter->count() == 1);
  // The path goes to the log, not to the client.
  CHECK(std::string(f.what()).find("/srv") == std::string::npos);
  CHECK(f.cause.find("/srv/x") != std::string::npos);
}
