// Site::atomFeed, Site::sitemap and Site::robots: what feed readers and crawlers read.
#include <algorithm>
#include <sstream>

#include "render/page.h"
#include "render/site.h"
#include "render/text.h"

namespace charta::render {
namespace {

using namespace detail;

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

// An XML document with its declaration (version 1.0, utf-8) and the root element "root".
pugi::xml_node startXml(pugi::xml_document& doc, const char* root, const char* xmlns) {
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  pugi::xml_node r = doc.append_child(root);
  r.append_attribute("xmlns") = xmlns;
  return r;
}

std::string savedXml(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

void addAtomLink(pugi::xml_node parent, const char* rel, const char* type, std::string_view href) {
  pugi::xml_node link = parent.append_child("link");
  link.append_attribute("rel") = rel;
  link.append_attribute("type") = type;
  setAttr(link, "href", href);
}

// When the entry of "e" last changed as seen at "now": its publication, its effective moment once
// reached (never for a withdrawn edition, which does not take effect), its withdrawal.
core::Instant entryUpdated(const core::Edition& e, core::Instant now) {
  core::Instant t = e.publishedAt;
  if (!e.withdrawal && e.effectiveFrom <= now) t = std::max(t, e.effectiveFrom);
  if (e.withdrawal) t = std::max(t, e.withdrawal->at);
  return t;
}

// One entry of the feed: an edition, its moments, and what it says (withdrawn ones say so).
void addAtomEntry(pugi::xml_node feed, const core::Edition& e, const std::string& url,
                  const core::Lang& lang, const Strings& s, core::Instant now,
                  const core::TimeZone& zone) {
  bool withdrawn = e.withdrawal.has_value();
  pugi::xml_node entry = feed.append_child("entry");
  addText(entry.append_child("id"), url);
  std::string entryTitle = editionLabel(s.editionN, e.no);
  if (withdrawn) entryTitle += " (" + std::string(s.statusWithdrawn) + ")";
  addText(entry.append_child("title"), entryTitle);
  addText(entry.append_child("updated"), localRfc3339(entryUpdated(e, now), zone));
  addText(entry.append_child("published"), localRfc3339(e.publishedAt, zone));
  addAtomLink(entry, "alternate", "text/html", url);
  if (withdrawn) {
    pugi::xml_node cat = entry.append_child("category");
    cat.append_attribute("term") = "withdrawn";
    setAttr(cat, "label", s.statusWithdrawn);
  }
  if (e.imported) {
    pugi::xml_node cat = entry.append_child("category");
    cat.append_attribute("term") = "imported";
    setAttr(cat, "label", s.imported);
  }
  std::string summary =
      composeText(s.feedEffective, {{'T', formatMoment(e.effectiveFrom, lang, zone)}});
  if (!e.summary.empty()) summary += " " + e.summary;
  if (withdrawn) {
    summary += " ";
    std::string reason = e.withdrawal->reason;
    summary += reason.empty() ? std::string(s.statusWithdrawn)
                              : composeText(s.noticeReason, {{'R', reason}});
    summary += '.';
  }
  pugi::xml_node sum = entry.append_child("summary");
  sum.append_attribute("type") = "text";
  addText(sum, summary);
}

}  // namespace

std::string Site::atomFeed(const FeedModel& m) const {
  const Strings& s = stringsFor(m.lang);
  std::string title = documentTitle(m.title, m.document);
  const std::string& route = m.document.route;
  std::string base = trimBase(m.baseUrl);
  std::string currentUrl = absoluteUrl(base, feedPath(route));

  // The editions in order of number; this document holds a slice of them (RFC 5005 §4).
  std::vector<const core::Edition*> all;
  for (const auto& e : m.editions) all.push_back(&e);
  std::stable_sort(all.begin(), all.end(),
                   [](const auto* a, const auto* b) { return a->no.value() < b->no.value(); });
  const size_t per = std::max<size_t>(options_.feedEntries, 1);
  const size_t archives = feedArchives(all.size(), per);
  const size_t k = std::min(m.archive, archives);
  const size_t from = k == 0 ? all.size() - std::min(all.size(), per) : (k - 1) * per;
  const size_t to = k == 0 ? all.size() : k * per;
  std::vector<const core::Edition*> editions(all.rbegin() + static_cast<long>(all.size() - to),
                                             all.rbegin() + static_cast<long>(all.size() - from));
  core::Instant updated{};
  for (const auto* e : editions) updated = std::max(updated, entryUpdated(*e, m.now));

  pugi::xml_document doc;
  pugi::xml_node feed = startXml(doc, "feed", "http://www.w3.org/2005/Atom");
  setAttr(feed, "xml:lang", m.lang.str());
  if (k > 0) feed.append_attribute("xmlns:fh") = "http://purl.org/syndication/history/1.0";
  addText(feed.append_child("id"), currentUrl);  // one logical feed: its archives share the id
  addText(feed.append_child("title"), composeText(s.feedTitle, {{'R', title}}));
  addText(feed.append_child("updated"), core::formatRfc3339(updated));
  const char* atom = "application/atom+xml";
  addAtomLink(feed, "self", atom,
              k == 0 ? currentUrl : absoluteUrl(base, feedArchivePath(route, k)));
  if (k > 0) {
    feed.append_child("fh:archive");
    addAtomLink(feed, "current", atom, currentUrl);
  }
  const size_t previous = k == 0 ? archives : k - 1;
  if (previous > 0) {
    addAtomLink(feed, "prev-archive", atom, absoluteUrl(base, feedArchivePath(route, previous)));
  }
  if (k > 0 && k < archives) {
    addAtomLink(feed, "next-archive", atom, absoluteUrl(base, feedArchivePath(route, k + 1)));
  }
  addAtomLink(feed, "alternate", "text/html", absoluteUrl(base, route));
  std::string host = base.substr(base.find("//") + 2);
  addText(feed.append_child("author").append_child("name"), host);
  for (const core::Edition* e : editions) {
    addAtomEntry(feed, *e, absoluteUrl(base, editionPath(route, e->no)), m.lang, s, m.now,
                 options_.zone);
  }
  return savedXml(doc);
}

std::string Site::sitemap(std::string_view baseUrl,
                          const std::vector<SitemapEntry>& entries) const {
  pugi::xml_document doc;
  pugi::xml_node set = startXml(doc, "urlset", "http://www.sitemaps.org/schemas/sitemap/0.9");
  for (const SitemapEntry& e : entries) {
    pugi::xml_node url = set.append_child("url");
    addText(url.append_child("loc"), absoluteUrl(baseUrl, e.path));
    if (e.lastModified)
      addText(url.append_child("lastmod"), localRfc3339(*e.lastModified, options_.zone));
  }
  return savedXml(doc);
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
