// The clock: an edition scheduled a few seconds ahead, published while the server runs, is served
// from exactly its moment (never before; every request sent at or after it gets it), on the page
// and in /api current; and a time without an offset is refused everywhere it can be given.
// (Front matter carries no times: only a title, so there is nothing to refuse there.)

#include "core/time.h"
#include "fault/fault_support.h"

using namespace charta;
using namespace charta::fault_testing;

namespace {

using Clock = std::chrono::system_clock;

struct Sample {
  Clock::time_point sent, received;
  bool scheduled;  // the response shows the scheduled edition
  int maxAge = -1;
};

int maxAgeOf(const std::string& cacheControl) {
  auto at = cacheControl.find("max-age=");
  return at == std::string::npos ? -1 : std::atoi(cacheControl.c_str() + at + 8);
}

}  // namespace

TEST_CASE("a scheduled edition is served from exactly its moment, on the page and in current") {
  Shop<SqliteLedger> s;
  s.start();
  s.commitEdit("Scheduled clock edit.");
  // Whole seconds, about 5 s ahead (a slow machine may take seconds to publish): the server has
  // loaded the edition long before it switches.
  auto effective = std::chrono::floor<std::chrono::seconds>(Clock::now()) + std::chrono::seconds(5);
  std::string when = core::formatRfc3339(effective, core::kKazakhstanOffset, false);
  s.publish({"--effective-from", when});
  // The server sees the publication within repository.poll_ms (until then a page may carry the
  // plain max-age that an unannounced publication can cut short: site.max_age_s).
  REQUIRE(eventually([&] {
    auto r = testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current");
    return r.body.find("\"next_switch\":\"") != std::string::npos;
  }));
  REQUIRE(Clock::now() < effective);

  std::vector<Sample> page, current;
  while (Clock::now() < effective + std::chrono::milliseconds(600)) {
    Sample p;
    p.sent = Clock::now();
    auto r = testing::http(s.port(), "GET", "/personal-data");
    p.received = Clock::now();
    REQUIRE(r.status == 200);
    p.scheduled = r.body.find("Scheduled clock edit.") != std::string::npos;
    p.maxAge = maxAgeOf(r.header("cache-control"));
    page.push_back(p);

    Sample c;
    c.sent = Clock::now();
    r = testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current");
    c.received = Clock::now();
    REQUIRE(r.status == 200);
    c.scheduled = num(parseObject(r.body), "number") == 2;
    c.maxAge = maxAgeOf(r.header("cache-control"));
    current.push_back(c);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  for (auto* samples : {&page, &current}) {
    bool first = samples == &page;
    CAPTURE(first);
    std::optional<Clock::duration> firstLate, lastEarly;
    for (const auto& x : *samples) {
      // Never before the moment: a response received before it shows the old edition.
      if (x.received < effective) {
        CHECK(!x.scheduled);
        // A cache never keeps the old edition past the switch.
        CHECK(x.maxAge <= std::chrono::ceil<std::chrono::seconds>(effective - x.sent).count());
        lastEarly = effective - x.received;
      }
      // From the moment on: a request sent at or after it gets the new edition.
      if (x.sent >= effective) {
        CHECK(x.scheduled);
        if (!firstLate) firstLate = x.sent - effective;
      }
    }
    REQUIRE(firstLate);
    REQUIRE(lastEarly);
    MESSAGE(std::string(first ? "page" : "current")
            << ": last old edition received "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*lastEarly).count()
            << " ms before the switch; first request after it sent "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*firstLate).count()
            << " ms after, and it got the new edition");
  }
}

TEST_CASE("a time without an offset is refused: CLI, API body, ?at=") {
  Shop<SqliteLedger> s;
  s.start();
  s.commitEdit("Offset edit.");
  for (const std::string t : {"2030-01-01T00:00:00", "2030-01-01 00:00:00", "2030-01-01"}) {
    CAPTURE(t);
    auto cli = s.cli({"publish", "personal-data", "--effective-from", t});
    CHECK(cli.status == 2);
    CHECK(lines(cli.err).size() == 1);
    CHECK(cli.err.find("offset") != std::string::npos);
    cli = s.cli({"lint", "personal-data", "--effective-from", t});
    CHECK(cli.status == 2);
    CHECK(cli.err.find("offset") != std::string::npos);
    cli = s.cli({"build-site", "--out", (s.box / "site").string(), "--at", t});
    CHECK(cli.status == 2);
    CHECK(cli.err.find("offset") != std::string::npos);

    auto cur = s.get("/api/v1/documents/personal-data/current");
    auto h = json(tokens().legal.token);
    h["If-Match"] = cur.header("etag");
    auto r = testing::http(s.port(), "POST", "/api/v1/documents/personal-data/publications", h,
                           "{\"effective_from\":\"" + t + "\"}");
    CHECK((r.status == 400 || r.status == 422));
    CHECK(r.header("content-type") == "application/problem+json");
    CHECK(r.body.find("offset") != std::string::npos);

    std::string at;
    Poco::URI::encode(t, "+: ", at);
    r = testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current?at=" + at);
    CHECK(r.status == 400);
    CHECK(r.header("content-type") == "application/problem+json");
  }
  // Nothing was published by the refused requests.
  CHECK(checkEditionTags(s.box / "var" / "policies.git", "personal-data") == std::set<int>{1});
}
