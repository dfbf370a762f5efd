#pragma once

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/timeline.h"
#include "ledger/ledger.h"
#include "render/site.h"
#include "service/catalog.h"
#include "service/page_cache.h"

namespace charta::service {

// Bytes served again and again (a page, a feed, the sitemap, an asset) with the facts a
// transport needs to serve them: identity, language, age, how long they stay valid.
struct Page {
  std::shared_ptr<const std::string> body;
  std::string sha256;  // of "body": what a consent can cite
  std::string etag;    // strong, quoted
  std::string contentType;
  std::optional<core::Lang> lang;  // the language of the text: the page varies by language
  std::optional<core::Instant> lastModified;
  bool immutable = false;                  // archived editions, redlines
  std::optional<core::Instant> changesAt;  // when its bytes will change, if known
  // The transport's header lines for these bytes, made once with the page by PagesOptions::frame
  // so that serving it is a lookup and a write; nullptr without a frame.
  std::shared_ptr<const std::string> headerBlock;
};

// Thrown by a lookup of Pages made under CacheOnly when the answer is not in memory yet: it would
// need rendering, reading git or writing the page archive.
struct NotCached : std::exception {
  const char* what() const noexcept override { return "the page is not in memory"; }
};

// While one lives on a thread, every lookup of Pages on that thread answers from memory or throws
// NotCached, and never waits for git, the ledger or a renderer: what an event loop may do (the
// HTTP server's event loops answer cached pages; the rest goes to a worker). Not movable.
class CacheOnly {
 public:
  CacheOnly();
  ~CacheOnly();
  CacheOnly(const CacheOnly&) = delete;
  CacheOnly& operator=(const CacheOnly&) = delete;

 private:
  bool was_;
};

// The site's documents as they were at "at", as far as "snap" knows: only the editions published
// at or before "at", only the withdrawals made by then, charta.xml as of the newest of those
// editions; a document with no edition by then is left out. (A static export at a past moment.)
std::shared_ptr<const Snapshot> snapshotAt(const Snapshot& snap, core::Instant at);

// Makes the transport's header lines of a page (see Page::headerBlock).
using PageFrame = std::function<std::shared_ptr<const std::string>(const Page&)>;

// A strong ETag of "sha256" (hex): its first 32 digits, quoted.
std::string strongEtag(std::string_view sha256);

// Builds a Page from bytes: hash, ETag, and the frame's header lines when "frame" is given.
std::shared_ptr<const Page> makePage(std::string bytes, std::string contentType,
                                     const PageFrame& frame = {},
                                     std::optional<core::Instant> changesAt = std::nullopt);

struct PagesOptions {
  PageFrame frame;  // empty: pages carry no header lines (a static export)
  // The page archive (the ledger's `pages`): every variant of an edition's page is stored there
  // before it is first given out, so that a consent citing it can be proved. nullptr: none.
  ledger::Ledger* archive = nullptr;
  // A variant that cannot be archived (the ledger cannot write): true, an export, throws
  // ledger::StorageError; false, the server, serves it all the same (pages go on while the ledger
  // is down) and archives it on a later request, before it is cached as archived.
  bool archiveRequired = false;
  // The bytes of rendered pages and texts kept in memory (server.page_cache): three quarters for
  // pages, a quarter for the rendered texts they are made from; the least recently used go first
  // and are rendered again when asked for (the same bytes).
  size_t cacheBytes = size_t{64} << 20;
};

// The public pages of the catalog's documents: each edition rendered once per variant (language;
// the in-force, upcoming or later edition it names) and kept, as are the archive, the redlines,
// the feeds, the sitemap and the assets. Serving the page in force is a timeline lookup and a
// cache lookup. Safe for concurrent use.
class Pages {
 public:
  Pages(Catalog& catalog, const render::Site& site, PagesOptions options = {});

