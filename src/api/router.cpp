#include "api/router.h"

#include <iostream>

#include "api/problems.h"
#include "api/tokens.h"
#include "http/access_log.h"

namespace charta::api {

using service::Fault;

namespace {

// Whether "query" has a parameter that looks like a credential (access_token=…, token=…), in any
// case and however percent-encoded its name is.
bool tokenInQuery(std::string_view query) {
  static constexpr std::string_view kNames[] = {"access_token", "token",         "api_key",
                                                "apikey",       "authorization", "bearer"};
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto name = http::percentDecode(pair.substr(0, pair.find('=')), true);
    if (!name) continue;
    for (auto n : kNames) {
      if (core::iequals(trimmed(*name), n)) return true;
    }
  }
  return false;
}

}  // namespace

ApiRouter::ApiRouter(TokenStore tokens, http::Metrics& metrics)
    : tokens_(std::move(tokens)), metrics_(metrics) {}

void ApiRouter::add(std::unique_ptr<ApiModule> module) { modules_.push_back(std::move(module)); }

void ApiRouter::limitAuthFailures(http::AuthFailureLimiter::Options options) {
  limiter_ = std::make_unique<http::AuthFailureLimiter>(std::move(options));
}

std::vector<std::string> ApiRouter::routes() const {
  std::vector<std::string> out;
  for (const auto& m : modules_) {
    auto r = m->routes();
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::optional<http::Reply> ApiRouter::route(http::Request& req, core::Instant now) {
  if (tokenInQuery(req.query)) {
    throw Problem(Fault::kTokenInQuery,
                  "Send the token in the Authorization header, never in the URL: URLs end up in "
                  "logs, histories and Referer headers. Replace that token.");
  }
  if (!http::percentDecode(req.path) || !http::percentDecode(req.query)) {
    // "%zz" or a lone "%": a malformed request, not a resource that does not exist.
    throw Problem(Fault::kInvalidRequest,
                  "The URL holds a malformed percent-encoding (% must be followed by two hex "
                  "digits).");
  }
  Caller caller;
  if (auto auth = req.header("Authorization")) {
    auto c = tokens_.authenticate(*auth);
    if (!c) {
      metrics_.add("charta_api_auth_failures_total");
      Problem p(Fault::kUnauthorized, "The bearer token is not valid.");
      p.headers.emplace_back("WWW-Authenticate", "Bearer");
      throw p;
    }
    caller = *c;
  }
  for (const auto& m : modules_) {
    if (auto r = m->handle(req, now, caller)) return r;
  }
  return std::nullopt;
}

http::Reply ApiRouter::fail(const http::Request& req, const service::Failure& failure) {
  if (failure.fault() == Fault::kUnauthorized && limiter_) {
    if (auto wait = limiter_->fail(limiter_->clientOf(req), std::chrono::steady_clock::now())) {
      metrics_.add("charta_api_auth_limited_total");
      service::Failure limited(Fault::kTooManyAuthFailures,
                               "Too many failed authentications from this client: retry after " +
                                   std::to_string(*wait) + " s with a valid token.");
      limited.retryAfter = std::chrono::seconds(*wait);
      return problemReply(limited);
    }
  }
  if (!failure.cause.empty()) {
    // The reason goes to the log (never a subject id: adapters do not put them in messages), not
    // to the client.
    std::cerr << "{\"level\":\"error\",\"request_id\":" << http::jsonQuote(req.requestId)
              << ",\"error\":" << http::jsonQuote(failure.cause) << "}\n";
  }
  http::Reply r = problemReply(failure);
  if (failure.fault() == Fault::kInternal || failure.fault() == Fault::kRepositoryUnreadable) {
    r.route = "error";
  }
  return r;
}

std::optional<http::Reply> ApiRouter::handle(http::Request& req, core::Instant now) {
  try {
    return route(req, now);
  } catch (const service::Failure& f) {
    return fail(req, f);
  } catch (const std::exception& e) {
    return fail(req, service::failureOf(e));
  }
}

}  // namespace charta::api
