#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/registry.h"
#include "core/timeline.h"
#include "http/wire.h"
#include "render/site.h"
#include "repository/policy_repository.h"

namespace charta::http {

// One published document as the site shows it.
struct DocumentState {
  core::Document document;  // charta.xml entry at its newest edition
  core::Timeline timeline;
  std::map<int, core::Document> atEdition;  // charta.xml entry at each edition's revision
};

// What the repository held at one moment: immutable, shared by readers.
struct SiteSnapshot {
  uint64_t generation = 0;
  std::string fingerprint;  // of the refs it was built from
  std::string baseUrl;      // absolute, no trailing slash; may be empty
  std::vector<std::shared_ptr<const DocumentState>> documents;
  std::map<std::string, size_t, std::less<>> byRoute;  // route -> index in documents
  std::map<std::string, size_t, std::less<>> byId;

  const DocumentState* find(const core::DocumentId& id) const;
};

// A rendered page (or feed, sitemap, asset) with everything needed to serve it fast.
struct Page {
  std::shared_ptr<const std::string> body;
  std::string sha256;  // of "body": what a consent can cite
  std::string etag;    // strong, quoted
  std::string contentType;
  std::shared_ptr<const std::string> headerBlock;  // static header lines of this page
  bool immutable = false;                          // archived editions and assets
  std::optional<core::Instant> changesAt;          // when its bytes will change, if known
};

struct SiteOptions {
  std::string baseUrl;     // overrides charta.xml base-url when not empty
  int maxAgeSeconds = 60;  // for pages that may change with an unannounced publication
};

// The public site of a policy repository: routes, language choice, rendering once per edition
// and variant, caching, conditional requests. Safe for concurrent use; refresh() may run while
// requests are answered (readers keep the snapshot they started with).
class SiteService {
 public:
  SiteService(repository::PolicyRepository& repo, const render::Site& site, SiteOptions options);

  // Reloads documents and timelines when the repository's refs changed since the last call.
  // Returns true when a new snapshot was taken.
  // throws RepositoryError / InvalidInput: the repository cannot be read (the old snapshot stays).
  bool refresh();

  std::shared_ptr<const SiteSnapshot> snapshot() const;

  // Answers GET or HEAD of a public path at "now"; nullopt when "req.path" is not a site path.
  std::optional<Reply> get(const Request& req, core::Instant now);

  // The page of edition "no" of "doc" in "lang" as served at "now" (nullptr: no such edition or
  // language). The API uses it to cite the exact page of a consent.
  std::shared_ptr<const Page> editionPage(const core::DocumentId& doc, core::EditionNo no,
                                          const core::Lang& lang, core::Instant now);

  // An HTML error page.
  Reply errorReply(int status, std::string_view title, std::string_view detail);

  // Every path of the site and its bytes at "now", as the server would send them (static export).
  struct File {
    std::string path;
    std::shared_ptr<const Page> page;
  };
  std::vector<File> exportAll(core::Instant now);

  // The first moment after "now" at which any page changes by itself (a scheduled edition).
  std::optional<core::Instant> nextSwitchAfter(core::Instant now) const;

  // Reads afresh from the repository the texts of every edition in force or upcoming at "now",
  // in every language, so that git checks their bytes against their object ids. Pages already
  // rendered stay served from memory (they were rendered from verified bytes); this finds a
  // damaged object before a restart would need it.
  // throws RepositoryError: an object is damaged or missing (the message names it).
  void verifyTexts(core::Instant now);

  const render::Site& site() const { return site_; }

 private:
  struct Content;  // an edition's text in one language, rendered once
  std::shared_ptr<const Content> content(const DocumentState& d, const core::Edition& e,
                                         const core::Lang& lang);
  std::shared_ptr<const Page> editionPageAt(const SiteSnapshot& snap, const DocumentState& d,
                                            const core::Edition& e, const core::Lang& lang,
                                            core::Instant now);
  std::shared_ptr<const Page> archivePage(const SiteSnapshot& snap, const DocumentState& d,
                                          const core::Lang& lang, core::Instant now);
  // The redline of "to" against "from" in "lang" (nullptr: a text is missing). Immutable.
  std::shared_ptr<const Page> changesPage(const DocumentState& d, const core::Edition& from,
                                          const core::Edition& to, const core::Lang& lang);
  std::shared_ptr<const Page> feedPage(const SiteSnapshot& snap, const DocumentState& d,
                                       core::Instant now);
  std::shared_ptr<const Page> sitemapPage(const SiteSnapshot& snap, core::Instant now);
  std::shared_ptr<const Page> cached(const std::string& key,
                                     const std::function<std::shared_ptr<const Page>()>& make);
  Reply serve(const Request& req, const std::shared_ptr<const Page>& page, core::Instant now,
              const char* route, const std::optional<core::Lang>& lang);

  repository::PolicyRepository& repo_;
  const render::Site& site_;
  SiteOptions options_;

  mutable std::mutex snapMu_;
  std::shared_ptr<const SiteSnapshot> snap_;
  std::mutex refreshMu_;

  std::shared_mutex cacheMu_;
  std::map<std::string, std::shared_ptr<const Content>> contents_;
  std::map<std::string, std::shared_ptr<const Page>> pages_;
};

// Builds a Page from bytes: hash, ETag, static headers (security headers included for HTML).
std::shared_ptr<const Page> makePage(
    std::string bytes, std::string contentType,
    const std::vector<std::pair<std::string, std::string>>& headers, bool immutable,
    std::optional<core::Instant> changesAt);

// The headers every response carries (CSP, nosniff, referrer policy, framing).
const std::vector<std::pair<std::string, std::string>>& securityHeaders();

}  // namespace charta::http
