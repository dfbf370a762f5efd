#pragma once

// Time zones for display: a fixed UTC offset, or a zone of the system's zoneinfo (a TZif file,
// RFC 8536, with its POSIX TZ footer for moments after its last transition). Only the bytes are
// parsed here; reading the file is the caller's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace charta::core {

// The rule of a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", "<+05>-5"): a standard offset
// and, optionally, a daylight-saving offset with the rules of its start and end each year.
struct PosixTz {
  // A day of the year: "Jn" (1-365, February 29 never counted), "n" (0-365), "Mm.w.d".
  struct Day {
    enum class Kind { kJulian1, kZeroBased, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int n = 0;  // kJulian1, kZeroBased
    int month = 0, week = 0, weekday = 0;
  };
  std::int32_t stdOffset = 0;  // seconds east of UTC
  std::optional<std::int32_t> dstOffset{};
  Day start{}, end{};
  std::int32_t startTime = 7200,
               endTime = 7200;  // seconds after local midnight (may be <0 or >24h)

  // The offset in seconds east of UTC at "unixSeconds".
  std::int32_t offsetAt(std::int64_t unixSeconds) const;
};

// Parses a POSIX TZ string; nullopt when it is not one (an empty string is not).
std::optional<PosixTz> parsePosixTz(std::string_view s);

// The UTC offset of a place at any moment. Copyable; immutable.
class TimeZone {
 public:
  // Kazakhstan's rule, built in (no zoneinfo needed): +06:00 until 2024-03-01T00:00+06:00,
  // +05:00 since. The default of the pages.
  TimeZone();

  // A fixed offset, named like "+05:00".
  static TimeZone fixed(std::chrono::minutes offset);

  // A zone from the bytes of a TZif file (versions 1 to 4), called "name" ("Europe/Berlin").
  // nullopt, with "error" set to why, when the bytes are not a valid TZif file.
  static std::optional<TimeZone> fromTzif(std::string_view bytes, std::string name,
                                          std::string* error);

  // "+05:00", "Europe/Berlin", "Asia/Almaty (built in)".
  const std::string& name() const { return name_; }

  // The offset at "t", in whole minutes (zoneinfo's offsets of local mean time before
  // standard time, like +05:07:48, are cut to the minute).
  std::chrono::minutes offsetAt(Instant t) const;

 private:
  struct Transition {
    std::int64_t at;  // Unix seconds
    std::int32_t offset;
  };
  std::string name_;
  std::int32_t initial_ = 0;             // before the first transition (or always, without any)
  std::vector<Transition> transitions_;  // ascending
  std::optional<PosixTz> footer_;        // after the last transition
};

// Parses a fixed offset: "+05:00", "-03:30", "+0530", "Z", "UTC". nullopt for anything else,
// and for offsets beyond ±18:00.
std::optional<std::chrono::minutes> parseUtcOffset(std::string_view s);

// True when "name" may be looked up in a zoneinfo directory: "Area/Place" letters, digits,
// "_", "-", "+", "/" only, no "." segment, at most 64 bytes.
bool isZoneName(std::string_view name);

}  // namespace charta::core
