#include "render/xhtml_writer.h"

#include <cmark-gfm-core-extensions.h>

#include <optional>
#include <set>

#include "core/markup.h"
#include "render/cmark_util.h"
#include "render/text.h"

namespace charta::render::detail {
namespace {

std::string codeLanguage(const char* info) {
  std::string lang;
  if (!info) return lang;
  for (const char* p = info; *p && *p != ' ' && *p != '\t'; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '+' || c == '.' || c == '#';
    if (!ok) return {};
    lang += c;
  }
  return lang.size() <= 32 ? lang : std::string();
}

const char* alignClass(uint8_t align) {
  switch (align) {
    case 'l':
      return " class=\"align-left\"";
    case 'c':
      return " class=\"align-center\"";
    case 'r':
      return " class=\"align-right\"";
    default:
      return "";
  }
}

class Writer {
 public:
  Writer(const TextStructure& s, const core::ClauseGrammar& grammar, std::vector<Clause>& clauses)
      : s_(s), grammar_(grammar), clauses_(clauses) {}

  std::string run(cmark_node* doc, std::size_t sizeHint) {
    out_.reserve(sizeHint + sizeHint / 2 + 64);
    IterPtr it(cmark_iter_new(doc));
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
      cmark_node* n = cmark_iter_get_node(it.get());
      bool enter = ev == CMARK_EVENT_ENTER;
      if (enter) {
        if (auto c = s_.clauseOf.find(n); c != s_.clauseOf.end()) clauses_.push_back(c->second);
      }
      if (imageDepth_ > 0) {
        inImage(n, enter);
      } else {
        node(n, enter);
      }
    }
    return std::move(out_);
  }

