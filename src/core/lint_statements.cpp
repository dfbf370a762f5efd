// Lint rules of what a text says about itself (own-url, effective-date) and of the purposes
// charta.xml ties to its clauses (purpose-clause).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "core/lint_text.h"
#include "core/words.h"

namespace charta::core {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The letters starting at "i" of "low" (lower case); "end" receives where they stop.
std::string_view letters(std::string_view low, size_t i, size_t& end) {
  end = lettersEnd(low, i);
  return low.substr(i, end - i);
}

// A calendar day written in a text.
struct Day {
  int y = 0, m = 0, d = 0;
  size_t offset = 0;
  bool operator==(const Day& o) const { return y == o.y && m == o.m && d == o.d; }
};

std::string dayText(const Day& day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", day.y, day.m, day.d);
  return buf;
}

bool validDay(int y, int m, int d) {
  using namespace std::chrono;
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  return year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}
      .ok();
}

int readInt(std::string_view s, size_t i, size_t maxDigits, size_t& end) {
  int v = 0;
  size_t j = i;
  while (j < s.size() && j - i < maxDigits && isDigit(s[j])) v = v * 10 + (s[j++] - '0');
  end = j;
  if (j == i || (j < s.size() && isDigit(s[j]))) return -1;
  return v;
}

// The month a lower-case word names (Russian genitive or English), 1..12, or 0.
int monthOf(std::string_view w) {
  static const char* kRu[] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                              "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
  static const char* kEn[] = {"january",   "february", "march",    "april",
                              "may",       "june",     "july",     "august",
                              "september", "october",  "november", "december"};
  for (int k = 0; k < 12; ++k) {
    if (w == kRu[k] || w == kEn[k]) return k + 1;
  }
  return 0;
}

// "December 1, 2026" at "i" (a word start).
void monthFirstDay(std::string_view low, size_t i, std::vector<Day>& out) {
  size_t wend;
  std::string_view w = letters(low, i, wend);
  int m = w.empty() ? 0 : monthOf(w);
  if (m == 0) return;
  size_t k = skipTextSpace(low, wend), e;
  int d = readInt(low, k, 2, e);
  if (d < 0 || e >= low.size() || low[e] != ',') return;
  int y = readInt(low, skipTextSpace(low, e + 1), 4, e);
  if (validDay(y, m, d)) out.push_back({y, m, d, i});
}

// A day whose first number "a" (read at "i", up to "e") is followed by the rest of a date:
// "2026-12-01", "01.12.2026", "1 декабря 2026", "«1» декабря 2026".
void numberFirstDay(std::string_view low, size_t i, int a, size_t e, std::vector<Day>& out) {
  size_t e2, e3;
  if (e - i == 4 && e + 5 <= low.size() && low[e] == '-') {
    int m = readInt(low, e + 1, 2, e2);
    if (m >= 0 && e2 < low.size() && low[e2] == '-') {
      int d = readInt(low, e2 + 1, 2, e3);
      if (validDay(a, m, d)) out.push_back({a, m, d, i});
    }
    return;
  }
  if (e - i > 2) return;
  if (e < low.size() && low[e] == '.') {
    int m = readInt(low, e + 1, 2, e2);
    if (m >= 0 && e2 < low.size() && low[e2] == '.') {
      int y = readInt(low, e2 + 1, 4, e3);
      if (e3 - (e2 + 1) == 4 && validDay(y, m, a)) out.push_back({y, m, a, i});
    }
    return;
  }
  size_t k = e;
  if (low.substr(k, 2) == "\xC2\xBB") k += 2;  // «1»
  if (k < low.size() && low[k] == '"') ++k;
  size_t wend;
  std::string_view w = letters(low, skipTextSpace(low, k), wend);
  int m = w.empty() ? 0 : monthOf(w);
  if (m == 0) return;
  int y = readInt(low, skipTextSpace(low, wend), 4, e3);
  if (validDay(y, m, a)) out.push_back({y, m, a, i});
}

