#include "core/json_text.h"

#include <cstdio>

#include "core/words.h"

namespace charta::core {

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  bool valid = isValidUtf8(s);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else if (u >= 0x80 && !valid) {
      out += "\\ufffd";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace charta::core
