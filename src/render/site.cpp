#include "render/site.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "render/redline.h"
#include "render/text.h"

namespace charta::render {
namespace {

namespace fs = std::filesystem;
using detail::cleanText;

// ---------------------------------------------------------------------------------------------
// Words of the pages: Russian for "ru", English for every other language.

struct Strings {
  std::string_view skip;
  std::string_view langNav;
  std::string_view editionsNav;
  std::string_view edition;       // "Редакция": a label, a table heading
  std::string_view editionLower;  // "редакция": inside a sentence
  std::string_view inForceSince;
  std::string_view takesEffect;
  std::string_view tookEffect;
  std::string_view wasToTakeEffect;
  std::string_view published;
  std::string_view withdrawnAt;
  std::string_view changes;
  std::string_view allEditions;
  std::string_view previous;
  std::string_view toc;
  std::string_view feed;
  std::string_view status;  // the archive's columns
  std::string_view effective;
  std::string_view statusInForce;
  std::string_view statusUpcoming;
  std::string_view statusSuperseded;
  std::string_view statusWithdrawn;
  // Sentences: {T} a moment, {L} a link to an edition, {R} a reason, {N} a number.
  std::string_view noticeUpcoming;
  std::string_view noticeCurrentIs;
  std::string_view noticeSuperseded;
  std::string_view noticeSupersededNoCurrent;
  std::string_view noticeWithdrawn;
  std::string_view noticeReason;
  std::string_view noticeNext;
  std::string_view archiveWithdrawn;
  std::string_view feedTitle;  // {R}: the document title
  std::string_view feedEffective;
  std::string_view error;
  const char* const* months;
  std::string_view changesSince;  // {N}: the previous edition's number
  std::string_view changesIn;     // {N}: the edition's number (archive)
  std::string_view changesTitle;  // {A} {B}: "редакция 1", "редакция 2"
  std::string_view changesLead;   // {A} {B}: links to the editions
};

constexpr const char* kMonthsRu[] = {"января",   "февраля", "марта",  "апреля",
                                     "мая",      "июня",    "июля",   "августа",
                                     "сентября", "октября", "ноября", "декабря"};
constexpr const char* kMonthsEn[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

constexpr Strings kRu{
    "Перейти к тексту",
    "Язык",
    "Редакции",
    "Редакция",
    "редакция",
    "Действует с",
    "Вступает в силу",
    "Вступила в силу",
    "Должна была вступить в силу",
    "Опубликована",
    "Отозвана",
    "Изменения",
    "Все редакции",
    "Предыдущая редакция",
    "Содержание",
    "Лента изменений (Atom)",
    "Статус",
    "Вступление в силу",
    "действует",
    "вступает в силу",
    "не действует",
    "отозвана",
    "Эта редакция ещё не действует: она вступает в силу {T}.",
    "Действующая редакция — {L}.",
    "Эта редакция не действует; действующая редакция — {L}.",
    "Эта редакция не действует.",
    "Эта редакция отозвана {T} и не вступит в силу.",
    "Причина: {R}",
    "Опубликована новая редакция — {L}; она вступает в силу {T}.",
    "отозвана: {R}",
    "{R}: редакции",
    "Вступает в силу {T}.",
    "Ошибка {N}",
    kMonthsRu,
    "Что изменилось по сравнению с редакцией {N}",
    "Изменения в редакции {N}",
    "изменения: {A} → {B}",
    "Что изменилось: {A} → {B}.",
};

constexpr Strings kEn{
    "Skip to the text",
    "Language",
    "Editions",
    "Edition",
    "edition",
    "In force since",
    "Takes effect",
    "Took effect",
    "Was to take effect",
    "Published",
    "Withdrawn",
    "Changes",
    "All editions",
    "Previous edition",
    "Contents",
    "Changes feed (Atom)",
    "Status",
    "Effective from",
    "in force",
    "upcoming",
    "superseded",
    "withdrawn",
    "This edition is not in force yet: it takes effect on {T}.",
    "The edition in force is {L}.",
    "This edition is no longer in force; the edition in force is {L}.",
    "This edition is no longer in force.",
    "This edition was withdrawn on {T} and will not take effect.",
    "Reason: {R}",
    "A new edition has been published — {L}; it takes effect on {T}.",
    "withdrawn: {R}",
    "{R}: editions",
    "Takes effect on {T}.",
    "Error {N}",
    kMonthsEn,
    "What changed since edition {N}",
    "Changes in edition {N}",
    "changes: {A} → {B}",
    "What changed: {A} → {B}.",
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 0x20);
  }
  return out;
}

std::string primarySubtag(const core::Lang& lang) {
  const std::string& t = lang.str();
  return lower(std::string_view(t).substr(0, t.find('-')));
}

const Strings& stringsFor(const core::Lang& lang) {
  return primarySubtag(lang) == "ru" ? kRu : kEn;
}

// The name of a language in that language, for the language switch.
std::string languageName(const core::Lang& lang) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"ru", "Русский"},  {"kk", "Қазақша"},    {"en", "English"},    {"uz", "Oʻzbekcha"},
      {"ky", "Кыргызча"}, {"tr", "Türkçe"},     {"de", "Deutsch"},    {"fr", "Français"},
      {"zh", "中文"},     {"uk", "Українська"}, {"be", "Беларуская"}, {"tg", "Тоҷикӣ"}};
  auto it = kNames.find(primarySubtag(lang));
  return it == kNames.end() ? lang.str() : it->second;
}

