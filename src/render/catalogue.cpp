#include "render/catalogue.h"

#include <algorithm>
#include <set>

namespace charta::render::detail {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool isKey(std::string_view k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

// The {X} markers of "value", in order of first use.
std::string markers(std::string_view value) {
  std::set<char> seen;
  for (std::size_t i = 0; i + 2 < value.size(); ++i) {
    if (value[i] == '{' && value[i + 2] == '}') seen.insert(value[i + 1]);
  }
  return std::string(seen.begin(), seen.end());
}

}  // namespace

Catalogue parseCatalogue(std::string lang, std::string_view text) {
  Catalogue c{std::move(lang), {}, {}};
  std::size_t lineNo = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = trimmed(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++lineNo;
    if (line.empty() || line.front() == '#') continue;
    std::string where = c.lang + ".txt:" + std::to_string(lineNo) + ": ";
    std::size_t eq = line.find('=');
    std::string_view key = trimmed(line.substr(0, eq));
    if (eq == std::string_view::npos || !isKey(key)) {
      c.problems.push_back(where + "not a \"key = value\" line");
      continue;
    }
    std::string_view value = trimmed(line.substr(eq + 1));
    if (value.empty()) c.problems.push_back(where + "\"" + std::string(key) + "\" has no value");
    if (!c.entries.emplace(std::string(key), std::string(value)).second) {
      c.problems.push_back(where + "\"" + std::string(key) + "\" is given twice");
    }
  }
  return c;
}

const std::map<std::string, Catalogue, std::less<>>& catalogues() {
  static const auto kAll = [] {
    std::map<std::string, Catalogue, std::less<>> all;
    for (const EmbeddedStrings& f : embeddedStrings()) {
      all.emplace(f.lang, parseCatalogue(f.lang, f.text));
    }
    return all;
  }();
  return kAll;
}

std::vector<std::string> catalogueProblems(const std::vector<std::string_view>& needed) {
  std::vector<std::string> out;
  const auto& all = catalogues();
  auto fb = all.find(kFallbackLang);
  if (fb == all.end()) return {"there is no " + std::string(kFallbackLang) + ".txt"};
  std::set<std::string_view> wanted(needed.begin(), needed.end());
  for (const auto& [lang, c] : all) {
    out.insert(out.end(), c.problems.begin(), c.problems.end());
    for (std::string_view key : wanted) {
      if (!c.entries.count(key))
        out.push_back(lang + ".txt: \"" + std::string(key) + "\" is missing");
    }
    for (const auto& [key, value] : c.entries) {
      if (!wanted.count(key)) {
        out.push_back(lang + ".txt: \"" + key + "\" is used by no page");
        continue;
      }
      auto base = fb->second.entries.find(key);
      if (base != fb->second.entries.end() && markers(base->second) != markers(value)) {
        out.push_back(lang + ".txt: \"" + key + "\" has the markers {" + markers(value) + "}, " +
                      std::string(kFallbackLang) + ".txt {" + markers(base->second) + "}");
      }
    }
  }
  return out;
}

}  // namespace charta::render::detail
