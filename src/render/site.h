#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diff.h"
#include "core/edition.h"
#include "core/ids.h"
#include "core/registry.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "core/timeline.h"
#include "render/markdown.h"

namespace pugi {
class xml_document;
}

namespace charta::render {

// Bumped whenever the code's output changes for the same input (part of Site::digest()).
inline constexpr std::string_view kRendererVersion = "charta-render/4";

// Where an edition stands at the moment a page is rendered for. The caller decides
// (core::Timeline::statusAt with its own clock); rendering never reads a clock.
using Status = core::EditionStatus;

// The site's paths, relative to its root. "route" is a document's route ("/personal-data").
std::string editionPath(std::string_view route, core::EditionNo no);  // "/personal-data/v3"
std::string archivePath(std::string_view route);                      // "/personal-data/versions"
std::string feedPath(std::string_view route);                         // "/personal-data/feed.atom"
// Page "page" (from 1, the newest editions) of the archive: "/personal-data/versions/2"; page 1
// is archivePath(route).
std::string archivePath(std::string_view route, size_t page);
// Archived feed "k" (RFC 5005 §4): "/personal-data/feed/3.atom".
std::string feedArchivePath(std::string_view route, size_t k);
// How many pages an archive of "editions" editions has, "pageSize" a page (at least one).
size_t archivePages(size_t editions, size_t pageSize);
// How many archived feeds a feed of "editions" editions has, "entries" a document: archive k
// holds the editions k*entries-entries+1 .. k*entries in order of number (it never changes once
// made); the current feed the newest "entries"; archives exist up to the one holding the newest
// edition not in the current feed.
size_t feedArchives(size_t editions, size_t entries);
std::string assetPath(std::string_view name);  // "/assets/charta.css"
// "/personal-data/changes/v1...v2": the redline of edition "to" against edition "from".
std::string changesPath(std::string_view route, core::EditionNo from, core::EditionNo to);
inline constexpr std::string_view kSitemapPath = "/sitemap.xml";

// The page of one edition in one language.
struct EditionPageModel {
  core::Document document;  // as declared in charta.xml at the edition's revision
  core::Edition edition;
  core::Lang lang;      // the language of the text (and of the page's own words)
  std::string title{};  // the text's front-matter "title"; empty: document.title
  RenderedText text{};  // renderMarkdown() of the text's body
  Status status = Status::kInForce;
  // The edition in force when rendered, if any: superseded, upcoming and withdrawn pages point
  // to it (at document.route).
  std::optional<core::EditionNo> inForce{};
  // In-force pages only: the next edition already published but not yet in force, announced
  // with its effective moment.
  std::optional<core::Edition> upcoming{};
  // The edition this one is compared with on its changes page (the one before it), if any.
  std::optional<core::EditionNo> changesFrom{};
};

// The redline of two editions of a document, in one language.
struct ChangesPageModel {
  core::Document document;  // as declared in charta.xml at the newer edition
  core::Edition from;
  core::Edition to;
  core::Lang lang;
  std::string title{};        // the newer text's front-matter "title"; empty: document.title
  core::DocumentDiff diff{};  // core::diffTexts of the two texts in "lang"
};

// One row of the archive.
struct ArchiveEntry {
  core::Edition edition;
  Status status = Status::kInForce;
};

// The list of every edition of a document, in one language.
struct ArchivePageModel {
  core::Document document;
  core::Lang lang;
  std::string title{};                  // empty: document.title
  std::vector<ArchiveEntry> entries{};  // any order; shown newest first
  // Which page (from 1, the newest editions; SiteOptions::archivePageSize each); a page beyond
  // the last shows the last.
  size_t page = 1;
};

// The Atom feed of a document's editions.
struct FeedModel {
  core::Document document;
  core::Lang lang;
  std::string title{};    // empty: document.title
  std::string baseUrl{};  // the registry's base URL ("https://shop.kz"): links must be absolute
  std::vector<core::Edition> editions{};  // every edition, withdrawn ones too; any order
  // 0: the current feed, the newest SiteOptions::feedEntries editions; k >= 1: archived feed k
  // (see feedArchives).
  size_t archive = 0;
  // The moment the feed is served at: nothing later is an update yet (an edition scheduled after
  // it has not taken effect; a withdrawn one never does).
  core::Instant now = core::Instant::max();
};

// One URL of the sitemap.
struct SitemapEntry {
  std::string path{};  // "/personal-data/v3"; joined to the base URL
  std::optional<core::Instant> lastModified{};
};

// A static file of the site, served at assetPath(name).
struct Asset {
  std::string name{};         // "charta.css"
  std::string contentType{};  // "text/css; charset=utf-8"
  std::string etag{};         // strong, quoted: "\"3f2a...\"" (a SHA-256 prefix of the bytes)
  std::string bytes{};
};

// What the pages show beyond their models.
struct SiteOptions {
  core::TimeZone zone{};  // of every moment shown (site.timezone); stored moments keep theirs
  // What relative links of the texts that leave charta's routes resolve against (site.link_base;
  // see LinkRules); empty: they stay as written.
  std::string linkBase{};
  // Entries of a feed document (the current one and each archived one, RFC 5005).
  size_t feedEntries = 50;
  // Editions on each page of an archive.
  size_t archivePageSize = 50;
};

// The public site: page templates and assets, loaded once, and pure functions that turn models
// into the exact bytes to serve. The same input always gives the same bytes (they are hashed as
// evidence of what a user was shown, and a static export must match the server byte for byte).
//
// Immutable after construction: safe for concurrent use. Copying is disabled.
class Site {
 public:
  // Loads "dataDir"/templates (every file; "page.xhtml" is the page layout) and every regular
  // file of "dataDir"/site as an asset.
  // throws RenderError: a directory or file cannot be read, a template is not well-formed XHTML,
  //   lacks a required slot, has a script, a style element or attribute or an event handler, or
  //   links an asset that does not exist.
  explicit Site(const std::filesystem::path& dataDir, SiteOptions options = {});
  ~Site();
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // Hex SHA-256 over the renderer version, the libraries' versions, the templates, the assets,
  // the words of the pages and the time zone: it changes whenever the output for the same model
  // could change.
  const std::string& digest() const { return digest_; }
  const SiteOptions& options() const { return options_; }