const char* statusClass(Status s) {
  switch (s) {
    case Status::kInForce:
      return "in-force";
    case Status::kUpcoming:
      return "upcoming";
    case Status::kSuperseded:
      return "superseded";
    case Status::kWithdrawn:
      return "withdrawn";
  }
  return "in-force";
}

std::string_view statusWord(const Strings& s, Status st) {
  switch (st) {
    case Status::kInForce:
      return s.statusInForce;
    case Status::kUpcoming:
      return s.statusUpcoming;
    case Status::kSuperseded:
      return s.statusSuperseded;
    case Status::kWithdrawn:
      return s.statusWithdrawn;
  }
  return s.statusInForce;
}

std::string almatyRfc3339(core::Instant t) {
  return core::formatRfc3339(t, core::almatyOffset(t), false);
}

std::string trimBase(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

// Percent-encodes what may not stand in a URL (for sitemaps and feeds; pugixml escapes "&").
std::string urlPath(std::string_view path) {
  std::string out;
  detail::appendUrlEscaped(out, path);
  std::string plain;
  plain.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {  // undo the attribute escaping of "&"
    if (out.compare(i, 5, "&amp;") == 0) {
      plain += '&';
      i += 4;
    } else {
      plain += out[i];
    }
  }
  return plain;
}

std::string absoluteUrl(std::string_view base, std::string_view path) {
  std::string b = trimBase(base);
  if (b.rfind("https://", 0) != 0 && b.rfind("http://", 0) != 0) {
    throw RenderError("rendering a feed or sitemap: the base URL \"" + cleanText(b) +
                      "\" is not an absolute http(s) URL");
  }
  return b + urlPath(path);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw RenderError("loading the site: cannot read " + p.filename().string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw RenderError("loading the site: cannot read " + p.filename().string());
  return ss.str();
}

// Regular files directly in "dir", by name; hidden files are skipped.
std::map<std::string, std::string> readDir(const fs::path& dir, std::string_view what) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw RenderError("loading the site: cannot list the " + std::string(what) + " folder");
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !entry.is_regular_file()) continue;
    files.emplace(name, readFile(entry.path()));
  }
  return files;
}

