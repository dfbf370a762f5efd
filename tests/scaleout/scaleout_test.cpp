// Scale-out: one primary policy repository (`charta init`), two replicas made and kept in sync
// with the git CLI (`git clone --mirror`, `git fetch` as an operator's timer would run it), two
// `charta serve` instances, each on its own replica, sharing one PostgreSQL ledger.
//
// Consents written through both instances at once form one hash chain that one
// `charta ledger verify` checks, with every acknowledged consent in it (and that verifies at any
// moment while they are written); an Idempotency-Key sent
// to both instances at once records one event. A replica refuses to publish (API and CLI). An
// edition published on the primary is served by each instance once its replica is fetched, and
// until then the lagging instance keeps serving (and accepting consents for) the edition it knows.

#include <atomic>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "consent/consent_support.h"

namespace charta {
namespace {

using consent_testing::json;
using consent_testing::num;
using consent_testing::Object;
using consent_testing::parseObject;
using consent_testing::str;
using consent_testing::tokens;
using testing::HttpResponse;

constexpr int kWritersPerInstance = 4;
constexpr int kConsentsPerWriter = 25;
constexpr int kSharedKeys = 12;

std::string consentBody(const std::string& subject, const std::string& edition) {
  return R"({"subject":")" + subject + R"(","document":"personal-data","edition":")" + edition +
         R"(","language":"ru","purposes":["marketing"],"collection_method":"web-form"})";
}

// The receipt of one acknowledged consent.
struct Ack {
  std::string recordId;
  long long seq = 0;
  int status = 0;
};

class Topology {
 public:
  testing::Sandbox box;
  std::string ledgerUri;

  // Returns false when PostgreSQL is skipped on purpose (CHARTA_SKIP_PG=1 without binaries).
  bool setUp() {
    testing::PgServer* pg = testing::PgServer::shared();
    if (!pg) return false;
    ledgerUri = pg->createDatabase("scaleout");
    // The primary (var/policies.git, v1 published) and a work tree of the legal team.
    auto r = testing::run({testing::chartaBinary(), "init"}, box.path(), testing::gitEnv());
    INFO(r.err);
    REQUIRE(r.status == 0);
    git("clone -q var/policies.git wt");
    for (const char* name : {"a", "b"}) {
      std::filesystem::create_directories(box / name);
      git(std::string("clone -q --mirror var/policies.git ") + name + "/policies.git");
    }
    return true;
  }

  // What the operator's timer runs on a replica: all branches and tags of the primary.
  void sync(const std::string& replica) {
    git("git --git-dir=" + replica + "/policies.git fetch -q --prune origin", false);
  }

  void git(const std::string& args, bool prefix = true) {
    auto r =
        testing::run({"sh", "-c", (prefix ? "git " : "") + args}, box.path(), testing::gitEnv());
    INFO(args << ": " << r.err);
    REQUIRE(r.status == 0);
  }

  std::vector<std::string> defs(const std::string& replica) const {
    return {"repository.path=" + (box / replica / "policies.git").string(),
            "repository.replica=true", "ledger.uri=" + ledgerUri, "auth.tokens=" + tokens().spec(),
            "log.access=false"};
  }

