// The log as a Merkle tree and a chain checked against anchors; canonical bytes against an
// independent oracle; the migration of v1 ledgers; the SQLite file's permissions.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/merkle.h"
#include "core/sha256.h"
#include "ledger/canonical.h"
#include "ledger/chain.h"
#include "ledger/fixtures.h"
#include "ledger/ledger.h"

using namespace charta;
using namespace charta::ledger;
using namespace charta::ledger::testing;
namespace merkle = charta::core::merkle;

namespace {

const std::string kOracle = std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/event_oracle.py";

std::string oracle(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {"python3", kOracle};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = charta::testing::runProgram(argv, input);
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  return r.output;
}

std::string findings(const VerifyReport& r) {
  std::string out;
  for (const auto& f : r.findings) {
    out += (out.empty() ? "" : " ") + std::string(findingKindName(f.kind)) + "@" +
           std::to_string(f.seq);
  }
  return out;
}

Anchor anchorOf(Ledger& l, std::uint64_t size) {
  TreeHead head = l.treeHead(size);
  std::string bytes = *l.canonicalBytes(static_cast<std::int64_t>(size));
  return Anchor{size, merkle::toHex(head.root), static_cast<std::int64_t>(size),
                core::sha256Hex(bytes), "anchor-" + std::to_string(size)};
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

#define BACKENDS SqliteBackend, PgBackend

TEST_CASE("canonical bytes: the documented encoding, computed independently") {
  CanonicalEvent e = CanonicalEvent::of(Kind::kSubjectErased);
  e.values[kIdField] = "3f0c2b9e-8a4d-4c1e-9b7a-5d6e7f809112";
  e.values[kSeqField] = "42";
  e.values[kRecordedAtField] = "1772683200250";
  e.set("subject", std::string(64, 'a'));
  e.set("reason", "запрос субъекта\n№ 7");  // UTF-8 and a newline: lengths are bytes
  e.set("by", "legal");
  e.set("prev_hash", std::string(64, '0'));
  const std::string bytes = encode(e);
  const std::string expected = oracle(
      {"canonical"},
      R"([["id","3f0c2b9e-8a4d-4c1e-9b7a-5d6e7f809112"],["seq","42"],["kind","subject.erased"],)"
      R"(["recorded_at","1772683200250"],["subject",")" +
          std::string(64, 'a') + R"("],["reason","запрос субъекта\n№ 7"],["by","legal"],)" +
          R"(["prev_hash",")" + std::string(64, '0') + R"("]])");
  CHECK(expected == core::toHex(bytes) + "\n" + core::sha256Hex(bytes) + "\n" +
                        merkle::toHex(merkle::leafHash(bytes)) + "\n");

  // Optional fields absent, and the strict decoder.
  CanonicalEvent c = CanonicalEvent::of(Kind::kConsentGiven);
  for (const char* name :
       {"id", "seq", "recorded_at", "subject", "document", "edition", "commit", "text_sha256",
        "language", "purposes", "collection_method", "request_digest", "prev_hash"}) {
    c.set(name, std::string(name) + "-value");
  }
  const std::string cb = encode(c);
  CHECK(cb.find("publication:-\npage_sha256") == std::string::npos);
  CHECK(cb.find("publication:-\ncommit:") != std::string::npos);
  DecodedEvent d;
  CHECK(decode(cb, d).empty());
  CHECK(d.kind == Kind::kConsentGiven);
  CHECK(encode(d.owned()) == cb);
  for (std::string bad : {cb + "x", cb.substr(0, cb.size() - 1), "charta-event/1\n" + cb.substr(15),
                          std::string(cb).replace(cb.find("subject:"), 8, "subjekt:")}) {
    CHECK_FALSE(decode(bad, d).empty());
  }
  c.set("subject", std::nullopt);
  CHECK_THROWS_AS(encode(c), std::logic_error);
}

