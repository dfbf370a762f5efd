// The verification rate on a generated ledger; runs only with CHARTA_LEDGER_BENCH=<events>
// (e.g. 1000000), and prints events/s.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "ledger/fixtures.h"
#include "ledger/ledger.h"

using namespace charta::ledger;
using namespace charta::ledger::testing;

TEST_CASE_TEMPLATE("(bench) verify rate", B, SqliteBackend, PgBackend) {
  const char* env = std::getenv("CHARTA_LEDGER_BENCH");
  if (!env) return;
  B b;
  if (!b.available()) return;
  const long total = std::atol(env);
  Options options;
  options.maxBatch = 2048;
  options.linger = std::chrono::milliseconds(2);
  auto ledger = openLedger(b.uri(), options);
  std::atomic<long> next{0};
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&] {
      for (long i; (i = next++) < total;) ledger->append(request("s-" + std::to_string(i % 50000)));
    });
  }
  for (auto& t : threads) t.join();
  auto t1 = std::chrono::steady_clock::now();
  VerifyReport r = ledger->verify();
  auto t2 = std::chrono::steady_clock::now();
  CHECK(r.ok);
  CHECK(r.checked == total);
  TailReport tail = ledger->checkTail();
  CHECK(tail.ok);
  auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  MESSAGE(B::kName << ": appended " << total << " in " << seconds(t1 - t0) << " s; verified in "
                   << seconds(t2 - t1) << " s = " << static_cast<long>(total / seconds(t2 - t1))
                   << " events/s");
  auto t3 = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) ledger->bySubject("s-" + std::to_string(i * 7));
  MESSAGE("bySubject mean " << seconds(std::chrono::steady_clock::now() - t3) / 200 * 1000
                            << " ms");
}
