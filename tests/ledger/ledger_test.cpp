// The same suite on SQLite and on a real PostgreSQL server.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "core/sha256.h"
#include "ledger/canonical.h"
#include "ledger/chain.h"
#include "ledger/fixtures.h"
#include "ledger/ledger.h"

using namespace charta;
using namespace charta::ledger;
using namespace charta::ledger::testing;

namespace {

std::string findings(const VerifyReport& r) {
  std::string out;
  for (const auto& f : r.findings) {
    if (!out.empty()) out += ' ';
    out += std::string(findingKindName(f.kind)) + "@" + std::to_string(f.seq);
  }
  return out;
}

std::string setting(Ledger& l, const std::string& name) {
  for (const auto& [k, v] : l.settings()) {
    if (k == name) return v;
  }
  return "(none)";
}

}  // namespace

#define BACKENDS SqliteBackend, PgBackend

TEST_CASE_TEMPLATE("append, find, bySubject, count", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  CHECK(std::string(ledger->backend()) == B::kName);
  CHECK(ledger->count() == 0);
  CHECK(ledger->verify().ok);

  auto t0 = core::now();
  AppendResult a = ledger->append(request("u-1", {"marketing", "account"}));
  AppendResult c = ledger->append(request("u-2", {"advertising"}));
  AppendResult d = ledger->append(request("u-1", {"marketing"}, EventType::kGiven, 1, "terms"));
  CHECK_FALSE(a.replayed);
  CHECK(a.event.seq == 1);
  CHECK(c.event.seq == 2);
  CHECK(d.event.seq == 3);
  CHECK(a.event.prevHash == kGenesisHash);
  CHECK(c.event.prevHash == a.event.hash);
  CHECK(d.event.prevHash == c.event.hash);
  CHECK(a.event.id.size() == 36);
  CHECK(a.event.id[14] == '7');  // UUID version 7: time-ordered
  CHECK(a.event.id[19] >= '8');  // the RFC 9562 variant
  CHECK(a.event.id[19] <= 'b');
  CHECK(a.event.id.substr(0, 13) <= d.event.id.substr(0, 13));  // milliseconds first
  CHECK((a.event.recordedAt >= t0 - std::chrono::seconds(1)));
  CHECK(a.event.hash == core::sha256Hex(*ledger->canonicalBytes(1)));
  CHECK(a.event.pseudonym.size() == 64);
  CHECK(a.event.pseudonym == d.event.pseudonym);  // one subject, one pseudonym
  CHECK(a.event.pseudonym != c.event.pseudonym);
  // Purposes are stored sorted.
  REQUIRE(a.event.purposes.size() == 2);
  CHECK(a.event.purposes[0].str() == "account");

  auto found = ledger->find(a.event.id);
  REQUIRE(found);
  CHECK(found->subject == "u-1");
  CHECK(found->hash == a.event.hash);
  CHECK((found->recordedAt == a.event.recordedAt));
  CHECK((found->evidence == a.event.evidence));
  CHECK((found->formId == std::optional<std::string>("checkout")));
  CHECK((found->pageSha256 == std::optional<std::string>(kPageSha)));
  CHECK_FALSE(found->idempotencyKey);
  CHECK((found->purposes == a.event.purposes));
  CHECK_FALSE(ledger->find("00000000-0000-4000-8000-000000000000"));
  CHECK_FALSE(ledger->find("not-an-id"));

  auto all = ledger->bySubject("u-1");
  REQUIRE(all.size() == 2);
  CHECK(all[0].seq == 1);
  CHECK(all[1].seq == 3);
  auto policy = ledger->bySubject("u-1", core::DocumentId::parse("personal-data"));
  REQUIRE(policy.size() == 1);
  CHECK(policy[0].id == a.event.id);
  CHECK(ledger->bySubject("nobody").empty());

  CHECK(ledger->count() == 3);
  auto report = ledger->verify();
  CHECK(report.ok);
  CHECK(report.checked == 3);
  CHECK(report.headSeq == 3);
  CHECK(report.headHash == d.event.hash);
  CHECK_NOTHROW(ledger->ping());
}

