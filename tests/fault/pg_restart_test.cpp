// PostgreSQL restarted (immediate shutdown, then crash recovery on the same data folder and port)
// while clients record consents through the real `charta serve`: clients see success or a 503
// with Retry-After, never a lost acknowledged consent; charta reconnects by itself, so writes
// retried with their Idempotency-Key succeed without restarting it; the chain verifies.

#include <atomic>
#include <mutex>

#include "fault/fault_support.h"

using namespace charta;
using namespace charta::fault_testing;

namespace {

constexpr int kRestarts = 2;
constexpr int kClients = 4;

struct Attempt {
  std::string key, subject, body, id;
};

}  // namespace

TEST_CASE("PostgreSQL restarted during consent writes: nothing acknowledged is lost") {
  Shop<PgLedger> s;
  if (!s.available()) return;
  testing::PgServer* pg = testing::PgServer::shared();
  s.start();

  std::mutex mu;
  std::vector<std::unique_ptr<Attempt>> attempts;
  std::atomic<int> unavailable{0};
  std::atomic<int> acknowledged{0};
  auto submit = [&](Attempt& a) {
    try {
      auto h = json(tokens().site.token);
      h["Idempotency-Key"] = a.key;
      auto r = testing::http(s.port(), "POST", "/api/v1/consents", h, a.body);
      if (r.status == 201 || r.status == 200) {
        std::string id = str(parseObject(r.body), "record_id");
        std::lock_guard lock(mu);
        CHECK((a.id.empty() || a.id == id));
        a.id = id;
        ++acknowledged;
        return true;
      }
      // The only failure a restart may cause: the ledger is unavailable for a moment.
      INFO(r.status << " " << r.body);
      CHECK(r.status == 503);
      CHECK(std::atoi(r.header("retry-after").c_str()) >= 1);
      ++unavailable;
      // A client backs off (less than Retry-After asks: the test wants many attempts).
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } catch (const std::exception& e) {
      FAIL_CHECK("the server itself must not fail: " << e.what());
    }
    return false;
  };
  auto newAttempt = [&] {
    std::lock_guard lock(mu);
    auto a = std::make_unique<Attempt>();
    size_t n = attempts.size();
    a->key = "pg-restart-" + std::to_string(n);
    a->subject = "pg-subject-" + std::to_string(n % 13);
    a->body = consentBody(a->subject, "v1", "\"marketing\"");
    attempts.push_back(std::move(a));
    return attempts.back().get();
  };

  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      while (!stop) submit(*newAttempt());
    });
  }
  // Writes are flowing when at least "more" consents were acknowledged after "since".
  auto flowing = [&](int since, int more) {
    return eventually([&] { return acknowledged.load() >= since + more; },
                      std::chrono::seconds(60));
  };
  for (int i = 0; i < kRestarts; ++i) {
    CAPTURE(i);
    if (!flowing(acknowledged.load(), 5)) {
      FAIL_CHECK("consents are not being written");
      break;
    }
    auto t0 = std::chrono::steady_clock::now();
    pg->crash();
    // While the database is down: the clients are told 503 (not an error of the server), the
    // pages and the current edition are still served, and /readyz says the ledger is not writable.
    const int refusedBefore = unavailable.load();
    CHECK(eventually([&] { return unavailable.load() > refusedBefore; }, std::chrono::seconds(60)));
    CHECK(testing::http(s.port(), "GET", "/personal-data").status == 200);
    CHECK(testing::http(s.port(), "GET", "/api/v1/documents/personal-data/current").status == 200);
    CHECK(eventually([&] { return testing::http(s.port(), "GET", "/readyz").status == 503; }));
    pg->recover();
    MESSAGE("PostgreSQL down and back " << i + 1 << " took "
                                        << std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::steady_clock::now() - t0)
                                               .count()
                                        << " ms");
  }
  // The same charta process writes again, by itself.
  CHECK(flowing(acknowledged.load(), 5));
  stop = true;
  for (auto& t : clients) t.join();
  CHECK(unavailable.load() >= kRestarts);
  MESSAGE(attempts.size() << " attempts, " << unavailable.load() << " answered 503 over "
                          << kRestarts << " restarts");

  // The same charta process: writes that were refused now succeed with their keys.
  CHECK(eventually([&] {
    for (auto& a : attempts) {
      if (a->id.empty() && !submit(*a)) return false;
    }
    return true;
  }));
  CHECK(s.server->running());
  for (const auto& a : attempts) {
    CAPTURE(a->key);
    auto r = s.get("/api/v1/consents/" + a->id);
    REQUIRE(r.status == 200);
    CHECK(str(parseObject(r.body), "pii_principal_id") == a->subject);
  }
  CHECK(s.count() == static_cast<long long>(attempts.size()));
  CHECK(flag(s.verify(), "ok"));
  auto cli = s.cli({"ledger", "verify"});
  INFO(cli.out << cli.err);
  CHECK(cli.status == 0);
  CHECK(testing::http(s.port(), "GET", "/readyz").status == 200);
}
