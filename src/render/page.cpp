#include "render/page.h"

#include <set>

#include "core/words.h"
#include "render/markdown.h"
#include "render/site.h"
#include "render/text.h"

namespace charta::render::detail {
namespace {

bool isVoidElement(std::string_view name) {
  static const std::set<std::string_view> kVoid = {"area",   "base",  "br",    "col",  "embed",
                                                   "hr",     "img",   "input", "link", "meta",
                                                   "source", "track", "wbr"};
  return kVoid.count(name) > 0;
}

void appendOpenTag(std::string& out, pugi::xml_node n) {
  out += '<';
  out += n.name();
  for (pugi::xml_attribute a : n.attributes()) {
    out += ' ';
    out += a.name();
    out += "=\"";
    detail::appendAttrEscaped(out, a.value());
    out += '"';
  }
}

// Writes "root" as the HTML syntax of HTML5 in XML form: void elements as "<br/>", every other
// element with an end tag ("<p></p>", never "<p/>"). Comments and processing instructions are
// dropped. Iterative: the depth of the text does not matter.
void writeHtml(std::string& out, pugi::xml_node root) {
  pugi::xml_node n = root;
  while (n) {
    bool descend = false;
    switch (n.type()) {
      case pugi::node_element:
        appendOpenTag(out, n);
        if (isVoidElement(n.name())) {
          out += "/>";
        } else {
          out += '>';
          if (n.first_child()) {
            descend = true;
          } else {
            out += "</";
            out += n.name();
            out += '>';
          }
        }
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        detail::appendEscaped(out, n.value());
        break;
      default:
        break;
    }
    if (descend) {
      n = n.first_child();
      continue;
    }
    // Up until a next sibling, closing what was opened.
    while (n != root && !n.next_sibling()) {
      n = n.parent();
      out += "</";
      out += n.name();
      out += '>';
    }
    if (n == root) break;
    n = n.next_sibling();
  }
}

// True when "n" holds no element and no text but white space.
bool isBlank(pugi::xml_node n) {
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_element) return false;
    if (c.type() == pugi::node_pcdata) {
      std::string_view v = c.value();
      if (v.find_first_not_of(" \t\r\n") != std::string_view::npos) return false;
    }
  }
  return true;
}

}  // namespace

std::string localRfc3339(core::Instant t, const core::TimeZone& zone) {
  return core::formatRfc3339(t, zone.offsetAt(t), false);
}

std::string trimBase(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

void appendFragment(pugi::xml_node parent, const std::string& xhtml, const std::string& what) {
  if (xhtml.find_first_not_of(" \t\r\n") == std::string::npos) return;
  pugi::xml_parse_result r =
      parent.append_buffer(xhtml.data(), xhtml.size(), kParseOptions, pugi::encoding_utf8);
  if (!r) throw RenderError(what + " is not well-formed: " + r.description());
}

void addText(pugi::xml_node parent, std::string_view s) {
  if (s.empty()) return;
  std::string clean = cleanText(s);
  parent.append_child(pugi::node_pcdata).set_value(clean.c_str(), clean.size());
}

void setAttr(pugi::xml_node n, const char* name, std::string_view value) {
  std::string clean = cleanText(value);
  n.append_attribute(name).set_value(clean.c_str(), clean.size());
}

pugi::xml_node addElement(pugi::xml_node parent, const char* name) {
  return parent.append_child(name);
}

pugi::xml_node addElement(pugi::xml_node parent, const char* name, const char* cls) {
  pugi::xml_node n = parent.append_child(name);
  setAttr(n, "class", cls);
  return n;
}

pugi::xml_node addLink(pugi::xml_node parent, std::string_view href, std::string_view text) {
  pugi::xml_node a = parent.append_child("a");
  setAttr(a, "href", href);
  addText(a, text);
  return a;
}

void addNewline(pugi::xml_node parent) { addText(parent, "\n"); }

void addTime(pugi::xml_node parent, core::Instant t, const core::Lang& lang,
             const core::TimeZone& zone) {
  pugi::xml_node time = parent.append_child("time");
  setAttr(time, "datetime", localRfc3339(t, zone));
  addText(time, formatMoment(t, lang, zone));
}

void compose(pugi::xml_node parent, std::string_view pattern,
             const std::function<void(char, pugi::xml_node)>& fill) {
  std::size_t done = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      addText(parent, pattern.substr(done, i - done));
      fill(pattern[i + 1], parent);
      done = i + 3;
      i += 2;
    }
  }
  addText(parent, pattern.substr(done));
}

