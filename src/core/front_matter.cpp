#include "core/front_matter.h"

namespace charta::core {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string unquote(std::string_view v) {
  if (v.size() >= 2 &&
      ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
    char q = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (q == '\'' && v[i] == '\'' && i + 1 < v.size() && v[i + 1] == '\'') {
        out += '\'';
        ++i;
      } else if (q == '"' && v[i] == '\\' && i + 1 < v.size()) {
        out += v[++i];
      } else {
        out += v[i];
      }
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

MarkdownFile splitFrontMatter(std::string_view content) {
  MarkdownFile f;
  std::string_view s = content;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  f.body = s;
  auto lineEnd = [&](size_t from) {
    size_t e = s.find('\n', from);
    return e == std::string_view::npos ? s.size() : e;
  };
  size_t e = lineEnd(0);
  if (trim(s.substr(0, e)) != "---" || s.substr(0, 3) != "---") return f;
  size_t pos = e < s.size() ? e + 1 : e;
  size_t line = 2;
  size_t metaStart = pos;
  while (pos < s.size()) {
    size_t le = lineEnd(pos);
    std::string_view ln = trim(s.substr(pos, le - pos));
    if (ln == "---" || ln == "...") {
      f.raw = std::string(s.substr(metaStart, pos - metaStart));
      f.hasFrontMatter = true;
      size_t next = le < s.size() ? le + 1 : le;
      f.body = s.substr(next);
      f.bodyLine = line + 1;
      return f;
    }
    if (!ln.empty() && ln.front() != '#' && ln.front() != '-' && s[pos] != ' ' && s[pos] != '\t') {
      size_t colon = ln.find(':');
      if (colon != std::string_view::npos && colon > 0) {
        std::string key(trim(ln.substr(0, colon)));
        f.meta[key] = unquote(trim(ln.substr(colon + 1)));
      }
    }
    pos = le < s.size() ? le + 1 : le;
    ++line;
  }
  f.meta.clear();  // never closed: not front matter
  return f;
}

}  // namespace charta::core
