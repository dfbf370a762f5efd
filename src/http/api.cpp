#include "http/api.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "core/sha256.h"
#include "core/words.h"

namespace charta::http {
namespace {

std::string sha256Raw(std::string_view bytes) {
  auto d = core::sha256(bytes);
  return std::string(d.begin(), d.end());
}

std::optional<std::string> unhex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < 64; i += 2) {
    auto v = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int h = v(hex[i]), l = v(hex[i + 1]);
    if (h < 0 || l < 0) return std::nullopt;
    out += static_cast<char>(h * 16 + l);
  }
  return out;
}

// Equal in time independent of where the bytes differ.
bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

int depthOf(const Poco::Dynamic::Var& v, int limit) {
  if (limit < 0) return 1 << 20;
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    int d = 0;
    for (const auto& [k, child] : *v.extract<Poco::JSON::Object::Ptr>()) {
      d = std::max(d, depthOf(child, limit - 1));
    }
    return d + 1;
  }
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    int d = 0;
    for (const auto& child : *v.extract<Poco::JSON::Array::Ptr>()) {
      d = std::max(d, depthOf(child, limit - 1));
    }
    return d + 1;
  }
  return 0;
}

// Nesting depth of JSON text, counted on the bytes before parsing (Poco's parser has no limit).
int textDepth(std::string_view text) {
  int depth = 0, maxDepth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '{' || c == '[')
      maxDepth = std::max(maxDepth, ++depth);
    else if (c == '}' || c == ']')
      --depth;
  }
  return maxDepth;
}

// Builds values like Poco's ParseHandler but refuses an object that names a member twice: readers
// disagree on which value counts (the first, the last), so a proxy or an audit log could see
// another request than the one charta acts on.
class StrictHandler : public Poco::JSON::ParseHandler {
 public:
  StrictHandler() : ParseHandler(false) {}
  void reset() override {
    keys_.clear();
    duplicate_ = false;
    ParseHandler::reset();
  }
  void startObject() override {
    keys_.emplace_back();
    ParseHandler::startObject();
  }
  void endObject() override {
    keys_.pop_back();
    ParseHandler::endObject();
  }
  void key(const std::string& k) override {
    if (!keys_.empty() && !keys_.back().insert(k).second) {
      duplicate_ = true;
      throw Poco::JSON::JSONException("a member appears twice");
    }
    ParseHandler::key(k);
  }
  bool duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> keys_;
  bool duplicate_ = false;
};

// Whether "query" has a parameter that looks like a credential (access_token=…, token=…), in any
// case and however percent-encoded its name is.
bool tokenInQuery(std::string_view query) {
  static constexpr std::string_view kNames[] = {"access_token", "token",         "api_key",
                                                "apikey",       "authorization", "bearer"};
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto name = percentDecode(pair.substr(0, pair.find('=')), true);
    if (!name) continue;
    for (auto n : kNames) {
      if (iequals(trim(*name), n)) return true;
    }
  }
  return false;
}

}  // namespace

TokenStore TokenStore::parse(std::string_view spec) {
  static const std::set<std::string> kRoles = {"site", "legal", "auditor"};
  TokenStore store;
  std::set<std::string> names, hashes;
  while (!spec.empty()) {
    size_t end = spec.find_first_of(";\n");
    std::string_view entry = trim(spec.substr(0, end));
    spec = end == std::string_view::npos ? std::string_view() : spec.substr(end + 1);
    if (entry.empty()) continue;
    size_t c1 = entry.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : entry.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      throw InvalidInput("auth.tokens: an entry must be name:role[+role]:sha256hex");
    }
    Entry e;
    e.name = std::string(trim(entry.substr(0, c1)));
    if (e.name.empty() || !names.insert(e.name).second) {
      throw InvalidInput("auth.tokens: empty or repeated token name \"" + e.name + "\"");
    }
    std::string_view roles = entry.substr(c1 + 1, c2 - c1 - 1);
    while (!roles.empty()) {
      size_t plus = roles.find('+');
      std::string role(trim(roles.substr(0, plus)));
      roles = plus == std::string_view::npos ? std::string_view() : roles.substr(plus + 1);
      if (!kRoles.count(role)) {
        throw InvalidInput("auth.tokens: unknown role \"" + role + "\" (site, legal, auditor)");
      }
      e.roles.insert(role);
    }
    auto raw = unhex(trim(entry.substr(c2 + 1)));
    if (!raw) throw InvalidInput("auth.tokens: token \"" + e.name + "\" needs a 64-hex SHA-256");
    if (!hashes.insert(*raw).second) throw InvalidInput("auth.tokens: two tokens share a hash");
    e.hash = *raw;
    store.entries_.push_back(std::move(e));
  }
  return store;
}

