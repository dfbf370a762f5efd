#pragma once

#include <string>
#include <vector>

#include "core/diff.h"
#include "core/ids.h"
#include "core/registry.h"

namespace charta::render {

// What the redline fragment needs besides the diff.
struct RedlineOptions {
  core::Lang lang;         // of the text; the fragment's own words are Russian for "ru"
  std::string oldPage{};   // "/personal-data/v1": clause links go to oldPage#p-4-1-10
  std::string newPage{};   // "/personal-data/v2"
  std::string oldLabel{};  // "редакция 1"
  std::string newLabel{};  // "редакция 2"
  std::vector<core::Purpose> purposes{};  // of the new side, for the titles of touched purposes
};

// The redline of "diff" as a well-formed XHTML fragment (no root element), for a page whose h1
// is the document title:
//   <section class="change-summary">: an h2, the counts (changed, added, removed, moved, split,
//     merged, unchanged), the purposes whose clause changed, links to every changed clause;
//   <section class="change-list">: an h2, then for every clause that is not unchanged a
//     <section class="change change-STATUS" id="ANCHOR"> with an h3 naming the clause and its
//     status in words, its text with deleted words in <del> and inserted ones in <ins>, and links
//     to the clause in both editions.
// Anchors: the clause's anchor in the new text ("p-4-1-10"); "removed-p-5-3" for a clause only
// in the old one; "preamble"; "heading-N" for unnumbered headings; unique in the fragment. The
// status is always written in words, never shown by colour alone; <del> and <ins> are announced
// by the stylesheet (charta.css) to screen readers.
// Pure and deterministic; safe to call from several threads at once.
std::string redlineHtml(const core::DocumentDiff& diff, const RedlineOptions& options);

}  // namespace charta::render
