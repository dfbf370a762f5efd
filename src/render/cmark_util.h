#pragma once

// cmark-gfm handles and node helpers shared by the Markdown walkers. Internal to charta_render.

#include <cmark-gfm.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/c_handle.h"
#include "render/markdown.h"

namespace charta::render::detail {

using core::CFree;
using ParserPtr = std::unique_ptr<cmark_parser, CFree<cmark_parser_free>>;
using NodePtr = std::unique_ptr<cmark_node, CFree<cmark_node_free>>;
using IterPtr = std::unique_ptr<cmark_iter, CFree<cmark_iter_free>>;

// The type name of a node ("strikethrough", "table"), or empty.
std::string_view typeString(cmark_node* n);

// The literal of a text or code node, or empty.
std::string_view literal(cmark_node* n);

// Emphasis, strong emphasis or strikethrough: inline markup around text.
bool isInlineContainer(cmark_node* n);

// The text node a block starts with, looking through emphasis ("**4. ЦЕЛИ**"), or nullptr.
cmark_node* leadingText(cmark_node* block);

// True when an emphasis delimiter ends the text node "text" (the end of its emphasis, or the
// start of another one) rather than a line break or the end of its block: "**1.1** В".
bool cutByMarkup(cmark_node* text);

// Appends the plain text of "n" to "out" when it is a text or code node (its literal) or a line
// break (a space); false for any other node.
bool appendPlain(std::string& out, cmark_node* n);

// The plain text of a node's subtree: text and code, breaks as spaces.
std::string plainText(cmark_node* root);

// "s" with every run of white space made one space, none at the ends.
std::string collapseSpaces(std::string_view s);

// A paragraph of a tight list item: written without an element of its own.
bool isTightParagraph(cmark_node* para);

// Points every link of "doc" where resolveLink (render/markdown.h) says (render/links.cpp).
void resolveLinks(cmark_node* doc, const LinkRules& rules);

}  // namespace charta::render::detail
