#pragma once

// The second pass of renderMarkdown: XHTML from the cmark-gfm tree. Internal to charta_render.

#include <cmark-gfm.h>

#include <string>
#include <vector>

#include "core/clauses.h"
#include "render/markdown.h"
#include "render/text_structure.h"

namespace charta::render::detail {

// Writes "doc" as XHTML block elements with the ids, self-links and heading levels of
// "structure"; references ("п. 4") to clauses of "structure" become links, read with "grammar".
// "clauses" receives the clauses of "structure" in text order.
std::string writeXhtml(cmark_node* doc, const TextStructure& structure,
                       const core::ClauseGrammar& grammar, std::vector<Clause>& clauses,
                       std::size_t sizeHint);

}  // namespace charta::render::detail
