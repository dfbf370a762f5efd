#include "api/cors.h"

#include "api/problems.h"
#include "api/request.h"
#include "core/error.h"
#include "http/replies.h"

namespace charta::api {

namespace {

// How long a browser may keep a preflight's answer (Chromium keeps at most 7200 s).
constexpr const char* kMaxAge = "600";
constexpr const char* kPublicMethods = "GET, HEAD";
constexpr const char* kPublicHeaders = "Accept-Language, If-None-Match";
constexpr const char* kPublicExposed = "ETag, Link, Retry-After, X-Request-Id";
constexpr const char* kListedMethods = "GET, HEAD, POST";
constexpr const char* kListedHeaders =
    "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, Accept-Language";
constexpr const char* kListedExposed = "ETag, Link, Location, Retry-After, X-Request-Id";

bool readMethod(std::string_view m) { return m == "GET" || m == "HEAD"; }

// scheme://host[:port] with a host of letters, digits, '-', '.' (or an IPv6 literal in brackets).
bool validOrigin(std::string_view o) {
  std::string_view rest;
  if (o.substr(0, 7) == "http://") {
    rest = o.substr(7);
  } else if (o.substr(0, 8) == "https://") {
    rest = o.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest.size() > 253) return false;
  size_t colon = rest.rfind(':');
  std::string_view host = rest, port;
  if (colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos) {
      return false;
    }
  }
  if (host.empty()) return false;
  if (host.front() == '[') return host.back() == ']' && host.size() > 2;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;  // upper case too: browsers send origins in lower case
  }
  return true;
}

}  // namespace

Cors::Cors(std::set<std::string> origins) : origins_(std::move(origins)) {}

std::set<std::string> Cors::parseOrigins(std::string_view list) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < list.size()) {
    size_t end = list.find_first_of(", \t", i);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(i, end - i);
    i = end + 1;
    if (item.empty()) continue;
    if (!validOrigin(item)) {
      throw InvalidInput("api.cors_origins: \"" + std::string(item) +
                         "\" is not an origin like https://admin.shop.kz (lower case, no path; "
                         "never * or null)");
    }
    out.emplace(item);
  }
  return out;
}

bool Cors::publicRead(std::string_view path) {
  if (path == "/livez" || path == "/readyz" || path == "/metrics") return false;
  if (path.substr(0, 5) != "/api/" && path != "/api") return true;  // the site's pages
  auto s = pathSegments(path, "/api/v1/");
  if (!s || s->empty()) return false;
  if (s->size() == 1) return (*s)[0] == "documents" || (*s)[0] == "openapi.json";
  if ((*s)[0] != "documents") return false;
  if (s->size() == 2) return true;
  const std::string& what = (*s)[2];
  if (s->size() == 3) return what == "current" || what == "editions" || what == "diff";
  return s->size() == 4 && what == "editions";
}

bool Cors::listed(const http::Request& req) const {
  if (origins_.empty()) return false;
  auto origin = req.header("Origin");
  return origin && origins_.count(std::string(*origin));
}

std::optional<http::Reply> Cors::preflight(const http::Request& req) const {
  if (req.method != "OPTIONS") return std::nullopt;
  auto origin = req.header("Origin");
  auto method = req.header("Access-Control-Request-Method");
  if (!origin || !method) return std::nullopt;
  http::Reply r;
  r.route = "cors_preflight";
  if (listed(req)) {
    r.status = 204;
    r.header("Access-Control-Allow-Origin", std::string(*origin))
        .header("Access-Control-Allow-Methods", kListedMethods)
        .header("Access-Control-Allow-Headers", kListedHeaders);
  } else if (publicRead(req.path) && readMethod(*method)) {
    r.status = 204;
    r.header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Allow-Methods", kPublicMethods)
        .header("Access-Control-Allow-Headers", kPublicHeaders);
  } else {
    r = problemReply(service::Failure(
        service::Fault::kForbidden,
        "Cross-origin requests to this resource are not allowed from that origin: only the "
        "public reads (GET) answer every origin; the operator lists other origins in "
        "api.cors_origins."));
    r.route = "cors_preflight";
  }
  if (r.status == 204) {
    r.header("Access-Control-Max-Age", kMaxAge);
    for (const auto& h : http::securityHeaders()) r.headers.push_back(h);
  }
  if (!origins_.empty()) r.header("Vary", "Origin");
  return r;
}

void Cors::decorate(const http::Request& req, http::Reply& reply) const {
  if (reply.route == std::string_view("cors_preflight")) return;
  if (readMethod(req.method) && publicRead(req.path)) {
    reply.header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Expose-Headers", kPublicExposed);
    return;
  }
  if (origins_.empty()) return;
  reply.header("Vary", "Origin");
  if (listed(req)) {
    reply.header("Access-Control-Allow-Origin", std::string(*req.header("Origin")))
        .header("Access-Control-Expose-Headers", kListedExposed);
  }
}

}  // namespace charta::api
