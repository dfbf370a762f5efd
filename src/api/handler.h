#pragma once

#include <chrono>
#include <functional>

#include "api/cors.h"
#include "api/ops.h"
#include "api/router.h"
#include "api/site.h"
#include "http/access_log.h"
#include "http/metrics.h"
#include "http/server.h"

namespace charta::api {

// The server's one handler: the JSON API under /api, the operators' endpoints, and the public
// pages; the single place that turns what escapes them into a response (an RFC 9457 problem under
// /api, an HTML page elsewhere; the reason logged, never shown) and that logs and counts every
// request; CORS headers and preflights as "cors" says (api/cors.h). Safe for concurrent use.
class ChartaHandler : public http::Handler {
 public:
  // "clock": the moment a request is answered at, read before any snapshot of the catalog is
  // taken (service::Catalog::now orders it with withdrawals).
  ChartaHandler(SiteRoutes& site, ApiRouter& api, Ops& ops, http::Metrics& metrics,
                http::AccessLog* log, Cors cors = Cors(),
                std::function<core::Instant()> clock = core::now);

  http::Reply handle(http::Request& req) override;
  // The public pages already in memory, for GET and HEAD, when "quickClock" (given to
  // answerFromMemory) reads the clock without waiting; nullopt otherwise.
  std::optional<http::Reply> quick(http::Request& req) override;
  // Turns quick() on: "quickClock" reads the same clock as "clock" without waiting (nullopt when
  // it would wait; service::Catalog::nowWithoutWaiting). Call before the server starts.
  void answerFromMemory(std::function<std::optional<core::Instant>()> quickClock);
  http::Reply refuse(int status, std::string_view detail) override;
  void completed(const http::Request& req, const http::Reply& reply,
                 std::chrono::nanoseconds took) override;

 private:
  http::Reply route(http::Request& req, core::Instant now);
  http::Reply answer(http::Request& req);

  SiteRoutes& site_;
  ApiRouter& api_;
  Ops& ops_;
  http::Metrics& metrics_;
  http::AccessLog* log_;
  Cors cors_;
  std::function<core::Instant()> clock_;
  std::function<std::optional<core::Instant>()> quickClock_;  // empty: quick() is off
};

}  // namespace charta::api
