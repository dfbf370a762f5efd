#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace charta::core {

// Decodes the code point at byte "i" of "s" into "cp"; returns its length in bytes, or 0 for an
// invalid sequence (overlong, surrogate, beyond U+10FFFF, truncated).
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp);

// White space between words (ASCII, no-break and typographic spaces, BOM).
bool isTextSpace(char32_t cp);

// Part of a word: a letter or digit of any script. Punctuation and symbols are not.
bool isWordChar(char32_t cp);

// ASCII case-insensitive equality (header names, trailer keys, tokens).
bool iequals(std::string_view a, std::string_view b);

// True when "s" starts like the target of a Markdown autolink (http://, https://, mailto:).
bool isAutolinkStart(std::string_view s);

// One line of Markdown without the markup at its start that carries no words: quote markers,
// heading markers, one list marker.
std::string_view stripLineMarkup(std::string_view line);

// True when "text" is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view text);

// The words and punctuation marks of a Markdown text, in order, with its formatting removed: what
// must stay identical when the legal team only reformats a policy. A word is a run of letters and
// digits (any script); every other visible character is a token of its own. Markup that carries
// no words is dropped: "*" and "_" emphasis, "#" heading markers, "- " / "* " / "+ " list markers
// at the start of a line, ">" quote markers, the angle brackets of an autolink, backslash escapes
// and hard line breaks. Invalid UTF-8 bytes become U+FFFD tokens.
std::vector<std::string> legalTokens(std::string_view markdown);

}  // namespace charta::core
