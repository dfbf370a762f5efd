// Fills a consent ledger with generated consents for the growth and verify benchmarks (not a
// test): "--events" appends through the public Ledger API by many concurrent callers, so group
// commit writes them in large batches; every event is a real, chained, durable consent.
//
//   ledger_fill --uri URI --events N [--threads T] [--subjects S]
//
// --uri       sqlite:PATH or postgresql://...; the ledger is created when absent and appended to
//             when it exists (a second run grows it further)
// --events    how many consents to append (default 100000)
// --threads   concurrent callers (default 256: the batch size group commit reaches)
// --subjects  distinct subjects the consents are spread over (default: one per consent)
// Prints the rate it reached and the ledger's size at the end.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"

using namespace charta;
using Clock = std::chrono::steady_clock;

namespace {

ledger::NewEvent consent(std::size_t n, std::size_t subjects, const std::string& run) {
  const std::size_t who = subjects ? n % subjects : n;
  return ledger::NewEvent{
      "fill-" + std::to_string(who),
      *core::DocumentId::parse("personal-data"),
      *core::EditionNo::of(3),
      *core::CommitId::parse(std::string(40, 'c')),
      std::string(64, 'a'),
      std::string(64, 'b'),
      *core::Lang::parse("ru"),
      {*core::PurposeId::parse("marketing"), *core::PurposeId::parse("account")},
      n % 7 == 6 ? ledger::EventType::kWithdrawn : ledger::EventType::kGiven,
      "web-form",
      std::string("checkout"),
      std::string(R"({"user_agent":"Mozilla/5.0 charta-fill"})"),
      "fill-" + run + "-" + std::to_string(n)};
}

}  // namespace

int main(int argc, char** argv) {
  std::string uri;
  std::size_t events = 100000, subjects = 0;
  int threads = 256;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--uri") {
      uri = next();
    } else if (a == "--events") {
      events = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--threads") {
      threads = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--subjects") {
      subjects = std::strtoull(next().c_str(), nullptr, 10);
    } else {
      uri.clear();
      break;
    }
  }
  if (uri.empty()) {
    std::fprintf(stderr, "usage: ledger_fill --uri URI --events N [--threads T] [--subjects S]\n");
    return 2;
  }
  ledger::Options options;
  options.maxBatch = 2048;  // large batches: the fill is bound by the writer, not by fsync
  options.linger = std::chrono::milliseconds(2);
  auto l = ledger::openLedger(uri, options);
  const std::string run = std::to_string(l->count());
  std::atomic<std::size_t> next{0}, failures{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (std::size_t n = next++; n < events; n = next++) {
        try {
          l->append(consent(n, subjects, run));
        } catch (const std::exception& e) {
          if (failures++ == 0) std::fprintf(stderr, "append failed: %s\n", e.what());
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("FILL appended=%zu failed=%zu seconds=%.1f rate=%.0f total=%lld\n",
              events - failures.load(), failures.load(), secs, static_cast<double>(events) / secs,
              static_cast<long long>(l->count()));
  return failures ? 1 : 0;
}
