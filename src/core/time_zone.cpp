#include "core/time_zone.h"

#include <algorithm>
#include <cstdio>

namespace charta::core {
namespace {

using namespace std::chrono;

constexpr std::int32_t kMaxOffset = 25 * 3600;  // RFC 8536: utoff is in -89999..93599

// Reads "[+-]hh[:mm[:ss]]" at "s" (hours up to "maxHours"): seconds, or nullopt.
std::optional<std::int32_t> hms(std::string_view& s, int maxHours) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  std::int32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    int digits = 0;
    std::int32_t v = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9' && digits < 3) {
      v = v * 10 + (s[0] - '0');
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0 || (i > 0 && (digits != 2 || v > 59))) return std::nullopt;
    parts[i] = v;
  }
  if (parts[0] > maxHours) return std::nullopt;
  return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
}

// Skips a zone abbreviation: three or more letters, or "<...>" of letters, digits, "+", "-".
bool abbreviation(std::string_view& s) {
  std::size_t n = 0;
  if (!s.empty() && s[0] == '<') {
    std::size_t close = s.find('>');
    if (close == std::string_view::npos || close < 4) return false;
    for (std::size_t i = 1; i < close; ++i) {
      char c = s[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '+' || c == '-';
      if (!ok) return false;
    }
    s.remove_prefix(close + 1);
    return true;
  }
  while (n < s.size() && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

std::optional<int> number(std::string_view& s) {
  int v = 0, digits = 0;
  while (!s.empty() && s[0] >= '0' && s[0] <= '9' && digits < 4) {
    v = v * 10 + (s[0] - '0');
    s.remove_prefix(1);
    ++digits;
  }
  return digits ? std::optional(v) : std::nullopt;
}

// ",Mm.w.d[/time]", ",Jn[/time]" or ",n[/time]".
bool rule(std::string_view& s, PosixTz::Day& day, std::int32_t& time) {
  if (s.empty() || s[0] != ',') return false;
  s.remove_prefix(1);
  using Kind = PosixTz::Day::Kind;
  if (!s.empty() && s[0] == 'M') {
    s.remove_prefix(1);
    auto m = number(s);
    if (!m || *m < 1 || *m > 12 || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    auto w = number(s);
    if (!w || *w < 1 || *w > 5 || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    auto d = number(s);
    if (!d || *d > 6) return false;
    day = {Kind::kMonthWeekDay, 0, *m, *w, *d};
  } else {
    bool julian = !s.empty() && s[0] == 'J';
    if (julian) s.remove_prefix(1);
    auto n = number(s);
    if (!n || (julian ? (*n < 1 || *n > 365) : *n > 365)) return false;
    day = {julian ? Kind::kJulian1 : Kind::kZeroBased, *n, 0, 0, 0};
  }
  if (!s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    auto t = hms(s, 167);
    if (!t) return false;
    time = *t;
  }
  return true;
}

// The first day of "day"'s rule in year "y".
sys_days dayIn(const PosixTz::Day& day, int y) {
  using Kind = PosixTz::Day::Kind;
  sys_days jan1 = sys_days{year{y} / January / 1};
  switch (day.kind) {
    case Kind::kJulian1: {
      int n = day.n - 1;  // February 29 is never counted
      if (year{y}.is_leap() && day.n >= 60) ++n;
      return jan1 + days{n};
    }
    case Kind::kZeroBased:
      return jan1 + days{day.n};
    case Kind::kMonthWeekDay:
      break;
  }
  year_month ym = year{y} / month{static_cast<unsigned>(day.month)};
  if (day.week == 5) {
    sys_days lastDay = sys_days{ym / std::chrono::last};
    weekday lw{lastDay};
    return lastDay - days{(lw.c_encoding() + 7 - static_cast<unsigned>(day.weekday)) % 7};
  }
  sys_days first = sys_days{ym / 1};
  weekday fw{first};
  return first + days{(static_cast<unsigned>(day.weekday) + 7 - fw.c_encoding()) % 7} +
         weeks{day.week - 1};
}

// The counts of a TZif header (RFC 8536 3.1).
struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  // The bytes of the data block that follows, with times of "timeSize" bytes.
  std::uint64_t blockSize(int timeSize) const {
    return std::uint64_t{timecnt} * (timeSize + 1) + std::uint64_t{typecnt} * 6 + charcnt +
           std::uint64_t{leapcnt} * (timeSize + 4) + isstdcnt + isutcnt;
  }
};

std::int64_t readBig(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::int32_t PosixTz::offsetAt(std::int64_t unixSeconds) const {
  if (!dstOffset) return stdOffset;
  auto localStd = sys_seconds{seconds{unixSeconds + stdOffset}};
  int y = static_cast<int>(year_month_day{floor<days>(localStd)}.year());
  auto begin = sys_seconds{dayIn(start, y)} + seconds{startTime} - seconds{stdOffset};
  auto finish = sys_seconds{dayIn(end, y)} + seconds{endTime} - seconds{*dstOffset};
  auto t = sys_seconds{seconds{unixSeconds}};
  bool dst = begin < finish ? (t >= begin && t < finish) : !(t >= finish && t < begin);
  return dst ? *dstOffset : stdOffset;
}

std::optional<PosixTz> parsePosixTz(std::string_view s) {
  PosixTz tz;
  if (!abbreviation(s)) return std::nullopt;
  auto standard = hms(s, 24);
  if (!standard) return std::nullopt;
  tz.stdOffset = -*standard;  // POSIX counts west of Greenwich
  if (s.empty()) return tz;
  if (!abbreviation(s)) return std::nullopt;
  tz.dstOffset = tz.stdOffset + 3600;
  if (!s.empty() && s[0] != ',') {
    auto dst = hms(s, 24);
    if (!dst) return std::nullopt;
    tz.dstOffset = -*dst;
  }
  if (s.empty()) {  // no rules: the US rules POSIX leaves to the implementation
    s = ",M3.2.0,M11.1.0";
  }
  if (!rule(s, tz.start, tz.startTime) || !rule(s, tz.end, tz.endTime) || !s.empty()) {
    return std::nullopt;
  }
  return tz;
}

TimeZone::TimeZone() : name_("Asia/Almaty (built in)"), initial_(6 * 3600) {
  // 2024-03-01T00:00:00+06:00
  auto at = sys_days{year{2024} / February / 29} + hours{18};
  transitions_.push_back({duration_cast<seconds>(at.time_since_epoch()).count(), 5 * 3600});
}

TimeZone TimeZone::fixed(std::chrono::minutes offset) {
  TimeZone z;
  z.transitions_.clear();
  z.initial_ = static_cast<std::int32_t>(offset.count() * 60);
  long m = offset.count() < 0 ? -offset.count() : offset.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", offset.count() < 0 ? '-' : '+', m / 60, m % 60);
  z.name_ = buf;
  return z;
}

std::chrono::minutes TimeZone::offsetAt(Instant t) const {
  std::int64_t s = floor<seconds>(t).time_since_epoch().count();
  std::int32_t off = initial_;
  if (!transitions_.empty() && s >= transitions_.front().at) {
    if (footer_ && s > transitions_.back().at) {
      off = footer_->offsetAt(s);
    } else {
      auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s,
                                 [](std::int64_t v, const Transition& tr) { return v < tr.at; });
      off = std::prev(it)->offset;
    }
  } else if (transitions_.empty() && footer_) {
    off = footer_->offsetAt(s);
  }
  return minutes{off / 60};
}

namespace {

std::optional<TzifHeader> tzifHeader(std::string_view bytes, std::size_t at, std::string& error) {
  if (bytes.size() < at + 44 || bytes.substr(at, 4) != "TZif") {
    error = "not a TZif file (no \"TZif\" header)";
    return std::nullopt;
  }
  TzifHeader h;
  h.version = bytes[at + 4];
  if (h.version != 0 && (h.version < '2' || h.version > '4')) {
    error = "unknown TZif version";
    return std::nullopt;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at + 20);
  std::uint32_t* counts[] = {&h.isutcnt, &h.isstdcnt, &h.leapcnt,
                             &h.timecnt, &h.typecnt,  &h.charcnt};
  for (int i = 0; i < 6; ++i) *counts[i] = static_cast<std::uint32_t>(readBig(p + 4 * i, 4));
  if (h.typecnt == 0 || h.charcnt == 0 || (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
      (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || h.typecnt > 256) {
    error = "the TZif header's counts are inconsistent";
    return std::nullopt;
  }
  if (bytes.size() - at - 44 < h.blockSize(4)) {
    error = "the TZif file is truncated";
    return std::nullopt;
  }
  return h;
}

}  // namespace

std::optional<TimeZone> TimeZone::fromTzif(std::string_view bytes, std::string name,
                                           std::string* error) {
  std::string why;
  auto fail = [&](std::string message) -> std::optional<TimeZone> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  auto h = tzifHeader(bytes, 0, why);
  if (!h) return fail(why);
  std::size_t at = 44;
  int timeSize = 4;
  if (h->version != 0) {  // skip the 32-bit block: the 64-bit one follows with its own header
    at += h->blockSize(4);
    h = tzifHeader(bytes, at, why);
    if (!h) return fail(why);
    at += 44;
    timeSize = 8;
    if (bytes.size() - at < h->blockSize(8)) return fail("the TZif file is truncated");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  const unsigned char* indices = p + std::size_t{h->timecnt} * timeSize;
  const unsigned char* types = indices + h->timecnt;
  std::vector<std::int32_t> offsets;
  for (std::uint32_t i = 0; i < h->typecnt; ++i) {
    auto off = static_cast<std::int32_t>(readBig(types + 6 * i, 4));
    if (off < -kMaxOffset || off > kMaxOffset || types[6 * i + 4] > 1 ||
        types[6 * i + 5] >= h->charcnt) {
      return fail("a TZif time type is out of range");
    }
    offsets.push_back(off);
  }
  TimeZone z;
  z.name_ = std::move(name);
  z.transitions_.clear();
  z.initial_ = offsets[0];
  for (std::uint32_t i = 0; i < h->timecnt; ++i) {
    std::int64_t t = readBig(p + std::size_t{i} * timeSize, timeSize);
    if (indices[i] >= h->typecnt) return fail("a TZif transition names no time type");
    if (!z.transitions_.empty() && t <= z.transitions_.back().at) {
      return fail("the TZif transitions are not in order");
    }
    z.transitions_.push_back({t, offsets[indices[i]]});
  }
  if (timeSize == 8) {
    std::size_t footer = at + h->blockSize(8);
    std::size_t close = bytes.find('\n', footer + 1);
    if (footer >= bytes.size() || bytes[footer] != '\n' || close == std::string_view::npos) {
      return fail("the TZif footer is missing");
    }
    std::string_view tz = bytes.substr(footer + 1, close - footer - 1);
    if (!tz.empty()) {
      z.footer_ = parsePosixTz(tz);
      if (!z.footer_) return fail("the TZif footer \"" + std::string(tz) + "\" is not a TZ rule");
    }
  }
  return z;
}

std::optional<std::chrono::minutes> parseUtcOffset(std::string_view s) {
  if (s == "Z" || s == "UTC") return minutes{0};
  if (s.size() < 5 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  std::size_t m = s.size() == 6 && s[3] == ':' ? 4 : 3;
  if (s.size() != m + 2 || !digit(1) || !digit(2) || !digit(m) || !digit(m + 1)) {
    return std::nullopt;
  }
  int hh = (s[1] - '0') * 10 + (s[2] - '0');
  int mm = (s[m] - '0') * 10 + (s[m + 1] - '0');
  if (mm > 59 || hh * 60 + mm > 18 * 60) return std::nullopt;
  return minutes{(s[0] == '-' ? -1 : 1) * (hh * 60 + mm)};
}

bool isZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    std::string_view seg =
        name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (seg.empty() || seg[0] == '.' || seg[0] == '-') return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '+';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace charta::core
