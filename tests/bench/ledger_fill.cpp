// Fills a consent ledger with generated consents for the growth and verify benchmarks (not a
// test). Every event is a real, chained, durable consent, made by the ledger's own code: by
// default in large write transactions of the ledger's own batch writer (the decisions, canonical
// bytes, chain and Merkle nodes of a group-commit batch, only far larger), so ten million events
// take minutes; with --api through the public Ledger API by many concurrent callers.
//
//   ledger_fill --uri URI --events N [--batch B] [--subjects S] [--api [--threads T]]
//
// --uri       sqlite:PATH or postgresql://...; the ledger is created when absent and appended to
//             when it exists (a second run grows it further)
// --events    how many consents to append (default 100000)
// --batch     events per transaction (default 20000)
// --subjects  distinct subjects the consents are spread over (default: one per consent)
// --api       append through Ledger::append instead (--threads concurrent callers, default 256)
// Prints the rate it reached and the ledger's size at the end.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ledger/chain.h"
#include "ledger/ledger.h"
#include "ledger/location.h"
#include "ledger/sql_consents.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_log.h"
#include "ledger/sql_migrate.h"
#include "ledger/validate.h"

using namespace charta;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string uri;
  std::size_t events = 100000, subjects = 0, batch = 20000;
  int threads = 256;
  bool api = false;
};

// What the consents cite: the latest chained publication of personal-data when the ledger has one
// (so that each consent cites it and has an evidence bundle), else made-up facts of edition 3.
struct Cited {
  core::EditionNo edition = *core::EditionNo::of(3);
  core::CommitId commit = *core::CommitId::parse(std::string(40, 'c'));
  std::string textSha = std::string(64, 'a');
};

Cited citedBy(const ledger::Ledger& l) {
  Cited c;
  auto pubs = l.publications(*core::DocumentId::parse("personal-data"));
  if (pubs.empty()) return c;
  const ledger::PublicationFacts& f = pubs.back().facts;
  for (const auto& [lang, sha] : f.texts) {
    if (lang.str() != "ru") continue;
    c.edition = f.edition;
    c.commit = f.commit;
    c.textSha = sha;
  }
  return c;
}

ledger::NewEvent consent(std::size_t n, std::size_t subjects, const std::string& run,
                         const Cited& cited) {
  const std::size_t who = subjects ? n % subjects : n;
  return ledger::NewEvent{
      "fill-" + std::to_string(who),
      *core::DocumentId::parse("personal-data"),
      cited.edition,
      cited.commit,
      cited.textSha,
      std::string(64, 'b'),
      *core::Lang::parse("ru"),
      {*core::PurposeId::parse("marketing"), *core::PurposeId::parse("account")},
      n % 7 == 6 ? ledger::EventType::kWithdrawn : ledger::EventType::kGiven,
      "web-form",
      std::string("checkout"),
      std::string(R"({"user_agent":"Mozilla/5.0 charta-fill"})"),
      "fill-" + run + "-" + std::to_string(n)};
}