TEST_CASE_TEMPLATE("idempotency: replay and conflict", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  NewEvent e = request("u-7", {"marketing", "advertising"});
  e.idempotencyKey = "req-0001";
  AppendResult first = ledger->append(e);
  CHECK_FALSE(first.replayed);

  AppendResult again = ledger->append(e);
  CHECK(again.replayed);
  CHECK(again.event.id == first.event.id);
  CHECK(again.event.seq == first.event.seq);

  // The same request with its purposes in another order is the same request.
  NewEvent reordered = request("u-7", {"advertising", "marketing"});
  reordered.idempotencyKey = "req-0001";
  CHECK(ledger->append(reordered).replayed);

  NewEvent different = request("u-7", {"marketing"});
  different.idempotencyKey = "req-0001";
  CHECK_THROWS_AS(ledger->append(different), Conflict);
  CHECK(ledger->count() == 1);

  // Survives reopening: the key is in the database, not in memory.
  ledger.reset();
  ledger = openLedger(b.uri());
  CHECK(ledger->append(e).replayed);
  CHECK_THROWS_AS(ledger->append(different), Conflict);
  CHECK(ledger->count() == 1);
}

TEST_CASE_TEMPLATE("blocking refuses consent until unblocked", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  ledger->append(request("u-9", {"marketing"}));
  CHECK_FALSE(ledger->isBlocked("u-9"));
  ledger->append(blockRequest("u-9"));
  CHECK(ledger->isBlocked("u-9"));
  CHECK_FALSE(ledger->isBlocked("u-10"));
  CHECK_THROWS_AS(ledger->append(request("u-9", {"advertising"})), Blocked);
  // A withdrawal is still recorded; other subjects are not affected.
  CHECK_NOTHROW(ledger->append(request("u-9", {"marketing"}, EventType::kWithdrawn)));
  CHECK_NOTHROW(ledger->append(request("u-10", {"marketing"})));
  ledger->append(blockRequest("u-9", EventType::kUnblocked));
  CHECK_FALSE(ledger->isBlocked("u-9"));
  CHECK_NOTHROW(ledger->append(request("u-9", {"advertising"})));

  // bySubject with a document still returns the subject's blocking of any document.
  NewEvent otherDoc = blockRequest("u-9");
  otherDoc.doc = *core::DocumentId::parse("terms");
  ledger->append(otherDoc);
  auto events = ledger->bySubject("u-9", core::DocumentId::parse("personal-data"));
  REQUIRE_FALSE(events.empty());
  CHECK((events.back().type == EventType::kBlocked));
  CHECK(ledger->isBlocked("u-9"));
  CHECK(ledger->count() == 7);
  CHECK(ledger->verify().ok);
}

TEST_CASE_TEMPLATE("one batch: block then give, a key used twice, a key conflict", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  // A long linger keeps the writer collecting, so requests submitted close together share one
  // transaction, in submission order.
  Options options;
  options.linger = std::chrono::milliseconds(400);
  options.maxBatch = 6;
  auto ledger = openLedger(b.uri(), options);

  NewEvent keyed = request("u-21", {"marketing"});
  keyed.idempotencyKey = "same-key";
  NewEvent clash = request("u-21", {"advertising"});
  clash.idempotencyKey = "same-key";

  std::atomic<int> blockedRefused{0}, replayed{0}, conflicts{0}, appended{0};
  auto run = [&](const NewEvent& e) {
    try {
      AppendResult r = ledger->append(e);
      (r.replayed ? replayed : appended)++;
    } catch (const Blocked&) {
      blockedRefused++;
    } catch (const Conflict&) {
      conflicts++;
    }
  };
  std::vector<NewEvent> order = {blockRequest("u-20"), request("u-20", {"marketing"}), keyed, keyed,
                                 clash};
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  for (const NewEvent& e : order) {
    threads.emplace_back(run, e);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  for (auto& t : threads) t.join();
  // All five were answered by one commit after the linger window, not one by one.
  CHECK((std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)));
  CHECK(blockedRefused == 1);
  CHECK(replayed == 1);
  CHECK(conflicts == 1);
  CHECK(appended == 2);
  CHECK(ledger->count() == 2);
  CHECK(ledger->verify().ok);
}