TEST_CASE_TEMPLATE("tree heads and proofs from the stored nodes, checked independently", B,
                   BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  constexpr int kN = 70;  // crosses stored subtrees of 16, 32 and 64 leaves
  for (int i = 1; i <= kN; ++i) {
    if (i % 10 == 0) {
      ledger->recordPublication(
          PublicationFacts{*core::DocumentId::parse("doc-" + std::to_string(i)),
                           *core::EditionNo::of(1),
                           std::string(40, 'a'),
                           *core::CommitId::parse(kCommit),
                           "2026-03-05T09:00:00.250+05:00",
                           "2026-03-05T09:00:00.250+05:00",
                           true,
                           false,
                           {{*core::Lang::parse("en"), kTextSha}},
                           std::string(64, '1'),
                           "git"});
    } else {
      ledger->append(request("p-" + std::to_string(i)));
    }
  }
  CHECK(b.sql("SELECT COUNT(*) FROM merkle_nodes;") == "7\n");  // 4 + 2 + 1
  std::string hexLines;
  std::vector<merkle::Hash> leaves;
  for (int i = 1; i <= kN; ++i) {
    std::string bytes = *ledger->canonicalBytes(i);
    hexLines += core::toHex(bytes) + "\n";
    leaves.push_back(merkle::leafHash(bytes));
  }
  // The stored bytes as the database CLI shows them are the bytes the ledger hashes.
  CHECK(b.sql("SELECT lower(" + B::hexOf("bytes") + ") FROM events ORDER BY seq;") == hexLines);
  for (std::uint64_t n : {1u, 15u, 16u, 17u, 33u, 64u, 70u}) {
    CAPTURE(n);
    TreeHead head = ledger->treeHead(n);
    CHECK(oracle({"root", std::to_string(n)}, hexLines) == merkle::toHex(head.root) + "\n");
    for (std::uint64_t seq : {std::uint64_t{1}, n / 2 + 1, n}) {
      auto proof = ledger->inclusionProof(static_cast<std::int64_t>(seq), n);
      CHECK(merkle::verifyInclusion(leaves[seq - 1], seq - 1, n, proof, head.root));
      if (n > 1) {
        CHECK_FALSE(merkle::verifyInclusion(leaves[seq % n], seq - 1, n, proof, head.root));
      }
    }
    for (std::uint64_t m : {std::uint64_t{1}, n / 3 + 1, n}) {
      auto proof = ledger->consistencyProof(m, n);
      CHECK(merkle::verifyConsistency(m, n, ledger->treeHead(m).root, head.root, proof));
    }
  }
  VerifyReport r = ledger->verify();
  CHECK(r.ok);
  CHECK(r.treeSize == kN);
  CHECK(r.root == merkle::toHex(ledger->treeHead(kN).root));
  CHECK_THROWS_AS(ledger->treeHead(kN + 1), InvalidInput);
  CHECK_THROWS_AS(ledger->inclusionProof(0, 5), InvalidInput);

  // A stored node changed is found.
  b.sql(b.dropGuards() + "UPDATE merkle_nodes SET hash = '" + std::string(64, '0') +
        "' WHERE level = 4 AND idx = 1;");
  CHECK(findings(ledger->verify()) == "merkle_node@32");
}

