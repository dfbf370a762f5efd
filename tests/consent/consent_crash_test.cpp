// Crash test: clients record consents against the real `charta serve`, which is killed with
// SIGKILL at random moments and restarted, 20 times; afterwards every acknowledged consent is in
// the ledger, every idempotency key was recorded exactly once, and the chain verifies.
// CHARTA_CRASH_SEED=<n> repeats a run; the seed is printed.

#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "consent/consent_support.h"

using namespace charta;
using namespace charta::consent_testing;

#define BACKENDS SqliteLedger, PgLedger

namespace {

constexpr int kKills = 20;
constexpr int kClients = 4;

struct Attempt {
  std::string key;
  std::string subject;
  std::string body;
  std::string id;  // set once acknowledged
};

// Posts "a"; returns true when the server acknowledged it (201 new, 200 replay).
bool submit(uint16_t port, Attempt& a) {
  try {
    auto h = json(tokens().site.token);
    h["Idempotency-Key"] = a.key;
    auto r = testing::http(port, "POST", "/api/v1/consents", h, a.body);
    if (r.status != 201 && r.status != 200) return false;
    auto o = Poco::JSON::Parser().parse(r.body).extract<Object::Ptr>();
    std::string id = str(o, "record_id");
    if (!a.id.empty() && a.id != id) {
      // A replay must return the very record acknowledged before.
      a.id = "MISMATCH " + a.id + " " + id;
      return true;
    }
    a.id = id;
    return true;
  } catch (const std::exception&) {
    return false;  // killed mid-request, or not listening: unknown, retried later
  }
}

}  // namespace

TEST_CASE_TEMPLATE("crash: SIGKILL at random moments; acknowledged consents survive", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  unsigned seed = std::random_device{}();
  if (const char* env = std::getenv("CHARTA_CRASH_SEED")) seed = std::strtoul(env, nullptr, 10);
  MESSAGE(std::string(B::kName) << ": CHARTA_CRASH_SEED=" << seed);
  std::mt19937 rng(seed);

  std::mutex mu;
  std::vector<std::unique_ptr<Attempt>> attempts;  // stable addresses
  auto newAttempt = [&]() -> Attempt* {
    std::lock_guard lock(mu);
    auto a = std::make_unique<Attempt>();
    std::size_t n = attempts.size();
    a->key = "crash-" + std::to_string(seed) + "-" + std::to_string(n);
    a->subject = "crash-subject-" + std::to_string(n % 97);
    a->body = consentBody(a->subject, "v1", n % 2 ? "\"marketing\"" : "\"marketing\",\"account\"",
                          ",\"evidence\":{\"n\":" + std::to_string(n) + "}");
    attempts.push_back(std::move(a));
    return attempts.back().get();
  };
  auto pending = [&] {
    std::vector<Attempt*> out;
    std::lock_guard lock(mu);
    for (auto& a : attempts) {
      if (a->id.empty()) out.push_back(a.get());
    }
    return out;
  };

  for (int round = 0; round <= kKills; ++round) {
    s.start();
    uint16_t port = s.port();
    // Unknown outcomes of the last round are retried with the same key: stored once, or now.
    for (Attempt* a : pending()) submit(port, *a);
    if (round == kKills) break;

    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        while (!stop.load()) submit(port, *newAttempt());
      });
    }
    std::uniform_int_distribution<int> ms(30, 400);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    CHECK(s.server->kill(SIGKILL) == 128 + SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
  }

  // Everything was eventually acknowledged exactly once, and is stored under its subject.
  REQUIRE(pending().empty());
  std::map<std::string, std::set<std::string>> stored;  // subject -> event ids
  for (auto& a : attempts) {
    if (stored.count(a->subject)) continue;
    auto r = s.get("/api/v1/subjects/" + a->subject + "/consents");
    REQUIRE(r.status == 200);
    auto events = parseObject(r.body)->getArray("events");
    auto& ids = stored[a->subject];
    for (unsigned i = 0; i < events->size(); ++i)
      ids.insert(str(events->getObject(i), "record_id"));
  }
  std::size_t acknowledged = 0;
  for (auto& a : attempts) {
    CAPTURE(a->key);
    CAPTURE(a->id);
    REQUIRE(a->id.find("MISMATCH") == std::string::npos);
    CHECK(stored[a->subject].count(a->id) == 1);
    ++acknowledged;
  }
  // A sample read back one by one.
  for (std::size_t i = 0; i < attempts.size(); i += attempts.size() / 20 + 1) {
    auto r = s.get("/api/v1/consents/" + attempts[i]->id);
    REQUIRE(r.status == 200);
    CHECK(str(parseObject(r.body), "pii_principal_id") == attempts[i]->subject);
  }
  MESSAGE(std::string(B::kName) << ": " << acknowledged << " consents over " << kKills << " kills");
  CHECK(acknowledged > static_cast<std::size_t>(kKills));
  CHECK(s.count() == static_cast<long long>(attempts.size()));
  auto v = s.verify();
  CHECK(flag(v, "ok"));
  auto cli = s.cli({"ledger", "verify"});
  INFO(cli.out << cli.err);
  CHECK(cli.status == 0);
}
