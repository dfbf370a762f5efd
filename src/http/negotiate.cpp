#include "http/negotiate.h"

#include "http/wire.h"

namespace charta::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// q in thousandths; -1 when malformed.
int parseQ(std::string_view v) {
  v = trim(v);
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int q = (v[0] - '0') * 1000;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return -1;
    q += (v[i] - '0') * scale;
  }
  return q > 1000 ? -1 : q;
}

// True when range "r" matches tag "t": equal, or a prefix followed by '-'.
bool matches(std::string_view r, std::string_view t) {
  if (r.size() > t.size()) return false;
  if (!iequals(r, t.substr(0, r.size()))) return false;
  return r.size() == t.size() || t[r.size()] == '-';
}

}  // namespace

std::optional<core::Lang> negotiateLanguage(std::string_view header,
                                            const std::vector<core::Lang>& available) {
  const core::Lang* best = nullptr;
  int bestQ = 0;
  int ranges = 0;
  while (!header.empty() && ranges < 32) {
    size_t comma = header.find(',');
    std::string_view part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.empty()) continue;
    ++ranges;
    int q = 1000;
    size_t semi = part.find(';');
    std::string_view range = trim(part.substr(0, semi));
    if (semi != std::string_view::npos) {
      std::string_view param = trim(part.substr(semi + 1));
      if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
      q = parseQ(param.substr(2));
      if (q < 0) continue;
    }
    if (q <= bestQ) continue;
    for (const auto& lang : available) {
      // A language also answers a more specific range ("ru" for "ru-KZ").
      if (range == "*" || matches(range, lang.str()) || matches(lang.str(), range)) {
        best = &lang;
        bestQ = q;
        break;
      }
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

}  // namespace charta::http
