#include "core/time.h"

#include <cstdio>

namespace charta::core {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

Instant now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::chrono::minutes almatyOffset(Instant t) {
  using namespace std::chrono;
  // 2024-03-01T00:00:00+06:00 == 2024-02-29T18:00:00Z
  constexpr auto kSwitch = sys_days{year{2024} / February / 29} + hours{18};
  return t >= kSwitch ? minutes{5 * 60} : minutes{6 * 60};
}

std::optional<ZonedInstant> parseRfc3339Zoned(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, sec;
  if (!digits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' ||
      !digits(text, 17, 2, sec)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = n; i < 3; ++i) millis *= 10;
  }
  if (pos >= text.size()) return std::nullopt;  // no offset: a local time is refused
  minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = minutes{oh * 60 + om};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  Instant local = time_point_cast<milliseconds>(sys_days{ymd}) + hours{h} + minutes{mi} +
                  seconds{sec} + milliseconds{millis};
  // The moment must have four year digits in UTC too, so that formatRfc3339 writes it back as
  // RFC 3339 ("9999-12-31T23:59:59-23:59" is in the year 10000).
  constexpr auto kFirst = sys_days{year{0} / January / 1};
  constexpr auto kEnd = sys_days{year{10000} / January / 1};
  Instant utc = local - offset;
  if (utc < kFirst || utc >= kEnd) return std::nullopt;
  return ZonedInstant{utc, offset};
}

std::optional<Instant> parseRfc3339(std::string_view text) {
  auto z = parseRfc3339Zoned(text);
  if (!z) return std::nullopt;
  return z->instant;
}

std::string formatRfc3339(Instant t, std::chrono::minutes offset, bool useZ) {
  using namespace std::chrono;
  Instant local = t + offset;
  auto day = floor<days>(local);
  year_month_day ymd{day};
  auto rest = local - day;
  auto h = duration_cast<hours>(rest);
  rest -= h;
  auto mi = duration_cast<minutes>(rest);
  rest -= mi;
  auto sec = duration_cast<seconds>(rest);
  rest -= sec;
  auto ms = rest.count();
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(h.count()),
                        static_cast<int>(mi.count()), static_cast<int>(sec.count()));
  std::string out(buf, static_cast<size_t>(n));
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms));
    out += buf;
  }
  if (offset.count() == 0 && useZ) {
    out += 'Z';
  } else {
    long off = offset.count();
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, off / 60, off % 60);
    out += buf;
  }
  return out;
}

}  // namespace charta::core
