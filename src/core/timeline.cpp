#include "core/timeline.h"

#include <algorithm>

namespace charta::core {
namespace {

// A withdrawal counts only when it happened before the edition took effect; charta refuses any
// other (and does not read one as a withdrawal), so a later one is ignored here too.
bool effectivelyWithdrawn(const Edition& e) {
  return e.withdrawal && e.withdrawal->at < e.effectiveFrom;
}

}  // namespace

Timeline::Timeline(std::vector<Edition> editions) : byNo_(std::move(editions)) {
  std::sort(byNo_.begin(), byNo_.end(),
            [](const Edition& a, const Edition& b) { return a.no < b.no; });
  std::vector<const Edition*> taking;  // those not withdrawn in time
  for (const auto& e : byNo_) {
    if (effectivelyWithdrawn(e)) {
      cancelled_.push_back(Cancelled{&e, e.withdrawal->at, nullptr});
    } else {
      taking.push_back(&e);
    }
  }
  std::sort(taking.begin(), taking.end(), [](const Edition* a, const Edition* b) {
    if (a->effectiveFrom != b->effectiveFrom) return a->effectiveFrom < b->effectiveFrom;
    return a->no < b->no;
  });
  // Of the editions taking effect at one moment, the highest number does; the others are
  // outranked from the publication of the next one up.
  for (size_t i = 0; i < taking.size();) {
    size_t end = i;
    while (end + 1 < taking.size() && taking[end + 1]->effectiveFrom == taking[i]->effectiveFrom) {
      ++end;
    }
    for (size_t k = i; k < end; ++k) {
      cancelled_.push_back(Cancelled{taking[k], taking[k + 1]->publishedAt, taking[end]});
    }
    live_.push_back(taking[end]);
    i = end + 1;
  }
  liveFrom_.reserve(live_.size());
  for (const Edition* e : live_) liveFrom_.push_back(e->effectiveFrom);
  std::sort(cancelled_.begin(), cancelled_.end(),
            [](const Cancelled& a, const Cancelled& b) { return a.edition->no < b.edition->no; });
}

const Timeline::Cancelled* Timeline::cancellation(const Edition& e) const {
  auto it = std::lower_bound(cancelled_.begin(), cancelled_.end(), e.no,
                             [](const Cancelled& c, EditionNo no) { return c.edition->no < no; });
  return it != cancelled_.end() && it->edition->no == e.no ? &*it : nullptr;
}

bool Timeline::cancelled(const Edition& e) const { return cancellation(e) != nullptr; }

const Edition* Timeline::outrankedBy(const Edition& e) const {
  const Cancelled* c = cancellation(e);
  return c ? c->outranker : nullptr;
}

size_t Timeline::liveBy(Instant t) const {
  return static_cast<size_t>(std::upper_bound(liveFrom_.begin(), liveFrom_.end(), t) -
                             liveFrom_.begin());
}

const Edition* Timeline::inForceAt(Instant t) const {
  const size_t n = liveBy(t);
  return n == 0 ? nullptr : live_[n - 1];
}

std::vector<const Edition*> Timeline::upcomingAt(Instant t) const {
  std::vector<const Edition*> out;
  auto it = live_.begin() + static_cast<std::ptrdiff_t>(liveBy(t));
  for (; it != live_.end(); ++it) {
    if ((*it)->publishedAt <= t) out.push_back(*it);
  }
  for (const Cancelled& c : cancelled_) {
    const Edition* e = c.edition;
    if (e->publishedAt <= t && t < e->effectiveFrom && t < c.at) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Edition* a, const Edition* b) {
    if (a->effectiveFrom != b->effectiveFrom) return a->effectiveFrom < b->effectiveFrom;
    return a->no < b->no;
  });
  return out;
}

std::optional<Instant> Timeline::nextSwitchAfter(Instant t) const {
  const size_t n = liveBy(t);
  if (n == liveFrom_.size()) return std::nullopt;
  return liveFrom_[n];
}

const char* statusName(EditionStatus s) {
  switch (s) {
    case EditionStatus::kInForce:
      return "in_force";
    case EditionStatus::kUpcoming:
      return "upcoming";
    case EditionStatus::kSuperseded:
      return "superseded";
    case EditionStatus::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

EditionStatus Timeline::statusAt(const Edition& e, Instant t) const {
  if (cancelled(e)) return EditionStatus::kWithdrawn;
  if (t < e.effectiveFrom) return EditionStatus::kUpcoming;
  const Edition* current = inForceAt(t);
  return current && current->no == e.no ? EditionStatus::kInForce : EditionStatus::kSuperseded;
}

size_t Timeline::epochAt(Instant t) const { return liveBy(t); }

const Edition* Timeline::edition(EditionNo no) const {
  auto it = std::lower_bound(byNo_.begin(), byNo_.end(), no,
                             [](const Edition& e, EditionNo n) { return e.no < n; });
  if (it == byNo_.end() || it->no != no) return nullptr;
  return &*it;
}

}  // namespace charta::core
