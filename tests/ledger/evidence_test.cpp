// Publications in the chain, erasure, the page archive and the readiness tail check, on SQLite
// and on a real PostgreSQL server.

#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/sha256.h"
#include "ledger/fixtures.h"
#include "ledger/ledger.h"

using namespace charta;
using namespace charta::ledger;
using namespace charta::ledger::testing;

namespace {

PublicationFacts publication(int edition = 1, std::string commit = kCommit) {
  return PublicationFacts{*core::DocumentId::parse("personal-data"),
                          *core::EditionNo::of(edition),
                          std::string(40, 'f'),
                          *core::CommitId::parse(commit),
                          "2026-03-05T09:00:00.250+05:00",
                          "2026-03-05T09:00:00.250+05:00",
                          false,
                          false,
                          {{*core::Lang::parse("ru"), kTextSha}},
                          std::string(64, '9'),
                          "cli"};
}

std::string kinds(const std::string& rows) { return rows; }

// Everything the database holds, as text: the SQLite file and its -wal, or a pg_dump.
template <typename B>
std::string everything(const B& b) {
  if constexpr (std::is_same_v<B, SqliteBackend>) {
    std::string out;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::ifstream in(b.path() + suffix, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out += ss.str();
    }
    return out;
  } else {
    auto r =
        charta::testing::runProgram({b.server()->binDir() + "/pg_dump", "--no-owner", b.uri()});
    REQUIRE(r.exitCode == 0);
    return r.output;
  }
}

}  // namespace

#define BACKENDS SqliteBackend, PgBackend

TEST_CASE_TEMPLATE("a publication is chained once; other facts are tampering", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  auto first = ledger->recordPublication(publication());
  CHECK(first.appended);
  CHECK(first.stored.chained.seq == 1);
  PublicationFacts again = publication();
  again.observedVia = "git";  // another server saw the push: the same facts
  auto second = ledger->recordPublication(again);
  CHECK_FALSE(second.appended);
  CHECK(second.stored.chained.seq == 1);
  CHECK(second.stored.chained.hash == first.stored.chained.hash);
  CHECK(second.stored.facts.observedVia == "cli");

  PublicationFacts moved = publication(1, std::string(40, 'd'));
  try {
    ledger->recordPublication(moved);
    FAIL("a changed edition was accepted");
  } catch (const EditionChanged& e) {
    CHECK(e.differing() == std::vector<std::string>{"commit"});
    CHECK(e.chained().size() == e.observed().size());
  }
  CHECK(ledger->count() == 1);

  // A consent cites the chained publication; a mismatching commit or text is refused.
  AppendResult given = ledger->append(request("c-1"));
  CHECK(given.event.publication == std::optional<std::int64_t>(1));
  NewEvent wrongCommit = request("c-2");
  wrongCommit.commit = *core::CommitId::parse(std::string(40, 'd'));
  CHECK_THROWS_AS(ledger->append(wrongCommit), InvalidInput);
  NewEvent wrongText = request("c-2");
  wrongText.textSha256 = std::string(64, 'e');
  CHECK_THROWS_AS(ledger->append(wrongText), InvalidInput);
  CHECK_THROWS_AS(ledger->append(request("c-2"), Citation{5, std::nullopt}), NotChained);
  // An edition not chained is cited by nothing (unless Options::requirePublication).
  CHECK_FALSE(
      ledger->append(request("c-2", {"marketing"}, EventType::kGiven, 2)).event.publication);

  // Withdrawal: only of a chained edition, once.
  WithdrawalFacts w{*core::DocumentId::parse("personal-data"),
                    *core::EditionNo::of(2),
                    std::string(40, 'e'),
                    "2026-03-06T09:00:00+05:00",
                    "a mistake",
                    "api"};
  CHECK_THROWS_AS(ledger->recordWithdrawal(w), NotChained);
  w.edition = *core::EditionNo::of(1);
  CHECK(ledger->recordWithdrawal(w).appended);
  CHECK_FALSE(ledger->recordWithdrawal(w).appended);
  w.reason = "another reason";
  CHECK_THROWS_AS(ledger->recordWithdrawal(w), EditionChanged);

  auto list = ledger->publications(*core::DocumentId::parse("personal-data"));
  REQUIRE(list.size() == 1);
  CHECK(list[0].facts.tag == std::string(40, 'f'));
  REQUIRE(list[0].withdrawal);
  CHECK(list[0].withdrawal->facts.reason == "a mistake");
  CHECK(ledger->verify().ok);
  CHECK(kinds(b.sql("SELECT kind FROM events ORDER BY seq;")) ==
        "edition.published\nconsent.given\nconsent.given\nedition.withdrawn\n");
}

