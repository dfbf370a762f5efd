// Webhooks against the real `charta serve`: a receiver on 127.0.0.1 gets signed events at the
// moment they happen, again after being down, and across a crash of the server.
#include <signal.h>

#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "api/api_support.h"
#include "api/webhook_receiver.h"

using namespace charta;
using namespace charta::apitest;
using namespace std::chrono;

namespace {

const std::string kSecret = "a-webhook-secret-of-some-length";

// The subscription "shop" to the receiver on "port"; "more" comes last, so it may override.
std::vector<std::string> hookDefs(uint16_t port, const std::vector<std::string>& more = {}) {
  std::vector<std::string> defs = {
      "webhooks.shop.url=http://127.0.0.1:" + std::to_string(port) + "/hooks/charta",
      "webhooks.shop.secret=" + kSecret, "webhooks.retry_base_ms=400", "webhooks.timeout_ms=1500"};
  defs.insert(defs.end(), more.begin(), more.end());
  return defs;
}

// The signature as an independent implementation (the openssl CLI) computes it.
std::string opensslSignature(const Sandbox& box, const std::string& body) {
  testing::writeFile(box / "body.json", body);
  std::string out =
      testing::sh("openssl dgst -sha256 -hmac '" + kSecret + "' body.json", box.path());
  return "sha256=" + out.substr(out.rfind(' ') + 1, 64);
}

auto hasType(const std::string& type, size_t n = 1) {
  return [=](const std::vector<Delivery>& ds) {
    size_t count = 0;
    for (const auto& d : ds) count += d.header("charta-event-type") == type;
    return count >= n;
  };
}

std::optional<Delivery> find(const std::vector<Delivery>& ds, const std::string& type) {
  for (const auto& d : ds)
    if (d.header("charta-event-type") == type) return d;
  return std::nullopt;
}

// Waits for a line of the server's log holding both "a" and "b"; returns it.
std::string waitForLog(ServerProcess& server, const std::string& a, const std::string& b,
                       milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    std::istringstream log(server.err());
    for (std::string line; std::getline(log, line);) {
      if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return line;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return "";
}

}  // namespace

TEST_CASE("edition.effective arrives within 1 s of the scheduled moment, signed") {
  ApiSite site;
  WebhookReceiver receiver;
  ServerProcess server(site.box.path(), site.defs(hookDefs(receiver.port())));
  site.commitEdit("Пункт по расписанию.");
  const core::Instant t = floor<seconds>(core::now()) + seconds(4) + milliseconds(300);
  site.publishCli({"--effective-from", formatAt(t)});

  auto got = receiver.waitFor(hasType("edition.published"), seconds(5));
  auto published = find(got, "edition.published");
  REQUIRE(published);
  auto pub = object(published->body);
  CHECK(str(pub->getObject("edition"), "edition") == "v2");
  CHECK(str(pub->getObject("edition"), "status") == "upcoming");
  CHECK_FALSE(find(got, "edition.effective"));

  got = receiver.waitFor(hasType("edition.effective"), seconds(10));
  auto effective = find(got, "edition.effective");
  REQUIRE(effective);
  auto late = effective->at - system_clock::time_point(t);
  CHECK(late >= milliseconds(0));    // never before the moment
  CHECK(late < milliseconds(1000));  // and within a second of it
  MESSAGE("edition.effective arrived " << duration_cast<milliseconds>(late).count()
                                       << " ms after the moment");

  auto ev = object(effective->body);
  CHECK(str(ev, "type") == "edition.effective");
  CHECK(str(ev, "id") == effective->header("charta-event-id"));
  CHECK(str(ev, "document") == "personal-data");
  CHECK(*core::parseRfc3339(str(ev, "occurred_at")) == t);
  CHECK(str(ev->getObject("edition"), "edition") == "v2");
  CHECK(str(ev->getObject("edition"), "status") == "in_force");
  CHECK(effective->header("content-type") == "application/json");
  CHECK(effective->header("charta-delivery-attempt") == "1");
  CHECK(effective->header("charta-signature") == opensslSignature(site.box, effective->body));
  CHECK(published->header("charta-signature") == opensslSignature(site.box, published->body));
  CHECK(published->header("charta-event-id") != effective->header("charta-event-id"));

  // v1 was published before the subscription existed: nothing about it is sent.
  for (const auto& d : receiver.deliveries()) {
    CHECK(str(object(d.body)->getObject("edition"), "edition") == "v2");
  }
  auto log = server.err();
  CHECK(log.find("\"msg\":\"webhook delivered\"") != std::string::npos);
  // Counted once the receiver's answer is read, which may be just after the receiver saw it.
  std::string m;
  for (auto end = steady_clock::now() + seconds(30); steady_clock::now() < end;) {
    m = http(server.port(), "GET", "/metrics").body;
    if (m.find("charta_webhook_deliveries_total{subscription=\"shop\"} 2") != std::string::npos)
      break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  CHECK(m.find("charta_webhook_deliveries_total{subscription=\"shop\"} 2") != std::string::npos);
}

TEST_CASE("a receiver down at the first attempt gets the event again; the server is not held up") {
  ApiSite site;
  const uint16_t port = unusedPort();
  ServerProcess server(site.box.path(), site.defs(hookDefs(port)));
  site.commitEdit("Пункт сразу.");
  site.publishCli();  // in force at once: published and effective
  REQUIRE_FALSE(
      waitForLog(server, "webhook delivery failed", "edition.effective", seconds(5)).empty());
  // Meanwhile the API answers as usual (a refused connection holds nothing up).
  CHECK(http(server.port(), "GET", "/api/v1/documents/personal-data/current").status == 200);

  WebhookReceiver receiver(port);
  auto got = receiver.waitFor(
      [](const std::vector<Delivery>& ds) {
        return hasType("edition.published")(ds) && hasType("edition.effective")(ds);
      },
      seconds(10));
  auto effective = find(got, "edition.effective");
  REQUIRE(effective);
  CHECK(std::stoi(effective->header("charta-delivery-attempt")) >= 2);
  CHECK(effective->header("charta-signature") == opensslSignature(site.box, effective->body));
  // The id the failed attempt was logged with is the one delivered.
  CHECK(server.err().find(effective->header("charta-event-id")) != std::string::npos);
  auto m = http(server.port(), "GET", "/metrics").body;
  CHECK(m.find("charta_webhook_failures_total{subscription=\"shop\"}") != std::string::npos);
}

TEST_CASE("a receiver that never answers delays only its own deliveries") {
  ApiSite site;
  // Listens but never accepts: connections hang until the delivery time-out, 4 s.
  Poco::Net::ServerSocket blackHole(Poco::Net::SocketAddress("127.0.0.1", 0), 1);
  const uint16_t hole = blackHole.address().port();
  ServerProcess server(site.box.path(), site.defs(hookDefs(hole, {"webhooks.timeout_ms=4000"})));
  site.commitEdit("Пункт.");
  site.publishCli();
  // A delivery is hanging: its connection waits in the black hole's queue.
  auto hanging = [&] {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
      std::istringstream in(testing::slurp(table));
      std::string line;
      std::getline(in, line);  // the column names
      while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string slot, local, remote, state;
        f >> slot >> local >> remote >> state;
        if (state == "01" && std::stoul(local.substr(local.find(':') + 1), nullptr, 16) == hole)
          return true;
      }
    }
    return false;
  };
  bool hung = false;
  for (auto end = steady_clock::now() + seconds(30); !hung && steady_clock::now() < end;) {
    hung = hanging();
    if (!hung) std::this_thread::sleep_for(milliseconds(20));
  }
  REQUIRE(hung);
  // Held up by the delivery, an answer would wait for its time-out; it comes well before.
  for (int i = 0; i < 5; ++i) {
    auto t0 = steady_clock::now();
    CHECK(http(server.port(), "GET", "/api/v1/documents/personal-data/current").status == 200);
    CHECK(steady_clock::now() - t0 < seconds(2));
  }
  // SIGTERM ends the server within the delivery's time-out.
  auto t0 = steady_clock::now();
  CHECK(server.kill(SIGTERM) == 0);
  CHECK(steady_clock::now() - t0 < seconds(8));
}