  testing::RunResult cli(const std::vector<std::string>& defs,
                         const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {testing::chartaBinary()};
    for (const auto& d : defs) {
      argv.push_back("-D");
      argv.push_back(d);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run(argv, box.path(), testing::gitEnv());
  }
};

HttpResponse postConsent(uint16_t port, const std::string& body, const std::string& key) {
  auto h = json(tokens().site.token);
  h["Idempotency-Key"] = key;
  return testing::http(port, "POST", "/api/v1/consents", h, body);
}

Ack ackOf(const HttpResponse& r) {
  Ack a;
  a.status = r.status;
  if (r.status == 200 || r.status == 201) {
    auto o = parseObject(r.body);
    a.recordId = str(o, "record_id");
    a.seq = num(o->getObject("chain"), "seq");
  }
  return a;
}

// The edition number `current` names on the instance at "port".
long long editionServed(uint16_t port) {
  auto r = testing::http(port, "GET", "/api/v1/documents/personal-data/current");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return num(parseObject(r.body), "number");
}

// Waits until the instance at "port" serves edition "n" (it polls its replica every 100 ms).
bool waitForEdition(uint16_t port, long long n) {
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       std::chrono::steady_clock::now() < end;) {
    if (editionServed(port) == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return editionServed(port) == n;
}

TEST_CASE("two instances on two git replicas share one PostgreSQL ledger") {
  Topology t;
  if (!t.setUp()) {
    MESSAGE("CHARTA_SKIP_PG=1 and no PostgreSQL: scale-out skipped");
    return;
  }
  testing::ServerProcess a(t.box / "a", t.defs("a"));
  testing::ServerProcess b(t.box / "b", t.defs("b"));
  const uint16_t ports[2] = {a.port(), b.port()};
  REQUIRE(editionServed(a.port()) == 1);
  REQUIRE(editionServed(b.port()) == 1);

  // Concurrent writers on both instances, plus keys sent to both instances at the same moment.
  std::vector<Ack> acks;
  std::mutex acksMu;
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int inst = 0; inst < 2; ++inst) {
    for (int w = 0; w < kWritersPerInstance; ++w) {
      writers.emplace_back([&, inst, w] {
        for (int i = 0; i < kConsentsPerWriter; ++i) {
          std::string id = std::to_string(inst) + "-" + std::to_string(w) + "-" + std::to_string(i);
          Ack ack = ackOf(postConsent(ports[inst], consentBody("subject-" + id, "v1"), "k-" + id));
          std::lock_guard lock(acksMu);
          if (ack.status == 201) {
            acks.push_back(ack);
          } else {
            ++refused;
          }
        }
      });
    }
  }
  // An operator's verify (or anchoring job) while both instances write: it reads one snapshot,
  // so it must never see a half-appended chain.
  std::atomic<bool> writing{true};
  std::vector<testing::RunResult> verifies;
  std::thread verifier([&] {
    while (writing.load()) {
      verifies.push_back(t.cli({"ledger.uri=" + t.ledgerUri}, {"--json", "ledger", "verify"}));
    }
  });
  std::vector<std::pair<Ack, Ack>> shared;
  for (int k = 0; k < kSharedKeys; ++k) {
    std::string body = consentBody("shared-" + std::to_string(k), "v1");
    std::string key = "shared-key-" + std::to_string(k);
    auto fa =
        std::async(std::launch::async, [&] { return ackOf(postConsent(ports[0], body, key)); });
    auto fb =
        std::async(std::launch::async, [&] { return ackOf(postConsent(ports[1], body, key)); });
    shared.emplace_back(fa.get(), fb.get());
  }
  for (auto& th : writers) th.join();
  writing = false;
  verifier.join();
  CHECK(!verifies.empty());
  for (const auto& v : verifies) {
    INFO(v.out << v.err);
    CHECK(v.status == 0);
  }
  CHECK(refused.load() == 0);
  REQUIRE(acks.size() == 2u * kWritersPerInstance * kConsentsPerWriter);
  for (const auto& [x, y] : shared) {
    INFO("statuses " << x.status << " and " << y.status);
    // One of the two recorded the event, the other answered with the same receipt.
    CHECK(((x.status == 201 && y.status == 200) || (x.status == 200 && y.status == 201)));
    CHECK(x.recordId == y.recordId);
    CHECK(x.seq == y.seq);
    acks.push_back(x.status == 201 ? x : y);
  }

  // One chain: seq 1..N without gaps, each acknowledged consent in it under its own seq.
  std::set<long long> seqs;
  for (const Ack& ack : acks) seqs.insert(ack.seq);
  CHECK(seqs.size() == acks.size());
  CHECK(*seqs.begin() >= 1);
  // The chain also holds the publication of v1, chained by the first server that saw it.
  const std::string dbName = t.ledgerUri.substr(t.ledgerUri.rfind('/') + 1);
  const long long editions = std::stoll(testing::PgServer::shared()->psql(
      dbName, "SELECT count(*) FROM events WHERE kind LIKE 'edition.%'"));
  CHECK(editions == 1);
  CHECK(*seqs.rbegin() == static_cast<long long>(acks.size()) + editions);
  auto verify = t.cli({"ledger.uri=" + t.ledgerUri}, {"--json", "ledger", "verify"});
  INFO(verify.out << verify.err);
  REQUIRE(verify.status == 0);
  auto report = parseObject(verify.out);
  CHECK(report->getValue<bool>("ok"));
  CHECK(num(report, "checked") == static_cast<long long>(acks.size()) + editions);
  std::string db = t.ledgerUri.substr(t.ledgerUri.rfind('/') + 1);
  std::string rows = testing::PgServer::shared()->psql(db, "SELECT seq || ' ' || id FROM events");
  for (const Ack& ack : acks) {
    CHECK(rows.find(std::to_string(ack.seq) + " " + ack.recordId + "\n") != std::string::npos);
  }

  // A replica refuses to publish: over the API (409 problem) and with the CLI (exit 2).
  std::string draft;
  {
    auto r = testing::run({"sh", "-c",
                           "printf '\\n%s\\n' 'Дополнение для второй редакции.' >> "
                           "personal-data/ru.md && git commit -qam v2 && git push -q origin HEAD "
                           "&& git rev-parse HEAD"},
                          t.box / "wt", testing::gitEnv());
    INFO(r.err);
    REQUIRE(r.status == 0);
    draft = r.out.substr(0, 40);
  }
  t.sync("a");
  t.sync("b");
  auto etag =
      testing::http(a.port(), "GET", "/api/v1/documents/personal-data/current").header("etag");
  auto h = json(tokens().legal.token);
  h["If-Match"] = etag;
  auto refusedPublish =
      testing::http(a.port(), "POST", "/api/v1/documents/personal-data/publications", h,
                    R"({"revision":")" + draft + R"("})");
  INFO(refusedPublish.body);
  CHECK(refusedPublish.status == 409);
  CHECK(refusedPublish.header("content-type") == "application/problem+json");
  CHECK(refusedPublish.body.find("replica-read-only") != std::string::npos);
  auto cliOnReplica = t.cli(t.defs("a"), {"publish", "personal-data"});
  CHECK(cliOnReplica.status == 2);
  CHECK(cliOnReplica.err.find("replica") != std::string::npos);
  CHECK(testing::sh("git --git-dir=a/policies.git tag", t.box.path()).find("v2") ==
        std::string::npos);

  // Published on the primary: served by each instance once its replica has fetched it. The
  // lagging instance still serves v1 and refuses consents that name v2 (it does not know it).
  auto published = t.cli({}, {"publish", "personal-data", "--revision", draft});
  INFO(published.err);
  REQUIRE(published.status == 0);
  t.sync("a");
  CHECK(waitForEdition(a.port(), 2));
  CHECK(editionServed(b.port()) == 1);
  auto lagging = postConsent(b.port(), consentBody("late", "v2"), "late-b");
  CHECK(lagging.status == 422);
  CHECK(lagging.body.find("edition-not-in-force") != std::string::npos);
  CHECK(postConsent(a.port(), consentBody("late", "v2"), "late-a").status == 201);
  t.sync("b");
  CHECK(waitForEdition(b.port(), 2));
  CHECK(postConsent(b.port(), consentBody("late", "v2"), "late-b").status == 201);

  auto again = t.cli({"ledger.uri=" + t.ledgerUri}, {"--json", "ledger", "verify"});
  INFO(again.out << again.err);
  REQUIRE(again.status == 0);
  // Two consents more, and the publication of v2.
  CHECK(num(parseObject(again.out), "checked") ==
        static_cast<long long>(acks.size()) + editions + 3);
}

}  // namespace
}  // namespace charta
