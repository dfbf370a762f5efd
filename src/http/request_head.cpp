#include "http/request_head.h"

#include <charconv>

namespace charta::http {
namespace {

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Method, request line and header names, method and target of the request line, before the
// version: what the request line can hold besides the target.
constexpr size_t kRequestLineOverhead = 64;

// HTTP-version = "HTTP/" DIGIT "." DIGIT. A later 1.x is answered as 1.1 (RFC 9110 2.5).
std::optional<Refusal> parseVersion(std::string_view version, Request& req) {
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !isDigit(version[5]) ||
      version[6] != '.' || !isDigit(version[7])) {
    return Refusal{400, "malformed request line"};
  }
  if (version[5] != '1') return Refusal{505, "only HTTP/1.0 and HTTP/1.1 are served"};
  req.minorVersion = version[7] == '0' ? 0 : 1;
  return std::nullopt;
}

// Splits the request target into path and query: origin form ("/a?b"), or absolute form
// ("http://host:port/a?b"), whose authority goes to "authority".
std::optional<Refusal> parseTarget(Request& req, std::string_view& authority) {
  std::string_view t = req.target;
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Refusal{400, "invalid character in the URI"};
  }
  if (!t.empty() && t.front() != '/') {
    size_t scheme = t.find("://");
    std::string_view name = scheme == std::string_view::npos ? t : t.substr(0, scheme);
    if (!iequals(name, "http") && !iequals(name, "https")) {
      return Refusal{400, "the request target must be an absolute path or an absolute URI"};
    }
    t.remove_prefix(scheme + 3);
    size_t end = t.find_first_of("/?#");
    authority = t.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos ||
        !validHost(authority)) {
      return Refusal{400, "invalid authority in the request target"};
    }
    t = end == std::string_view::npos ? std::string_view() : t.substr(end);
  }
  if (!t.empty() && t.front() == '#') return Refusal{400, "a fragment in the request target"};
  if (t.empty() || t.front() == '?') {
    req.path = "/";
    req.query = t.empty() ? std::string_view() : t.substr(1);
    return std::nullopt;
  }
  size_t q = t.find('?');
  req.path = t.substr(0, q);
  req.query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  return std::nullopt;
}

std::optional<Refusal> parseRequestLine(std::string_view line, const ServerLimits& lim,
                                        Request& req, std::string_view& authority) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Refusal{400, "malformed request line"};
  }
  req.method = line.substr(0, sp1);
  for (char c : req.method) {
    if (!isTokenChar(c)) return Refusal{400, "malformed method"};
  }
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto no = parseVersion(line.substr(sp2 + 1), req)) return no;
  if (req.target.size() > lim.maxTarget) return Refusal{414, "the URI is too long"};
  if (req.target.empty()) return Refusal{400, "malformed request line"};
  return parseTarget(req, authority);
}

std::optional<Refusal> parseFields(std::string_view fields, const ServerLimits& lim, Request& req) {
  size_t pos = 0;
  while (pos < fields.size()) {
    size_t e = fields.find("\r\n", pos);
    if (e == std::string_view::npos) e = fields.size();
    std::string_view field = fields.substr(pos, e - pos);
    pos = e + 2;
    if (field.empty()) continue;
    if (field.front() == ' ' || field.front() == '\t') {
      return Refusal{400, "obsolete line folding is not accepted"};
    }
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Refusal{400, "malformed header field"};
    std::string_view name = field.substr(0, colon);
    for (char c : name) {
      if (!isTokenChar(c)) return Refusal{400, "malformed header field name"};
    }
    std::string_view value = trimOws(field.substr(colon + 1));
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        return Refusal{400, "control character in a header"};
    }
    if (req.headers.size() >= lim.maxHeaders) return Refusal{431, "too many header fields"};
    req.headers.emplace_back(name, value);
  }
  return std::nullopt;
}

// Exactly one valid Host field in HTTP/1.1, at most one in 1.0 (RFC 9112 3.2). The authority of
// an absolute-form target replaces it.
std::optional<Refusal> checkHost(Request& req, std::string_view authority) {
  std::pair<std::string_view, std::string_view>* host = nullptr;
  for (auto& field : req.headers) {
    if (!iequals(field.first, "Host")) continue;
    if (host) return Refusal{400, "more than one Host header"};
    host = &field;
  }
  if (!host) {
    if (req.minorVersion == 1) return Refusal{400, "HTTP/1.1 requests need a Host header"};
    if (!authority.empty()) req.headers.emplace_back("Host", authority);
    return std::nullopt;
  }
  if (!validHost(host->second)) return Refusal{400, "invalid Host header"};
  if (!authority.empty()) host->second = authority;
  return std::nullopt;
}

std::optional<Refusal> bodyLength(const Request& req, const ServerLimits& lim, size_t& length) {
  if (req.header("Transfer-Encoding")) {
    return Refusal{411, "send the body with a Content-Length, not chunked"};
  }
  length = 0;
  bool haveLength = false;
  for (const auto& [k, v] : req.headers) {
    if (!iequals(k, "Content-Length")) continue;
    size_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
      return Refusal{400, "invalid Content-Length"};
    }
    if (haveLength && n != length) return Refusal{400, "conflicting Content-Length"};
    length = n;
    haveLength = true;
  }
  if (length > lim.maxBody) return Refusal{413, "the request body is too large"};
  return std::nullopt;
}

}  // namespace

bool validHost(std::string_view value) {
  std::string_view port;
  if (!value.empty() && value.front() == '[') {
    // IP-literal: an IPv6 address (or IPvFuture, not served) in brackets.
    size_t close = value.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : value.substr(1, close - 1)) {
      bool hex = isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    port = value.substr(close + 1);
  } else {
    // reg-name (IPv4 addresses are of the same characters).
    size_t colon = value.find(':');
    for (char c : value.substr(0, colon)) {
      bool ok = isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
      if (!ok) return false;
    }
    if (colon != std::string_view::npos) port = value.substr(colon);
  }
  if (port.empty()) return true;
  if (port.front() != ':') return false;
  for (char c : port.substr(1)) {
    if (!isDigit(c)) return false;
  }
  return true;
}

std::optional<Refusal> parseRequestHead(std::string_view head, const ServerLimits& lim,
                                        Request& req, size_t& length) {
  size_t lineEnd = head.find("\r\n");
  std::string_view authority;
  if (auto no = parseRequestLine(head.substr(0, lineEnd), lim, req, authority)) return no;
  if (auto no = parseFields(head.substr(lineEnd + 2), lim, req)) return no;
  if (auto no = checkHost(req, authority)) return no;
  return bodyLength(req, lim, length);
}

std::optional<Refusal> checkPartialHead(std::string_view have, const ServerLimits& lim) {
  for (size_t lf = have.find('\n'); lf != std::string_view::npos; lf = have.find('\n', lf + 1)) {
    if (lf == 0 || have[lf - 1] != '\r') {
      return Refusal{400, "a line ends with a bare LF: request lines end with CRLF"};
    }
  }
  size_t lineEnd = have.find("\r\n");
  std::string_view line = have.substr(0, lineEnd);
  if (line.size() > lim.maxTarget + kRequestLineOverhead) {
    if (line.find(' ') == std::string_view::npos) return Refusal{400, "malformed request line"};
    return Refusal{414, "the URI is too long"};
  }
  if (have.size() > lim.maxHeaderBytes) {
    return Refusal{431, "the request line and headers are too large"};
  }
  return std::nullopt;
}

}  // namespace charta::http
