// The one table from failures to problems, and the one from failures to exit codes: every kind
// of failure has exactly one status, one slug, one exit code.
#include <doctest/doctest.h>

#include <Poco/JSON/Parser.h>

#include <map>
#include <set>

#include "api/problems.h"
#include "app/exit_codes.h"
#include "core/error.h"
#include "ledger/ledger.h"
#include "repository/policy_repository.h"

using namespace charta;
using service::Fault;

namespace {

std::vector<Fault> everyFault() {
  std::vector<Fault> out;
  for (int i = 0; i <= static_cast<int>(Fault::kInternal); ++i) out.push_back(Fault(i));
  return out;
}

}  // namespace

TEST_CASE("every fault has one status and a slug of its own") {
  std::map<std::string_view, Fault> bySlug;
  for (Fault f : everyFault()) {
    const api::ProblemType& t = api::problemType(f);
    CAPTURE(t.slug);
    CHECK(t.status >= 400);
    CHECK(t.status <= 599);
    CHECK_FALSE(t.slug.empty());
    CHECK(t.slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string_view::npos);
    CHECK(bySlug.emplace(t.slug, f).second);  // no slug for two kinds
  }
  // Malformed requests are 400 invalid-request; refusals by the rules are 422 with their own.
  CHECK(api::problemType(Fault::kInvalidRequest).status == 400);
  CHECK(api::problemType(Fault::kInvalidRequest).slug == "invalid-request");
  for (Fault f : {Fault::kPublicationRefused, Fault::kLintRefused, Fault::kWithdrawalRefused,
                  Fault::kUnknownDocument, Fault::kEditionNotInForce, Fault::kUnknownLanguage,
                  Fault::kUnknownPurpose, Fault::kPageMismatch}) {
    CHECK(api::problemType(f).status == 422);
  }
}

TEST_CASE("the CLI exits with one code per fault, as the README lists them") {
  for (Fault f : everyFault()) {
    int code = app::exitCode(f);
    CHECK((code >= 1 && code <= 6 && code != 5));
  }
  CHECK(app::exitCode(Fault::kInvalidRequest) == app::kInvalid);
  CHECK(app::exitCode(Fault::kPublicationRefused) == app::kInvalid);
  CHECK(app::exitCode(Fault::kReplicaReadOnly) == app::kInvalid);
  CHECK(app::exitCode(Fault::kPublicationConflict) == app::kConflict);
  CHECK(app::exitCode(Fault::kEditionNotFound) == app::kNotFound);
  CHECK(app::exitCode(Fault::kRepositoryBusy) == app::kUnavailable);
  CHECK(app::exitCode(Fault::kRepositoryUnreadable) == app::kFailure);
}

TEST_CASE("the adapters' errors are classified once, for the API and the CLI alike") {
  struct Case {
    std::function<void()> raise;
    Fault fault;
    int status;
  };
  const Case cases[] = {
      {[] { throw InvalidInput("bad"); }, Fault::kInvalidRequest, 400},
      {[] { throw NotFound("none"); }, Fault::kNotFound, 404},
      {[] { throw Conflict("lost"); }, Fault::kConflict, 409},
      {[] { throw Unavailable("locked", std::chrono::seconds(7)); }, Fault::kRepositoryBusy, 503},
      {[] { throw repository::RepositoryError("bad object"); }, Fault::kRepositoryUnreadable, 503},
      {[] { throw ledger::StorageError("disk full"); }, Fault::kLedgerUnavailable, 503},
      {[] { throw ledger::Blocked("blocked"); }, Fault::kSubjectBlocked, 409},
      {[] { throw std::runtime_error("oops"); }, Fault::kInternal, 500},
  };
  for (const Case& c : cases) {
    try {
      c.raise();
    } catch (const std::exception& e) {
      service::Failure f = service::failureOf(e);
      CHECK(f.fault() == c.fault);
      http::Reply r = api::problemReply(f);
      CHECK(r.status == c.status);
      CHECK(r.contentType == "application/problem+json");
      auto o = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
      CHECK(o->getValue<int>("status") == c.status);
      CHECK(o->getValue<std::string>("type") ==
            "https://charta.dev/problems/" + std::string(api::problemType(c.fault).slug));
      // What a failing adapter said (paths, database messages) goes to the log, never to the
      // client; a busy repository's lock is named on purpose.
      if (c.status >= 500 && c.fault != Fault::kRepositoryBusy) {
        CHECK(r.body.find(e.what()) == std::string::npos);
        CHECK(f.cause.find(e.what()) != std::string::npos);
      }
    }
  }
}
