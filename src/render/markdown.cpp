#include "render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/ids.h"
#include "render/text.h"

namespace charta::render {
namespace {

using detail::appendAttrEscaped;
using detail::appendEscaped;
using detail::appendUrlEscaped;
using detail::decodeAt;

template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using ParserPtr = std::unique_ptr<cmark_parser, CFree<cmark_parser_free>>;
using NodePtr = std::unique_ptr<cmark_node, CFree<cmark_node_free>>;
using IterPtr = std::unique_ptr<cmark_iter, CFree<cmark_iter_free>>;

// ---------------------------------------------------------------------------------------------
// Characters

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Letters and digits of any script, approximately: everything from U+00C0 on that is not
// punctuation, symbols or spaces. Enough to tell where a word starts and ends.
bool isWordChar(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // punctuation, arrows, symbols
  if (c >= 0x3000 && c <= 0x303F) return false;
  if (c == 0xFEFF || c == 0xFFFD) return false;
  return true;
}

bool isLetter(char32_t c) { return isWordChar(c) && !(c >= '0' && c <= '9'); }

bool isSpaceCp(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == 0xA0 || c == 0x2007 || c == 0x2009 ||
         c == 0x202F;
}

bool isUpper(char32_t c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return true;
  if (c >= 0x400 && c <= 0x42F) return true;
  if (c >= 0x460 && c <= 0x4FF) return c % 2 == 0;  // Cyrillic extensions alternate cases
  return false;
}

char32_t toLower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::size_t skipSpaces(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    auto p = decodeAt(s, i);
    if (!isSpaceCp(p.cp)) break;
    i += p.len;
  }
  return i;
}

// The lower-cased word (letters only) starting at "i"; "end" receives where it stops.
std::string wordAt(std::string_view s, std::size_t i, std::size_t& end) {
  std::string word;
  while (i < s.size()) {
    auto p = decodeAt(s, i);
    if (!isLetter(p.cp)) break;
    appendUtf8(word, toLower(p.cp));
    i += p.len;
  }
  end = i;
  return word;
}

// True when no letter or digit ends right before "i" ("i" == 0 is the start of a text node,
// which follows markup or the start of a block).
bool wordStartsAt(std::string_view s, std::size_t i) {
  if (i == 0) return true;
  std::size_t k = i - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return !isWordChar(decodeAt(s, k).cp);
}

// ---------------------------------------------------------------------------------------------
// Clause numbers

struct Number {
  std::size_t begin = 0;
  std::size_t end = 0;  // after the last digit
  std::string text;     // "4.1.10"
  std::string key;      // "4-1-10"
  int parts = 0;
};

// Scans "4.1.10" at "i": one to six numbers of one to three digits (no leading zero), joined by
// dots. A dot belongs to the number only when a digit follows it. Fails when a number is too
// long or the whole is followed by a letter or digit.
std::optional<Number> scanNumber(std::string_view s, std::size_t i) {
  Number n;
  n.begin = i;
  while (true) {
    std::size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    std::size_t len = i - start;
    if (len == 0 || len > 3 || (len > 1 && s[start] == '0')) return std::nullopt;
    if (++n.parts > 6) return std::nullopt;
    if (!n.text.empty()) {
      n.text += '.';
      n.key += '-';
    }
    n.text.append(s.substr(start, len));
    n.key.append(s.substr(start, len));
    if (i + 1 < s.size() && s[i] == '.' && isDigit(s[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  if (i < s.size() && isWordChar(decodeAt(s, i).cp)) return std::nullopt;
  n.end = i;
  return n;
}

// The number that opens a clause: "4.1.10. ", "1.1 " (two or more numbers without the dot),
// "7.1..В" (a doubled dot, as typed in the seed). Returns the number and the length of the
// prefix to wrap in the self-link (number and dots).
std::optional<std::pair<Number, std::size_t>> clausePrefix(std::string_view s) {
  auto n = scanNumber(s, 0);
  if (!n) return std::nullopt;
  std::size_t j = n->end;
  if (j < s.size() && s[j] == '.') {
    ++j;
    if (j < s.size() && s[j] == '.') {
      ++j;  // "7.1..": whatever follows
    } else if (j < s.size() && !isSpaceCp(decodeAt(s, j).cp)) {
      return std::nullopt;
    }
  } else if (n->parts < 2 || j >= s.size() || !isSpaceCp(decodeAt(s, j).cp)) {
    return std::nullopt;
  }
  if (!core::isClauseNumber(n->text)) return std::nullopt;
  return std::make_pair(std::move(*n), j);
}

bool isKeywordPoint(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "пункт",     "пункта",     "пункту",     "пунктом",     "пункте",
      "пункты",    "пунктов",    "пунктам",    "пунктами",    "пунктах",
      "подпункт",  "подпункта",  "подпункту",  "подпунктом",  "подпункте",
      "подпункты", "подпунктов", "подпунктам", "подпунктами", "подпунктах"};
  return kWords.count(w) > 0;
}

// After a list of clause numbers: does the next word say it is a clause of another act
// ("пункт 3 статьи 7 Закона")? Then the numbers are not this text's clauses.
bool refersToOtherAct(std::string_view s, std::size_t i) {
  i = skipSpaces(s, i);
  std::size_t end;
  std::string w = wordAt(s, i, end);
  if (w.empty()) return false;
  if (w == "ст" && end < s.size() && s[end] == '.') return true;
  for (std::string_view p : {"стат", "закон", "кодекс", "приказ", "постановлен"}) {
    if (w.starts_with(p)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The walker

std::string_view typeString(cmark_node* n) {
  const char* t = cmark_node_get_type_string(n);
  return t ? std::string_view(t) : std::string_view();
}

std::string_view literal(cmark_node* n) {
  const char* t = cmark_node_get_literal(n);
  return t ? std::string_view(t) : std::string_view();
}

bool isInlineContainer(cmark_node* n) {
  auto t = cmark_node_get_type(n);
  return t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG || typeString(n) == "strikethrough";
}

// The text node a block starts with, looking through emphasis ("**4. ЦЕЛИ**"), or nullptr.
cmark_node* leadingText(cmark_node* block) {
  cmark_node* n = cmark_node_first_child(block);
  while (n && isInlineContainer(n)) n = cmark_node_first_child(n);
  return n && cmark_node_get_type(n) == CMARK_NODE_TEXT ? n : nullptr;
}

// The plain text of a node's subtree: text and code, breaks as spaces, white space collapsed.
std::string plainText(cmark_node* root) {
  std::string raw;
  IterPtr it(cmark_iter_new(root));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it.get());
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        raw += literal(n);
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        raw += ' ';
        break;
      default:
        break;
    }
  }
  return raw;
}

std::string collapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size();) {
    auto p = decodeAt(s, i);
    if (isSpaceCp(p.cp) || p.cp == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out.append(s.substr(i, p.len));
    }
    i += p.len;
  }
  return out;
}

bool isTightParagraph(cmark_node* para) {
  cmark_node* item = cmark_node_parent(para);
  if (!item || cmark_node_get_type(item) != CMARK_NODE_ITEM) return false;
  cmark_node* list = cmark_node_parent(item);
  return list && cmark_node_get_list_tight(list);
}

struct ClauseStart {
  std::string anchor;
  std::size_t prefixLen = 0;
  bool idOnLink = false;  // the block has no element of its own (a tight list item)
};

struct Block {
  std::string id;
  int level = 0;  // headings (and promoted paragraphs): the rendered level, 2..6
};

class Renderer {
 public:
  explicit Renderer(cmark_node* doc) : doc_(doc) {}

  RenderedText run(std::size_t inputSize) {
    analyse();
    out_.reserve(inputSize + inputSize / 2 + 64);
    walk();
    RenderedText r;
    r.html = std::move(out_);
    r.clauses = std::move(clauses_);
    r.sections = std::move(sections_);
    return r;
  }

 private:
  // A block that may carry a clause number or be a heading, in text order.
  struct Candidate {
    cmark_node* node;
    cmark_node* text;  // its leading text node, or nullptr
    std::optional<Number> number;
    std::size_t prefixLen = 0;
    bool heading = false;
    int level = 0;  // headings: as written, then as placed; promoted paragraphs: 0 at first
  };

  // First pass: find the clauses and headings, choose anchors and heading levels.
  void analyse() {
    std::vector<Candidate> found;
    IterPtr it(cmark_iter_new(doc_));
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
      if (ev != CMARK_EVENT_ENTER) continue;
      cmark_node* n = cmark_iter_get_node(it.get());
      auto type = cmark_node_get_type(n);
      if (type != CMARK_NODE_PARAGRAPH && type != CMARK_NODE_HEADING) continue;
      Candidate c{n, leadingText(n), std::nullopt, 0, false, 0};
      if (c.text) {
        if (auto prefix = clausePrefix(literal(c.text))) {
          c.number = std::move(prefix->first);
          c.prefixLen = prefix->second;
        }
      }
      if (type == CMARK_NODE_HEADING) {
        c.heading = true;
        c.level = cmark_node_get_heading_level(n);
      } else if (c.number && c.number->parts == 1 && cmark_node_parent(n) == doc_) {
        // A paragraph made of one bold run that starts with a section number ("**1.
        // ОПРЕДЕЛЕНИЕ ТЕРМИНОВ**") is a heading typed as bold text: it becomes one.
        cmark_node* only = cmark_node_first_child(n);
        c.heading = only && only == cmark_node_last_child(n) &&
                    cmark_node_get_type(only) == CMARK_NODE_STRONG;
      }
      if (c.heading || c.number) found.push_back(std::move(c));
    }

    // Sections are the headings numbered "N." at whatever level they were typed ("#### **4.
    // ...**" among "## 5. ..."), bold lines promoted to headings, and unnumbered headings typed
    // at a level that numbered sections use; without numbered sections, the highest headings.
    // Levels are then ranked so that headings go h2, h3, ... without gaps, below the page's h1.
    auto isSectionNumber = [](const Candidate& c) { return c.number && c.number->parts == 1; };
    constexpr int kSection = 0;  // the section level while ranking: above every typed level
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
    std::map<int, int> rendered;  // level -> h2..h6
    for (int l : levels) rendered[l] = std::min(6, 2 + static_cast<int>(rendered.size()));

    int unnumbered = 0;
    for (auto& c : found) {
      Block& b = blocks_[c.node];
      std::string anchor;
      if (c.number) {
        anchor = "p-" + c.number->key;
        if (!anchors_.insert(anchor).second) anchor.clear();  // a repeated number
      }
      if (!c.heading) {
        if (anchor.empty()) continue;
        bool tight = isTightParagraph(c.node);
        starts_[c.text] = ClauseStart{anchor, c.prefixLen, tight};
        if (!tight) b.id = anchor;
        clauseOf_[c.node] = Clause{c.number->text, anchor, c.number->parts, false, {}};
        continue;
      }
      b.level = rendered[c.level];
      bool isSection = c.level == kSection;
      std::string title = plainText(c.node);
      if (c.number) title.erase(0, std::min(title.size(), c.prefixLen));
      title = collapseSpaces(title);
      if (!anchor.empty()) {
        b.id = anchor;
        starts_[c.text] = ClauseStart{anchor, c.prefixLen, false};
        clauseOf_[c.node] = Clause{c.number->text, anchor, c.number->parts, true, title};
      } else if (!c.number && isSection) {
        anchor = "s-" + std::to_string(++unnumbered);
        b.id = anchor;
      }
      if (isSection && !anchor.empty()) {
        sections_.push_back({c.number ? c.number->text : std::string(), anchor, title});
      }
    }
  }

  // Second pass: write XHTML.
  void walk() {
    IterPtr it(cmark_iter_new(doc_));
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
      cmark_node* n = cmark_iter_get_node(it.get());
      bool enter = ev == CMARK_EVENT_ENTER;
      if (enter) {
        if (auto c = clauseOf_.find(n); c != clauseOf_.end()) clauses_.push_back(c->second);
      }
      if (imageDepth_ > 0) {
        inImage(n, enter);
        continue;
      }
      node(n, enter);
    }
  }

