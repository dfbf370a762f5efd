#include "render/text_structure.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/slug.h"
#include "render/cmark_util.h"

namespace charta::render::detail {
namespace {

// A block that may carry a clause number or be a heading, in text order.
struct Candidate {
  cmark_node* node;
  cmark_node* text;  // its leading text node, or nullptr
  std::optional<core::ClauseOpening> number;
  bool heading = false;
  int level = 0;  // headings: as written, then as placed; promoted paragraphs: 0 at first
};

bool isSectionNumber(const Candidate& c) { return c.number && c.number->level == 1; }

// The paragraphs and headings that open a clause or are headings, in text order.
std::vector<Candidate> candidates(cmark_node* doc, const core::ClauseGrammar& grammar) {
  std::vector<Candidate> found;
  core::ClauseReader reader(grammar);
  IterPtr it(cmark_iter_new(doc));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it.get());
    auto type = cmark_node_get_type(n);
    if (type != CMARK_NODE_PARAGRAPH && type != CMARK_NODE_HEADING) continue;
    Candidate c{n, leadingText(n), std::nullopt, false, 0};
    int level = type == CMARK_NODE_HEADING ? cmark_node_get_heading_level(n) : 0;
    if (c.text || level > 0) {
      std::string_view lead = c.text ? literal(c.text) : std::string_view();
      auto opening = reader.next(core::ClauseBlock{lead, c.text && cutByMarkup(c.text), level,
                                                   cmark_node_parent(n) != doc});
      if (opening && !opening->glued() && c.text) c.number = std::move(opening);
    }
    if (type == CMARK_NODE_HEADING) {
      c.heading = true;
      c.level = cmark_node_get_heading_level(n);
    } else if (isSectionNumber(c) && cmark_node_parent(n) == doc) {
      // A paragraph made of one bold run that starts with a section number: a heading.
      cmark_node* only = cmark_node_first_child(n);
      c.heading = only && only == cmark_node_last_child(n) &&
                  cmark_node_get_type(only) == CMARK_NODE_STRONG;
    }
    if (c.heading || c.number) found.push_back(std::move(c));
  }
  return found;
}

constexpr int kSection = 0;  // the section level while ranking: above every typed level

// Sections are the headings numbered "N." at whatever level they were typed ("#### **4. ...**"
// among "## 5. ..."), bold lines promoted to headings, and unnumbered headings typed at a level
// that numbered sections use; without numbered sections, the highest headings. Levels are then
// ranked so that headings go h2, h3, ... without gaps, below the page's h1. Returns the typed
// level (or kSection, or -1 for a title above the sections) -> h2..h6.
std::map<int, int> rankLevels(std::vector<Candidate>& found) {
  std::set<int> sectionLevels;
  int minAll = 7;
  for (const auto& c : found) {
    if (!c.heading || c.level == 0) continue;
    minAll = std::min(minAll, c.level);
    if (isSectionNumber(c)) sectionLevels.insert(c.level);
  }
  if (sectionLevels.empty()) sectionLevels.insert(minAll < 7 ? minAll : 1);
  std::set<int> levels;
  for (auto& c : found) {
    if (!c.heading) continue;
    if (c.level == 0 || isSectionNumber(c) || sectionLevels.count(c.level)) {
      c.level = kSection;
    } else if (c.level < *sectionLevels.begin()) {
      c.level = -1;  // a title above the sections
    }
    levels.insert(c.level);
  }
  std::map<int, int> rendered;
  for (int l : levels) rendered[l] = std::min(6, 2 + static_cast<int>(rendered.size()));
  return rendered;
}

// Records the heading "c" (numbered or not) with its anchor, level and title.
// "slug": the heading's GitHub slug, or empty in the decimal profile (the seed's anchors: clause
// anchors and "s-N"). With a slug the heading's element takes it and the clause anchor goes on
// the self-link of its number.
void addHeading(TextStructure& s, const Candidate& c, std::string anchor, int level,
                int& unnumbered, const std::string& slug) {
  Block& b = s.blocks[c.node];
  b.level = level;
  bool isSection = c.level == kSection;
  std::string title = plainText(c.node);
  if (c.number) title.erase(0, std::min(title.size(), c.number->length));
  title = collapseSpaces(title);
  if (!slug.empty()) {
    b.id = slug;
    if (!anchor.empty()) {
      s.starts[c.text] = ClauseStart{anchor, c.number->length, true};
      s.clauseOf[c.node] = Clause{c.number->number, anchor, c.number->level, true, title};
    }
    if (isSection) s.sections.push_back({c.number ? c.number->number : std::string(), slug, title});
    return;
  }
  if (!anchor.empty()) {
    b.id = anchor;
    s.starts[c.text] = ClauseStart{anchor, c.number->length, false};
    s.clauseOf[c.node] = Clause{c.number->number, anchor, c.number->level, true, title};
  } else if (!c.number && isSection) {
    anchor = "s-" + std::to_string(++unnumbered);
    b.id = anchor;
  }
  if (isSection && !anchor.empty()) {
    s.sections.push_back({c.number ? c.number->number : std::string(), anchor, title});
  }
}

}  // namespace

TextStructure analyseStructure(cmark_node* doc, const core::ClauseGrammar& grammar) {
  std::vector<Candidate> found = candidates(doc, grammar);
  std::map<int, int> rendered = rankLevels(found);
  TextStructure s;
  int unnumbered = 0;
  bool slugged = grammar.profile() != core::ClauseProfile::kDecimal;
  core::HeadingSlugs slugs;
  if (slugged) {
    for (const auto& c : found) {
      if (c.number) slugs.reserve(grammar.anchor(c.number->number));
    }
  }
  for (auto& c : found) {
    std::string anchor;
    if (c.number) {
      anchor = grammar.anchor(c.number->number);
      if (!s.anchors.insert(anchor).second) anchor.clear();  // a repeated number
    }
    if (c.heading) {
      std::string slug = slugged ? slugs.add(collapseSpaces(plainText(c.node))) : std::string();
      if (!slug.empty()) s.ids.insert(slug);
      addHeading(s, c, std::move(anchor), rendered[c.level], unnumbered, slug);
    } else if (!anchor.empty()) {
      bool tight = isTightParagraph(c.node);
      s.starts[c.text] = ClauseStart{anchor, c.number->length, tight};
      if (!tight) s.blocks[c.node].id = anchor;
      s.clauseOf[c.node] = Clause{c.number->number, anchor, c.number->level, false, {}};
    }
  }
  return s;
}

}  // namespace charta::render::detail