std::string composeText(std::string_view pattern, const std::map<char, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      auto it = values.find(pattern[i + 1]);
      if (it != values.end()) out += it->second;
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

pugi::xml_node addTitledSection(pugi::xml_node parent, const char* cls, const char* id,
                                std::string_view title) {
  pugi::xml_node section = addElement(parent, "section", cls);
  setAttr(section, "aria-labelledby", id);
  addNewline(section);
  pugi::xml_node h1 = addElement(section, "h1");
  setAttr(h1, "id", id);
  addText(h1, title);
  addNewline(section);
  return section;
}

void addNotice(pugi::xml_node parent, const char* kind,
               const std::function<void(pugi::xml_node)>& body) {
  pugi::xml_node div = addElement(parent, "div", (std::string("notice notice-") + kind).c_str());
  setAttr(div, "role", "note");
  pugi::xml_node p = addElement(div, "p");
  body(p);
  addNewline(parent);
}

std::string documentTitle(const std::string& title, const core::Document& doc) {
  return title.empty() ? doc.title : title;
}

Page::Page(const pugi::xml_document& layout, const core::Lang& lang) {
  doc_.reset(layout);
  pugi::xml_node html = doc_.document_element();
  html.remove_attribute("lang");
  // "lang" first, as a person would write it.
  pugi::xml_attribute first = html.first_attribute();
  pugi::xml_attribute a =
      first ? html.insert_attribute_before("lang", first) : html.append_attribute("lang");
  std::string clean = cleanText(lang.str());
  a.set_value(clean.c_str(), clean.size());
  // The slots, found before anything is added (the layout is small; the content may not be).
  for (const pugi::xpath_node& n : doc_.select_nodes("//*[@data-slot]")) {
    slots_.emplace_back(n.node().attribute("data-slot").value(), n.node());
  }
}

pugi::xml_node Page::slot(std::string_view name) const {
  for (const auto& [slotName, node] : slots_) {
    if (slotName == name) return node;
  }
  return {};
}

std::string Page::finish() {
  for (auto& [name, n] : slots_) {
    n.remove_attribute("data-slot");
    if (name != "title" && name != "main" && isBlank(n)) n.parent().remove_child(n);
  }
  std::string out = "<!DOCTYPE html>\n";
  writeHtml(out, doc_.document_element());
  out += '\n';
  return out;
}

void fillTitle(Page& page, std::string_view title) { addText(page.slot("title"), title); }

void fillSkip(Page& page, const Strings& s) {
  if (pugi::xml_node skip = page.slot("skip")) addText(skip, s.skip);
}

// The site bar: the document's name (a link to its in-force page) and the language switch.
void fillHeader(Page& page, const core::Document& doc, std::string_view title,
                const core::Lang& lang, const Strings& s) {
  pugi::xml_node header = page.slot("header");
  if (!header) return;
  pugi::xml_node name = addElement(header, "p", "site-title");
  addLink(name, doc.route, title);
  if (doc.langs.size() < 2) return;
  pugi::xml_node nav = addElement(header, "nav", "lang-switch");
  setAttr(nav, "aria-label", s.langNav);
  pugi::xml_node ul = addElement(nav, "ul");
  for (const core::Lang& l : doc.langs) {
    pugi::xml_node li = addElement(ul, "li");
    pugi::xml_node a = addLink(li, "?lang=" + l.str(), languageName(l));
    setAttr(a, "hreflang", l.str());
    setAttr(a, "lang", l.str());
    if (l == lang) setAttr(a, "aria-current", "true");
  }
}

void fillFooter(Page& page, const core::Document& doc, const Strings& s) {
  pugi::xml_node footer = page.slot("footer");
  if (!footer) return;
  pugi::xml_node ul = addElement(footer, "ul", "footer-links");
  addLink(addElement(ul, "li"), archivePath(doc.route), s.allEditions);
  pugi::xml_node feed = addLink(addElement(ul, "li"), feedPath(doc.route), s.feed);
  setAttr(feed, "type", "application/atom+xml");
}

void fillFeedLink(Page& page, const core::Document& doc, std::string_view title, const Strings& s) {
  pugi::xml_node head = page.slot("head");
  if (!head) return;
  pugi::xml_node link = addElement(head, "link");
  setAttr(link, "rel", "alternate");
  setAttr(link, "type", "application/atom+xml");
  setAttr(link, "href", feedPath(doc.route));
  setAttr(link, "title", composeText(s.feedTitle, {{'R', std::string(title)}}));
  addNewline(head);
}

void fillDocumentPage(Page& page, const core::Document& doc, std::string_view pageTitle,
                      std::string_view title, const core::Lang& lang, const Strings& s) {
  fillTitle(page, pageTitle);
  fillFeedLink(page, doc, title, s);
  fillSkip(page, s);
  fillHeader(page, doc, title, lang, s);
  fillFooter(page, doc, s);
}

}  // namespace charta::render::detail
