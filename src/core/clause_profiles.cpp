// The profiles of the clause grammar (core/clauses.h): their names, which one a text reads best
// with, the lettered profile's sections and references, and the reader that follows blocks.
#include <algorithm>

#include "core/clauses.h"
#include "core/ids.h"
#include "core/text_lines.h"

namespace charta::core {
namespace {

bool isCapital(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isAsciiWordChar(char c) {
  return isDigit(c) || isCapital(c) || (c >= 'a' && c <= 'z') ||
         static_cast<unsigned char>(c) >= 0x80;
}

// A lettered clause id at "i" of "s": "B", "B.3", "B.3.1" (one to three digits, no leading zero,
// at most six parts), not followed by a letter or digit. Returns its end, or npos.
size_t letteredIdEnd(std::string_view s, size_t i) {
  if (i >= s.size() || !isCapital(s[i])) return std::string_view::npos;
  size_t j = i + 1, parts = 1;
  while (j + 1 < s.size() && s[j] == '.' && isDigit(s[j + 1]) && parts < 6) {
    size_t k = j + 1;
    while (k < s.size() && isDigit(s[k])) ++k;
    if (k - (j + 1) > 3 || (k - (j + 1) > 1 && s[j + 1] == '0')) break;
    j = k;
    ++parts;
  }
  if (j < s.size() && isAsciiWordChar(s[j])) return std::string_view::npos;
  return j;
}

// "section" or "sections" (any case) at "i", a word start; returns its end or npos.
size_t sectionKeywordEnd(std::string_view s, size_t i) {
  static constexpr std::string_view kWord = "section";
  if (s.size() - i < kWord.size()) return std::string_view::npos;
  for (size_t k = 0; k < kWord.size(); ++k) {
    char c = s[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kWord[k]) return std::string_view::npos;
  }
  size_t e = i + kWord.size();
  if (e < s.size() && (s[e] == 's' || s[e] == 'S')) ++e;
  if (e < s.size() && isAsciiWordChar(s[e])) return std::string_view::npos;
  return e;
}

// Where the next id of a list starts after the separator at "k" (", ", " and ", " or ", a dash),
// or npos.
size_t nextLetteredInList(std::string_view s, size_t k) {
  size_t j = k;
  while (j < s.size() && s[j] == ' ') ++j;
  if (j < s.size() && (s[j] == ',' || s[j] == '-')) {
    ++j;
  } else if (s.substr(j, 3) == "and" || s.substr(j, 2) == "or") {
    j += s[j] == 'a' ? 3 : 2;
    if (j >= s.size() || s[j] != ' ') return std::string_view::npos;
  } else if (s.substr(j, 3) == "\xE2\x80\x93") {
    j += 3;
  } else {
    return std::string_view::npos;
  }
  while (j < s.size() && s[j] == ' ') ++j;
  if (s.substr(j, 4) == "and ") j += 4;  // ", and C"
  return letteredIdEnd(s, j) == std::string_view::npos ? std::string_view::npos : j;
}

// The lead of an ATX heading line: after its markers, spaces and emphasis openers.
std::string_view headingLead(std::string_view line, int level) {
  size_t i = static_cast<size_t>(level);
  while (i < line.size() && (line[i] == ' ' || line[i] == '*' || line[i] == '_')) ++i;
  return line.substr(i);
}

}  // namespace

// The lettered profile's section letter: "B. Account Terms", "B." at the end.
std::optional<ClauseOpening> sectionLetter(std::string_view lead, bool cutByMarkup) {
  if (lead.size() < 2 || !isCapital(lead[0]) || lead[1] != '.') return std::nullopt;
  if (lead.size() > 2 && lead[2] != ' ' && lead[2] != '\t' && !cutByMarkup) return std::nullopt;
  return ClauseOpening{std::string(1, lead[0]), 1, 2, 1, true};
}

// The lettered profile's references: "Section B", "Sections B and C", "section B.3".
std::vector<ClauseReference> sectionReferences(std::string_view text) {
  std::vector<ClauseReference> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != 's' && text[i] != 'S') continue;
    if (i > 0 && isAsciiWordChar(text[i - 1])) continue;
    size_t k = sectionKeywordEnd(text, i);
    if (k == std::string_view::npos || k >= text.size() || text[k] != ' ') continue;
    size_t j = k + 1;
    while (j < text.size() && text[j] == ' ') ++j;
    for (size_t end; (end = letteredIdEnd(text, j)) != std::string_view::npos;) {
      out.push_back(ClauseReference{std::string(text.substr(j, end - j)), j, end});
      i = end;
      j = nextLetteredInList(text, end);
      if (j == std::string_view::npos) break;
    }
  }
  return out;
}

const char* profileName(ClauseProfile p) {
  switch (p) {
    case ClauseProfile::kDecimal:
      return "decimal";
    case ClauseProfile::kLettered:
      return "lettered";
    case ClauseProfile::kHeadings:
      return "headings";
  }
  return "decimal";
}

std::optional<ClauseProfile> parseProfile(std::string_view name) {
  for (ClauseProfile p :
       {ClauseProfile::kDecimal, ClauseProfile::kLettered, ClauseProfile::kHeadings}) {
    if (name == profileName(p)) return p;
  }
  return std::nullopt;
}

ClauseProfile detectProfile(std::string_view markdown) {
  size_t letters = 0;
  bool fromA = false;
  for (const TextLine& l : scanLines(markdown)) {
    if (l.heading == 0) continue;
    std::string_view lead = headingLead(lineText(markdown, l), l.heading);
    if (!sectionLetter(lead, false)) continue;
    if (letters++ == 0) fromA = lead[0] == 'A';
  }
  return letters >= 2 && fromA ? ClauseProfile::kLettered : ClauseProfile::kDecimal;
}

ClauseGrammar ClauseGrammar::forText(std::optional<ClauseProfile> declared,
                                     std::string_view markdown) {
  return ClauseGrammar(declared ? *declared : detectProfile(markdown));
}

bool isClauseRef(std::string_view ref) {
  if (ref.size() > 1 && ref.size() <= 200 && ref[0] == '#') {
    return std::all_of(ref.begin() + 1, ref.end(), [](char c) {
      return c != ' ' && c != '"' && c != '<' && c != '>' && c != '#' &&
             static_cast<unsigned char>(c) >= 0x20;
    });
  }
  if (isClauseNumber(ref)) return true;
  return letteredIdEnd(ref, 0) == ref.size();
}

std::optional<ClauseOpening> ClauseReader::next(const ClauseBlock& block) {
  switch (grammar_.profile()) {
    case ClauseProfile::kHeadings:
      return std::nullopt;
    case ClauseProfile::kDecimal:
      return grammar_.opening(block.lead, block.cutByMarkup);
    case ClauseProfile::kLettered:
      break;
  }
  if (block.heading == 0) return std::nullopt;  // paragraphs never open lettered clauses
  std::optional<ClauseOpening> o = grammar_.opening(block.lead, block.cutByMarkup);
  bool letter = o && isCapital(o->number[0]);
  if (letter && (sectionLevel_ == 0 || block.heading <= sectionLevel_)) {
    section_ = o->number;
    sectionLevel_ = block.heading;
    return o;
  }
  if (sectionLevel_ != 0 && block.heading <= sectionLevel_) {
    section_.clear();  // an unlettered heading at the level of sections ends the section
    return std::nullopt;
  }
  if (!o || letter || section_.empty()) return std::nullopt;
  o->number = section_ + "." + o->number;
  o->level += 1;
  return o;
}

}  // namespace charta::core
