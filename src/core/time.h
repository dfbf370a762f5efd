#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace charta::core {

// A moment in UTC with millisecond resolution. Time zones matter only at the edges (parsing and
// display); everything inside charta compares Instants.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// Kazakhstan uses one zone, UTC+5, since 2024-03-01; it is the default display offset.
inline constexpr std::chrono::minutes kKazakhstanOffset{5 * 60};

Instant now();

// The UTC offset of Asia/Almaty (all of Kazakhstan) at "t": +05:00 from 2024-03-01T00:00+06:00
// on, +06:00 before (back to 2005; older moments are shown in +06:00 too).
std::chrono::minutes almatyOffset(Instant t);

// Parses an RFC 3339 date-time ("2026-12-01T00:00:00+05:00", "2026-12-01T00:00:00.250Z").
// Returns nullopt for anything else: a local time without an offset, a date alone, out-of-range
// fields (month 13, Feb 30, hour 24), a moment outside the years 0000-9999 in UTC. Fractions
// finer than a millisecond are truncated.
std::optional<Instant> parseRfc3339(std::string_view text);

// Parses like parseRfc3339 and also returns the offset written in the text.
struct ZonedInstant {
  Instant instant;
  std::chrono::minutes offset{0};
};
std::optional<ZonedInstant> parseRfc3339Zoned(std::string_view text);

// Formats "t" as RFC 3339 in the given UTC offset; milliseconds are written only when not zero.
// "offset" of zero is written as "Z" only when "useZ" is true, else "+00:00".
std::string formatRfc3339(Instant t, std::chrono::minutes offset = std::chrono::minutes{0},
                          bool useZ = true);

// Seconds since the Unix epoch, as git stores them.
inline std::int64_t toUnixSeconds(Instant t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
inline Instant fromUnixSeconds(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

}  // namespace charta::core
