#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/wire.h"

namespace charta::http {

// The headers every response carries (CSP, nosniff, referrer policy, framing).
const std::vector<std::pair<std::string, std::string>>& securityHeaders();

// Header lines ("Name: value\r\n"...) for a Reply's headerBlock: "ETag" first when not empty,
// then "headers", then the security headers. Made once for bytes served again and again.
std::shared_ptr<const std::string> headerBlock(
    std::string_view etag, const std::vector<std::pair<std::string, std::string>>& headers = {});

// A JSON response (application/json) with Cache-Control "cacheControl" and the security headers.
Reply jsonReply(int status, std::string body, std::string cacheControl = "no-store");

// An RFC 9457 problem response (application/problem+json, Cache-Control: no-store) of "body", a
// problem object whose "type" is https://charta.dev/problems/<slug>.
Reply problemReply(int status, std::string body);

// The problem object {type, title, status, detail} of "slug", as JSON text.
std::string problemJson(int status, std::string_view slug, std::string_view title,
                        std::string_view detail);

// The answer to a request the server refused before any handler saw it (malformed, over a
// limit, too slow): a problem whose type is named after the status ("content-too-large").
Reply refusal(int status, std::string_view detail);

}  // namespace charta::http