// The first named entity other than XML's five ("&nbsp;"), which pugixml would leave as text.
std::optional<std::string> unknownEntity(std::string_view xml) {
  for (std::size_t i = xml.find('&'); i != std::string_view::npos; i = xml.find('&', i + 1)) {
    std::size_t j = i + 1;
    while (j < xml.size() && j - i <= 32 &&
           ((xml[j] >= 'a' && xml[j] <= 'z') || (xml[j] >= 'A' && xml[j] <= 'Z') ||
            (j > i + 1 && xml[j] >= '0' && xml[j] <= '9'))) {
      ++j;
    }
    if (j == i + 1 || j >= xml.size() || xml[j] != ';') continue;
    std::string name(xml.substr(i + 1, j - i - 1));
    if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos") {
      return name;
    }
  }
  return std::nullopt;
}

std::string contentTypeOf(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {"css", "text/css; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"webp", "image/webp"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"txt", "text/plain; charset=utf-8"},
      {"json", "application/json"},
      {"pdf", "application/pdf"}};
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto it = kTypes.find(lower(name.substr(dot + 1)));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// ---------------------------------------------------------------------------------------------
// Building pages with pugixml

constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata;

// Appends the XHTML block elements "xhtml" to "parent". A text without blocks (a policy text
// that is only front matter, a redline of two empty texts) appends nothing.
// throws RenderError: "xhtml" is not well-formed ("what" names it in the message).
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

void addTime(pugi::xml_node parent, core::Instant t, const core::Lang& lang) {
  pugi::xml_node time = parent.append_child("time");
  setAttr(time, "datetime", almatyRfc3339(t));
  addText(time, formatMoment(t, lang));
}

// Appends "pattern" with its {X} markers replaced by what "fill" writes for X.
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

// A page being filled: a copy of the layout with its slots found.
class Page {
 public:
  Page(const pugi::xml_document& layout, const core::Lang& lang) {
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

  // The element marked data-slot="name", or an empty node when the layout has none.
  pugi::xml_node slot(std::string_view name) const {
    for (const auto& [slotName, node] : slots_) {
      if (slotName == name) return node;
    }
    return {};
  }

  std::string finish() {
    // Remove the slot markers; drop optional slots left empty.
    for (auto& [name, n] : slots_) {
      n.remove_attribute("data-slot");
      if (name != "title" && name != "main" && isBlank(n)) n.parent().remove_child(n);
    }
    std::string out = "<!DOCTYPE html>\n";
    writeHtml(out, doc_.document_element());
    out += '\n';
    return out;
  }

 private:
  static bool isBlank(pugi::xml_node n) {
    for (pugi::xml_node c : n.children()) {
      if (c.type() == pugi::node_element) return false;
      if (c.type() == pugi::node_pcdata) {
        std::string_view v = c.value();
        if (v.find_first_not_of(" \t\r\n") != std::string_view::npos) return false;
      }
    }
    return true;
  }

  std::vector<std::pair<std::string, pugi::xml_node>> slots_;
  pugi::xml_document doc_;
};

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

std::string editionLabel(std::string_view word, core::EditionNo no) {
  return std::string(word) + " " + std::to_string(no.value());
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

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string editionPath(std::string_view route, core::EditionNo no) {
  return trimBase(route) + "/" + no.str();
}
std::string archivePath(std::string_view route) { return trimBase(route) + "/versions"; }
std::string feedPath(std::string_view route) { return trimBase(route) + "/feed.atom"; }
std::string assetPath(std::string_view name) { return "/assets/" + std::string(name); }
std::string changesPath(std::string_view route, core::EditionNo from, core::EditionNo to) {
  return trimBase(route) + "/changes/" + from.str() + "..." + to.str();
}

std::string formatMoment(core::Instant t, const core::Lang& lang) {
  using namespace std::chrono;
  const Strings& s = stringsFor(lang);
  minutes offset = core::almatyOffset(t);
  auto local = floor<minutes>(t + offset);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<minutes> hm{local - day};
  long off = offset.count();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u %s %d, %02d:%02d (UTC%c%02ld:%02ld)",
                static_cast<unsigned>(ymd.day()), s.months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hm.hours().count()),
                static_cast<int>(hm.minutes().count()), off < 0 ? '-' : '+',
                (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
  return buf;
}

Site::Site(const fs::path& dataDir) : layout_(std::make_unique<pugi::xml_document>()) {
  auto templates = readDir(dataDir / "templates", "templates");
  auto files = readDir(dataDir / "site", "site");

  for (auto& [name, bytes] : files) {
    std::string hash = core::sha256Hex(bytes);
    assets_.emplace(
        name, Asset{name, contentTypeOf(name), "\"" + hash.substr(0, 32) + "\"", std::move(bytes)});
  }

  for (const auto& [name, bytes] : templates) {
    if (!name.ends_with(".xhtml")) continue;
    if (auto entity = unknownEntity(bytes)) {
      throw RenderError("loading template " + name + ": unknown entity &" + *entity +
                        "; (write the character or &#NNN;)");
    }
    pugi::xml_document doc;
    pugi::xml_parse_result r =
        doc.load_buffer(bytes.data(), bytes.size(), kParseOptions, pugi::encoding_utf8);
    if (!r) {
      throw RenderError("loading template " + name + ": " + r.description() + " at byte " +
                        std::to_string(r.offset));
    }
    pugi::xml_node html = doc.document_element();
    if (std::string_view(html.name()) != "html" || !html.child("head") || !html.child("body")) {
      throw RenderError("loading template " + name +
                        ": the root must be <html> with <head> and <body>");
    }
    std::set<std::string> slots;
    std::string problem;
    doc.find_node([&](pugi::xml_node n) {
      if (n.type() != pugi::node_element) return false;
      std::string_view el = n.name();
      if (el == "script" || el == "style") problem = "a <" + std::string(el) + "> element";
      for (pugi::xml_attribute a : n.attributes()) {
        std::string an = lower(a.name());
        if (an == "style" || an.rfind("on", 0) == 0) problem = "a \"" + an + "\" attribute";
        std::string_view v = a.value();
        if ((an == "href" || an == "src") && v.rfind("/assets/", 0) == 0 &&
            !assets_.count(std::string(v.substr(8)))) {
          problem = "a link to the missing asset " + std::string(v);
        }
        if (an == "data-slot" && !slots.insert(std::string(v)).second) {
          problem = "the slot \"" + std::string(v) + "\" twice";
        }
      }
      return !problem.empty();
    });
    if (!problem.empty()) throw RenderError("loading template " + name + ": it has " + problem);
    if (name == "page.xhtml") {
      for (const char* required : {"title", "main"}) {
        if (!slots.count(required)) {
          throw RenderError(
              std::string("loading template page.xhtml: no element has data-slot=\"") + required +
              "\"");
        }
      }
      layout_->reset(doc);
    }
  }
  if (!layout_->document_element()) {
    throw RenderError("loading the site: the templates folder has no page.xhtml");
  }

  std::string all;
  all += kRendererVersion;
  all += '\n';
  all += markdownEngineVersion();
  all += "\npugixml " + std::to_string(PUGIXML_VERSION) + '\n';
  for (const auto& [name, bytes] : templates) {
    all += "template " + name + ' ' + std::to_string(bytes.size()) + '\n' + bytes + '\n';
  }
  for (const auto& [name, a] : assets_) {
    all += "asset " + name + ' ' + std::to_string(a.bytes.size()) + '\n' + a.bytes + '\n';
  }
  digest_ = core::sha256Hex(all);
}

Site::~Site() = default;

const Asset* Site::asset(std::string_view name) const {
  auto it = assets_.find(name);
  return it == assets_.end() ? nullptr : &it->second;
}

std::string Site::editionPage(const EditionPageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const core::Edition& e = m.edition;
  const std::string& route = m.document.route;
  std::string title = documentTitle(m.title, m.document);
  Page page(*layout_, m.lang);
  fillTitle(page, title + " — " + editionLabel(s.editionLower, e.no));
  fillFeedLink(page, m.document, title, s);
  fillSkip(page, s);
  fillHeader(page, m.document, title, m.lang, s);
  fillFooter(page, m.document, s);

  pugi::xml_node main = page.slot("main");
  pugi::xml_node article = addElement(main, "article", "policy");
  addNewline(article);
  pugi::xml_node header = addElement(article, "header", "policy-header");
  addNewline(article);
  addText(addElement(header, "h1"), title);

  pugi::xml_node dl = addElement(header, "dl", "edition-meta");
  auto row = [&](std::string_view label) {
    addText(addElement(dl, "dt"), label);
    return addElement(dl, "dd");
  };
  addText(row(s.edition), std::to_string(e.no.value()));
  std::string_view effectiveLabel = s.inForceSince;
  switch (m.status) {
    case Status::kInForce:
      break;
    case Status::kUpcoming:
      effectiveLabel = s.takesEffect;
      break;
    case Status::kSuperseded:
      effectiveLabel = s.tookEffect;
      break;
    case Status::kWithdrawn:
      effectiveLabel = s.wasToTakeEffect;
      break;
  }
  addTime(row(effectiveLabel), e.effectiveFrom, m.lang);
  addTime(row(s.published), e.publishedAt, m.lang);
  if (m.status == Status::kWithdrawn && e.withdrawal) {
    addTime(row(s.withdrawnAt), e.withdrawal->at, m.lang);
  }
  if (!e.summary.empty()) addText(row(s.changes), e.summary);

  pugi::xml_node nav = addElement(header, "nav", "edition-nav");
  setAttr(nav, "aria-label", s.editionsNav);
  pugi::xml_node ul = addElement(nav, "ul");
  addLink(addElement(ul, "li"), archivePath(route), s.allEditions);
  if (e.no.value() > 1) {
    auto prev = core::EditionNo::of(e.no.value() - 1);
    pugi::xml_node a =
        addLink(addElement(ul, "li"), editionPath(route, *prev),
                std::string(s.previous) + " (" + std::to_string(prev->value()) + ")");
    setAttr(a, "rel", "prev");
  }
  if (m.changesFrom) {
    addLink(addElement(ul, "li"), changesPath(route, *m.changesFrom, e.no),
            composeText(s.changesSince, {{'N', std::to_string(m.changesFrom->value())}}));
  }

  auto linkToInForce = [&](pugi::xml_node p) {
    addLink(p, route, editionLabel(s.editionLower, *m.inForce));
  };
  switch (m.status) {
    case Status::kInForce:
      if (m.upcoming) {
        const core::Edition& next = *m.upcoming;
        addNotice(article, "next", [&](pugi::xml_node p) {
          compose(p, s.noticeNext, [&](char k, pugi::xml_node at) {
            if (k == 'L')
              addLink(at, editionPath(route, next.no), editionLabel(s.editionLower, next.no));
            if (k == 'T') addTime(at, next.effectiveFrom, m.lang);
          });
        });
      }
      break;
    case Status::kUpcoming:
      addNotice(article, "upcoming", [&](pugi::xml_node p) {
        compose(p, s.noticeUpcoming, [&](char k, pugi::xml_node at) {
          if (k == 'T') addTime(at, e.effectiveFrom, m.lang);
        });
        if (m.inForce) {
          addText(p, " ");
          compose(p, s.noticeCurrentIs, [&](char k, pugi::xml_node at) {
            if (k == 'L') linkToInForce(at);
          });
        }
      });
      break;
    case Status::kSuperseded:
      addNotice(article, "superseded", [&](pugi::xml_node p) {
        if (m.inForce) {
          compose(p, s.noticeSuperseded, [&](char k, pugi::xml_node at) {
            if (k == 'L') linkToInForce(at);
          });
        } else {
          addText(p, s.noticeSupersededNoCurrent);
        }
      });
      break;
    case Status::kWithdrawn:
      addNotice(article, "withdrawn", [&](pugi::xml_node p) {
        compose(p, s.noticeWithdrawn, [&](char k, pugi::xml_node at) {
          if (k == 'T') addTime(at, e.withdrawal ? e.withdrawal->at : e.publishedAt, m.lang);
        });
        if (e.withdrawal && !e.withdrawal->reason.empty()) {
          addText(p, " ");
          compose(p, s.noticeReason, [&](char k, pugi::xml_node at) {
            if (k == 'R') addText(at, e.withdrawal->reason);
          });
        }
        if (m.inForce) {
          addText(p, " ");
          compose(p, s.noticeCurrentIs, [&](char k, pugi::xml_node at) {
            if (k == 'L') linkToInForce(at);
          });
        }
      });
      break;
  }

  if (!m.text.sections.empty()) {
    pugi::xml_node toc = addElement(article, "nav", "toc");
    setAttr(toc, "aria-labelledby", "toc-title");
    pugi::xml_node h2 = addElement(toc, "h2");
    setAttr(h2, "id", "toc-title");
    addText(h2, s.toc);
    pugi::xml_node ol = addElement(toc, "ol");
    for (const Section& sec : m.text.sections) {
      addNewline(ol);
      std::string label = sec.number.empty() ? sec.title : sec.number + ". " + sec.title;
      addLink(addElement(ol, "li"), "#" + sec.anchor, label);
    }
    addNewline(ol);
    addNewline(article);
  }

  pugi::xml_node body = addElement(article, "div", "policy-text");
  addNewline(body);
  appendFragment(body, m.text.html, "rendering an edition page: the text");
  addNewline(article);
  return page.finish();
}

std::string Site::archivePage(const ArchivePageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const std::string& route = m.document.route;
  std::string title = documentTitle(m.title, m.document);
  Page page(*layout_, m.lang);
  fillTitle(page, title + " — " + std::string(s.allEditions));
  fillFeedLink(page, m.document, title, s);
  fillSkip(page, s);
  fillHeader(page, m.document, title, m.lang, s);
  fillFooter(page, m.document, s);

  pugi::xml_node main = page.slot("main");
  pugi::xml_node section = addElement(main, "section", "archive");
  setAttr(section, "aria-labelledby", "archive-title");
  addNewline(section);
  pugi::xml_node h1 = addElement(section, "h1");
  setAttr(h1, "id", "archive-title");
  addText(h1, title);
  addNewline(section);
  addText(addElement(section, "p", "archive-subtitle"), s.allEditions);
  addNewline(section);

  std::vector<const ArchiveEntry*> entries;
  for (const auto& entry : m.entries) entries.push_back(&entry);
  std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
    return a->edition.no.value() > b->edition.no.value();
  });

  pugi::xml_node table = addElement(section, "table", "editions");
  addNewline(section);
  pugi::xml_node tr = addElement(addElement(table, "thead"), "tr");
  for (std::string_view h : {s.edition, s.published, s.effective, s.status, s.changes}) {
    pugi::xml_node th = addElement(tr, "th");
    setAttr(th, "scope", "col");
    addText(th, h);
  }
  pugi::xml_node tbody = addElement(table, "tbody");
  for (const ArchiveEntry* entry : entries) {
    const core::Edition& e = entry->edition;
    addNewline(tbody);
    pugi::xml_node row =
        addElement(tbody, "tr", (std::string("status-") + statusClass(entry->status)).c_str());
    pugi::xml_node th = addElement(row, "th");
    setAttr(th, "scope", "row");
    addLink(th, editionPath(route, e.no), editionLabel(s.edition, e.no));
    addTime(addElement(row, "td"), e.publishedAt, m.lang);
    addTime(addElement(row, "td"), e.effectiveFrom, m.lang);
    pugi::xml_node status = addElement(row, "td");
    if (entry->status == Status::kWithdrawn && e.withdrawal && !e.withdrawal->reason.empty()) {
      addText(status, composeText(s.archiveWithdrawn, {{'R', e.withdrawal->reason}}));
    } else {
      addText(status, statusWord(s, entry->status));
    }
    pugi::xml_node changes = addElement(row, "td");
    addText(changes, e.summary);
    if (e.no.value() > 1) {
      if (!e.summary.empty()) addText(changes, " ");
      addLink(changes, changesPath(route, *core::EditionNo::of(e.no.value() - 1), e.no),
              composeText(s.changesIn, {{'N', std::to_string(e.no.value())}}));
    }
  }
  addNewline(tbody);
  return page.finish();
}

std::string Site::changesPage(const ChangesPageModel& m) const {
  const Strings& s = stringsFor(m.lang);
  const std::string& route = m.document.route;
  std::string title = documentTitle(m.title, m.document);
  std::string fromLabel = editionLabel(s.editionLower, m.from.no);
  std::string toLabel = editionLabel(s.editionLower, m.to.no);
  std::string query = m.lang == m.document.controllingLang ? "" : "?lang=" + m.lang.str();
  Page page(*layout_, m.lang);
  fillTitle(page, title + " — " + composeText(s.changesTitle, {{'A', fromLabel}, {'B', toLabel}}));
  fillFeedLink(page, m.document, title, s);
  fillSkip(page, s);
  fillHeader(page, m.document, title, m.lang, s);
  fillFooter(page, m.document, s);

  pugi::xml_node main = page.slot("main");
  pugi::xml_node article = addElement(main, "article", "changes");
  addNewline(article);
  pugi::xml_node header = addElement(article, "header", "policy-header");
  addNewline(article);
  addText(addElement(header, "h1"), title);
  pugi::xml_node lead = addElement(header, "p", "changes-lead");
  compose(lead, s.changesLead, [&](char k, pugi::xml_node at) {
    if (k == 'A') addLink(at, editionPath(route, m.from.no) + query, fromLabel);
    if (k == 'B') addLink(at, editionPath(route, m.to.no) + query, toLabel);
  });
  pugi::xml_node dl = addElement(header, "dl", "edition-meta");
  auto row = [&](std::string_view label) {
    addText(addElement(dl, "dt"), label);
    return addElement(dl, "dd");
  };
  addTime(row(s.effective), m.to.effectiveFrom, m.lang);
  addTime(row(s.published), m.to.publishedAt, m.lang);
  if (!m.to.summary.empty()) addText(row(s.changes), m.to.summary);
  pugi::xml_node nav = addElement(header, "nav", "edition-nav");
  setAttr(nav, "aria-label", s.editionsNav);
  addLink(addElement(addElement(nav, "ul"), "li"), archivePath(route), s.allEditions);

  RedlineOptions options{m.lang,
                         editionPath(route, m.from.no) + query,
                         editionPath(route, m.to.no) + query,
                         fromLabel,
                         toLabel,
                         m.document.purposes};
  std::string fragment = redlineHtml(m.diff, options);
  pugi::xml_node body = addElement(article, "div", "changes-body");
  addNewline(body);
  appendFragment(body, fragment, "rendering a changes page: the redline");
  addNewline(article);
  return page.finish();
}

std::string Site::errorPage(int status, std::string_view title, std::string_view detail,
                            const core::Lang& lang) const {
  const Strings& s = stringsFor(lang);
  Page page(*layout_, lang);
  fillTitle(page, std::to_string(status) + " — " + std::string(title));
  fillSkip(page, s);
  pugi::xml_node main = page.slot("main");
  pugi::xml_node section = addElement(main, "section", "error");
  setAttr(section, "aria-labelledby", "error-title");
  addNewline(section);
  pugi::xml_node h1 = addElement(section, "h1");
  setAttr(h1, "id", "error-title");
  addText(h1, title);
  addNewline(section);
  addText(addElement(section, "p", "error-status"),
          composeText(s.error, {{'N', std::to_string(status)}}));
  addNewline(section);
  if (!detail.empty()) {
    addText(addElement(section, "p"), detail);
    addNewline(section);
  }
  return page.finish();
}

std::string Site::atomFeed(const FeedModel& m) const {
  const Strings& s = stringsFor(m.lang);
  std::string title = documentTitle(m.title, m.document);
  const std::string& route = m.document.route;
  std::string base = trimBase(m.baseUrl);
  std::string selfUrl = absoluteUrl(base, feedPath(route));

  std::vector<const core::Edition*> editions;
  for (const auto& e : m.editions) editions.push_back(&e);
  std::stable_sort(editions.begin(), editions.end(),
                   [](const auto* a, const auto* b) { return a->no.value() > b->no.value(); });
  core::Instant updated{};
  for (const auto* e : editions) updated = std::max(updated, e->effectiveFrom);

  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  pugi::xml_node feed = doc.append_child("feed");
  feed.append_attribute("xmlns") = "http://www.w3.org/2005/Atom";
  setAttr(feed, "xml:lang", m.lang.str());
  addText(feed.append_child("id"), selfUrl);
  pugi::xml_node t = feed.append_child("title");
  addText(t, composeText(s.feedTitle, {{'R', title}}));
  addText(feed.append_child("updated"), core::formatRfc3339(updated));
  pugi::xml_node self = feed.append_child("link");
  self.append_attribute("rel") = "self";
  self.append_attribute("type") = "application/atom+xml";
  setAttr(self, "href", selfUrl);
  pugi::xml_node alt = feed.append_child("link");
  alt.append_attribute("rel") = "alternate";
  alt.append_attribute("type") = "text/html";
  setAttr(alt, "href", absoluteUrl(base, route));
  std::string host = base.substr(base.find("//") + 2);
  addText(feed.append_child("author").append_child("name"), host);

  for (const core::Edition* e : editions) {
    bool withdrawn = e->withdrawal.has_value();
    std::string url = absoluteUrl(base, editionPath(route, e->no));
    pugi::xml_node entry = feed.append_child("entry");
    addText(entry.append_child("id"), url);
    std::string entryTitle = editionLabel(s.edition, e->no);
    if (withdrawn) entryTitle += " (" + std::string(s.statusWithdrawn) + ")";
    addText(entry.append_child("title"), entryTitle);
    addText(entry.append_child("updated"), almatyRfc3339(e->effectiveFrom));
    addText(entry.append_child("published"), almatyRfc3339(e->publishedAt));
    pugi::xml_node link = entry.append_child("link");
    link.append_attribute("rel") = "alternate";
    link.append_attribute("type") = "text/html";
    setAttr(link, "href", url);
    if (withdrawn) {
      pugi::xml_node cat = entry.append_child("category");
      cat.append_attribute("term") = "withdrawn";
      setAttr(cat, "label", s.statusWithdrawn);
    }
    std::string summary =
        composeText(s.feedEffective, {{'T', formatMoment(e->effectiveFrom, m.lang)}});
    if (!e->summary.empty()) summary += " " + e->summary;
    if (withdrawn) {
      summary += " ";
      std::string reason = e->withdrawal->reason;
      summary += reason.empty() ? std::string(s.statusWithdrawn)
                                : composeText(s.noticeReason, {{'R', reason}});
      summary += '.';
    }
    pugi::xml_node sum = entry.append_child("summary");
    sum.append_attribute("type") = "text";
    addText(sum, summary);
  }

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

std::string Site::sitemap(std::string_view baseUrl,
                          const std::vector<SitemapEntry>& entries) const {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  pugi::xml_node set = doc.append_child("urlset");
  set.append_attribute("xmlns") = "http://www.sitemaps.org/schemas/sitemap/0.9";
  for (const SitemapEntry& e : entries) {
    pugi::xml_node url = set.append_child("url");
    addText(url.append_child("loc"), absoluteUrl(baseUrl, e.path));
    if (e.lastModified) addText(url.append_child("lastmod"), almatyRfc3339(*e.lastModified));
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

std::string Site::robots(std::string_view baseUrl) const {
  std::string out = "User-agent: *\nAllow: /\n";
  std::string base = trimBase(baseUrl);
  bool plain = std::all_of(base.begin(), base.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (plain && (base.rfind("https://", 0) == 0 || base.rfind("http://", 0) == 0)) {
    out += "Sitemap: " + base + std::string(kSitemapPath) + "\n";
  }
  return out;
}

}  // namespace charta::render