std::optional<Caller> TokenStore::authenticate(std::string_view authorization) const {
  authorization = trim(authorization);
  if (authorization.size() < 8 || !iequals(authorization.substr(0, 7), "Bearer "))
    return std::nullopt;
  std::string_view token = trim(authorization.substr(7));
  if (token.empty() || token.size() > 512) return std::nullopt;
  std::string hash = sha256Raw(token);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    if (constantTimeEquals(e.hash, hash)) found = &e;  // no early exit
  }
  if (!found) return std::nullopt;
  return Caller{found->name, found->roles, true};
}

ApiRouter::ApiRouter(TokenStore tokens, Metrics& metrics)
    : tokens_(std::move(tokens)), metrics_(metrics) {}

void ApiRouter::add(std::unique_ptr<ApiModule> module) { modules_.push_back(std::move(module)); }

void ApiRouter::limitAuthFailures(AuthFailureLimiter::Options options) {
  limiter_ = std::make_unique<AuthFailureLimiter>(std::move(options));
}

std::vector<std::string> ApiRouter::routes() const {
  std::vector<std::string> out;
  for (const auto& m : modules_) {
    auto r = m->routes();
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::optional<Reply> ApiRouter::handle(Request& req, core::Instant now) {
  auto fail = [&](const ApiError& e) {
    if (e.status() == 401 && limiter_) {
      if (auto wait = limiter_->fail(limiter_->clientOf(req), std::chrono::steady_clock::now())) {
        metrics_.add("charta_api_auth_limited_total");
        Reply r = problem(429, "too-many-auth-failures", "Too Many Requests",
                          "Too many failed authentications from this client: retry after " +
                              std::to_string(*wait) + " s with a valid token.");
        r.headers.emplace_back("Retry-After", std::to_string(*wait));
        r.route = "api_error";
        return r;
      }
    }
    Reply r = problem(e.status(), e.slug(), e.title(), e.what());
    if (e.extra) {
      // Merge the extra members into the problem object.
      Poco::JSON::Object::Ptr o =
          Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
      for (const auto& [k, v] : *e.extra) o->set(k, v);
      r.body = toJson(o);
    }
    for (const auto& h : e.headers) r.headers.push_back(h);
    r.route = "api_error";
    return r;
  };
  try {
    if (tokenInQuery(req.query)) {
      throw ApiError(400, "token-in-query", "Bad Request",
                     "Send the token in the Authorization header, never in the URL: URLs end up "
                     "in logs, histories and Referer headers. Replace that token.");
    }
    Caller caller;
    if (auto auth = req.header("Authorization")) {
      auto c = tokens_.authenticate(*auth);
      if (!c) {
        metrics_.add("charta_api_auth_failures_total");
        ApiError e(401, "unauthorized", "Unauthorized", "The bearer token is not valid.");
        e.headers.emplace_back("WWW-Authenticate", "Bearer");
        throw e;
      }
      caller = *c;
    }
    for (const auto& m : modules_) {
      if (auto r = m->handle(req, now, caller)) return r;
    }
    return std::nullopt;
  } catch (const ApiError& e) {
    return fail(e);
  } catch (const InvalidInput& e) {
    return fail(ApiError(400, "invalid-request", "Bad Request", e.what()));
  } catch (const NotFound& e) {
    return fail(ApiError(404, "not-found", "Not Found", e.what()));
  } catch (const Conflict& e) {
    return fail(ApiError(409, "conflict", "Conflict", e.what()));
  }
}

std::optional<std::vector<std::string>> pathSegments(std::string_view path,
                                                     std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  path.remove_prefix(prefix.size());
  std::vector<std::string> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view raw = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    auto seg = percentDecode(raw);
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
    ApiError e(401, "unauthorized", "Unauthorized", "This request needs a bearer token.");
    e.headers.emplace_back("WWW-Authenticate", "Bearer");
    throw e;
  }
  if (!caller.has(role)) {
    throw ApiError(403, "forbidden", "Forbidden",
                   "The token has no role \"" + std::string(role) + "\".");
  }
}

Poco::JSON::Object::Ptr parseJsonBody(const Request& req, const std::set<std::string>& allowed,
                                      int maxDepth) {
  auto type = req.header("Content-Type");
  std::string_view t = type ? trim(type->substr(0, type->find(';'))) : std::string_view();
  if (!iequals(t, "application/json")) {
    throw ApiError(415, "unsupported-media-type", "Unsupported Media Type",
                   "Send the body as application/json.");
  }
  if (!core::isValidUtf8(req.body)) {
    throw ApiError(400, "invalid-json", "Bad Request", "The body is not valid UTF-8.");
  }
  if (textDepth(req.body) > maxDepth) {
    throw ApiError(400, "invalid-json", "Bad Request",
                   "The JSON body is nested deeper than " + std::to_string(maxDepth) + " levels.");
  }
  Poco::Dynamic::Var v;
  Poco::SharedPtr<StrictHandler> handler(new StrictHandler);
  try {
    v = Poco::JSON::Parser(handler).parse(std::string(req.body));
  } catch (const Poco::Exception&) {
    throw ApiError(400, "invalid-json", "Bad Request",
                   handler->duplicate() ? "An object of the body names a member twice."
                                        : "The body is not valid JSON.");
  }
  if (v.type() != typeid(Poco::JSON::Object::Ptr) || depthOf(v, maxDepth) > maxDepth) {
    throw ApiError(400, "invalid-json", "Bad Request", "The body must be one JSON object.");
  }
  auto o = v.extract<Poco::JSON::Object::Ptr>();
  if (!allowed.empty()) {
    for (const auto& [k, val] : *o) {
      if (!allowed.count(k)) {
        throw ApiError(400, "unknown-field", "Bad Request", "Unknown member \"" + k + "\".");
      }
    }
  }
  return o;
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

Reply jsonReply(int status, const Poco::Dynamic::Var& value, std::string cacheControl) {
  Reply r;
  r.status = status;
  r.contentType = "application/json";
  r.body = toJson(value);
  r.headers.emplace_back("Cache-Control", std::move(cacheControl));
  for (const auto& h : securityHeaders()) r.headers.push_back(h);
  return r;
}

std::string strongEtag(std::string_view bytes) {
  return "\"" + core::sha256Hex(bytes).substr(0, 32) + "\"";
}

bool ifNoneMatch(const Request& req, std::string_view etag) {
  auto inm = req.header("If-None-Match");
  return inm && etagListContains(*inm, etag, true);
}

void requireMethod(const Request& req, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto m : allowed) {
    if (req.method == m) return;
    list += (list.empty() ? "" : ", ") + std::string(m);
  }
  ApiError e(405, "method-not-allowed", "Method Not Allowed", "Use " + list + ".");
  e.headers.emplace_back("Allow", list);
  throw e;
}

}  // namespace charta::http
