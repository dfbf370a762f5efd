#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace charta::core {

// --- characters ---

// Decodes the code point at byte "i" of "s" into "cp"; returns its length in bytes, or 0 for an
// invalid sequence (overlong, surrogate, beyond U+10FFFF, truncated).
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp);

// Appends "cp" (at most U+10FFFF, not a surrogate) to "out" as UTF-8.
void appendUtf8(std::string& out, char32_t cp);

// True when "text" is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view text);

// White space between words (ASCII, no-break and typographic spaces, BOM).
bool isTextSpace(char32_t cp);

// Part of a word: a letter or digit of any script. Punctuation and symbols are not.
bool isWordChar(char32_t cp);

// Upper case: Latin, Latin-1 and Cyrillic capitals.
bool isUpperCase(char32_t cp);

// The lower case of a Latin or Cyrillic capital (А-Я, Ё, Ђ-Џ); any other code point as it is.
char32_t toLowerCase(char32_t cp);

// "text" with every capital toLowerCase lowers written in lower case. The letters it lowers keep
// their length in UTF-8, so byte offsets into "text" hold in the result; invalid bytes are kept.
std::string lowerCase(std::string_view text);

// "text" with ASCII capitals lowered (language tags, file extensions, attribute names).
std::string asciiLower(std::string_view text);

// The first byte at or after "i" of "s" that does not start white space (isTextSpace).
size_t skipTextSpace(std::string_view s, size_t i);

// Where the run of letters (isWordChar, digits aside) that starts at byte "i" of "s" ends.
size_t lettersEnd(std::string_view s, size_t i);

// True when no letter or digit ends right before byte "i" of "s" (a word may start there).
bool wordStartsAt(std::string_view s, size_t i);

// True when "token" (a word or punctuation mark of readWords) starts with a letter or digit.
bool isWordToken(std::string_view token);

// ASCII case-insensitive equality (header names, trailer keys, tokens).
bool iequals(std::string_view a, std::string_view b);

// --- words of a Markdown text ---

// True when "s" starts like the target of a Markdown autolink (http://, https://, mailto:).
bool isAutolinkStart(std::string_view s);

// The length of the URL that starts "s" ("https://...", "http://...", "mailto:...", "www.x.y"),
// as GitHub's autolinks read it: up to white space or "<", without trailing punctuation and an
// unbalanced ")"; 0 when "s" starts no URL.
size_t urlLength(std::string_view s);

// One line of Markdown without the markup at its start that carries no words: quote markers,
// heading markers, one list marker.
std::string_view stripLineMarkup(std::string_view line);

// The words and punctuation marks of a Markdown text, in order, with its formatting removed: what
// must stay identical when the legal team only reformats a policy. A word is a run of letters and
// digits (any script); every other visible character is a token of its own. Markup that carries
// no words is dropped: "*" and "_" emphasis, "#" heading markers, "- " / "* " / "+ " list markers
// at the start of a line, ">" quote markers, the angle brackets of an autolink, backslash escapes
// and hard line breaks. Invalid UTF-8 bytes become U+FFFD tokens.
std::vector<std::string> legalTokens(std::string_view markdown);

// One word or punctuation mark of a policy text, read as core::legalTokens reads it (formatting
// removed), and what a reader of the page sees around it: white space before it, the start of a
// new block, emphasis, the link it is part of (so the words can be shown back as the page shows
// them).
struct Word {
  std::string_view text{};  // points into the Markdown it was read from (or is U+FFFD)
  bool spaceBefore = false;
  // The first word of a block other than the first: after a blank line, or the first word of a
  // list item, heading, quote or table row.
  bool breakBefore = false;
  unsigned char style = 0;  // kStrong | kEmphasis
  std::string_view link{};  // the destination of the inline link it is the text of, if any

  // A word is the same word when its text and its link are: a link that points elsewhere is
  // another text. Emphasis and spacing are formatting.
  bool sameAs(const Word& o) const { return text == o.text && link == o.link; }
};
inline constexpr unsigned char kStrong = 1;
inline constexpr unsigned char kEmphasis = 2;

// The words of "markdown" with their spacing: the same texts as core::legalTokens(markdown),
// except that a backslash escape inside a word ("a\b") splits it, so that every word is a
// contiguous part of "markdown", and that the syntax of an inline link ("[", "](url)") is no word:
// its words carry the destination. A URL ("https://...", "www.example.org/x", "mailto:...") is
// one word. "rawFirstLine": the first line has no markup at its start to drop (it is the rest of
// a line after a clause number).
std::vector<Word> readWords(std::string_view markdown, bool rawFirstLine = false);

// Prints "words" back as text: single spaces where the text had white space, links in Markdown's
// syntax ("[text](url)").
std::string joinWords(const std::vector<Word>& words);

}  // namespace charta::core