TEST_CASE_TEMPLATE("anchors catch a truncated, rewritten or recomputed log", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  for (int i = 1; i <= 6; ++i) ledger->append(request("a-" + std::to_string(i)));
  const Anchor at4 = anchorOf(*ledger, 4), at6 = anchorOf(*ledger, 6);
  VerifyOptions anchored{{at6, at4}, false};
  VerifyReport ok = ledger->verify(anchored);
  CHECK(findings(ok) == "");
  CHECK(ok.anchorsChecked == 2);
  for (int i = 7; i <= 9; ++i) ledger->append(request("a-" + std::to_string(i)));
  VerifyReport since = ledger->verify(VerifyOptions{{at4, at6}, true});
  CHECK(findings(since) == "");
  CHECK(since.fromSeq == 7);
  CHECK(since.checked == 3);

  SUBCASE("delete the last events and rewrite the chain head") {
    b.sql(b.dropGuards() +
          "DELETE FROM events WHERE seq >= 6; UPDATE chain_head SET seq = 5, hash = (SELECT hash "
          "FROM events WHERE seq = 5);");
    CHECK(ledger->verify().ok);  // the chain alone cannot tell
    CHECK(findings(ledger->verify(anchored)) == "anchor@6");
    CHECK(findings(ledger->verify(VerifyOptions{{at4, at6}, true})) == "anchor@6");
  }
  SUBCASE("recompute the whole chain after an edit") {
    // The attacker knows the documented format: edits event 2 and re-chains every later one.
    std::string prev = std::string(kGenesisHash);
    std::string sql = b.dropGuards();
    for (int seq = 1; seq <= 9; ++seq) {
      DecodedEvent d;
      std::string bytes = *ledger->canonicalBytes(seq);
      REQUIRE(decode(bytes, d).empty());
      CanonicalEvent e = d.owned();
      if (seq == 2) e.set("purposes", "advertising");
      e.set("prev_hash", prev);
      std::string forged = encode(e);
      prev = core::sha256Hex(forged);
      sql += "UPDATE events SET bytes = " + B::blob(core::toHex(forged)) + ", hash = '" + prev +
             "', prev_hash = '" + *e.get("prev_hash") + "' WHERE seq = " + std::to_string(seq) +
             ";\n";
    }
    sql += "UPDATE chain_head SET hash = '" + prev + "';";
    b.sql(sql);
    CHECK(ledger->verify().ok);  // a consistent forgery of the chain
    CHECK(findings(ledger->verify(anchored)) == "anchor@4 anchor@6");
    VerifyReport r = ledger->verify(VerifyOptions{{at4, at6}, true});
    CHECK(r.fromSeq == 1);  // the latest anchor no longer matches: verified from the start
    CHECK(findings(r) == "anchor@4 anchor@6");
  }
  SUBCASE("an anchor inconsistent with an earlier one") {
    Anchor forged = at4;
    forged.root = std::string(64, 'e');
    CHECK(findings(ledger->verify(VerifyOptions{{forged, at6}, false})) == "anchor@4");
    // From the latest anchor, the earlier one is checked by a consistency proof only.
    VerifyReport r = ledger->verify(VerifyOptions{{forged, at6}, true});
    CHECK(r.fromSeq == 7);
    CHECK(findings(r) == "anchor@4");
  }
}

