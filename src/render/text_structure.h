#pragma once

// The clause structure of a parsed policy text: which blocks are clauses and sections, their
// anchors and heading levels (the first pass of renderMarkdown). Internal to charta_render.

#include <cmark-gfm.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clauses.h"
#include "render/markdown.h"

namespace charta::render::detail {

// The clause number that opens a block: the text node it is in, how many bytes of it the
// self-link covers, and the anchor.
struct ClauseStart {
  std::string anchor;
  std::size_t prefixLen = 0;
  bool idOnLink = false;  // the block has no element of its own (a tight list item)
};

// What a block is written as.
struct Block {
  std::string id;
  int level = 0;  // headings (and promoted paragraphs): the rendered level, 2..6
};

struct TextStructure {
  std::unordered_map<cmark_node*, ClauseStart> starts;  // text node -> clause number prefix
  std::unordered_map<cmark_node*, Block> blocks;        // block -> id and heading level
  std::unordered_map<cmark_node*, Clause> clauseOf;     // block -> the clause it opens
  std::vector<Section> sections;
  std::unordered_set<std::string> anchors;  // of every clause, for reference links
  std::unordered_set<std::string> ids;      // the heading slugs given (profiles but decimal)
};

// Finds the clauses and headings of "doc" with "grammar" and chooses their anchors and levels.
// Paragraphs anywhere (list items and quotes too) and headings open clauses; a glued number
// ("2.2.Без") opens none; a repeated number is anchored once. A paragraph that is one bold run
// starting with a section number ("**1. ОПРЕДЕЛЕНИЕ ТЕРМИНОВ**") is a heading typed as bold text.
// In the lettered and headings profiles every heading's element takes its GitHub slug
// (core::HeadingSlugs), so that a text's own links to its sections ("#a-definitions") reach them;
// a numbered heading's clause anchor ("b-3") is then the id of its number's self-link.
TextStructure analyseStructure(cmark_node* doc, const core::ClauseGrammar& grammar);

}  // namespace charta::render::detail
