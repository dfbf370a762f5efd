#pragma once

#include <optional>
#include <string_view>

#include "core/time.h"
#include "http/wire.h"
#include "service/catalog.h"
#include "service/pages.h"

namespace charta::api {

// The public pages: for every published document its route (the edition in force), /v<N>,
// /versions, /feed.atom and /changes/v<A>...v<B>; /sitemap.xml, /robots.txt and /assets/…. The
// language is ?lang=, else Accept-Language, else the controlling one; a page's SHA-256 is its
// strong ETag (304 on If-None-Match); Cache-Control of a page never reaches past the next
// scheduled switch (and at most "maxAgeSeconds"), archived editions are immutable. Safe for
// concurrent use.
class SiteRoutes {
 public:
  SiteRoutes(service::Catalog& catalog, service::Pages& pages, int maxAgeSeconds);

  // Answers GET or HEAD of a public path at "now"; nullopt when "req.path" is not a site path.
  std::optional<http::Reply> get(const http::Request& req, core::Instant now);

  // The same answer when it is a page already in memory (200 or 304), made without waiting for
  // anything (service::CacheOnly): for the HTTP server's event loops. nullopt: ask get() on a
  // worker (a page to render or archive, an error page, not a site path).
  std::optional<http::Reply> quick(const http::Request& req, core::Instant now);

  // An HTML error page (Cache-Control: no-store): its title and detail are keys of the page
  // strings ("error.404", "error.no-page"; src/render/strings), in the language of the page
  // strings that Accept-Language prefers, else Russian.
  http::Reply error(const http::Request& req, int status, std::string_view titleKey,
                    std::string_view detailKey);

 private:
  std::optional<http::Reply> changes(const http::Request& req, const service::Snapshot& snap,
                                     std::string_view path, core::Instant now);
  http::Reply document(const http::Request& req, const service::Snapshot& snap,
                       const service::DocumentState& d, std::string_view rest, core::Instant now);
  http::Reply serve(const http::Request& req, const service::Page& page, core::Instant now,
                    const char* route);

  service::Catalog& catalog_;
  service::Pages& pages_;
  int maxAge_;
};

}  // namespace charta::api
