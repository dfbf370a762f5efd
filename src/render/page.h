#pragma once

// Building pages with pugixml: the elements the page writers add, and a page being filled from
// the layout template. Internal to charta_render.

#include <functional>
#include <map>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/registry.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "render/page_words.h"

namespace charta::render::detail {

// How templates and fragments are parsed: white space between elements is kept.
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata;

// Appends the XHTML block elements "xhtml" to "parent". A text without blocks (a policy text
// that is only front matter, a redline of two empty texts) appends nothing.
// throws RenderError: "xhtml" is not well-formed ("what" names it in the message).
void appendFragment(pugi::xml_node parent, const std::string& xhtml, const std::string& what);

// Text, attributes and elements; forbidden code points become U+FFFD.
void addText(pugi::xml_node parent, std::string_view s);
void addNewline(pugi::xml_node parent);
void setAttr(pugi::xml_node n, const char* name, std::string_view value);
pugi::xml_node addElement(pugi::xml_node parent, const char* name);
pugi::xml_node addElement(pugi::xml_node parent, const char* name, const char* cls);
pugi::xml_node addLink(pugi::xml_node parent, std::string_view href, std::string_view text);
// <time datetime="RFC 3339 in the zone's offset then">formatMoment</time>
void addTime(pugi::xml_node parent, core::Instant t, const core::Lang& lang,
             const core::TimeZone& zone);
// <section class="CLS" aria-labelledby="ID"><h1 id="ID">title</h1> ... in "parent"; returns it.
pugi::xml_node addTitledSection(pugi::xml_node parent, const char* cls, const char* id,
                                std::string_view title);
// <div class="notice notice-KIND" role="note"><p>...</p></div>; "body" fills the p.
void addNotice(pugi::xml_node parent, const char* kind,
               const std::function<void(pugi::xml_node)>& body);

// Appends "pattern" with its {X} markers replaced by what "fill" writes for X.
void compose(pugi::xml_node parent, std::string_view pattern,
             const std::function<void(char, pugi::xml_node)>& fill);
// "pattern" with its {X} markers replaced by "values" (unknown markers by nothing).
std::string composeText(std::string_view pattern, const std::map<char, std::string>& values);

// "t" in RFC 3339 at the zone's offset then.
std::string localRfc3339(core::Instant t, const core::TimeZone& zone);
// "base" without trailing slashes.
std::string trimBase(std::string_view base);
// The front-matter title, or the document's when there is none.
std::string documentTitle(const std::string& title, const core::Document& doc);

// A page being filled: a copy of the layout with its slots found.
class Page {
 public:
  Page(const pugi::xml_document& layout, const core::Lang& lang);
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  // The element marked data-slot="name", or an empty node when the layout has none.
  pugi::xml_node slot(std::string_view name) const;

  // "<!DOCTYPE html>" and the page as the HTML syntax of HTML5 in XML form, slot markers removed
  // and optional slots left empty dropped.
  std::string finish();

 private:
  std::vector<std::pair<std::string, pugi::xml_node>> slots_;
  pugi::xml_document doc_;
};

// The parts every page has: its title, the skip link, the site bar (the document's name and the
// language switch), the footer links and the link to the Atom feed.
void fillTitle(Page& page, std::string_view title);
void fillSkip(Page& page, const Strings& s);
void fillHeader(Page& page, const core::Document& doc, std::string_view title,
                const core::Lang& lang, const Strings& s);
void fillFooter(Page& page, const core::Document& doc, const Strings& s);
void fillFeedLink(Page& page, const core::Document& doc, std::string_view title, const Strings& s);

// fillTitle, fillFeedLink, fillSkip, fillHeader and fillFooter of a document's page.
void fillDocumentPage(Page& page, const core::Document& doc, std::string_view pageTitle,
                      std::string_view title, const core::Lang& lang, const Strings& s);

}  // namespace charta::render::detail