  // The page of edition "e" of "d" in "lang" as served at "now"; nullptr: no text in "lang".
  std::shared_ptr<const Page> edition(const DocumentState& d, const core::Edition& e,
                                      const core::Lang& lang, core::Instant now);
  // The same, found in the catalog's snapshot; nullptr: no such document, edition or text.
  std::shared_ptr<const Page> edition(const core::DocumentId& doc, core::EditionNo no,
                                      const core::Lang& lang, core::Instant now);
  // Page "page" (from 1, the newest) of the archive of "d": its editions with their status at
  // "now". nullptr: no such page (render::archivePages).
  std::shared_ptr<const Page> archive(const Snapshot& snap, const DocumentState& d,
                                      const core::Lang& lang, core::Instant now, size_t page = 1);
  // The redline of "to" against "from" in "lang" (nullptr: a text is missing). Immutable.
  std::shared_ptr<const Page> changes(const DocumentState& d, const core::Edition& from,
                                      const core::Edition& to, const core::Lang& lang);
  // The Atom feed of "d" (archive 0) or its archived feed "archive" (RFC 5005; nullptr: no such
  // archive, render::feedArchives).
  std::shared_ptr<const Page> feed(const Snapshot& snap, const DocumentState& d, core::Instant now,
                                   size_t archive = 0);
  std::shared_ptr<const Page> sitemap(const Snapshot& snap, core::Instant now);
  std::shared_ptr<const Page> robots(const Snapshot& snap);
  // A static asset by name ("charta.css"); nullptr: none.
  std::shared_ptr<const Page> asset(std::string_view name);
  // An HTML error page in "lang": "titleKey" and "detailKey" are keys of the page strings
  // ("error.404", "error.no-page"; render::pageString).
  std::shared_ptr<const Page> error(int status, std::string_view titleKey,
                                    std::string_view detailKey, const core::Lang& lang);

  // The texts of edition "e" of "d" as served at "at", per language of the edition: the SHA-256
  // of the exact text and of the page (nullopt when it cannot be rendered).
  struct Text {
    core::Lang lang;
    bool controlling = false;
    std::string textSha256;
    std::optional<std::string> pageSha256;
  };
  std::vector<Text> texts(const DocumentState& d, const core::Edition& e, core::Instant at);

  // Every path of the site and its bytes at "at", exactly as served then (for a static host):
  // the pages of snapshotAt(at), rendered in a cache of the export's own.
  struct File {
    std::string path;
    std::shared_ptr<const Page> page;  // nullptr: a text is missing; nothing to write
  };
  std::vector<File> exportAll(core::Instant at);

  // The bytes and the number of pages the cache holds now (within PagesOptions::cacheBytes).
  size_t cachedBytes() const { return pages_.bytes() + contents_.bytes(); }
  size_t cachedPages() const { return pages_.size(); }

 private:
  struct Content;  // an edition's text in one language, rendered once
  // Where the relative links of "doc"'s text in "lang" lead: the site's link base, the pages of
  // every text of the catalog's documents.
  render::LinkRules linkRules(const core::Document& doc, const core::Lang& lang) const;
  std::shared_ptr<const Content> content(const DocumentState& d, const core::Edition& e,
                                         const core::Lang& lang);
  std::vector<File> exportSnapshot(const Snapshot& snap, core::Instant now);
  std::shared_ptr<const Page> cached(const std::string& key,
                                     const std::function<std::shared_ptr<const Page>()>& make);
  // Stores "p", the page of "e" in "lang" as "variant", in the archive unless already there.
  void archive(const Page& p, const DocumentState& d, const core::Edition& e,
               const core::Lang& lang, const std::string& variant);
  std::shared_ptr<const Page> page(std::string bytes, std::string contentType,
                                   std::optional<core::Lang> lang = std::nullopt,
                                   std::optional<core::Instant> lastModified = std::nullopt,
                                   bool immutable = false,
                                   std::optional<core::Instant> changesAt = std::nullopt) const;

  Catalog& catalog_;
  const render::Site& site_;
  PagesOptions options_;

  PageCache<Content> contents_;
  PageCache<Page> pages_;
  std::shared_mutex archivedMu_;
  std::unordered_set<std::string> archived_;  // SHA-256 of the pages known to be archived
};

}  // namespace charta::service
