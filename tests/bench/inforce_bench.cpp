// The lookup of the edition in force at a moment, on core::Timeline (the type the catalog's
// snapshot, `charta in-force`, GET .../current and ?at= use), at 10, 1,000 and 100,000 editions:
// nanoseconds per inForceAt and per statusAt of the edition found, next to a linear scan over the
// same editions for the same moments (the reference, measured in the same run). A timeline with
// scheduled editions, a withdrawn one in every 50 and a same-instant tie in every 100, as the
// rules of publication allow. Not a test: prints a table.
//
//   inforce_bench [--sizes "10 1000 100000"] [--lookups N]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/timeline.h"

using namespace charta;
using Clock = std::chrono::steady_clock;

namespace {

core::Instant at(int64_t minutes) {
  return core::Instant(std::chrono::milliseconds(int64_t{1'700'000'000'000} + minutes * 60'000));
}

// "n" editions published a minute apart, each taking effect a day later; every 50th withdrawn
// before its moment, every 100th taking effect at the same moment as the one before (outranked).
std::vector<core::Edition> editions(int n) {
  static const auto doc = *core::DocumentId::parse("personal-data");
  static const auto commit = *core::CommitId::parse(std::string(40, 'a'));
  std::vector<core::Edition> out;
  for (int i = 1; i <= n; ++i) {
    core::Edition e{doc,          *core::EditionNo::of(i),
                    commit,       at(i),
                    at(i + 1440), core::kKazakhstanOffset,
                    false,        {},
                    {},           {},
                    std::nullopt, std::nullopt};
    if (i % 100 == 0) e.effectiveFrom = out.back().effectiveFrom;
    if (i % 50 == 25) e.withdrawal = core::Withdrawal{at(i + 1), {"bench", "b@localhost"}, "bench"};
    out.push_back(std::move(e));
  }
  return out;
}

// The reference: what a scan of every edition answers (the same rule, with no index).
const core::Edition* scan(const std::vector<core::Edition>& all, const core::Timeline& tl,
                          core::Instant t) {
  const core::Edition* best = nullptr;
  for (const core::Edition& e : all) {
    if (e.effectiveFrom > t || e.publishedAt > t || tl.cancelled(e)) continue;
    if (!best || e.effectiveFrom > best->effectiveFrom ||
        (e.effectiveFrom == best->effectiveFrom && e.no > best->no)) {
      best = &e;
    }
  }
  return best;
}

template <typename F>
double nsPer(int lookups, F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / lookups;
}

}  // namespace

int main(int argc, char** argv) {
  std::string sizes = "10 1000 100000";
  int lookups = 200000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sizes")) sizes = argv[i + 1];
    if (!std::strcmp(argv[i], "--lookups")) lookups = std::atoi(argv[i + 1]);
  }
  std::printf("%10s %14s %14s %14s %12s\n", "editions", "inForceAt ns", "statusAt ns",
              "scan ns (ref)", "scan/lookup");
  std::istringstream in(sizes);
  for (int n; in >> n;) {
    std::vector<core::Edition> all = editions(n);
    core::Timeline tl(all);
    std::mt19937_64 rng(n);
    std::uniform_int_distribution<int64_t> pick(0, n + 2880);
    std::vector<core::Instant> moments;
    for (int i = 0; i < lookups; ++i) moments.push_back(at(pick(rng)));
    // Every answer checked against the scan first: the index keeps the exact rule.
    for (int i = 0; i < std::min(lookups, 2000); ++i) {
      const core::Edition* a = tl.inForceAt(moments[i]);
      const core::Edition* b = scan(all, tl, moments[i]);
      if ((a == nullptr) != (b == nullptr) || (a && a->no != b->no)) {
        std::fprintf(stderr, "inforce_bench: the lookup and the scan differ at %d editions\n", n);
        return 1;
      }
    }
    volatile long sink = 0;
    double lookup = nsPer(lookups, [&] {
      for (core::Instant t : moments) {
        if (const core::Edition* e = tl.inForceAt(t)) sink = sink + e->no.value();
      }
    });
    double status = nsPer(lookups, [&] {
      for (core::Instant t : moments) {
        if (const core::Edition* e = tl.inForceAt(t)) sink = sink + int(tl.statusAt(*e, t));
      }
    });
    const int scans = std::max(1, std::min(lookups, 20'000'000 / n));
    double linear = nsPer(scans, [&] {
      for (int i = 0; i < scans; ++i) {
        if (const core::Edition* e = scan(all, tl, moments[i])) sink = sink + e->no.value();
      }
    });
    std::printf("%10d %14.1f %14.1f %14.1f %12.1f\n", n, lookup, status, linear, linear / lookup);
    std::printf("ROW inforce %d %.1f %.1f %.1f\n", n, lookup, status, linear);
  }
  return 0;
}
