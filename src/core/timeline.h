#pragma once

#include <optional>
#include <vector>

#include "core/edition.h"

namespace charta::core {

// Where an edition stands at some moment, as far as is known now.
enum class EditionStatus { kInForce, kUpcoming, kSuperseded, kWithdrawn };
const char* statusName(EditionStatus s);  // "in_force", "upcoming", "superseded", "withdrawn"

// The editions of one document ordered for "what is in force at T" questions.
//
// In force at T: among editions published at or before T and not withdrawn at T, the one with the
// latest effectiveFrom <= T (the higher number wins a tie). Since effectiveFrom >= publishedAt and
// a withdrawal happens only before effectiveFrom, a withdrawn edition is never in force.
//
// Cancelled: an edition withdrawn before it took effect, or outranked — another edition with a
// higher number takes effect at the same moment, so this one never does. A cancelled edition is
// never in force, never switches anything, and has the status "withdrawn" at every moment; it was
// upcoming only until it was cancelled (its withdrawal, or the publication of the one outranking
// it).
//
// Upcoming at T: published at or before T, effectiveFrom > T, not cancelled at T.
//
// Immutable after construction; safe for concurrent readers. Each lookup is O(log n).
class Timeline {
 public:
  Timeline() = default;
  explicit Timeline(std::vector<Edition> editions);

  // Returns the edition in force at "t", or nullptr before the first one.
  const Edition* inForceAt(Instant t) const;

  // Returns the editions upcoming at "t", earliest effectiveFrom first.
  std::vector<const Edition*> upcomingAt(Instant t) const;

  // Returns the first moment after "t" at which inForceAt changes, as far as is known now
  // (a later withdrawal may cancel it), or nullopt when nothing is scheduled after "t".
  std::optional<Instant> nextSwitchAfter(Instant t) const;

  // How many switches have happened by "t": the pages of a document change only when this
  // changes (or when the editions themselves change).
  size_t epochAt(Instant t) const;

  // The status of "e" (one of this timeline's editions) at "t". A cancelled edition is
  // "withdrawn" at every moment; one not yet published at "t" is "upcoming".
  EditionStatus statusAt(const Edition& e, Instant t) const;

  // Whether "e" (one of this timeline's editions) never takes effect: withdrawn in time, or
  // outranked by a higher number at the same moment.
  bool cancelled(const Edition& e) const;
  // The edition of this timeline that outranks "e", or nullptr.
  const Edition* outrankedBy(const Edition& e) const;

  // Every edition, by number.
  const std::vector<Edition>& editions() const { return byNo_; }
  const Edition* edition(EditionNo no) const;
  const Edition* latest() const { return byNo_.empty() ? nullptr : &byNo_.back(); }
  bool empty() const { return byNo_.empty(); }

 private:
  struct Cancelled {
    const Edition* edition;
    Instant at;                // when it became known that it never takes effect
    const Edition* outranker;  // nullptr: withdrawn
  };
  const Cancelled* cancellation(const Edition& e) const;
  // How many of live_ take effect at or before "t" (a binary search of liveFrom_).
  size_t liveBy(Instant t) const;

  std::vector<Edition> byNo_;         // all editions, by number
  std::vector<const Edition*> live_;  // the editions that take effect, by effectiveFrom
  std::vector<Instant> liveFrom_;     // their effectiveFrom, contiguous for the binary search
  std::vector<Cancelled> cancelled_;  // by number of the edition
};

}  // namespace charta::core
