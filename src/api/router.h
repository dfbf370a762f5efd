#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/tokens.h"
#include "core/time.h"
#include "http/auth_limiter.h"
#include "http/metrics.h"
#include "http/wire.h"
#include "service/errors.h"

namespace charta::api {

// One resource of the API (documents, publications, consents...): parses its requests, calls one
// service function each, formats the result.
class ApiModule {
 public:
  virtual ~ApiModule() = default;
  // Answers "req" when its path belongs to this module; nullopt otherwise. Failures are thrown
  // (service::Failure, Problem, or the adapters' errors); the router answers them.
  virtual std::optional<http::Reply> handle(http::Request& req, core::Instant now,
                                            const Caller& caller) = 0;
  // The route templates this module answers, "GET /api/v1/documents/{doc}", for route coverage.
  virtual std::vector<std::string> routes() const = 0;
};

// The JSON API under /api/v1: authenticates the caller, asks each module in turn, and answers
// every failure with its problem from the one table (api/problems.h). A token in the query string
// is refused whatever the route; clients that fail to authenticate too often get 429 (see
// http::AuthFailureLimiter). Safe for concurrent use once built.
class ApiRouter {
 public:
  ApiRouter(TokenStore tokens, http::Metrics& metrics);
  void add(std::unique_ptr<ApiModule> module);
  // Limits failed authentications per client (off until called).
  void limitAuthFailures(http::AuthFailureLimiter::Options options);
  // The answer to "req", or nullopt when no module knows its path.
  std::optional<http::Reply> handle(http::Request& req, core::Instant now);
  std::vector<std::string> routes() const;

 private:
  std::optional<http::Reply> route(http::Request& req, core::Instant now);
  http::Reply fail(const http::Request& req, const service::Failure& failure);

  TokenStore tokens_;
  http::Metrics& metrics_;
  std::vector<std::unique_ptr<ApiModule>> modules_;
  std::unique_ptr<http::AuthFailureLimiter> limiter_;
};

}  // namespace charta::api
