// Verification reads the log in batches on one thread and checks them on another: each kind of
// tampering placed at a batch boundary (the last event of a batch, the first of the next) is found
// and named exactly as when the whole log is one batch, on SQLite and on PostgreSQL.

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "ledger/fixtures.h"
#include "ledger/ledger.h"

using namespace charta;
using namespace charta::ledger;
using namespace charta::ledger::testing;

namespace {

constexpr int kEvents = 24;

std::string findings(const VerifyReport& r) {
  std::string out;
  for (const auto& f : r.findings) {
    if (!out.empty()) out += ' ';
    out += std::string(findingKindName(f.kind)) + "@" + std::to_string(f.seq);
  }
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

VerifyReport verifyIn(const Ledger& l, std::size_t batch) {
  VerifyOptions o;
  o.batch = batch;
  return l.verify(o);
}

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

// A ledger of kEvents consents, appended by a few threads (group commit keeps them dense).
std::unique_ptr<Ledger> filled(const std::string& uri) {
  auto l = openLedger(uri);
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < kEvents;) {
        l->append(request("b-" + std::to_string(i), {"marketing", "account"}));
      }
    });
  }
  for (auto& t : threads) t.join();
  return l;
}

// Each kind of tampering: its SQL at "seq" and the findings it must make.
struct Case {
  const char* name;
  std::function<std::string(const Ledger&, int)> sql;  // tampering at "seq"
  std::function<std::string(int)> expected;            // findings among those made, at "seq"
};

template <typename B>
std::vector<Case> tamperings() {
  const std::string cols =
      "seq, id, kind, recorded_at, pseudonym, document, edition, idempotency_key, prev_hash, hash, "
      "bytes";
  auto at = [](const char* kind, int seq) { return std::string(kind) + "@" + std::to_string(seq); };
  return {
      {"changed", [](const Ledger&, int s) { return editBytes<B>(s, "marketing", "marketinG"); },
       [at](int s) { return at("changed", s); }},
      {"mismatch",
       [](const Ledger&, int s) {
         return "UPDATE events SET document = 'terms' WHERE seq = " + std::to_string(s) + ";";
       },
       [at](int s) { return at("mismatch", s); }},
      {"removed",
       [](const Ledger&, int s) {
         return "DELETE FROM events WHERE seq = " + std::to_string(s) + ";";
       },
       [at](int s) { return at("removed", s); }},
      {"broken link (edited and re-hashed)",
       [](const Ledger& l, int s) {
         std::string bytes = *l.canonicalBytes(s);
         bytes.replace(bytes.find("marketing"), 9, "marketinG");
         return "UPDATE events SET bytes = " + B::blob(core::toHex(bytes)) + ", hash = '" +
                core::sha256Hex(bytes) + "' WHERE seq = " + std::to_string(s) + ";";
       },
       [at](int s) { return at("broken_link", s + 1); }},
      {"reordered (two events swapped)",
       [](const Ledger&, int s) {
         const std::string a = std::to_string(s), b = std::to_string(s + 1);
         return "UPDATE events SET seq = -1 WHERE seq = " + a + "; UPDATE events SET seq = " + a +
                " WHERE seq = " + b + "; UPDATE events SET seq = " + b + " WHERE seq = -1;";
       },
       [at](int s) {
         return at("mismatch", s) + " " + at("broken_link", s) + " " + at("mismatch", s + 1) + " " +
                at("broken_link", s + 1) + " " + at("broken_link", s + 2);
       }},
      {"inserted (beyond the head)",
       [cols](const Ledger&, int) {
         return "INSERT INTO events (" + cols + ") SELECT " + std::to_string(kEvents + 1) +
                ", 'f0f0f0f0-0000-4000-8000-000000000099', kind, recorded_at, pseudonym, document, "
                "edition, NULL, hash, '" +
                std::string(64, 'e') +
                "', bytes FROM events WHERE seq = " + std::to_string(kEvents) + ";";
       },
       [at](int) { return at("inserted", kEvents + 1); }},
      {"Merkle node",
       [](const Ledger&, int) {
         return "UPDATE merkle_nodes SET hash = '" + std::string(64, 'f') +
                "' WHERE level = 4 AND idx = 0;";
       },
       [at](int) { return at("merkle_node", 16); }},
  };
}

}  // namespace

TEST_CASE_TEMPLATE("batched verify finds each kind of tampering at batch boundaries", B,
                   SqliteBackend, PgBackend) {
  const std::vector<Case> cases = tamperings<B>();
  for (const auto& c : cases) {
    // At the last event of a batch of 8, at the first of the next, and at the last of the second.
    for (int seq : {8, 9, 16}) {
      CAPTURE(c.name);
      CAPTURE(seq);
      B b;
      if (!b.available()) return;
      auto ledger = filled(b.uri());
      REQUIRE(verifyIn(*ledger, 8).ok);
      b.sql(b.dropGuards() + c.sql(*ledger, seq));
      const std::string whole = findings(verifyIn(*ledger, 4096));
      CAPTURE(whole);
      for (const std::string& f : words(c.expected(seq))) {
        CHECK_MESSAGE((" " + whole + " ").find(" " + f + " ") != std::string::npos, f);
      }
      for (std::size_t batch : {1, 3, 8, 9}) {
        CAPTURE(batch);
        VerifyReport r = verifyIn(*ledger, batch);
        CHECK_FALSE(r.ok);
        CHECK(findings(r) == whole);
        CHECK(r.checked == verifyIn(*ledger, 4096).checked);
      }
      if (std::string(c.name) == "Merkle node" || std::string(c.name).starts_with("inserted")) {
        break;  // one place is enough: they do not depend on "seq"
      }
    }
  }
}

TEST_CASE_TEMPLATE("batched verify reports its progress and ends where the log ends", B,
                   SqliteBackend, PgBackend) {
  B b;
  if (!b.available()) return;
  auto ledger = filled(b.uri());
  std::vector<std::int64_t> seen;
  VerifyOptions o;
  o.batch = 5;
  o.progress = [&](std::int64_t checked) { seen.push_back(checked); };
  VerifyReport r = ledger->verify(o);
  CHECK(r.ok);
  CHECK(r.checked == kEvents);
  CHECK(seen == std::vector<std::int64_t>{5, 10, 15, 20, 24});
  CHECK(r.root == ledger->verify().root);
}