TEST_CASE("pending deliveries survive a crash of the server: at least once, same event id") {
  ApiSite site;
  const uint16_t port = unusedPort();
  std::string firstId;
  {
    ServerProcess server(site.box.path(), site.defs(hookDefs(port)));
    site.commitEdit("Пункт до сбоя.");
    site.publishCli();
    std::string line =
        waitForLog(server, "webhook delivery failed", "edition.effective", seconds(5));
    auto p = line.find("\"event_id\":\"");
    REQUIRE(p != std::string::npos);
    firstId = line.substr(p + 12, 36);
    server.kill(SIGKILL);
  }
  WebhookReceiver receiver(port);
  ServerProcess again(site.box.path(), site.defs(hookDefs(port)));
  auto seenFirst = [&](const std::vector<Delivery>& ds) {
    for (const auto& d : ds)
      if (d.header("charta-event-id") == firstId) return true;
    return false;
  };
  CHECK(seenFirst(receiver.waitFor(seenFirst, seconds(10))));
  receiver.waitFor(
      [](const std::vector<Delivery>& ds) {
        return hasType("edition.published")(ds) && hasType("edition.effective")(ds);
      },
      seconds(10));
  // Both events of the publication arrive (duplicates share an id); nothing about v1.
  std::set<std::string> ids;
  for (const auto& d : receiver.deliveries()) {
    ids.insert(d.header("charta-event-id"));
    CHECK(str(object(d.body)->getObject("edition"), "edition") == "v2");
  }
  CHECK(ids.size() == 2);
}

TEST_CASE("an idle server with webhooks sleeps: its threads do not spin") {
  ApiSite site;
  WebhookReceiver receiver;
  ServerProcess server(site.box.path(), site.defs(hookDefs(receiver.port())));
  // The server's process: the one whose command line names this sandbox.
  std::string pid;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      cmdline = testing::slurp(entry.path() / "cmdline");
    } catch (const std::exception&) {
      continue;
    }
    if (cmdline.find(site.box.path().string()) != std::string::npos &&
        cmdline.find("serve") != std::string::npos) {
      pid = name;
    }
  }
  REQUIRE_FALSE(pid.empty());
  auto cpuTicks = [&] {
    std::istringstream stat(testing::slurp("/proc/" + pid + "/stat"));
    std::string field;
    long total = 0;
    for (int i = 1; i <= 15 && stat >> field; ++i)
      if (i == 14 || i == 15) total += std::stol(field);
    return total;
  };
  // Once it has started, and looked at the repository, it is idle: the ticks stop moving.
  long settled = cpuTicks();
  for (auto end = steady_clock::now() + seconds(20); steady_clock::now() < end;) {
    std::this_thread::sleep_for(milliseconds(250));
    long now = cpuTicks();
    if (now == settled) break;
    settled = now;
  }
  long before = cpuTicks();
  std::this_thread::sleep_for(seconds(2));  // the span measured
  long used = cpuTicks() - before;          // clock ticks, usually 100 a second
  MESSAGE("CPU ticks used in 2 s of idling: " << used);
  CHECK(used < 20);
}
