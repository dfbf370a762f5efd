#include "render/text.h"

#include "core/words.h"

namespace charta::render::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

template <bool Attr>
void appendEscapedImpl(std::string& out, std::string_view text) {
  std::size_t i = 0;
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  auto flush = [&](std::size_t end) { out.append(text.data() + run, end - run); };
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    const char* rep = nullptr;
    std::size_t len = 1;
    if (c == '&') {
      rep = "&amp;";
    } else if (c == '<') {
      rep = "&lt;";
    } else if (c == '>') {
      rep = "&gt;";
    } else if (Attr && c == '"') {
      rep = "&quot;";
    } else if (c < 0x20 || c >= 0x7F) {
      CodePoint p = decodeAt(text, i);
      len = p.len;
      if ((p.cp == 0xFFFD && p.len == 1) || isForbiddenCodePoint(p.cp)) {
        rep = kReplacement.data();  // invalid UTF-8, or not allowed in HTML or XML
      }
    }
    if (rep) {
      flush(i);
      out += rep;
      i += len;
      run = i;
    } else {
      i += len;
    }
  }
  flush(text.size());
}

bool isUrlSafeByte(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
    case '!':
    case '*':
    case '\'':
    case '(':
    case ')':
    case ';':
    case ':':
    case '@':
    case '&':
    case '=':
    case '+':
    case '$':
    case ',':
    case '/':
    case '?':
    case '#':
    case '[':
    case ']':
    case '%':
      return true;
    default:
      return false;
  }
}

}  // namespace

CodePoint decodeAt(std::string_view s, std::size_t i) {
  char32_t cp;
  std::size_t n = core::decodeUtf8(s, i, cp);
  return n == 0 ? CodePoint{0xFFFD, 1} : CodePoint{cp, n};
}

bool isForbiddenCodePoint(char32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp <= 0x9F) return true;
  if (cp >= 0xFDD0 && cp <= 0xFDEF) return true;
  return (cp & 0xFFFE) == 0xFFFE;
}

void appendEscaped(std::string& out, std::string_view text) { appendEscapedImpl<false>(out, text); }

void appendAttrEscaped(std::string& out, std::string_view text) {
  appendEscapedImpl<true>(out, text);
}

std::string cleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += text[i++];
      continue;
    }
    CodePoint p = decodeAt(text, i);
    if ((p.cp == 0xFFFD && p.len == 1) || isForbiddenCodePoint(p.cp)) {
      out += kReplacement;
    } else {
      out.append(text.data() + i, p.len);
    }
    i += p.len;
  }
  return out;
}

void appendUrlEscaped(std::string& out, std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : url) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '&') {
      out += "&amp;";
    } else if (isUrlSafeByte(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

}  // namespace charta::render::detail