// Dates in "low" (lower case): 01.12.2026, 2026-12-01, 1 декабря 2026, «1» декабря 2026,
// 1 December 2026, December 1, 2026.
std::vector<Day> findDays(std::string_view low) {
  std::vector<Day> out;
  for (size_t i = 0; i < low.size(); ++i) {
    if (!isDigit(low[i]) || (i > 0 && isDigit(low[i - 1]))) {
      if (wordStartsAt(low, i)) monthFirstDay(low, i, out);
      continue;
    }
    size_t e;
    int a = readInt(low, i, 4, e);
    if (a >= 0) numberFirstDay(low, i, a, e, out);
  }
  return out;
}

// Where the text says when it takes effect: "вступает в силу", "в действие", "действует с",
// "takes effect", "into force", "in force from", "effective".
std::vector<size_t> effectPhrases(std::string_view low) {
  // One pass over the words: a keyword search for a Cyrillic word would stop at every letter
  // (they all start with the byte 0xD0 or 0xD1).
  std::vector<size_t> out;
  std::string_view prev2, prev1;
  size_t start2 = 0, start1 = 0;
  for (size_t i = 0; i < low.size();) {
    auto c = static_cast<unsigned char>(low[i]);
    bool letter = (c >= 'a' && c <= 'z') || c == 0xD0 || c == 0xD1;
    if (!letter || !wordStartsAt(low, i)) {
      ++i;
      if (!letter && c != ' ' && c != '\t') prev2 = prev1 = {};
      continue;
    }
    size_t end;
    std::string_view w = letters(low, i, end);
    if (w.substr(0, 10) == "вступ") {
      size_t s = low.find("сил", end);
      if (s != std::string_view::npos && s - i <= 40) out.push_back(i);
    } else if (w == "effective") {
      out.push_back(i);
    } else if ((w.substr(0, 16) == "действие" && prev1 == "в") ||
               ((w == "с" || w == "со") && prev1 == "действует") ||
               (w == "effect" && (prev1 == "takes" || prev1 == "take")) ||
               (w == "force" && prev1 == "into")) {
      out.push_back(start1);
    } else if (w == "from" && prev1 == "force" && prev2 == "in") {
      out.push_back(start2);
    }
    prev2 = prev1;
    start2 = start1;
    prev1 = w;
    start1 = i;
    i = std::max(end, i + 1);
  }
  return out;
}

// The day of "days" nearest to "phrase", at most 200 bytes away, or nullptr.
const Day* nearestDay(const std::vector<Day>& days, size_t phrase) {
  const Day* nearest = nullptr;
  size_t best = 0;
  for (const Day& d : days) {
    size_t dist = d.offset > phrase ? d.offset - phrase : phrase - d.offset;
    if (dist > 200) continue;
    if (!nearest || dist < best) {
      nearest = &d;
      best = dist;
    }
  }
  return nearest;
}

