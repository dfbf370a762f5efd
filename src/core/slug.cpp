#include "core/slug.h"

#include "core/markup.h"
#include "core/words.h"

namespace charta::core {
namespace {

bool isEmphasisAt(std::string_view s, size_t i) {
  char c = s[i];
  if (c == '*') return true;
  if (c != '_') return false;
  // "_" inside a word ("snake_case") is text, as in CommonMark.
  bool wordBefore = i > 0 && !wordStartsAt(s, i);
  char32_t cp = 0;
  bool wordAfter = i + 1 < s.size() && decodeUtf8(s, i + 1, cp) > 0 && isWordChar(cp);
  return !(wordBefore && wordAfter);
}

// "s" without its link and image syntax: "[text](url)" -> "text".
std::string withoutLinkSyntax(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i];
      out += s[++i];
      continue;
    }
    if (s[i] == '!' && i + 1 < s.size() && s[i + 1] == '[') continue;
    if (s[i] == '[') {
      if (auto link = inlineLinkAt(s, i)) {
        out += withoutLinkSyntax(s.substr(link->textBegin, link->textEnd - link->textBegin));
        i = link->end - 1;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::string githubSlug(std::string_view text) {
  std::string low = lowerCase(text);
  std::string out;
  for (size_t i = 0; i < low.size();) {
    char32_t cp;
    size_t n = decodeUtf8(low, i, cp);
    if (n == 0) {
      ++i;
      continue;
    }
    if (cp == ' ') {
      out += '-';
    } else if (cp == '-' || cp == '_' || isWordChar(cp)) {
      out.append(low.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string HeadingSlugs::add(std::string_view text) {
  std::string base = githubSlug(text);
  std::string slug = base;
  while (seen_.count(slug)) slug = base + "-" + std::to_string(++seen_[base]);
  seen_.emplace(slug, 0);
  return slug;
}

std::string inlinePlainText(std::string_view markdown) {
  std::string line = withoutLinkSyntax(blankHtml(markdown));
  // An ATX heading's closing sequence: " ##" at the end.
  size_t end = line.find_last_not_of(" \t");
  if (end != std::string::npos && line[end] == '#') {
    size_t hashes = line.find_last_not_of('#', end);
    if (hashes == std::string::npos || line[hashes] == ' ' || line[hashes] == '\t') {
      line.resize(hashes == std::string::npos ? 0 : hashes);
    }
  }
  std::string plain;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) < 0x80 &&
        line[i + 1] != ' ') {
      plain += line[++i];
    } else if (line[i] != '`' && !isEmphasisAt(line, i)) {
      plain += line[i];
    }
  }
  std::string out;
  bool space = false;
  for (size_t i = 0; i < plain.size();) {
    char32_t cp;
    size_t n = decodeUtf8(plain, i, cp);
    if (n > 0 && isTextSpace(cp)) {
      space = !out.empty();
      i += n;
      continue;
    }
    n = n == 0 ? 1 : n;
    if (space) out += ' ';
    space = false;
    out.append(plain.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace charta::core
