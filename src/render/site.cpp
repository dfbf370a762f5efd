#include "render/site.h"

#include <fstream>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "core/words.h"
#include "render/catalogue.h"
#include "render/page.h"
#include "render/text.h"

namespace charta::render {
namespace {

namespace fs = std::filesystem;
using detail::cleanText;
using detail::kParseOptions;

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
  auto it = kTypes.find(core::asciiLower(name.substr(dot + 1)));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// Parses the template "name".
// throws RenderError: it has an entity pugixml would not expand, is not well-formed, or its root
//   is not <html> with <head> and <body>.
void parseTemplate(const std::string& name, const std::string& bytes, pugi::xml_document& doc) {
  if (auto entity = unknownEntity(bytes)) {
    throw RenderError("loading template " + name + ": unknown entity &" + *entity +
                      "; (write the character or &#NNN;)");
  }
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
}

// The slots of the template "name"; "assets" are the site's assets by name.
// throws RenderError: it has a script, a style element or attribute or an event handler, links a
//   missing asset or names a slot twice.
template <typename Assets>
std::set<std::string> checkTemplate(const std::string& name, const pugi::xml_document& doc,
                                    const Assets& assets) {
  std::set<std::string> slots;
  std::string problem;
  doc.find_node([&](pugi::xml_node n) {
    if (n.type() != pugi::node_element) return false;
    std::string_view el = n.name();
    if (el == "script" || el == "style") problem = "a <" + std::string(el) + "> element";
    for (pugi::xml_attribute a : n.attributes()) {
      std::string an = core::asciiLower(a.name());
      if (an == "style" || an.rfind("on", 0) == 0) problem = "a \"" + an + "\" attribute";
      std::string_view v = a.value();
      if ((an == "href" || an == "src") && v.rfind("/assets/", 0) == 0 &&
          !assets.count(std::string(v.substr(8)))) {
        problem = "a link to the missing asset " + std::string(v);
      }
      if (an == "data-slot" && !slots.insert(std::string(v)).second) {
        problem = "the slot \"" + std::string(v) + "\" twice";
      }
    }
    return !problem.empty();
  });
  if (!problem.empty()) throw RenderError("loading template " + name + ": it has " + problem);
  return slots;
}

// Hex SHA-256 over the renderer version, the libraries' versions, the templates and the assets.
template <typename Assets>
std::string siteDigest(const std::map<std::string, std::string>& templates, const Assets& assets,
                       const SiteOptions& options) {
  std::string all;
  all += kRendererVersion;
  all += '\n';
  all += markdownEngineVersion();
  all += "\npugixml " + std::to_string(PUGIXML_VERSION) + '\n';
  for (const auto& [name, bytes] : templates) {
    all += "template " + name + ' ' + std::to_string(bytes.size()) + '\n' + bytes + '\n';
  }
  for (const auto& [name, a] : assets) {
    all += "asset " + name + ' ' + std::to_string(a.bytes.size()) + '\n' + a.bytes + '\n';
  }
  for (const detail::EmbeddedStrings& f : detail::embeddedStrings()) {
    all += std::string("strings ") + f.lang + '\n' + f.text + '\n';
  }
  all += "zone " + options.zone.name() + "\nlink-base " + options.linkBase + '\n';
  all += "feed-entries " + std::to_string(options.feedEntries) + "\narchive-page " +
         std::to_string(options.archivePageSize) + '\n';
  return core::sha256Hex(all);
}

}  // namespace

using namespace detail;

std::string editionPath(std::string_view route, core::EditionNo no) {
  return trimBase(route) + "/" + no.str();
}
std::string archivePath(std::string_view route) { return trimBase(route) + "/versions"; }
std::string feedPath(std::string_view route) { return trimBase(route) + "/feed.atom"; }
std::string archivePath(std::string_view route, size_t page) {
  return page <= 1 ? archivePath(route) : archivePath(route) + "/" + std::to_string(page);
}
std::string feedArchivePath(std::string_view route, size_t k) {
  return trimBase(route) + "/feed/" + std::to_string(k) + ".atom";
}

size_t archivePages(size_t editions, size_t pageSize) {
  return editions == 0 ? 1 : (editions + pageSize - 1) / pageSize;
}

size_t feedArchives(size_t editions, size_t entries) {
  return editions > entries ? (editions - entries - 1) / entries + 1 : 0;
}
std::string assetPath(std::string_view name) { return "/assets/" + std::string(name); }
std::string changesPath(std::string_view route, core::EditionNo from, core::EditionNo to) {
  return trimBase(route) + "/changes/" + from.str() + "..." + to.str();
}

Site::Site(const fs::path& dataDir, SiteOptions options)
    : layout_(std::make_unique<pugi::xml_document>()), options_(std::move(options)) {
  auto templates = readDir(dataDir / "templates", "templates");
  auto files = readDir(dataDir / "site", "site");
  for (auto& [name, bytes] : files) {
    std::string hash = core::sha256Hex(bytes);
    assets_.emplace(
        name, Asset{name, contentTypeOf(name), "\"" + hash.substr(0, 32) + "\"", std::move(bytes)});
  }
  for (const auto& [name, bytes] : templates) {
    if (!name.ends_with(".xhtml")) continue;
    pugi::xml_document doc;
    parseTemplate(name, bytes, doc);
    std::set<std::string> slots = checkTemplate(name, doc, assets_);
    if (name != "page.xhtml") continue;
    for (const char* required : {"title", "main"}) {
      if (!slots.count(required)) {
        throw RenderError(std::string("loading template page.xhtml: no element has data-slot=\"") +
                          required + "\"");
      }
    }
    layout_->reset(doc);
  }
  if (!layout_->document_element()) {
    throw RenderError("loading the site: the templates folder has no page.xhtml");
  }
  digest_ = siteDigest(templates, assets_, options_);
}

Site::~Site() = default;

const Asset* Site::asset(std::string_view name) const {
  auto it = assets_.find(name);
  return it == assets_.end() ? nullptr : &it->second;
}

std::string Site::errorPage(int status, std::string_view title, std::string_view detail,
                            const core::Lang& lang) const {
  const detail::Strings& s = detail::stringsFor(lang);
  Page page(*layout_, lang);
  fillTitle(page, std::to_string(status) + " — " + std::string(title));
  fillSkip(page, s);
  pugi::xml_node section = addTitledSection(page.slot("main"), "error", "error-title", title);
  addText(addElement(section, "p", "error-status"),
          composeText(s.error, {{'N', std::to_string(status)}}));
  addNewline(section);
  if (!detail.empty()) {
    addText(addElement(section, "p"), detail);
    addNewline(section);
  }
  return page.finish();
}

}  // namespace charta::render