TEST_CASE_TEMPLATE("with requirePublication a consent needs a chained edition", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  Options options;
  options.requirePublication = true;
  auto ledger = openLedger(b.uri(), options);
  CHECK_THROWS_AS(ledger->append(request("r-1")), NotChained);
  ledger->recordPublication(publication());
  CHECK(ledger->append(request("r-1")).event.publication == std::optional<std::int64_t>(1));
}

TEST_CASE_TEMPLATE("two servers observing one push record it once", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto one = openLedger(b.uri());
  auto two = openLedger(b.uri());
  std::atomic<int> appended{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      PublicationFacts f = publication(1 + t % 2);
      f.observedVia = t % 3 ? "git" : "api";
      if ((t % 2 ? *one : *two).recordPublication(f).appended) appended++;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(appended == 2);  // editions 1 and 2, once each
  CHECK(one->count() == 2);
  CHECK(b.sql("SELECT COUNT(*) FROM events WHERE kind = 'edition.published';") == "2\n");
  CHECK(two->verify().ok);
}

TEST_CASE_TEMPLATE("erasure keeps the chain and leaves no trace of the subject", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  const std::string who = "erase-me-7f3a@example.com";
  const std::string marker = "198.51.100.231";
  NewEvent e = request(who);
  e.evidence = R"({"ip":")" + marker + R"(","user_agent":"Marker/9.9"})";
  AppendResult given = ledger->append(e);
  ledger->append(blockRequest(who), Citation{std::nullopt, std::string("fraud check")});
  ledger->append(request("someone-else"));
  CHECK(ledger->subjectState(who) == SubjectState::kActive);
  CHECK(ledger->subjectState("never-seen") == SubjectState::kUnknown);
  CHECK(ledger->isBlocked(who));
  auto before = ledger->bySubject(who);
  REQUIRE(before.size() == 2);
  CHECK(before[0].evidence == e.evidence);
  CHECK(before[1].reason == std::optional<std::string>("fraud check"));
  REQUIRE(given.event.evidenceSha256);
  CHECK(given.event.evidenceSha256->size() == 64);
  CHECK(everything(b).find(marker) != std::string::npos);  // the test can see it at all

  auto erased = ledger->erase(who, "data subject request 42", "legal@shop");
  REQUIRE(erased);
  CHECK(erased->seq == 4);
  CHECK(ledger->subjectState(who) == SubjectState::kErased);
  CHECK(ledger->bySubject(who).empty());
  CHECK_FALSE(ledger->isBlocked(who));
  auto found = ledger->find(given.event.id);
  REQUIRE(found);
  CHECK(found->subjectErased);
  CHECK(found->subject.empty());
  CHECK_FALSE(found->evidence);
  CHECK(found->evidenceSha256 == given.event.evidenceSha256);  // still chained
  CHECK(ledger->verify().ok);
  CHECK_FALSE(ledger->erase(who, "again", "legal@shop"));
  CHECK_THROWS_AS(ledger->erase("never-seen", "r", "legal@shop"), NotFound);
  CHECK_THROWS_AS(ledger->erase(who, "", "legal@shop"), InvalidInput);

  const std::string all = everything(b);
  CHECK(all.find(who) == std::string::npos);
  CHECK(all.find(marker) == std::string::npos);
  CHECK(all.find("Marker/9.9") == std::string::npos);
  CHECK(all.find(given.event.pseudonym) != std::string::npos);  // the chain keeps the pseudonym

  // A later consent of the same id starts a new key: nothing links it to the erased events.
  AppendResult later = ledger->append(request(who));
  CHECK(later.event.pseudonym != given.event.pseudonym);
  CHECK(ledger->subjectState(who) == SubjectState::kActive);
  CHECK(ledger->bySubject(who).size() == 1);
  CHECK(ledger->verify().ok);
}

TEST_CASE_TEMPLATE("blocking takes a reason; other events do not", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  CHECK_THROWS_AS(ledger->append(request("x-1"), Citation{std::nullopt, std::string("why")}),
                  InvalidInput);
  CHECK_THROWS_AS(
      ledger->append(blockRequest("x-1"), Citation{std::nullopt, std::string(1025, 'r')}),
      InvalidInput);
  auto r = ledger->append(blockRequest("x-1"), Citation{std::nullopt, std::string("abuse")});
  CHECK(r.event.reason == std::optional<std::string>("abuse"));
  CHECK(ledger->canonicalBytes(1)->find("reason:5:abuse\n") != std::string::npos);
}

TEST_CASE_TEMPLATE("the page archive stores each variant once", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  const std::string bytes = "<html>in force</html>";
  PageRecord p{core::sha256Hex(bytes),
               bytes,
               *core::DocumentId::parse("personal-data"),
               *core::EditionNo::of(1),
               *core::Lang::parse("ru"),
               "in-force",
               *core::parseRfc3339("2026-03-05T09:00:00Z")};
  CHECK(ledger->storePage(p));
  CHECK_FALSE(ledger->storePage(p));
  PageRecord notice = p;
  notice.bytes = "<html>notice of v2</html>";
  notice.sha256 = core::sha256Hex(notice.bytes);
  notice.variant = "notice:v2";
  notice.firstServedAt = *core::parseRfc3339("2026-04-01T00:00:00Z");
  CHECK(ledger->storePage(notice));
  PageRecord bad = p;
  bad.bytes = "changed";
  CHECK_THROWS_AS(ledger->storePage(bad), InvalidInput);

  auto fetched = ledger->page(p.sha256);
  REQUIRE(fetched);
  CHECK(fetched->bytes == bytes);
  CHECK(fetched->variant == "in-force");
  CHECK_FALSE(ledger->page(std::string(64, '0')));
  auto variants = ledger->pageVariants(p.doc, p.edition, p.lang);
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].variant == "in-force");
  CHECK(variants[1].variant == "notice:v2");
  CHECK(variants[1].bytes.empty());
  CHECK_FALSE(b.trySql("DELETE FROM pages;"));
}

