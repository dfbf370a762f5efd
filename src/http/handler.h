#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "http/access_log.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/site_service.h"

namespace charta::http {

// Answers one API request (the JSON API lives behind this), or nullopt when the path is not its.
class ApiRoutes {
 public:
  virtual ~ApiRoutes() = default;
  virtual std::optional<Reply> handle(Request& req, core::Instant now) = 0;
};

// What /readyz checks besides the site: each returns an empty string when healthy, else why not.
using ReadinessCheck = std::function<std::string()>;

// The server's one handler: public pages, the API, /livez, /readyz, /metrics; the single place
// that turns failures into responses (RFC 9457 problems under /api, HTML pages elsewhere) and
// that logs and counts every request.
class ChartaHandler : public Handler {
 public:
  ChartaHandler(SiteService& site, Metrics& metrics, AccessLog* log);

  void setApi(ApiRoutes* api) { api_ = api; }
  void addReadinessCheck(std::string name, ReadinessCheck check);
  // Called by housekeeping: whether the last refresh of the repository worked.
  void setRepositoryHealthy(bool ok, std::string why = "");

  Reply handle(Request& req) override;
  Reply refuse(int status, std::string_view detail) override;
  void completed(const Request& req, const Reply& reply, std::chrono::nanoseconds took) override;

 private:
  Reply route(Request& req, core::Instant now);
  Reply readyz();

  SiteService& site_;
  Metrics& metrics_;
  AccessLog* log_;
  ApiRoutes* api_ = nullptr;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
  std::atomic<bool> repoHealthy_{true};
  std::mutex whyMu_;
  std::string repoWhy_;
};

// An RFC 9457 problem response (application/problem+json) with a stable type URI
// "https://charta.dev/problems/<slug>".
Reply problem(int status, std::string_view slug, std::string_view title, std::string_view detail);

}  // namespace charta::http
