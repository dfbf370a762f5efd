#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/words.h"

namespace charta::http {

// One HTTP/1.1 request as read from a connection. Views point into the connection's buffer and
// are valid until the next request is read on that connection.
struct Request {
  std::string_view method;  // "GET"
  std::string_view target;  // "/personal-data?lang=ru" as sent
  std::string_view path;    // the target before '?', still percent-encoded
  std::string_view query;   // after '?', without it
  int minorVersion = 1;     // HTTP/1.<minor>
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  std::string requestId;  // assigned by the server, echoed as X-Request-Id
  std::string peer;       // client address, for logs only when configured
  bool onLoop = false;    // answered by an event loop from memory (Handler::quick), no worker

  // The first value of header "name" (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // The value of query parameter "name", percent-decoded; nullopt when absent.
  std::optional<std::string> queryParam(std::string_view name) const;
  bool isHead() const { return method == "HEAD"; }
};

// What a handler answers. Bodies of cached pages are shared, not copied.
struct Reply {
  int status = 200;
  const char* route = "none";  // the route template, for logs and metrics (a string literal)
  std::string contentType;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<const std::string> shared;  // the body when shared
  std::string body;                           // the body otherwise
  // Pre-formatted header lines ("Name: value\r\n"...) sent as they are, for cached pages.
  std::shared_ptr<const std::string> headerBlock;

  const std::string& bytes() const { return shared ? *shared : body; }
  Reply& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The reason phrase of "status" ("Not Found").
std::string_view reasonPhrase(int status);

// Case-insensitive ASCII comparison.
using core::iequals;

// Whether the entity-tag list "header" (If-None-Match, If-Match) names "etag". Weak comparison
// (If-None-Match, RFC 9110 13.1.2) ignores "W/" prefixes and accepts "*"; strong comparison
// (If-Match, 13.1.1) takes the list as it is.
bool etagListContains(std::string_view header, std::string_view etag, bool weak);

// Percent-decodes "s"; nullopt on a malformed escape. '+' is kept unless "plusIsSpace".
std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace = false);

// The HTTP date of "t" ("Thu, 26 Nov 2026 07:00:00 GMT").
std::string httpDate(std::chrono::system_clock::time_point t);

// Parses an HTTP date (IMF-fixdate only); nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parseHttpDate(std::string_view s);

// The current HTTP date, formatted at most once a second per thread.
const std::string& cachedHttpDate();

}  // namespace charta::http
