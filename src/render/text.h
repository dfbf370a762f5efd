#pragma once

#include <string>
#include <string_view>

// Escaping and UTF-8 helpers shared by the Markdown walker and the page writers. Internal to
// charta_render.
namespace charta::render::detail {

// One decoded code point and its length in bytes. Invalid UTF-8 decodes as U+FFFD, length 1.
struct CodePoint {
  char32_t cp = 0;
  std::size_t len = 1;
};
CodePoint decodeAt(std::string_view s, std::size_t i);

// True for code points that may not appear in an HTML or XML document (C0 controls other than
// tab, line feed and carriage return, DEL, C1 controls, noncharacters): they are written as U+FFFD.
bool isForbiddenCodePoint(char32_t cp);

// Appends "text" escaped for an XML/HTML text node ("&", "<", ">"), forbidden code points
// replaced by U+FFFD.
void appendEscaped(std::string& out, std::string_view text);
// Appends "text" escaped for a double-quoted attribute value ("&", "<", ">", '"').
void appendAttrEscaped(std::string& out, std::string_view text);
// Returns "text" with forbidden code points replaced by U+FFFD (for pugixml, which escapes).
std::string cleanText(std::string_view text);

// Appends "url" for an href/src attribute: bytes outside the URL-safe set are percent-encoded,
// "&" is written as "&amp;".
void appendUrlEscaped(std::string& out, std::string_view url);

}  // namespace charta::render::detail
