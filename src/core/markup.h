#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace charta::core {

// Markdown markup that carries no words, as charta's line readers (the lint, the diff, the
// import's comparison of texts) meet it in the raw text. The page reads the same markup from
// cmark-gfm's tree.

// True when an HTML tag, comment, declaration or processing instruction starts at "i" of "s".
bool isHtmlTagAt(std::string_view s, size_t i);

// True when an HTML comment ("<!-- ... -->") starts at "i" of "s".
inline bool isHtmlCommentAt(std::string_view s, size_t i) { return s.substr(i, 4) == "<!--"; }

// Where the HTML comment, tag, declaration or processing instruction that starts at "i" of "s"
// ends (one past its ">"), or npos when it does not end: a tag must end before a blank line, a
// comment may run to any later line.
size_t htmlEnd(std::string_view s, size_t i);

// "markdown" with every HTML comment and tag outside code replaced by spaces (line breaks kept),
// so that byte offsets and lines still hold: the text as a reader sees it. Comments are notes for
// editors (a linter's "markdownlint-disable"); tags carry no words (an <a name> anchor marks a
// place, it says nothing). Linear in the input.
std::string blankHtml(std::string_view markdown);

// "markdown" with only its HTML comments outside code replaced by spaces, as blankHtml.
std::string blankComments(std::string_view markdown);

// The anchor an HTML start tag names: "<a name=\"cookies\">" and "<a id=\"cookies\">" (quoted
// with " or ', the attribute in any case) name "cookies". nullopt for any other tag, or when the
// name is not a safe id: 1-100 ASCII letters, digits, "-", "_", "." or ":", starting with a
// letter or digit.
std::optional<std::string> htmlAnchor(std::string_view tag);

// True when "tag" is an anchor (htmlAnchor) or the end tag "</a>": the HTML a text written for
// GitHub uses to give a place a name, which charta turns into an anchor of the page.
bool isAnchorTag(std::string_view tag);

// An inline link or image "[text](destination "title")" in a text.
struct InlineLink {
  size_t textBegin = 0, textEnd = 0;  // the text between the brackets
  size_t urlBegin = 0, urlEnd = 0;    // the destination, without its angle brackets
  size_t end = 0;                     // one past the closing parenthesis
};

// The inline link whose "[" is at "i" of "s", or nullopt: the brackets balanced (escapes
// skipped), "(" right after "]", a destination (in angle brackets, or without spaces and with
// balanced parentheses), an optional title, ")"; it may span lines but not a blank one.
std::optional<InlineLink> inlineLinkAt(std::string_view s, size_t i);

}  // namespace charta::core
