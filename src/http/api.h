#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "http/auth_limiter.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/wire.h"

namespace charta::http {

// Who calls the API, as established from its bearer token.
struct Caller {
  std::string name;  // the token's name from configuration ("shop-checkout"); never a secret
  std::set<std::string> roles;
  bool authenticated = false;
  bool has(std::string_view role) const { return roles.count(std::string(role)) > 0; }
};

// The API bearer tokens, from configuration key auth.tokens: entries separated by ';' or new
// lines, each "name:role[+role...]:sha256hex" where sha256hex is the SHA-256 of the token
// (`charta token new` makes one). Roles: site (record consents), legal (publish, block), auditor
// (read subjects, verify). Only hashes are kept; comparison takes the same time whatever matches.
class TokenStore {
 public:
  TokenStore() = default;
  // throws InvalidInput: a malformed entry, an unknown role, a duplicate name or hash.
  static TokenStore parse(std::string_view spec);
  // The caller of "authorization" ("Bearer <token>"), or nullopt when the token is unknown or the
  // header malformed.
  std::optional<Caller> authenticate(std::string_view authorization) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::set<std::string> roles;
    std::string hash;  // 32 raw bytes
  };
  std::vector<Entry> entries_;
};

// A failure that the API reports as an RFC 9457 problem. Modules throw it; the router answers.
class ApiError : public Error {
 public:
  ApiError(int status, std::string slug, std::string title, const std::string& detail)
      : Error(detail), status_(status), slug_(std::move(slug)), title_(std::move(title)) {}
  int status() const { return status_; }
  const std::string& slug() const { return slug_; }
  const std::string& title() const { return title_; }
  // Extra members of the problem object (e.g. the edition in force), and extra headers.
  Poco::JSON::Object::Ptr extra;
  std::vector<std::pair<std::string, std::string>> headers;

 private:
  int status_;
  std::string slug_;
  std::string title_;
};

// One part of the API (consents, documents, publications, ...).
class ApiModule {
 public:
  virtual ~ApiModule() = default;
  // Answers "req" when its path belongs to this module; nullopt otherwise. May throw ApiError
  // (and InvalidInput -> 400 problem, NotFound -> 404, Conflict -> 409).
  virtual std::optional<Reply> handle(Request& req, core::Instant now, const Caller& caller) = 0;
  // The route templates this module answers, "GET /api/v1/documents/{doc}", for route coverage.
  virtual std::vector<std::string> routes() const = 0;
};

// The JSON API under /api/v1: authenticates the caller, asks each module in turn, and turns
// failures into problem responses with stable type URIs. A token in the query string is refused
// (400) whatever the route; clients that fail to authenticate too often get 429 (see
// AuthFailureLimiter). Safe for concurrent use once built.
class ApiRouter : public ApiRoutes {
 public:
  ApiRouter(TokenStore tokens, Metrics& metrics);
  void add(std::unique_ptr<ApiModule> module);
  // Limits failed authentications per client (off until called).
  void limitAuthFailures(AuthFailureLimiter::Options options);
  std::optional<Reply> handle(Request& req, core::Instant now) override;
  std::vector<std::string> routes() const;

 private:
  TokenStore tokens_;
  Metrics& metrics_;
  std::vector<std::unique_ptr<ApiModule>> modules_;
  std::unique_ptr<AuthFailureLimiter> limiter_;
};

// --- helpers for modules ---

// The percent-decoded segments of "path" after "prefix" ("/api/v1/"), or nullopt when the path
// does not start with it or a segment is malformed (bad escape, empty, "." or "..").
std::optional<std::vector<std::string>> pathSegments(std::string_view path,
                                                     std::string_view prefix);

// Throws ApiError 401 (no or unknown token) or 403 (the token lacks "role").
void requireRole(const Caller& caller, std::string_view role);

// Parses the body of "req" as one JSON object: Content-Type must be application/json, the body
// valid UTF-8, nesting at most "maxDepth", members only from "allowed" (when not empty).
// throws ApiError 415, 400 (malformed, too deep, unknown member).
Poco::JSON::Object::Ptr parseJsonBody(const Request& req, const std::set<std::string>& allowed = {},
                                      int maxDepth = 8);

// A JSON response (application/json), with Cache-Control: no-store unless "cacheControl".
Reply jsonReply(int status, const Poco::Dynamic::Var& value, std::string cacheControl = "no-store");

// A strong ETag of "bytes" (quoted SHA-256 prefix) and whether If-None-Match names it.
std::string strongEtag(std::string_view bytes);
bool ifNoneMatch(const Request& req, std::string_view etag);

// Throws ApiError 405 with an Allow header listing "allowed" unless req.method is one of them.
void requireMethod(const Request& req, std::initializer_list<std::string_view> allowed);

// A JSON serialization of "value" (compact).
std::string toJson(const Poco::Dynamic::Var& value);

}  // namespace charta::http