TEST_CASE_TEMPLATE("the tail check sees each new event once and keeps a finding", B, BACKENDS) {
  B b;
  if (!b.available()) return;
  auto ledger = openLedger(b.uri());
  for (int i = 0; i < 3; ++i) ledger->append(request("tail-" + std::to_string(i)));
  TailReport first = ledger->checkTail();
  CHECK(first.ok);
  CHECK(first.checkedThrough == 3);
  for (int i = 3; i < 8; ++i) ledger->append(request("tail-" + std::to_string(i)));
  TailReport second = ledger->checkTail();
  CHECK(second.ok);
  CHECK(second.newEvents == 5);
  CHECK(second.checkedThrough == 8);
  CHECK(ledger->checkTail().newEvents == 0);

  ledger->append(request("tail-8"));
  ledger->append(request("tail-9"));
  b.sql(b.dropGuards() + "UPDATE events SET document = 'terms' WHERE seq = 10;");
  TailReport broken = ledger->checkTail();
  CHECK_FALSE(broken.ok);
  REQUIRE(broken.findings.size() == 1);
  CHECK(broken.findings[0].seq == 10);
  CHECK(broken.findings[0].kind == FindingKind::kMismatch);
  ledger->append(request("tail-10"));
  CHECK_FALSE(ledger->checkTail().ok);  // it sticks

  // Truncation behind the checked tail is seen too.
  auto other = openLedger(b.uri());
  other->checkTail();
  b.sql("DELETE FROM events WHERE seq = 11; UPDATE chain_head SET seq = 10;");
  TailReport truncated = other->checkTail();
  CHECK_FALSE(truncated.ok);
  CHECK(truncated.findings[0].kind == FindingKind::kRemoved);
}
