#include "core/timeline.h"

#include <algorithm>

namespace charta::core {
namespace {

// A withdrawal counts only when it happened before the edition took effect; charta refuses any
// other, so a later one can only come from a hand-made object and is ignored.
bool effectivelyWithdrawn(const Edition& e) {
  return e.withdrawal && e.withdrawal->at < e.effectiveFrom;
}

}  // namespace

Timeline::Timeline(std::vector<Edition> editions) : byNo_(std::move(editions)) {
  std::sort(byNo_.begin(), byNo_.end(),
            [](const Edition& a, const Edition& b) { return a.no < b.no; });
  for (const auto& e : byNo_) {
    (effectivelyWithdrawn(e) ? withdrawn_ : live_).push_back(&e);
  }
  std::sort(live_.begin(), live_.end(), [](const Edition* a, const Edition* b) {
    if (a->effectiveFrom != b->effectiveFrom) return a->effectiveFrom < b->effectiveFrom;
    return a->no < b->no;
  });
}

const Edition* Timeline::inForceAt(Instant t) const {
  auto it = std::upper_bound(live_.begin(), live_.end(), t,
                             [](Instant v, const Edition* e) { return v < e->effectiveFrom; });
  if (it == live_.begin()) return nullptr;
  return *std::prev(it);
}

std::vector<const Edition*> Timeline::upcomingAt(Instant t) const {
  std::vector<const Edition*> out;
  auto it = std::upper_bound(live_.begin(), live_.end(), t,
                             [](Instant v, const Edition* e) { return v < e->effectiveFrom; });
  for (; it != live_.end(); ++it) {
    if ((*it)->publishedAt <= t) out.push_back(*it);
  }
  for (const Edition* e : withdrawn_) {
    if (e->publishedAt <= t && t < e->effectiveFrom && !e->withdrawnBy(t)) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Edition* a, const Edition* b) {
    if (a->effectiveFrom != b->effectiveFrom) return a->effectiveFrom < b->effectiveFrom;
    return a->no < b->no;
  });
  return out;
}

std::optional<Instant> Timeline::nextSwitchAfter(Instant t) const {
  auto it = std::upper_bound(live_.begin(), live_.end(), t,
                             [](Instant v, const Edition* e) { return v < e->effectiveFrom; });
  if (it == live_.end()) return std::nullopt;
  return (*it)->effectiveFrom;
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
  if (effectivelyWithdrawn(e)) return EditionStatus::kWithdrawn;
  if (t < e.effectiveFrom) return EditionStatus::kUpcoming;
  const Edition* current = inForceAt(t);
  return current && current->no == e.no ? EditionStatus::kInForce : EditionStatus::kSuperseded;
}

size_t Timeline::epochAt(Instant t) const {
  auto it = std::upper_bound(live_.begin(), live_.end(), t,
                             [](Instant v, const Edition* e) { return v < e->effectiveFrom; });
  return static_cast<size_t>(it - live_.begin());
}

const Edition* Timeline::edition(EditionNo no) const {
  auto it = std::lower_bound(byNo_.begin(), byNo_.end(), no,
                             [](const Edition& e, EditionNo n) { return e.no < n; });
  if (it == byNo_.end() || it->no != no) return nullptr;
  return &*it;
}

}  // namespace charta::core
