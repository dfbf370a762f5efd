#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "http/wire.h"

namespace charta::api {

// Cross-origin access (the Fetch standard's CORS protocol) to charta's answers.
//
// The public reads — every page of the site, the documents API (documents, current, editions,
// diff) and the OpenAPI document, by GET or HEAD — answer every origin:
// Access-Control-Allow-Origin: *, the same bytes whatever the Origin (so no Vary: Origin and
// caches stay correct), never Access-Control-Allow-Credentials. Their preflight allows GET and
// HEAD with If-None-Match and Accept-Language, not Authorization: a shop's front end can ask
// which edition is in force, but a browser cannot send a token to them.
//
// Everything else (consents, withdrawals, publications, subjects, the ledger, the operators'
// endpoints) has no CORS headers, unless the operator lists the request's Origin in
// api.cors_origins: then that origin is echoed exactly, Authorization may be sent, and never
// with credentials (cookies). When the list is not empty, those answers carry Vary: Origin
// whatever the request's Origin, because they depend on it. A preflight that is not allowed is
// answered 403 without CORS headers, so the browser refuses the request. Safe for concurrent
// use.
class Cors {
 public:
  // "origins": the exact origins ("https://admin.shop.kz") allowed on the non-public routes.
  explicit Cors(std::set<std::string> origins = {});

  // Parses api.cors_origins: origins (scheme://host[:port], http or https, no path) separated by
  // commas or spaces; empty: none.
  // throws InvalidInput: "*", "null", a path, user info or another scheme.
  static std::set<std::string> parseOrigins(std::string_view list);

  // Whether GET or HEAD of "path" is a public read that answers every origin.
  static bool publicRead(std::string_view path);

  // The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method);
  // nullopt when "req" is not one (a plain OPTIONS goes to the routes as before).
  std::optional<http::Reply> preflight(const http::Request& req) const;

  // Adds the CORS headers "reply" needs as the answer to "req".
  void decorate(const http::Request& req, http::Reply& reply) const;

 private:
  bool listed(const http::Request& req) const;

  std::set<std::string> origins_;
};

}  // namespace charta::api
