#include "repository/registry_xml.h"

#include <algorithm>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "core/error.h"

namespace charta::repository {
namespace {

[[noreturn]] void fail(const std::string& what) { throw InvalidInput("charta.xml: " + what); }

std::string trimmed(const char* s) {
  std::string v(s);
  size_t b = v.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = v.find_last_not_of(" \t\r\n");
  return v.substr(b, e - b + 1);
}

bool isSafeRoute(std::string_view r) {
  if (r.size() < 2 || r.size() > 200 || r.front() != '/' || r.back() == '/') return false;
  char prev = 0;
  for (char c : r) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/';
    if (!ok || (c == '/' && prev == '/')) return false;
    prev = c;
  }
  return true;
}

bool isSafePath(std::string_view p) {
  if (p.empty() || p.size() > 400 || p.front() == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t e = p.find('/', start);
    if (e == std::string_view::npos) e = p.size();
    std::string_view seg = p.substr(start, e - start);
    if (seg.empty() || seg == "." || seg == ".." || seg == ".git") return false;
    start = e + 1;
  }
  for (char c : p) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '\\' || c == ':') return false;
  }
  return true;
}

// A whole number attribute "name" of "d" within [0, max]; 0 when absent.
int countAttribute(pugi::xml_node d, const char* name, int max, const std::string& where) {
  pugi::xml_attribute a = d.attribute(name);
  if (!a) return 0;
  std::string v = a.as_string();
  bool digits =
      !v.empty() && v.size() <= 5 && v.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(v) > max) {
    fail(where + name + " \"" + v + "\" must be a whole number from 0 to " + std::to_string(max));
  }
  return std::stoi(v);
}

// The <purposes> of document element "d" into "document".
void readPurposes(pugi::xml_node d, const std::string& where, core::Document& document) {
  std::set<std::string> purposeIds;
  for (pugi::xml_node p : d.child("purposes").children("purpose")) {
    std::string rawPurpose = p.attribute("id").as_string();
    auto pid = core::PurposeId::parse(rawPurpose);
    if (!pid) fail(where + "purpose id \"" + rawPurpose + "\" is not a lower-case slug");
    if (!purposeIds.insert(rawPurpose).second) {
      fail(where + "purpose \"" + rawPurpose + "\" is declared twice");
    }
    std::string clause = p.attribute("clause").as_string();
    if (!core::isClauseRef(clause)) {
      fail(where + "purpose \"" + rawPurpose + "\" clause \"" + clause +
           "\" is not a clause number like 4.1.10, a clause id like B.3 or a heading anchor "
           "like #your-choices");
    }
    document.purposes.push_back(core::Purpose{*pid, clause, trimmed(p.child_value())});
  }
}

// The <text> elements of document "rawId" ("where" opens every message): each language's path,
// and the paths its text had before (previous-paths="old/a.md other/b.md", newest first).
void readTexts(pugi::xml_node d, const std::string& rawId, const std::string& where,
               core::Document& document) {
  for (pugi::xml_node t : d.children("text")) {
    std::string rawTextLang = t.attribute("lang").as_string();
    auto lang = core::Lang::parse(rawTextLang);
    if (!lang) fail(where + "text lang \"" + rawTextLang + "\" is not a language tag");
    std::string path = t.attribute("path").as_string();
    if (path.empty()) path = rawId + "/" + rawTextLang + ".md";
    if (!isSafePath(path)) fail(where + "text path \"" + path + "\" is not a safe relative path");
    if (!document.files.emplace(lang->str(), path).second) {
      fail(where + "language \"" + rawTextLang + "\" has two texts");
    }
    std::istringstream previous(t.attribute("previous-paths").as_string());
    std::vector<std::string>& before = document.previousPaths[lang->str()];
    for (std::string old; previous >> old;) {
      if (!isSafePath(old))
        fail(where + "previous path \"" + old + "\" is not a safe relative path");
      if (old == path || std::find(before.begin(), before.end(), old) != before.end()) {
        fail(where + "previous path \"" + old + "\" is named twice");
      }
      before.push_back(old);
    }
    if (before.empty()) document.previousPaths.erase(lang->str());
    document.langs.push_back(*lang);
  }
}

}  // namespace

