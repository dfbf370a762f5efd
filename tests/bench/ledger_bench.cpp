// Consent ledger throughput and latency: durable appends with 1, 8 and 64 concurrent callers on
// SQLite and PostgreSQL, next to raw single-row SQLite inserts (one row per transaction,
// synchronous=FULL) on the same disk in the same run. Not a test: prints a table.
//
//   ledger_bench [--seconds S] [--dir DIR] [--pg URI | --no-pg] [--threads 1,8,64]
//
// --dir       where the SQLite files go (default: a new folder under $TMPDIR or /tmp)
// --pg        a PostgreSQL URI whose database the bench may append to (also $CHARTA_BENCH_PG);
//             without it a throwaway local server is started (tests/support/pg_server.h)
// --seconds   how long each row of the table runs (default 2)

#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "support/pg_server.h"

using namespace charta;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  std::string what;
  int threads = 0;
  std::size_t events = 0;
  double seconds = 0;
  std::vector<double> latenciesMs;
  std::size_t failures = 0;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void print(Result& r) {
  double rate = r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0;
  double p50 = percentile(r.latenciesMs, 0.50);
  double p99 = percentile(r.latenciesMs, 0.99);
  std::printf("%-34s %7d %9zu %11.0f %9.2f %9.2f %8zu\n", r.what.c_str(), r.threads, r.events, rate,
              p50, p99, r.failures);
  std::fflush(stdout);
}

ledger::NewEvent request(int thread, std::size_t i) {
  return ledger::NewEvent{
      "bench-" + std::to_string(thread) + "-" + std::to_string(i),
      *core::DocumentId::parse("personal-data"),
      *core::EditionNo::of(3),
      *core::CommitId::parse(std::string(40, 'c')),
      std::string(64, 'a'),
      std::string(64, 'b'),
      *core::Lang::parse("ru"),
      {*core::PurposeId::parse("marketing")},
      ledger::EventType::kGiven,
      "web-form",
      std::string("checkout"),
      std::string(R"({"user_agent":"Mozilla/5.0 charta-bench","ip":"203.0.113.7"})"),
      "bench-" + std::to_string(thread) + "-" + std::to_string(i) + "-" + std::to_string(getpid())};
}

// "threads" callers append for "seconds"; each append is timed from call to durable return.
Result runLedger(const std::string& what, ledger::Ledger& l, int threads, double seconds) {
  Result r;
  r.what = what;
  r.threads = threads;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
  std::atomic<std::size_t> failures{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::size_t i = 0;
      auto& mine = lat[static_cast<std::size_t>(t)];
      while (!stop.load(std::memory_order_relaxed)) {
        auto e = request(t, i++);
        auto t0 = Clock::now();
        try {
          l.append(e);
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        } catch (const std::exception& ex) {
          if (failures++ == 0) std::fprintf(stderr, "append failed: %s\n", ex.what());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& v : lat) r.latenciesMs.insert(r.latenciesMs.end(), v.begin(), v.end());
  r.events = r.latenciesMs.size();
  r.failures = failures;
  return r;
}

// The baseline: one INSERT per transaction through the SQLite C API, synchronous=FULL.
Result runRawSqlite(const std::string& path, const char* journalMode, double seconds) {
  Result r;
  r.what = std::string("raw sqlite3 1 row/txn (") + journalMode + ")";
  r.threads = 1;
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite3_open %s failed\n", path.c_str());
    sqlite3_close(db);
    return r;
  }
  std::string setup = std::string("PRAGMA journal_mode=") + journalMode +
                      "; PRAGMA synchronous=FULL;"
                      "CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, id TEXT, subject "
                      "TEXT, payload TEXT, hash TEXT);";
  sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t (id, subject, payload, hash) VALUES (?, ?, ?, ?)", -1,
                     &insert, nullptr);
  const std::string payload(300, 'p'), hash(64, 'h');
  auto start = Clock::now();
  auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (std::size_t i = 0; Clock::now() < end; ++i) {
    std::string id = std::to_string(i);
    auto t0 = Clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, payload.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 4, hash.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) ++r.failures;
    sqlite3_reset(insert);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) ++r.failures;
    r.latenciesMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.events = r.latenciesMs.size();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return r;
}

std::vector<int> parseThreads(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::max(1, std::atoi(item.c_str())));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  std::string dir, pgUri;
  bool noPg = false;
  std::vector<int> threads = {1, 8, 64};
  if (const char* env = std::getenv("CHARTA_BENCH_PG")) pgUri = env;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--seconds") {
      seconds = std::atof(next().c_str());
    } else if (a == "--dir") {
      dir = next();
    } else if (a == "--pg") {
      pgUri = next();
    } else if (a == "--no-pg") {
      noPg = true;
    } else if (a == "--threads") {
      threads = parseThreads(next());
    } else {
      std::fprintf(stderr,
                   "usage: ledger_bench [--seconds S] [--dir DIR] [--pg URI | --no-pg] "
                   "[--threads 1,8,64]\n");
      return 2;
    }
  }
  bool ownDir = dir.empty();
  if (ownDir) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/charta-bench-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = tmpl;
  }
  struct statvfs vfs {};
  statvfs(dir.c_str(), &vfs);
  std::printf("SQLite files in %s (filesystem id %lx); %.1f s per row; %u hardware threads\n",
              dir.c_str(), vfs.f_fsid, seconds, std::thread::hardware_concurrency());

  std::unique_ptr<testing::PgServer> server;
  if (!noPg && pgUri.empty()) {
    try {
      server = std::make_unique<testing::PgServer>();
      pgUri = server->createDatabase("bench");
      std::printf("PostgreSQL: throwaway local server (fsync=on), %s\n", pgUri.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "no PostgreSQL (%s); use --pg URI or --no-pg\n", e.what());
      noPg = true;
    }
  } else if (!pgUri.empty()) {
    std::printf("PostgreSQL: %s\n", pgUri.c_str());
  }

  std::printf("\n%-34s %7s %9s %11s %9s %9s %8s\n", "what", "threads", "events", "appends/s",
              "p50 ms", "p99 ms", "failures");
  std::printf("%s\n", std::string(93, '-').c_str());

  {
    Result raw = runRawSqlite(dir + "/raw-wal.db", "WAL", seconds);
    print(raw);
    Result rawDelete = runRawSqlite(dir + "/raw-delete.db", "DELETE", seconds);
    print(rawDelete);
  }
  try {
    auto l = ledger::openLedger("sqlite:" + dir + "/consents.db");
    for (int t : threads) {
      Result r = runLedger("ledger sqlite (WAL, FULL)", *l, t, seconds);
      print(r);
    }
    auto report = l->verify();
    std::printf("%-34s verify: %s, %lld events checked\n", "", report.ok ? "ok" : "FAILED",
                static_cast<long long>(report.checked));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqlite ledger: %s\n", e.what());
  }
  if (!noPg) {
    try {
      auto l = ledger::openLedger(pgUri);
      for (int t : threads) {
        Result r = runLedger("ledger postgresql", *l, t, seconds);
        print(r);
      }
      auto report = l->verify();
      std::printf("%-34s verify: %s, %lld events checked\n", "", report.ok ? "ok" : "FAILED",
                  static_cast<long long>(report.checked));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "postgresql ledger: %s\n", e.what());
    }
  }
  if (ownDir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}