  void inImage(cmark_node* n, bool enter) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        alt_ += literal(n);
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        alt_ += ' ';
        break;
      case CMARK_NODE_IMAGE:
        if (enter) {
          ++imageDepth_;
        } else if (--imageDepth_ == 0) {
          closeImage(n);
        }
        break;
      default:
        break;
    }
  }

  void closeImage(cmark_node* n) {
    const char* url = cmark_node_get_url(n);
    std::string_view u = url ? url : "";
    if (isSafeUrl(u, true)) {
      out_ += "<img src=\"";
      appendUrlEscaped(out_, u);
      out_ += "\" alt=\"";
      appendAttrEscaped(out_, alt_);
      out_ += '"';
      titleAttr(n);
      out_ += "/>";
    }
    alt_.clear();
  }

  void titleAttr(cmark_node* n) {
    const char* title = cmark_node_get_title(n);
    if (title && *title) {
      out_ += " title=\"";
      appendAttrEscaped(out_, title);
      out_ += '"';
    }
  }

  // A line break before a block unless one is there: the layout of cmark's own HTML.
  void cr() {
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }

  void openBlock(std::string_view tag, cmark_node* n) {
    out_ += '<';
    out_ += tag;
    if (auto b = blocks_.find(n); b != blocks_.end() && !b->second.id.empty()) {
      out_ += " id=\"";
      out_ += b->second.id;
      out_ += '"';
    }
    out_ += '>';
  }

  std::string headingTag(cmark_node* n) {
    auto b = blocks_.find(n);
    int level = b != blocks_.end() && b->second.level ? b->second.level : 2;
    return "h" + std::to_string(level);
  }

  void node(cmark_node* n, bool enter) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_DOCUMENT:
        return;
      case CMARK_NODE_BLOCK_QUOTE:
        cr();
        out_ += enter ? "<blockquote>\n" : "</blockquote>\n";
        return;
      case CMARK_NODE_LIST: {
        bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        cr();
        if (!enter) {
          out_ += ordered ? "</ol>\n" : "</ul>\n";
        } else if (!ordered) {
          out_ += "<ul>\n";
        } else if (int start = cmark_node_get_list_start(n); start != 1) {
          out_ += "<ol start=\"" + std::to_string(start) + "\">\n";
        } else {
          out_ += "<ol>\n";
        }
        return;
      }
      case CMARK_NODE_ITEM:
        if (enter) cr();
        out_ += enter ? "<li>" : "</li>\n";
        return;
      case CMARK_NODE_CODE_BLOCK: {
        cr();
        out_ += "<pre><code";
        std::string lang = codeLanguage(cmark_node_get_fence_info(n));
        if (!lang.empty()) out_ += " class=\"language-" + lang + "\"";
        out_ += '>';
        appendEscaped(out_, literal(n));
        out_ += "</code></pre>\n";
        return;
      }
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_HTML_INLINE:
        return;  // raw HTML never comes through, not even as a comment
      case CMARK_NODE_PARAGRAPH: {
        auto b = blocks_.find(n);
        if (b != blocks_.end() && b->second.level > 0) {  // a bold line promoted to a heading
          if (enter) {
            cr();
            openBlock(headingTag(n), n);
          } else {
            out_ += "</" + headingTag(n) + ">\n";
          }
          return;
        }
        if (isTightParagraph(n)) return;
        if (enter) {
          cr();
          openBlock("p", n);
        } else {
          out_ += "</p>\n";
        }
        return;
      }
      case CMARK_NODE_HEADING:
        if (enter) {
          cr();
          openBlock(headingTag(n), n);
        } else {
          out_ += "</" + headingTag(n) + ">\n";
        }
        return;
      case CMARK_NODE_THEMATIC_BREAK:
        cr();
        out_ += "<hr/>\n";
        return;
      case CMARK_NODE_TEXT:
        text(n);
        return;
      case CMARK_NODE_SOFTBREAK:
        out_ += '\n';
        return;
      case CMARK_NODE_LINEBREAK:
        out_ += "<br/>\n";
        return;
      case CMARK_NODE_CODE:
        out_ += "<code>";
        appendEscaped(out_, literal(n));
        out_ += "</code>";
        return;
      case CMARK_NODE_EMPH:
        out_ += enter ? "<em>" : "</em>";
        return;
      case CMARK_NODE_STRONG:
        out_ += enter ? "<strong>" : "</strong>";
        return;
      case CMARK_NODE_LINK: {
        const char* url = cmark_node_get_url(n);
        std::string_view u = url ? url : "";
        if (enter) {
          ++linkDepth_;
          if (isSafeUrl(u)) {
            out_ += "<a href=\"";
            appendUrlEscaped(out_, u);
            out_ += '"';
            titleAttr(n);
            out_ += '>';
          }
        } else {
          --linkDepth_;
          if (isSafeUrl(u)) out_ += "</a>";
        }
        return;
      }
      case CMARK_NODE_IMAGE:
        if (enter) {
          imageDepth_ = 1;
          alt_.clear();
        }
        return;
      default:
        break;
    }
    extension(n, enter);
  }

  // Table and strikethrough nodes of the extensions; anything else unknown renders its children.
  void extension(cmark_node* n, bool enter) {
    std::string_view type = typeString(n);
    if (type == "strikethrough") {
      out_ += enter ? "<del>" : "</del>";
    } else if (type == "table") {
      if (enter) {
        cr();
        out_ += "<table>\n";
        tableBody_ = false;
        table_ = n;
      } else {
        if (tableBody_) out_ += "</tbody>\n";
        out_ += "</table>\n";
        table_ = nullptr;
      }
    } else if (type == "table_row" || type == "table_header") {
      bool header = type == "table_header" || cmark_gfm_extensions_get_table_row_is_header(n);
      if (enter) {
        if (header) {
          out_ += "<thead>\n";
        } else if (!tableBody_) {
          out_ += "<tbody>\n";
          tableBody_ = true;
        }
        out_ += "<tr>\n";
        rowHeader_ = header;
      } else {
        out_ += "</tr>\n";
        if (header) out_ += "</thead>\n";
      }
    } else if (type == "table_cell") {
      const char* tag = rowHeader_ ? "th" : "td";
      if (!enter) {
        out_ += "</";
        out_ += tag;
        out_ += ">\n";
        return;
      }
      out_ += '<';
      out_ += tag;
      if (table_) {
        int column = 0;
        for (cmark_node* p = cmark_node_previous(n); p; p = cmark_node_previous(p)) ++column;
        uint16_t columns = cmark_gfm_extensions_get_table_columns(table_);
        uint8_t* align = cmark_gfm_extensions_get_table_alignments(table_);
        if (align && column < columns) {
          switch (align[column]) {
            case 'l':
              out_ += " class=\"align-left\"";
              break;
            case 'c':
              out_ += " class=\"align-center\"";
              break;
            case 'r':
              out_ += " class=\"align-right\"";
              break;
            default:
              break;
          }
        }
      }
      out_ += '>';
    }
  }

  static std::string codeLanguage(const char* info) {
    std::string lang;
    if (!info) return lang;
    for (const char* p = info; *p && *p != ' ' && *p != '\t'; ++p) {
      char c = *p;
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '-' ||
                c == '_' || c == '+' || c == '.' || c == '#';
      if (!ok) return {};
      lang += c;
    }
    return lang.size() <= 32 ? lang : std::string();
  }

  void text(cmark_node* n) {
    std::string_view s = literal(n);
    std::size_t pos = 0;
    if (auto st = starts_.find(n); st != starts_.end()) {
      const ClauseStart& c = st->second;
      out_ += "<a class=\"clause-link\"";
      if (c.idOnLink) out_ += " id=\"" + c.anchor + "\"";
      out_ += " href=\"#" + c.anchor + "\">";
      appendEscaped(out_, s.substr(0, c.prefixLen));
      out_ += "</a>";
      pos = c.prefixLen;
    }
    if (linkDepth_ > 0) {
      appendEscaped(out_, s.substr(pos));
    } else {
      textWithReferences(s, pos);
    }
  }

  // Writes s[from..] with references to existing clauses ("п. 4", "пунктах 5.2 и 5.3") linked.
  void textWithReferences(std::string_view s, std::size_t from) {
    std::size_t done = from;  // s[from, done) is written
    std::size_t i = from;
    while (i + 1 < s.size()) {
      // Every keyword starts with "п" or "П" (D0 BF, D0 9F).
      if (static_cast<unsigned char>(s[i]) != 0xD0 ||
          (static_cast<unsigned char>(s[i + 1]) != 0xBF &&
           static_cast<unsigned char>(s[i + 1]) != 0x9F) ||
          !wordStartsAt(s, i)) {
        ++i;
        continue;
      }
      i = reference(s, i, done);
    }
    appendEscaped(out_, s.substr(done));
  }

  struct Ref {
    std::size_t begin, end;
    std::string anchor;
  };

  // Tries a reference at "i" (a word start). Writes everything up to its last link and moves
  // "done"; returns where scanning goes on.
  std::size_t reference(std::string_view s, std::size_t i, std::size_t& done) {
    std::size_t j;
    std::string word = wordAt(s, i, j);
    if (word == "п" || word == "пп") {
      if (j >= s.size() || s[j] != '.') return j;
      ++j;
      if (word == "п" && j + 2 < s.size() && static_cast<unsigned char>(s[j]) == 0xD0 &&
          (static_cast<unsigned char>(s[j + 1]) == 0xBF ||
           static_cast<unsigned char>(s[j + 1]) == 0x9F) &&
          s[j + 2] == '.') {
        j += 3;  // "п.п."
      }
      j = skipSpaces(s, j);
    } else if (isKeywordPoint(word)) {
      std::size_t k = skipSpaces(s, j);
      if (k == j) return j;
      j = k;
    } else {
      return j;
    }

    std::vector<Ref> refs;
    std::size_t after = j;  // after the last number and its dot
    while (true) {
      auto num = scanNumber(s, j);
      if (!num) break;
      bool dot = num->end < s.size() && s[num->end] == '.';
      after = num->end + (dot ? 1 : 0);
      std::size_t end = num->end;
      if (dot) {
        // The dot is the clause's own ("5.2. и") unless a new sentence starts after it.
        std::size_t k = skipSpaces(s, after);
        if (k < s.size() && !isUpper(decodeAt(s, k).cp)) end = after;
      }
      refs.push_back({num->begin, end, "p-" + num->key});
      // A separator, then another number: ",", "и", "или", a dash.
      std::size_t k = skipSpaces(s, after);
      if (k >= s.size()) break;
      std::size_t w;
      std::string sep = wordAt(s, k, w);
      if (s[k] == ',' || s[k] == '-') {
        k = skipSpaces(s, k + 1);
      } else if (s.substr(k, 3) == "\xE2\x80\x93" || s.substr(k, 3) == "\xE2\x80\x94") {
        k = skipSpaces(s, k + 3);  // en and em dash
      } else if ((sep == "и" || sep == "или") && w < s.size() && isSpaceCp(decodeAt(s, w).cp)) {
        k = skipSpaces(s, w);
      } else {
        break;
      }
      if (!scanNumber(s, k)) break;
      j = k;
    }
    if (refs.empty() || refersToOtherAct(s, after)) return std::max(j, after);
    for (const Ref& r : refs) {
      if (!anchors_.count(r.anchor)) continue;
      appendEscaped(out_, s.substr(done, r.begin - done));
      out_ += "<a href=\"#" + r.anchor + "\">";
      appendEscaped(out_, s.substr(r.begin, r.end - r.begin));
      out_ += "</a>";
      done = r.end;
    }
    return std::max(done, after);
  }

  cmark_node* doc_;
  std::string out_;
  std::vector<Clause> clauses_;
  std::vector<Section> sections_;
  std::unordered_set<std::string> anchors_;
  std::unordered_map<cmark_node*, ClauseStart> starts_;  // text node -> clause number prefix
  std::unordered_map<cmark_node*, Block> blocks_;        // block -> id and heading level
  std::unordered_map<cmark_node*, Clause> clauseOf_;
  int linkDepth_ = 0;
  int imageDepth_ = 0;
  std::string alt_;
  cmark_node* table_ = nullptr;
  bool tableBody_ = false;
  bool rowHeader_ = false;
};