bool isReservedRoute(std::string_view route) {
  static const char* const kReserved[] = {"/api",        "/assets",     "/livez",
                                          "/readyz",     "/metrics",    "/sitemap.xml",
                                          "/robots.txt", "/favicon.ico"};
  for (const char* r : kReserved) {
    std::string_view rv(r);
    if (route == rv ||
        (route.size() > rv.size() && route.substr(0, rv.size()) == rv && route[rv.size()] == '/')) {
      return true;
    }
  }
  return false;
}

core::Registry parseRegistry(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    fail(std::string("not well-formed XML at byte ") + std::to_string(parsed.offset) + ": " +
         parsed.description());
  }
  pugi::xml_node root = doc.child("charta");
  if (!root) fail("the root element must be <charta>");
  std::string version = root.attribute("version").as_string();
  if (version != "1") fail("unsupported version \"" + version + "\" (expected version=\"1\")");

  core::Registry reg;
  reg.baseUrl = root.attribute("base-url").as_string();
  if (!reg.baseUrl.empty()) {
    if (reg.baseUrl.rfind("https://", 0) != 0 && reg.baseUrl.rfind("http://", 0) != 0) {
      fail("base-url must start with https:// or http://");
    }
    while (!reg.baseUrl.empty() && reg.baseUrl.back() == '/') reg.baseUrl.pop_back();
  }
  std::set<std::string> ids, routes;
  for (pugi::xml_node d : root.children("document")) {
    std::string rawId = d.attribute("id").as_string();
    auto id = core::DocumentId::parse(rawId);
    if (!id) fail("document id \"" + rawId + "\" is not a lower-case slug");
    if (!ids.insert(rawId).second) fail("document \"" + rawId + "\" is declared twice");
    std::string where = "document \"" + rawId + "\": ";

    std::string route = d.attribute("route").as_string();
    if (route.empty()) route = "/" + rawId;
    if (!isSafeRoute(route)) fail(where + "route \"" + route + "\" must look like /some-path");
    if (isReservedRoute(route)) fail(where + "route \"" + route + "\" is reserved by the server");
    if (!routes.insert(route).second) fail(where + "route \"" + route + "\" is used twice");

    std::string rawLang = d.attribute("controlling-lang").as_string();
    auto controlling = core::Lang::parse(rawLang);
    if (!controlling) fail(where + "controlling-lang \"" + rawLang + "\" is not a language tag");

    core::Document document{*id, trimmed(d.child_value("title")), route, *controlling, {}, {}, {}};
    if (document.title.empty()) document.title = rawId;
    document.materialNoticeDays = countAttribute(d, "material-notice-days", 3650, where);
    document.approvals = countAttribute(d, "approvals", 20, where);
    readTexts(d, rawId, where, document);
    if (!document.file(*controlling)) {
      fail(where + "the controlling language \"" + rawLang + "\" has no <text>");
    }
    // The controlling language first: it is the default everywhere.
    std::stable_partition(document.langs.begin(), document.langs.end(),
                          [&](const core::Lang& l) { return l == *controlling; });

    std::string structure = d.attribute("structure").as_string();
    if (!structure.empty()) {
      document.structure = core::parseProfile(structure);
      if (!document.structure) {
        fail(where + "structure \"" + structure + "\" is not decimal, lettered or headings");
      }
    }
    readPurposes(d, where, document);
    reg.documents.push_back(std::move(document));
  }
  if (reg.documents.empty()) fail("no <document> is declared");
  return reg;
}

std::optional<std::string> documentEntry(std::string_view xml, const core::DocumentId& id) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8)) {
    return std::nullopt;
  }
  for (pugi::xml_node d : doc.child("charta").children("document")) {
    if (id.str() != d.attribute("id").as_string()) continue;
    std::ostringstream out;
    d.print(out, "", pugi::format_raw);
    return out.str();
  }
  return std::nullopt;
}

}  // namespace charta::repository