// Through the public API: every append waits for its group commit.
std::size_t fillByApi(ledger::Ledger& l, const Args& a, const std::string& run,
                      const Cited& cited) {
  std::atomic<std::size_t> next{0}, failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < a.threads; ++t) {
    workers.emplace_back([&] {
      for (std::size_t n = next++; n < a.events; n = next++) {
        try {
          l.append(consent(n, a.subjects, run, cited));
        } catch (const std::exception& e) {
          if (failures++ == 0) std::fprintf(stderr, "append failed: %s\n", e.what());
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return failures.load();
}

// One batch of the ledger's writer (group_commit.cpp's commitBatch), "requests" long.
void commitBatch(ledger::sql::Session& s, const ledger::sql::Dialect& d, const std::string& secret,
                 std::optional<core::merkle::Frontier>& frontier,
                 ledger::sql::PublicationCache& cache,
                 const std::vector<ledger::sql::ConsentRequest>& requests) {
  namespace sql = ledger::sql;
  d.beginWrite(s);
  try {
    sql::Head head = sql::lockHead(s, d);
    if (!frontier || frontier->size() != static_cast<std::uint64_t>(head.seq)) {
      frontier = core::merkle::Frontier::of(static_cast<std::uint64_t>(head.seq),
                                            sql::storedPerfect(s, d));
    }
    sql::Tx tx(s, d, std::move(head), *frontier);
    sql::ConsentBatch decider(tx, secret, false, cache);
    decider.prepare(requests);
    for (const sql::ConsentRequest& r : requests) decider.decide(r);
    decider.flush();
    tx.flush();
    d.commit(s);
    frontier = tx.frontier();
  } catch (...) {
    d.rollback(s);
    throw;
  }
}

// In transactions of a.batch events on a connection of its own, made as the ledger makes them.
void fillInBatches(const Args& a, const std::string& run, const Cited& cited) {
  namespace sql = ledger::sql;
  ledger::Options options;
  auto dialect = sql::makeDialect(ledger::parseLocation(a.uri), options);
  auto session = dialect->connect();
  if (dialect->name() == "sqlite") {
    // The indexes on ids, pseudonyms and keys are random: a page cache that holds them keeps the
    // fill from re-reading and re-writing the same pages (durability is the ledger's own).
    *session << "PRAGMA cache_size = -1048576", Poco::Data::Keywords::now;
  }
  const std::string secret = sql::readMeta(*session, *dialect).secret;
  std::optional<core::merkle::Frontier> frontier;
  sql::PublicationCache cache;
  const ledger::Citation citation;
  for (std::size_t at = 0; at < a.events; at += a.batch) {
    const std::size_t n = std::min(a.batch, a.events - at);
    std::vector<ledger::NewEvent> events;
    std::vector<std::string> digests;
    events.reserve(n);
    digests.reserve(n);
    for (std::size_t i = at; i < at + n; ++i) {
      events.push_back(ledger::normalize(consent(i, a.subjects, run, cited)));
      digests.push_back(ledger::requestDigest(events.back()));
    }
    std::vector<sql::ConsentRequest> requests;
    requests.reserve(n);
    for (std::size_t i = 0; i < n; ++i) requests.push_back({&events[i], &citation, &digests[i]});
    commitBatch(*session, *dialect, secret, frontier, cache, requests);
  }
}

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--uri") {
      a.uri = next();
    } else if (arg == "--events") {
      a.events = std::strtoull(next().c_str(), nullptr, 10);
    } else if (arg == "--batch") {
      a.batch = std::max<std::size_t>(1, std::strtoull(next().c_str(), nullptr, 10));
    } else if (arg == "--threads") {
      a.threads = std::max(1, std::atoi(next().c_str()));
    } else if (arg == "--subjects") {
      a.subjects = std::strtoull(next().c_str(), nullptr, 10);
    } else if (arg == "--api") {
      a.api = true;
    } else {
      return false;
    }
  }
  return !a.uri.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: ledger_fill --uri URI --events N [--batch B] [--subjects S] "
                 "[--api [--threads T]]\n");
    return 2;
  }
  ledger::Options options;
  options.maxBatch = 2048;  // large batches: the fill is bound by the writer, not by fsync
  options.linger = std::chrono::milliseconds(2);
  auto l = ledger::openLedger(a.uri, options);  // creates or migrates the schema
  const std::string run = std::to_string(l->count());
  const Cited cited = citedBy(*l);
  std::size_t failures = 0;
  auto start = Clock::now();
  try {
    if (a.api) {
      failures = fillByApi(*l, a, run, cited);
    } else {
      fillInBatches(a, run, cited);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fill failed: %s\n", e.what());
    return 1;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("FILL appended=%zu failed=%zu seconds=%.1f rate=%.0f total=%lld\n",
              a.events - failures, failures, secs, static_cast<double>(a.events) / secs,
              static_cast<long long>(l->count()));
  return failures ? 1 : 0;
}