// The path of "url" (after "scheme" bytes) without query, fragment and trailing slashes.
std::string urlPath(const std::string& url, size_t scheme) {
  size_t slash = url.find('/', scheme);
  std::string path = slash == std::string::npos ? "" : url.substr(slash);
  path.resize(std::min(path.size(), path.find_first_of("?#")));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

void TextLint::ownUrl() {
  std::string route = in_.document.route;
  while (route.size() > 1 && route.back() == '/') route.pop_back();
  for (const ClauseText& c : clauses_) ownUrlIn(c, route);
}

// The addresses a unit gives for the policy when it says where the policy is published.
void TextLint::ownUrlIn(const ClauseText& c, std::string_view route) {
  size_t begin = lines_[c.line - 1].begin;
  size_t end = lines_[c.endLine - 1].end;
  std::string_view low = std::string_view(low_).substr(begin, end - begin);
  if (low.find("http") == std::string_view::npos) return;
  bool aboutPolicy =
      low.find("политик") != std::string_view::npos || low.find("policy") != std::string_view::npos;
  bool aboutPlace = false;
  for (const char* kw : {"размещ", "опубликован", "по адресу", "доступн", "находится", "located",
                         "available at", "published at", "can be found"}) {
    if (low.find(kw) != std::string_view::npos) aboutPlace = true;
  }
  if (!aboutPolicy || !aboutPlace) return;
  for (size_t p = low.find("http"); p != std::string_view::npos; p = low.find("http", p + 1)) {
    size_t scheme = low.compare(p, 8, "https://") == 0  ? 8
                    : low.compare(p, 7, "http://") == 0 ? 7
                                                        : 0;
    if (scheme == 0) continue;
    size_t q = p;
    while (q < low.size() && std::string_view(" ><)]\"\t").find(low[q]) == std::string_view::npos) {
      ++q;
    }
    std::string url(std::string_view(scan_).substr(begin + p, q - p));
    while (!url.empty() && std::string_view(".,;:!?").find(url.back()) != std::string::npos) {
      url.pop_back();
    }
    std::string path = urlPath(url, scheme);
    bool ok = route == "/" ? path.empty() || path == "/" : path.ends_with(route);
    if (ok) continue;
    size_t slash = url.find('/', scheme);
    std::string base = in_.baseUrl.empty() ? url.substr(0, slash) : in_.baseUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    add(Severity::kError, "own-url", lineAt(begin + p), c.number,
        "the text gives " + url +
            " as the address of this policy, which does not end in its route " + std::string(route),
        "write " + base + std::string(route), url);
  }
}

void TextLint::effectiveDate() {
  if (!in_.effectiveFrom) return;
  using namespace std::chrono;
  year_month_day ymd{floor<days>(*in_.effectiveFrom + in_.effectiveOffset)};
  Day want{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
           static_cast<int>(static_cast<unsigned>(ymd.day())), 0};
  std::vector<size_t> all = effectPhrases(low_);
  for (const ClauseText& c : clauses_) {
    size_t begin = lines_[c.line - 1].begin;
    size_t end = lines_[c.endLine - 1].end;
    std::vector<Day> days;
    bool read = false;
    std::set<size_t> reported;
    for (size_t p : all) {
      if (p < begin || p >= end) continue;
      if (!read) days = findDays(std::string_view(low_).substr(begin, end - begin));
      read = true;
      const Day* nearest = nearestDay(days, p - begin);
      if (!nearest || *nearest == want || !reported.insert(nearest->offset).second) continue;
      std::string got = dayText(*nearest);
      // An earlier date cannot be published (no backdating): the hint never suggests it.
      bool earlier =
          std::tie(nearest->y, nearest->m, nearest->d) < std::tie(want.y, want.m, want.d);
      add(Severity::kError, "effective-date", lineAt(begin + nearest->offset), c.number,
          "the text says it takes effect on " + got + ", but Effective-From is " +
              formatRfc3339(*in_.effectiveFrom, in_.effectiveOffset, false),
          earlier ? "correct the date in the text: an edition never takes effect before it is "
                    "published"
                  : "publish with --effective-from " + got + "T00:00:00" +
                        formatRfc3339(Instant{}, in_.effectiveOffset, false).substr(19) +
                        ", or correct the date in the text",
          got);
    }
  }
}

void TextLint::purposes() {
  std::set<std::string> slugs;  // "#slug" of every heading: a purpose may name one
  for (const ClauseText& c : clauses_) {
    if (!c.slug.empty()) slugs.insert("#" + c.slug);
  }
  for (const Purpose& p : in_.document.purposes) {
    if (explicit_.count(p.clause) || slugs.count(p.clause)) continue;
    size_t line = 0;
    size_t at = in_.registryXml.find("clause=\"" + p.clause + "\"");
    if (!in_.registryXml.empty() && at != std::string::npos) {
      line = static_cast<size_t>(std::count(
                 in_.registryXml.begin(), in_.registryXml.begin() + static_cast<long>(at), '\n')) +
             1;
    }
    out_.push_back(
        LintFinding{Severity::kError, "purpose-clause", in_.registryPath, line, p.clause,
                    "purpose \"" + p.id.str() + "\" is tied to clause " + p.clause +
                        ", which the " + text_.lang.str() + " text does not have",
                    "tie it to the clause that states the purpose, or restore clause " + p.clause,
                    p.id.str(), ""});
  }
}

}  // namespace charta::core