  // "<!DOCTYPE html>" and an XHTML-serialised HTML5 page (text/html; charset=utf-8).
  std::string editionPage(const EditionPageModel& model) const;
  std::string archivePage(const ArchivePageModel& model) const;
  // What changed from one edition to another: a summary, then every changed clause with
  // <del>/<ins> marks and anchors (render/redline.h), links to both editions.
  std::string changesPage(const ChangesPageModel& model) const;
  // A page for an HTTP error ("status" 404, 405, 500, ...): "title" and "detail" are shown as
  // given, so they must not hold internals (paths, stack traces).
  std::string errorPage(int status, std::string_view title, std::string_view detail,
                        const core::Lang& lang) const;

  // Atom 1.0 (application/atom+xml), archived as RFC 5005 §4 says: the current feed holds the
  // newest options().feedEntries editions and links (prev-archive) the archived feed with the
  // ones before; each archived feed links the one before and after it and the current one.
  // One entry per edition, newest first; entry id = the
  // absolute edition URL; updated = the latest of its publication, its effective moment once
  // reached by model.now (never for a withdrawn edition) and its withdrawal; feed updated = the
  // latest of those, so never after model.now.
  // throws RenderError: "model.baseUrl" is not an absolute http(s) URL.
  std::string atomFeed(const FeedModel& model) const;
  // sitemaps.org XML (application/xml) with absolute URLs.
  // throws RenderError: "baseUrl" is not an absolute http(s) URL.
  std::string sitemap(std::string_view baseUrl, const std::vector<SitemapEntry>& entries) const;
  // robots.txt (text/plain; charset=utf-8) that names the sitemap.
  std::string robots(std::string_view baseUrl) const;

  // The asset called "name" ("charta.css"), or nullptr.
  const Asset* asset(std::string_view name) const;
  // Every asset, by name (for a static export).
  const std::map<std::string, Asset, std::less<>>& assets() const { return assets_; }

 private:
  std::unique_ptr<pugi::xml_document> layout_;
  std::map<std::string, Asset, std::less<>> assets_;
  std::string digest_;
  SiteOptions options_;
};

// Formats "t" as the page shows it, in "zone": "1 декабря 2026, 00:00 (UTC+05:00)" for Russian,
// "2026 жылғы 1 желтоқсан, 00:00 (UTC+05:00)" for Kazakh, in English for a language the
// catalogue lacks.
std::string formatMoment(core::Instant t, const core::Lang& lang,
                         const core::TimeZone& zone = core::TimeZone());

// The languages of the catalogue: the page strings of these exist ("en", "kk", "ru").
std::vector<core::Lang> pageLanguages();

// The page string "key" of the catalogue (src/render/strings) in "lang", else in English; empty
// when no language has it.
std::string pageString(const core::Lang& lang, std::string_view key);

}  // namespace charta::render