TEST_CASE("a v1 SQLite ledger migrates in place") {
  SqliteBackend b;
  std::filesystem::copy_file(
      std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/fixtures/v1/consents.db", b.path());
  const std::string receipts =
      readFile(std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/fixtures/v1/events-sqlite.json");
  Options logged;
  std::vector<std::string> lines;
  logged.onMigrated = [&lines](const std::string& line) { lines.push_back(line); };
  auto ledger = openLedger(b.uri(), logged);
  CHECK(lines == std::vector<std::string>{"migrated the consent ledger's schema from v1 to v2"});
  CHECK(ledger->count() == 7);
  VerifyReport r = ledger->verify();
  CHECK(findings(r) == "");
  CHECK(b.sql("SELECT kind FROM events WHERE seq = 7;") == "ledger.migrated\n");
  CHECK(b.sql("SELECT name FROM sqlite_master WHERE name = 'consent_events';").empty());
  auto user1 = ledger->bySubject("user-1");
  REQUIRE(user1.size() == 2);
  CHECK(receipts.find("\"record_id\":\"" + user1[0].id + "\"") != std::string::npos);
  CHECK(user1[0].seq == 1);
  CHECK(user1[1].seq == 3);
  CHECK(receipts.find(core::formatRfc3339(user1[0].recordedAt, core::kKazakhstanOffset)) !=
        std::string::npos);
  CHECK(user1[0].evidence);
  CHECK(ledger->isBlocked("user-2") == false);
  CHECK(ledger->bySubject("alice@example.com").size() == 1);
  CHECK(b.sql("SELECT COUNT(*) FROM events WHERE pseudonym = 'user-1';") == "0\n");
  // The idempotency keys of v1 still replay.
  auto again = ledger->find(user1[0].id);
  REQUIRE(again);
  CHECK(again->idempotencyKey == std::optional<std::string>("key-1"));
}

TEST_CASE("a broken v1 SQLite ledger is refused, and left as it is") {
  SqliteBackend b;
  std::filesystem::copy_file(
      std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/fixtures/v1/consents.db", b.path());
  b.sql(
      "DROP TRIGGER consent_events_no_update; UPDATE consent_events SET purposes = 'account' "
      "WHERE seq = 2;");
  try {
    openLedger(b.uri());
    FAIL("a broken v1 ledger was migrated");
  } catch (const StorageError& e) {
    CHECK(std::string(e.what()).find("does not verify") != std::string::npos);
    CHECK(std::string(e.what()).find("changed at seq 2") != std::string::npos);
  }
  CHECK(b.sql("SELECT MAX(version) FROM schema_version;") == "1\n");
  CHECK(b.sql("SELECT COUNT(*) FROM consent_events;") == "6\n");
}

TEST_CASE("a v1 PostgreSQL ledger migrates in place") {
  PgBackend b;
  if (!b.available()) return;
  b.sql(readFile(std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/fixtures/v1/postgresql.sql"));
  const std::string receipts =
      readFile(std::string(CHARTA_SOURCE_DIR) + "/tests/ledger/fixtures/v1/events-postgresql.json");
  auto ledger = openLedger(b.uri());
  CHECK(ledger->count() == 7);
  CHECK(findings(ledger->verify()) == "");
  auto user2 = ledger->bySubject("user-2");
  REQUIRE(user2.size() == 3);
  for (const Event& e : user2) {
    CHECK(receipts.find("\"record_id\":\"" + e.id + "\"") != std::string::npos);
  }
  CHECK((user2[0].type == EventType::kBlocked));
  CHECK(b.sql("SELECT to_regclass('consent_events') IS NULL;") == "t\n");
  CHECK(b.sql("SELECT MAX(version) FROM schema_version;") == "2\n");
  auto reopened = openLedger(b.uri());  // idempotent
  CHECK(reopened->count() == 7);
}

TEST_CASE("the SQLite ledger's files are private whatever the umask") {
  SqliteBackend b;
  const mode_t old = ::umask(022);
  {
    auto ledger = openLedger(b.uri());
    ledger->append(request("perm-1"));
    for (const char* suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      REQUIRE(::stat((b.path() + suffix).c_str(), &st) == 0);
      CAPTURE(suffix);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  ::umask(old);
  // A ledger made by an older charta (0644) is made private; one others can write is refused.
  ::chmod(b.path().c_str(), 0644);
  openLedger(b.uri());
  struct stat st {};
  REQUIRE(::stat(b.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  ::chmod(b.path().c_str(), 0666);
  CHECK_THROWS_WITH_AS(openLedger(b.uri()), doctest::Contains("can be written by other users"),
                       StorageError);
  Options withGroup;
  withGroup.fileGroup = "no-such-group-charta";
  ::chmod(b.path().c_str(), 0600);
  CHECK_THROWS_AS(openLedger(b.uri(), withGroup), StorageError);
}

TEST_CASE("the SQLite ledger's own folder is made private; a missing parent is an error") {
  SqliteBackend b;
  const std::string folder = b.path() + ".d";
  Options logged;
  std::vector<std::string> lines;
  logged.onMigrated = [&lines](const std::string& line) { lines.push_back(line); };
  openLedger("sqlite:" + folder + "/consents.db", logged);
  CHECK(lines == std::vector<std::string>{"created the consent ledger (schema v2)"});
  struct stat st {};
  REQUIRE(::stat(folder.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  CHECK_THROWS_WITH_AS(openLedger("sqlite:" + folder + "/no/such/consents.db"),
                       doctest::Contains("cannot be made"), StorageError);
  std::filesystem::remove_all(folder);
}
