#include "core/trailers.h"

#include <algorithm>

#include "core/words.h"

namespace charta::core {
namespace {

bool isToken(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::vector<std::string_view> splitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t e = s.find('\n', pos);
    if (e == std::string_view::npos) e = s.size();
    std::string_view ln = s.substr(pos, e - pos);
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    lines.push_back(ln);
    pos = e + 1;
  }
  return lines;
}

}  // namespace

Trailers parseTrailers(std::string_view message) {
  auto lines = splitLines(message);
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string_view::npos) {
    lines.pop_back();
  }
  size_t start = lines.size();
  while (start > 0 && lines[start - 1].find_first_not_of(" \t") != std::string_view::npos) --start;
  if (start == 0) return {};  // the subject alone is never a trailer block
  Trailers out;
  for (size_t i = start; i < lines.size(); ++i) {
    std::string_view ln = lines[i];
    if ((ln.front() == ' ' || ln.front() == '\t') && !out.empty()) {
      size_t b = ln.find_first_not_of(" \t");
      out.back().second += ' ';
      out.back().second += std::string(ln.substr(b));
      continue;
    }
    size_t colon = ln.find(':');
    if (colon == std::string_view::npos || !isToken(ln.substr(0, colon))) return {};
    std::string_view value = ln.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.emplace_back(std::string(ln.substr(0, colon)), std::string(value));
  }
  return out;
}

const std::string* findTrailer(const Trailers& trailers, std::string_view key) {
  for (const auto& [k, v] : trailers) {
    if (iequals(k, key)) return &v;
  }
  return nullptr;
}

std::string formatMessage(std::string_view subject, std::string_view body,
                          const Trailers& trailers) {
  std::string out(subject);
  out += "\n\n";
  if (!body.empty()) {
    out += body;
    if (out.back() != '\n') out += '\n';
    out += '\n';
  }
  for (const auto& [k, v] : trailers) {
    out += k;
    out += ": ";
    out += v;
    out += '\n';
  }
  return out;
}

bool isTrailerSafe(std::string_view value, size_t maxBytes) {
  if (value.size() > maxBytes || !isValidUtf8(value)) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    auto u = static_cast<unsigned char>(value[i]);
    auto next = [&](size_t k) {
      return i + k < value.size() ? static_cast<unsigned char>(value[i + k]) : 0;
    };
    if (u < 0x20 || u == 0x7f) return false;
    // C1 controls (U+0080-U+009F: NEL, CSI of terminals) and the line and paragraph separators
    // (U+2028, U+2029) break lines or drive terminals where tag messages are shown.
    if (u == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) return false;
    if (u == 0xe2 && next(1) == 0x80 && (next(2) == 0xa8 || next(2) == 0xa9)) return false;
  }
  return true;
}

}  // namespace charta::core