void ensureExtensions() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

NodePtr parse(std::string_view markdown) {
  ensureExtensions();
  // Safe mode is cmark-gfm's default; CMARK_OPT_UNSAFE is never set.
  ParserPtr parser(cmark_parser_new(CMARK_OPT_VALIDATE_UTF8));
  if (!parser) throw RenderError("rendering Markdown: cannot create a cmark-gfm parser");
  for (const char* name : {"table", "strikethrough", "autolink"}) {
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (!ext) throw RenderError(std::string("rendering Markdown: no cmark-gfm extension ") + name);
    cmark_parser_attach_syntax_extension(parser.get(), ext);
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  NodePtr doc(cmark_parser_finish(parser.get()));
  if (!doc) throw RenderError("rendering Markdown: cmark-gfm returned no document");
  cmark_consolidate_text_nodes(doc.get());
  return doc;
}

}  // namespace

bool isSafeUrl(std::string_view url, bool image) {
  std::string s;
  s.reserve(url.size());
  for (char c : url) {
    if (c != '\t' && c != '\n' && c != '\r') s += c;  // browsers drop these anywhere in a URL
  }
  std::size_t b = 0;
  while (b < s.size() && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  std::string_view v(s);
  v.remove_prefix(b);
  std::size_t colon = v.find(':');
  std::size_t stop = v.find_first_of("/?#");
  if (colon == std::string_view::npos || (stop != std::string_view::npos && stop < colon)) {
    return true;  // relative
  }
  std::string scheme;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = v[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 0x20);
    bool ok = (c >= 'a' && c <= 'z') || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
    scheme += c;
  }
  if (scheme == "http" || scheme == "https") return true;
  return !image && (scheme == "mailto" || scheme == "tel");
}

std::string markdownEngineVersion() { return std::string("cmark-gfm ") + cmark_version_string(); }

RenderedText renderMarkdown(std::string_view markdown) {
  if (markdown.size() > kMaxMarkdownBytes) {
    throw RenderError("rendering Markdown: the text has " + std::to_string(markdown.size()) +
                      " bytes, more than the limit of " + std::to_string(kMaxMarkdownBytes));
  }
  NodePtr doc = parse(markdown);
  return Renderer(doc.get()).run(markdown.size());
}

}  // namespace charta::render
