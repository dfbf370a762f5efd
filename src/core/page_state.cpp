#include "core/page_state.h"

#include <algorithm>

namespace charta::core {

std::string PageState::variant() const {
  switch (status) {
    case EditionStatus::kInForce:
      return upcoming ? "notice:" + upcoming->str() : "in-force";
    case EditionStatus::kUpcoming:
      return inForce ? "upcoming:" + inForce->str() : "upcoming";
    case EditionStatus::kSuperseded:
      return "superseded";
    case EditionStatus::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

PageState pageStateAt(const Timeline& timeline, const Edition& e, Instant t) {
  PageState s;
  s.status = timeline.statusAt(e, t);
  if (s.status == EditionStatus::kInForce) {
    s.inForce = e.no;
    auto up = timeline.upcomingAt(t);
    if (!up.empty()) s.upcoming = up.front()->no;
  } else if (s.status == EditionStatus::kUpcoming) {
    if (const Edition* current = timeline.inForceAt(t)) s.inForce = current->no;
  }
  return s;
}

std::vector<VariantInterval> pageVariantIntervals(const Timeline& timeline, const Edition& e) {
  std::vector<Instant> moments{e.publishedAt};
  for (const Edition& x : timeline.editions()) {
    for (Instant m : {x.publishedAt, x.effectiveFrom}) moments.push_back(m);
    if (x.withdrawal) moments.push_back(x.withdrawal->at);
  }
  std::sort(moments.begin(), moments.end());
  moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
  moments.erase(moments.begin(), std::lower_bound(moments.begin(), moments.end(), e.publishedAt));
  std::vector<VariantInterval> out;
  for (Instant m : moments) {
    std::string variant = pageStateAt(timeline, e, m).variant();
    if (!out.empty() && out.back().variant == variant) continue;
    if (!out.empty()) out.back().until = m;
    out.push_back(VariantInterval{std::move(variant), m, std::nullopt});
  }
  return out;
}

bool pageVariantCitable(const Timeline& timeline, const Edition& e, std::string_view variant,
                        Instant now, std::chrono::milliseconds grace) {
  for (const VariantInterval& i : pageVariantIntervals(timeline, e)) {
    if (i.variant != variant || i.from > now) continue;
    if (!i.until || *i.until + grace >= now) return true;
  }
  return false;
}

std::optional<Instant> inForceUntil(const Timeline& timeline, const Edition& e) {
  if (timeline.statusAt(e, e.effectiveFrom) == EditionStatus::kWithdrawn) return std::nullopt;
  const Edition* first = timeline.inForceAt(e.effectiveFrom);
  if (!first || first->no != e.no) return e.effectiveFrom;
  return timeline.nextSwitchAfter(e.effectiveFrom);
}

}  // namespace charta::core
