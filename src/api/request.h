#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/problems.h"
#include "api/tokens.h"
#include "core/ids.h"
#include "core/time.h"
#include "http/wire.h"
#include "service/pages.h"

// What every API module parses from a request and how it answers: the checks that turn a
// malformed request into a Problem, and the cached, conditional answers.
namespace charta::api {

// ---- the request
// ---------------------------------------------------------------------------------

// The percent-decoded segments of "path" after "prefix" ("/api/v1/"), or nullopt when the path
// does not start with it or a segment is malformed (bad escape, empty, "." or "..").
std::optional<std::vector<std::string>> pathSegments(std::string_view path,
                                                     std::string_view prefix);

// Throws Problem kUnauthorized (no or unknown token) or kForbidden (the token lacks "role").
void requireRole(const Caller& caller, std::string_view role);
// The same for a caller that needs one of two roles.
void requireAnyRole(const Caller& caller, std::string_view a, std::string_view b);

// Throws Problem kMethodNotAllowed with an Allow header unless req.method is one of "allowed".
void requireMethod(const http::Request& req, std::initializer_list<std::string_view> allowed);

// Throws Problem kInvalidParameter when the query names a parameter outside "allowed" or
// repeats one.
void requireQueryParams(const http::Request& req, std::initializer_list<std::string_view> allowed);

// Query parameter "at" (RFC 3339 with an offset; '+' is taken literally). Absent: nullopt.
// throws Problem kInvalidTime.
std::optional<core::Instant> atParam(const http::Request& req);

// Query parameter "name" as a whole number in [lo, hi]; "fallback" when absent.
// throws Problem kInvalidParameter.
int intParam(const http::Request& req, std::string_view name, int fallback, int lo, int hi);

// The document id in a path segment. throws Problem kInvalidDocumentId.
core::DocumentId documentParam(const std::string& segment);

// An edition segment: exactly "v<N>". throws Problem kInvalidEdition.
core::EditionNo editionParam(const std::string& segment);

// Query parameter "document" as a document id (nullopt when absent and not "required").
// throws Problem kInvalidRequest.
std::optional<core::DocumentId> documentQuery(const http::Request& req, bool required);

// ---- the answer
// ----------------------------------------------------------------------------------

// The transport's header lines of a page: ETag, Content-Language and Vary when it has a language,
// Last-Modified, and the security headers (service::PagesOptions::frame).
std::shared_ptr<const std::string> frame(const service::Page& page);

// Bytes answered again and again (JSON with its ETag), framed.
std::shared_ptr<const service::Page> answer(std::string bytes,
                                            std::string contentType = "application/json");

// Sends "page" with "status" and "cacheControl"; 304 for a 200 whose ETag If-None-Match names.
http::Reply send(const http::Request& req, const service::Page& page, std::string cacheControl,
                 const char* route, int status = 200);

// JSON of "value" answered with its ETag (304 on If-None-Match) and "cacheControl".
http::Reply sendJson(const http::Request& req, const Poco::Dynamic::Var& value,
                     std::string cacheControl, const char* route);

// A JSON response (application/json, Cache-Control: no-store) of "value".
http::Reply jsonReply(int status, const Poco::Dynamic::Var& value, const char* route);

// "public, max-age=N": N is "maxAge", capped by the seconds left until "changesAt".
std::string cacheControlUntil(std::optional<core::Instant> changesAt, core::Instant now,
                              int maxAge);
inline constexpr const char* kImmutable = "public, max-age=31536000, immutable";

// Whether If-None-Match of "req" names "etag".
bool ifNoneMatch(const http::Request& req, std::string_view etag);

// A compact JSON serialization of "value".
std::string toJson(const Poco::Dynamic::Var& value);

}  // namespace charta::api
