#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timeline.h"

namespace charta::core {

// What the page of an edition says at a moment besides its text: the edition's status and the
// other edition it names. Every page of an edition in one language is one of these variants:
//   in-force      the edition in force, nothing announced
//   notice:vN     the edition in force, with the notice that vN takes effect later
//   upcoming:vK   an upcoming edition, while vK is in force ("upcoming" when none is yet)
//   superseded    no longer in force (names no other edition: never changes again)
//   withdrawn     withdrawn before it took effect (likewise)
struct PageState {
  EditionStatus status = EditionStatus::kInForce;
  std::optional<EditionNo> inForce;   // kInForce: the edition itself; kUpcoming: the one in force
  std::optional<EditionNo> upcoming;  // kInForce: the first upcoming edition (the notice)

  std::string variant() const;  // "in-force", "notice:v4", ...
};

// The state of the page of "e" (one of the timeline's editions) at "t".
PageState pageStateAt(const Timeline& timeline, const Edition& e, Instant t);

// One stretch of time over which the page of an edition is one variant: [from, until).
struct VariantInterval {
  std::string variant;
  Instant from;
  std::optional<Instant> until;  // nullopt: as far as is known now, for ever
};

// The variants of the page of "e" from its publication on, in time order, adjacent stretches of
// the same variant joined (a notice withdrawn makes the page "in-force" again: two stretches).
// The variant changes only when an edition is published, takes effect or is withdrawn, so the
// stretches are found from those moments alone.
std::vector<VariantInterval> pageVariantIntervals(const Timeline& timeline, const Edition& e);

// Whether a page of "e" archived as "variant" may be cited by a consent recorded at "now": some
// stretch of that variant began at or before "now" and lasted until at least "now - grace"
// (a form opened before an announcement, a switch or a withdrawal stays valid that long).
bool pageVariantCitable(const Timeline& timeline, const Edition& e, std::string_view variant,
                        Instant now, std::chrono::milliseconds grace);

// When "e" stops (or stopped) being in force, as far as is known now: the first switch after it
// took effect (its own effectiveFrom when another edition won that moment). nullopt when nothing
// is scheduled to replace it, or when it never takes effect (withdrawn).
std::optional<Instant> inForceUntil(const Timeline& timeline, const Edition& e);

}  // namespace charta::core
