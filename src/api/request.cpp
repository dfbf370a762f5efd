#include "api/request.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>

#include "http/replies.h"

namespace charta::api {

using service::Fault;

namespace {

std::optional<std::string> rawQueryParam(const http::Request& req, std::string_view name) {
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return http::percentDecode(pair.substr(eq + 1), false);
  }
  return std::nullopt;
}

std::string lastModified(core::Instant t) {
  return http::httpDate(std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
}

}  // namespace

std::optional<std::vector<std::string>> pathSegments(std::string_view path,
                                                     std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  path.remove_prefix(prefix.size());
  std::vector<std::string> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view raw = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    auto seg = http::percentDecode(raw);
    if (!seg || seg->empty() || *seg == "." || *seg == ".." ||
        seg->find('/') != std::string::npos) {
      return std::nullopt;
    }
    out.push_back(std::move(*seg));
    if (slash != std::string_view::npos && path.empty()) return std::nullopt;  // trailing slash
  }
  return out;
}

void requireRole(const Caller& caller, std::string_view role) {
  if (!caller.authenticated) {
    Problem p(Fault::kUnauthorized, "This request needs a bearer token.");
    p.headers.emplace_back("WWW-Authenticate", "Bearer");
    throw p;
  }
  if (!caller.has(role)) {
    throw Problem(Fault::kForbidden, "The token has no role \"" + std::string(role) + "\".");
  }
}

void requireAnyRole(const Caller& caller, std::string_view a, std::string_view b) {
  if (caller.authenticated && (caller.has(a) || caller.has(b))) return;
  if (!caller.authenticated) requireRole(caller, a);  // 401
  throw Problem(Fault::kForbidden, "The token has neither role \"" + std::string(a) + "\" nor \"" +
                                       std::string(b) + "\".");
}

void requireMethod(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto m : allowed) {
    if (req.method == m) return;
    list += (list.empty() ? "" : ", ") + std::string(m);
  }
  Problem p(Fault::kMethodNotAllowed, "Use " + list + ".");
  p.headers.emplace_back("Allow", list);
  throw p;
}

void requireQueryParams(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  std::string_view q = req.query;
  std::vector<std::string_view> seen;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    std::string_view key = pair.substr(0, pair.find('='));
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw Problem(Fault::kInvalidParameter,
                    list.empty() ? "This resource takes no query parameters."
                                 : "Unknown query parameter; this resource takes " + list + ".");
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw Problem(Fault::kInvalidParameter, "A query parameter is repeated.");
    }
    seen.push_back(key);
  }
}

std::optional<core::Instant> atParam(const http::Request& req) {
  auto raw = rawQueryParam(req, "at");
  if (!raw) return std::nullopt;
  auto t = core::parseRfc3339(*raw);
  if (!t) {
    throw Problem(Fault::kInvalidTime,
                  "at must be an RFC 3339 time with an offset, like 2026-12-01T00:00:00+05:00 "
                  "(a local time without an offset is ambiguous).");
  }
  return t;
}

int intParam(const http::Request& req, std::string_view name, int fallback, int lo, int hi) {
  auto v = req.queryParam(name);
  if (!v) return fallback;
  bool digits = !v->empty() && v->size() <= 6 &&
                std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
  int n = digits ? std::stoi(*v) : -1;
  if (n < lo || n > hi) {
    throw Problem(Fault::kInvalidParameter, std::string(name) + " must be a whole number from " +
                                                std::to_string(lo) + " to " + std::to_string(hi) +
                                                ".");
  }
  return n;
}

core::DocumentId documentParam(const std::string& segment) {
  auto id = core::DocumentId::parse(segment);
  if (!id) {
    throw Problem(Fault::kInvalidDocumentId,
                  "A document id is lower-case letters, digits and inner hyphens.");
  }
  return *id;
}

core::EditionNo editionParam(const std::string& segment) {
  auto no = core::EditionNo::parseName(segment);
  if (!no) {
    throw Problem(Fault::kInvalidEdition, "An edition is named v<N>, like v3 (no leading zeros).");
  }
  return *no;
}

std::optional<core::DocumentId> documentQuery(const http::Request& req, bool required) {
  auto d = req.queryParam("document");
  if (!d) {
    if (required)
      throw Problem(Fault::kInvalidRequest, "Name the document: ?document=personal-data.");
    return std::nullopt;
  }
  auto id = core::DocumentId::parse(*d);
  if (!id) {
    throw Problem(Fault::kInvalidRequest,
                  "\"document\" is not a document id (like personal-data).");
  }
  return id;
}

std::shared_ptr<const std::string> frame(const service::Page& page) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (page.lang) {
    headers.emplace_back("Content-Language", page.lang->str());
    headers.emplace_back("Vary", "Accept-Language");
  }
  if (page.lastModified) headers.emplace_back("Last-Modified", lastModified(*page.lastModified));
  return http::headerBlock(page.etag, headers);
}

std::shared_ptr<const service::Page> answer(std::string bytes, std::string contentType) {
  return service::makePage(std::move(bytes), std::move(contentType), frame);
}

http::Reply send(const http::Request& req, const service::Page& page, std::string cacheControl,
                 const char* route, int status) {
  http::Reply r;
  r.route = route;
  r.contentType = page.contentType;
  r.headerBlock = page.headerBlock;
  r.headers.emplace_back("Cache-Control", std::move(cacheControl));
  if (status == 200 && ifNoneMatch(req, page.etag)) {
    r.status = 304;
    return r;
  }
  r.status = status;
  r.shared = page.body;
  return r;
}

http::Reply sendJson(const http::Request& req, const Poco::Dynamic::Var& value,
                     std::string cacheControl, const char* route) {
  return send(req, *answer(toJson(value)), std::move(cacheControl), route);
}

http::Reply jsonReply(int status, const Poco::Dynamic::Var& value, const char* route) {
  http::Reply r = http::jsonReply(status, toJson(value));
  r.route = route;
  return r;
}

std::string cacheControlUntil(std::optional<core::Instant> changesAt, core::Instant now,
                              int maxAge) {
  long age = maxAge;
  if (changesAt) {
    auto left = std::chrono::floor<std::chrono::seconds>(*changesAt - now).count();
    age = std::clamp<long>(left, 0, maxAge);
  }
  return "public, max-age=" + std::to_string(age);
}

bool ifNoneMatch(const http::Request& req, std::string_view etag) {
  auto inm = req.header("If-None-Match");
  return inm && http::etagListContains(*inm, etag, true);
}

std::string toJson(const Poco::Dynamic::Var& value) {
  std::ostringstream ss;
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    value.extract<Poco::JSON::Object::Ptr>()->stringify(ss);
  } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    value.extract<Poco::JSON::Array::Ptr>()->stringify(ss);
  } else {
    Poco::JSON::Stringifier::stringify(value, ss);
  }
  return ss.str();
}

}  // namespace charta::api