TEST_CASE_TEMPLATE("a failed batch fails every caller in it, and the next batch works", B,
                   BACKENDS) {
  B b;
  if (!b.available()) return;
  Options options;
  options.linger = std::chrono::milliseconds(400);
  options.maxBatch = 3;
  auto ledger = openLedger(b.uri(), options);
  ledger->append(request("before"));
  b.sql(b.poison());
  std::atomic<int> storageErrors{0}, acks{0};
  std::vector<std::thread> threads;
  for (const char* who : {"ok-1", "poison", "ok-2"}) {
    threads.emplace_back([&, who] {
      try {
        ledger->append(request(who));
        acks++;
      } catch (const StorageError&) {
        storageErrors++;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  for (auto& t : threads) t.join();
  CHECK(acks == 0);
  CHECK(storageErrors == 3);
  CHECK(ledger->count() == 1);
  CHECK(ledger->bySubject("ok-1").empty());
  CHECK(ledger->append(request("after")).event.seq == 2);
  CHECK(ledger->verify().ok);
}

TEST_CASE_TEMPLATE("16 threads append concurrently: group commit keeps the chain dense", B,
                   BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  constexpr int kThreads = 16, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0}, replays{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          NewEvent e = request("u-" + std::to_string(t) + "-" + std::to_string(i));
          // Threads 0 and 1 send the same keyed requests: each key is appended once.
          if (t < 2 && i < 10) {
            e.subject = "shared-" + std::to_string(i);
            e.idempotencyKey = "shared-" + std::to_string(i);
          }
          if (ledger->append(e).replayed) replays++;
        } catch (const std::exception& ex) {
          MESSAGE(ex.what());
          failures++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(replays == 10);
  CHECK(ledger->count() == kThreads * kEach - 10);
  VerifyReport r = ledger->verify();
  CHECK(r.ok);
  CHECK(findings(r) == "");
  CHECK(r.checked == kThreads * kEach - 10);
}

TEST_CASE_TEMPLATE("two ledgers on one database (two servers) keep one linear chain", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  // Both open a fresh database at once: migrations must serialize.
  std::unique_ptr<Ledger> one, two;
  std::thread opener([&] { one = openLedger(b.uri()); });
  two = openLedger(b.uri());
  opener.join();
  REQUIRE(one);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Ledger& l = t % 2 ? *one : *two;
      for (int i = 0; i < 20; ++i) {
        try {
          l.append(request("p-" + std::to_string(t) + "-" + std::to_string(i)));
        } catch (const std::exception& ex) {
          MESSAGE(ex.what());
          failures++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(one->count() == 160);
  CHECK(two->count() == 160);
  VerifyReport r = two->verify();
  CHECK(findings(r) == "");
  CHECK(r.checked == 160);

  // A block recorded through one server is enforced by the other.
  one->append(blockRequest("p-0-0"));
  CHECK_THROWS_AS(two->append(request("p-0-0")), Blocked);
  CHECK(b.sql("SELECT COUNT(*) FROM schema_version;") == "2\n");
}

// The SQL that replaces "from" by "to" (same length) inside the canonical bytes of event "seq".
template <typename B>
std::string editBytes(int seq, const std::string& from, const std::string& to) {
  if constexpr (std::is_same_v<B, SqliteBackend>) {
    return "UPDATE events SET bytes = CAST(replace(CAST(bytes AS TEXT), '" + from + "', '" + to +
           "') AS BLOB) WHERE seq = " + std::to_string(seq) + ";";
  } else {
    return "UPDATE events SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), '" + from +
           "', '" + to + "'), 'UTF8') WHERE seq = " + std::to_string(seq) + ";";
  }
}

TEST_CASE_TEMPLATE("tampering is found and named", B, BACKENDS) {
  struct Case {
    const char* name;
    std::string sql;
    const char* expected;
  };
  const std::string cols =
      "seq, id, kind, recorded_at, pseudonym, document, edition, "
      "idempotency_key, prev_hash, hash, bytes";
  const Case cases[] = {
      {"change a byte of the canonical bytes", editBytes<B>(3, "marketing", "marketinG"),
       "changed@3"},
      {"change an indexed column only", "UPDATE events SET document = 'terms' WHERE seq = 5;",
       "mismatch@5"},
      {"change the pseudonym column only",
       "UPDATE events SET pseudonym = (SELECT pseudonym FROM events WHERE seq = 1) WHERE seq = 2;",
       "mismatch@2"},
      {"delete a row", "DELETE FROM events WHERE seq = 4;", "removed@4"},
      {"delete the newest row", "DELETE FROM events WHERE seq = 6;", "removed@6"},
      {"insert a forged row",
       "INSERT INTO events (" + cols + ") SELECT 7, 'f0f0f0f0-0000-4000-8000-000000000007', " +
           "kind, recorded_at, pseudonym, document, edition, NULL, hash, '" + std::string(64, 'e') +
           "', bytes FROM events WHERE seq = 6;",
       "inserted@7"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    B b;
    if (!b.available()) return;
    auto ledger = openLedger(b.uri());
    for (int i = 1; i <= 6; ++i) {
      ledger->append(request("t-" + std::to_string(i), {"marketing", "account"}));
    }
    REQUIRE(ledger->verify().ok);
    // Whoever owns the database can drop the append-only triggers; verify() catches the edit.
    b.sql(b.dropGuards() + c.sql);
    VerifyReport r = ledger->verify();
    CHECK_FALSE(r.ok);
    CHECK(findings(r) == c.expected);
    for (const auto& f : r.findings) {
      if (f.kind != FindingKind::kRemoved) CHECK_FALSE(f.id.empty());
      CHECK_FALSE(f.detail.empty());
    }
  }
}

TEST_CASE_TEMPLATE("an edited and re-hashed event breaks the next link", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  for (int i = 1; i <= 4; ++i) ledger->append(request("r-" + std::to_string(i)));
  // The attacker knows the documented format and recomputes the hash of the row they change.
  std::string bytes = *ledger->canonicalBytes(2);
  bytes.replace(bytes.find("marketing"), 9, "marketinG");
  b.sql(b.dropGuards() + "UPDATE events SET bytes = " + B::blob(core::toHex(bytes)) + ", hash = '" +
        core::sha256Hex(bytes) + "' WHERE seq = 2;");
  VerifyReport r = ledger->verify();
  CHECK(findings(r) == "broken_link@3");
}

TEST_CASE_TEMPLATE("the database refuses updates and deletes of the log", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  ledger->append(request("g-1"));
  CHECK_FALSE(b.trySql("UPDATE events SET document = 'x' WHERE seq = 1;"));
  CHECK_FALSE(b.trySql("DELETE FROM events WHERE seq = 1;"));
  CHECK_FALSE(b.trySql("DELETE FROM meta;"));
  CHECK_FALSE(b.trySql("DELETE FROM subjects;"));
  CHECK_FALSE(b.trySql("UPDATE subjects SET subject_key = 'ab';"));
  CHECK_FALSE(b.trySql("UPDATE personal SET evidence = '{}';"));
  CHECK(ledger->verify().ok);
}

TEST_CASE_TEMPLATE("durability settings are in effect", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  if constexpr (std::is_same_v<B, SqliteBackend>) {
    CHECK(setting(*ledger, "journal_mode") == "wal");
    CHECK(setting(*ledger, "synchronous") == "2");  // FULL
    CHECK(setting(*ledger, "busy_timeout") == "10000");
    // journal_mode is a property of the file: the CLI sees it too.
    CHECK(b.sql("PRAGMA journal_mode;") == "wal\n");
  } else {
    CHECK(setting(*ledger, "synchronous_commit") == "on");
    CHECK(setting(*ledger, "fsync") == "on");
  }
}

TEST_CASE_TEMPLATE("bad input is refused before anything is written", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  struct Case {
    const char* name;
    std::function<void(NewEvent&)> change;
  };
  const Case cases[] = {
      {"subject too long", [](NewEvent& e) { e.subject = std::string(129, 'x'); }},
      {"subject empty", [](NewEvent& e) { e.subject.clear(); }},
      {"subject not UTF-8", [](NewEvent& e) { e.subject = "u-\xff\xfe"; }},
      {"subject with a newline", [](NewEvent& e) { e.subject = "u-1\nu-2"; }},
      {"evidence too big",
       [](NewEvent& e) { e.evidence = "{\"pad\":\"" + std::string(4100, 'x') + "\"}"; }},
      {"evidence an array", [](NewEvent& e) { e.evidence = "[1,2]"; }},
      {"evidence not JSON", [](NewEvent& e) { e.evidence = "{user_agent: x}"; }},
      {"evidence too deep",
       [](NewEvent& e) { e.evidence = std::string(40, '[') + std::string(40, ']'); }},
      {"evidence trailing junk", [](NewEvent& e) { e.evidence = "{} {}"; }},
      {"text hash short", [](NewEvent& e) { e.textSha256 = "abc"; }},
      {"page hash not hex", [](NewEvent& e) { e.pageSha256 = std::string(64, 'z'); }},
      {"collection method", [](NewEvent& e) { e.collectionMethod = "Web Form"; }},
      {"form id with a space", [](NewEvent& e) { e.formId = "check out"; }},
      {"idempotency key too long", [](NewEvent& e) { e.idempotencyKey = std::string(200, 'k'); }},
      {"given without purposes", [](NewEvent& e) { e.purposes.clear(); }},
      {"blocked with purposes", [](NewEvent& e) { e.type = EventType::kBlocked; }},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    NewEvent e = request("u-bad");
    c.change(e);
    CHECK_THROWS_AS(ledger->append(e), InvalidInput);
  }
  CHECK(ledger->count() == 0);
  // Upper-case hex is accepted and stored lower-case.
  NewEvent upper = request("u-ok");
  upper.textSha256 = std::string(64, 'A');
  CHECK(ledger->append(upper).event.textSha256 == std::string(64, 'a'));
}

TEST_CASE_TEMPLATE("migrations: idempotent on reopen, newer schema refused", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  {
    auto ledger = openLedger(b.uri());
    ledger->append(request("m-1"));
  }
  {
    auto ledger = openLedger(b.uri());
    CHECK(ledger->count() == 1);
    CHECK(ledger->verify().ok);
  }
  CHECK(b.sql("SELECT version FROM schema_version ORDER BY version;") == "1\n2\n");
  b.sql("INSERT INTO schema_version (version, applied_at) VALUES (99, 0);");
  CHECK_THROWS_AS(openLedger(b.uri()), SchemaTooNew);
  CHECK(b.sql("SELECT MAX(version) FROM schema_version;") == "99\n");
}

TEST_CASE("ledger URIs") {
  CHECK_THROWS_AS(openLedger(""), InvalidInput);
  CHECK_THROWS_AS(openLedger("mysql://x/y"), InvalidInput);
  CHECK_THROWS_AS(openLedger("sqlite:/nonexistent-dir/sub/consents.db"), StorageError);
  SqliteBackend b;
  auto bare = openLedger(b.path());  // a bare path is SQLite
  CHECK(std::string(bare->backend()) == "sqlite");
}

// Runs only inside the child processes started by the test below.
TEST_CASE("(helper) append from another process") {
  const char* uri = std::getenv("CHARTA_LEDGER_CHILD_URI");
  const char* tag = std::getenv("CHARTA_LEDGER_CHILD_TAG");
  if (!uri || !tag) return;
  auto ledger = openLedger(uri);
  for (int i = 0; i < 50; ++i) {
    NewEvent e = request(std::string(tag) + "-" + std::to_string(i));
    e.idempotencyKey = std::string(tag) + "-" + std::to_string(i);
    REQUIRE_FALSE(ledger->append(e).replayed);
  }
}

TEST_CASE_TEMPLATE("three processes open a fresh database and append at once", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  std::vector<std::thread> children;
  std::vector<charta::testing::ProgramResult> results(2);
  for (int c = 0; c < 2; ++c) {
    children.emplace_back([&, c] {
      results[static_cast<std::size_t>(c)] = charta::testing::runProgram(
          {"/usr/bin/env", "CHARTA_LEDGER_CHILD_URI=" + b.uri(),
           "CHARTA_LEDGER_CHILD_TAG=child" + std::to_string(c),
           "/proc/" + std::to_string(getpid()) + "/exe",
           "--test-case=(helper) append from another process", "--no-version=true"});
    });
  }
  auto ledger = openLedger(b.uri());
  for (int i = 0; i < 50; ++i) ledger->append(request("parent-" + std::to_string(i)));
  for (auto& t : children) t.join();
  for (const auto& r : results) {
    INFO(r.output);
    CHECK(r.exitCode == 0);
  }
  CHECK(ledger->count() == 150);
  VerifyReport report = ledger->verify();
  CHECK(findings(report) == "");
  CHECK(report.checked == 150);
  CHECK(b.sql("SELECT COUNT(*) FROM schema_version;") == "2\n");
}