 private:
  // One node of the tree, entered or left. One case per node type, as cmark's own renderers do.
  void node(cmark_node* n, bool enter) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_DOCUMENT:
        return;
      case CMARK_NODE_BLOCK_QUOTE:
        cr();
        out_ += enter ? "<blockquote>\n" : "</blockquote>\n";
        return;
      case CMARK_NODE_LIST:
        list(n, enter);
        return;
      case CMARK_NODE_ITEM:
        if (enter) cr();
        out_ += enter ? "<li>" : "</li>\n";
        return;
      case CMARK_NODE_CODE_BLOCK:
        codeBlock(n);
        return;
      case CMARK_NODE_HTML_BLOCK:
      case CMARK_NODE_HTML_INLINE:
        return htmlAnchors(literal(n));  // raw HTML never comes through, only anchors' names
      case CMARK_NODE_PARAGRAPH:
        paragraph(n, enter);
        return;
      case CMARK_NODE_HEADING:
        heading(n, enter);
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
      case CMARK_NODE_LINK:
        link(n, enter);
        return;
      case CMARK_NODE_IMAGE:
        if (enter) {
          imageDepth_ = 1;
          alt_.clear();
        }
        return;
      default:
        extension(n, enter);
        return;
    }
  }

  void list(cmark_node* n, bool enter) {
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
  }

  void codeBlock(cmark_node* n) {
    cr();
    out_ += "<pre><code";
    std::string lang = codeLanguage(cmark_node_get_fence_info(n));
    if (!lang.empty()) out_ += " class=\"language-" + lang + "\"";
    out_ += '>';
    appendEscaped(out_, literal(n));
    out_ += "</code></pre>\n";
  }

  void paragraph(cmark_node* n, bool enter) {
    auto b = s_.blocks.find(n);
    if (b != s_.blocks.end() && b->second.level > 0) {  // a bold line promoted to a heading
      heading(n, enter);
      return;
    }
    if (isTightParagraph(n)) return;
    if (enter) {
      cr();
      openBlock("p", n);
    } else {
      out_ += "</p>\n";
    }
  }

  void heading(cmark_node* n, bool enter) {
    if (enter) {
      cr();
      openBlock(headingTag(n), n);
    } else {
      out_ += "</" + headingTag(n) + ">\n";
    }
  }

  void link(cmark_node* n, bool enter) {
    const char* url = cmark_node_get_url(n);
    std::string_view u = url ? url : "";
    if (!enter) {
      --linkDepth_;
      if (isSafeUrl(u)) out_ += "</a>";
      return;
    }
    ++linkDepth_;
    if (isSafeUrl(u)) {
      out_ += "<a href=\"";
      appendUrlEscaped(out_, u);
      out_ += '"';
      titleAttr(n);
      out_ += '>';
    }
  }

  // Inside an image: its text becomes the alt text; nested images count.
  void inImage(cmark_node* n, bool enter) {
    if (appendPlain(alt_, n) || cmark_node_get_type(n) != CMARK_NODE_IMAGE) return;
    if (enter) {
      ++imageDepth_;
    } else if (--imageDepth_ == 0) {
      closeImage(n);
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
    if (auto b = s_.blocks.find(n); b != s_.blocks.end() && !b->second.id.empty()) {
      out_ += " id=\"";
      out_ += b->second.id;
      out_ += '"';
    }
    out_ += '>';
  }

  std::string headingTag(cmark_node* n) const {
    auto b = s_.blocks.find(n);
    int level = b != s_.blocks.end() && b->second.level ? b->second.level : 2;
    return "h" + std::to_string(level);
  }

  // Table and strikethrough nodes of the extensions; anything else unknown renders its children.
  void extension(cmark_node* n, bool enter) {
    std::string_view type = typeString(n);
    if (type == "strikethrough") {
      out_ += enter ? "<del>" : "</del>";
    } else if (type == "table") {
      table(n, enter);
    } else if (type == "table_row" || type == "table_header") {
      tableRow(n, enter, type == "table_header");
    } else if (type == "table_cell") {
      tableCell(n, enter);
    }
  }

  void table(cmark_node* n, bool enter) {
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
  }

  void tableRow(cmark_node* n, bool enter, bool headerType) {
    bool header = headerType || cmark_gfm_extensions_get_table_row_is_header(n);
    if (!enter) {
      out_ += "</tr>\n";
      if (header) out_ += "</thead>\n";
      return;
    }
    if (header) {
      out_ += "<thead>\n";
    } else if (!tableBody_) {
      out_ += "<tbody>\n";
      tableBody_ = true;
    }
    out_ += "<tr>\n";
    rowHeader_ = header;
  }

  void tableCell(cmark_node* n, bool enter) {
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
      if (align && column < columns) out_ += alignClass(align[column]);
    }
    out_ += '>';
  }

  void text(cmark_node* n) {
    std::string_view s = literal(n);
    std::size_t pos = 0;
    if (auto st = s_.starts.find(n); st != s_.starts.end()) {
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
      textWithReferences(s.substr(pos));
    }
  }

  // The anchors "<a name=...>"/"<a id=...>" of raw HTML "html" as empty elements with that id:
  // the attribute's value and nothing else of the HTML. An id the page already has is skipped.
  void htmlAnchors(std::string_view html) {
    for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
      std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) return;
      std::optional<std::string> id = core::htmlAnchor(html.substr(i, end - i + 1));
      if (!id || s_.ids.count(*id) || s_.anchors.count(*id) || !htmlIds_.insert(*id).second) {
        continue;
      }
      out_ += "<a id=\"" + *id + "\"></a>";  // a safe id: letters, digits, "-_.:"
    }
  }

  // Writes "s" with the references to clauses of the text ("п. 4", "пунктах 5.2 и 5.3") linked.
  void textWithReferences(std::string_view s) {
    std::size_t done = 0;  // s[0, done) is written
    for (const core::ClauseReference& r : grammar_.references(s)) {
      std::string anchor = grammar_.anchor(r.number);
      if (!s_.anchors.count(anchor)) continue;
      appendEscaped(out_, s.substr(done, r.begin - done));
      out_ += "<a href=\"#" + anchor + "\">";
      appendEscaped(out_, s.substr(r.begin, r.end - r.begin));
      out_ += "</a>";
      done = r.end;
    }
    appendEscaped(out_, s.substr(done));
  }

  const TextStructure& s_;
  const core::ClauseGrammar& grammar_;
  std::set<std::string> htmlIds_;  // the ids written for raw HTML anchors
  std::vector<Clause>& clauses_;
  std::string out_;
  int linkDepth_ = 0;
  int imageDepth_ = 0;
  std::string alt_;
  cmark_node* table_ = nullptr;
  bool tableBody_ = false;
  bool rowHeader_ = false;
};

}  // namespace

std::string writeXhtml(cmark_node* doc, const TextStructure& structure,
                       const core::ClauseGrammar& grammar, std::vector<Clause>& clauses,
                       std::size_t sizeHint) {
  return Writer(structure, grammar, clauses).run(doc, sizeHint);
}

}  // namespace charta::render::detail
