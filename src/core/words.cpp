#include "core/words.h"

namespace charta::core {
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool isAutolinkStart(std::string_view s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("mailto:", 0) == 0;
}

std::string_view stripLineMarkup(std::string_view line) {
  auto skipSpaces = [&] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  skipSpaces();
  while (!line.empty() && line.front() == '>') {
    line.remove_prefix(1);
    skipSpaces();
  }
  size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes >= 1 && hashes <= 6 && (hashes == line.size() || line[hashes] == ' ')) {
    line.remove_prefix(hashes);
    skipSpaces();
  } else if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') &&
             line[1] == ' ') {
    line.remove_prefix(2);
    skipSpaces();
  }
  return line;
}

// Decodes one code point at "i"; returns its length, or 0 for an invalid sequence.
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool isTextSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000 || cp == 0xFEFF;
}

bool isWordChar(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  // Punctuation and symbol blocks; everything else above ASCII counts as a letter.
  if (cp <= 0xBF) return false;                    // Latin-1 punctuation: « » § ...
  if (cp == 0xD7 || cp == 0xF7) return false;      // × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // general punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE6F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  return true;
}

bool isValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    size_t n = decodeUtf8(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::vector<std::string> legalTokens(std::string_view markdown) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  size_t pos = 0;
  while (pos < markdown.size()) {
    size_t e = markdown.find('\n', pos);
    if (e == std::string_view::npos) e = markdown.size();
    std::string_view ln = stripLineMarkup(markdown.substr(pos, e - pos));
    pos = e + 1;
    for (size_t i = 0; i < ln.size();) {
      char c = ln[i];
      if (c == '\\' && i + 1 < ln.size() && static_cast<unsigned char>(ln[i + 1]) < 0x80 &&
          ln[i + 1] != ' ') {
        ++i;  // an escaped ASCII character is text: fall through to read it
      } else if (c == '*' || c == '_' ||
                 (c == '<' && isAutolinkStart(ln.substr(i + 1)) &&
                  ln.find('>', i) != std::string_view::npos)) {
        flush();
        ++i;
        continue;
      } else if (c == '>' && i > 0) {
        // The closing bracket of an autolink opened on this line.
        size_t open = ln.rfind('<', i);
        if (open != std::string_view::npos && isAutolinkStart(ln.substr(open + 1))) {
          flush();
          ++i;
          continue;
        }
      }
      char32_t cp;
      size_t n = decodeUtf8(ln, i, cp);
      if (n == 0) {
        flush();
        out.emplace_back("\xEF\xBF\xBD");
        ++i;
        continue;
      }
      if (isTextSpace(cp)) {
        flush();
      } else if (isWordChar(cp)) {
        word.append(ln.substr(i, n));
      } else {
        flush();
        out.emplace_back(ln.substr(i, n));
      }
      i += n;
    }
    flush();
  }
  return out;
}

}  // namespace charta::core
