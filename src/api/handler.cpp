#include "api/handler.h"

#include <iostream>

#include "api/problems.h"
#include "http/replies.h"
#include "service/errors.h"

namespace charta::api {

ChartaHandler::ChartaHandler(SiteRoutes& site, ApiRouter& api, Ops& ops, http::Metrics& metrics,
                             http::AccessLog* log, Cors cors, std::function<core::Instant()> clock)
    : site_(site),
      api_(api),
      ops_(ops),
      metrics_(metrics),
      log_(log),
      cors_(std::move(cors)),
      clock_(std::move(clock)) {}

http::Reply ChartaHandler::refuse(int status, std::string_view detail) {
  return http::refusal(status, detail);
}

void ChartaHandler::completed(const http::Request& req, const http::Reply& reply,
                              std::chrono::nanoseconds took) {
  metrics_.request(reply.route, reply.status, took);
  if (req.onLoop) metrics_.answeredOnLoop();
  if (log_) log_->write(req, reply, reply.route, took);
}

http::Reply ChartaHandler::route(http::Request& req, core::Instant now) {
  std::string_view path = req.path;
  if (path.substr(0, 5) == "/api/" || path == "/api") {
    if (auto r = api_.handle(req, now)) return std::move(*r);
    http::Reply r =
        problemReply(service::Failure(service::Fault::kNotFound, "There is no such API resource."));
    r.route = "api_unknown";
    return r;
  }
  if (!http::percentDecode(req.path) || !http::percentDecode(req.query)) {
    // "%zz" or a lone "%" is a malformed request, not a page that does not exist.
    return site_.error(req, 400, "error.400", "error.bad-escape");
  }
  if (auto r = ops_.handle(req)) return std::move(*r);
  // Public pages: answer as for GET, then refuse other methods where the page exists.
  std::optional<http::Reply> page = site_.get(req, now);
  if (!page) return site_.error(req, 404, "error.404", "error.no-page");
  if (req.method != "GET" && req.method != "HEAD") {
    if (page->status == 404) return std::move(*page);
    http::Reply r = site_.error(req, 405, "error.405", "error.read-only");
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.route = "method_not_allowed";
    return r;
  }
  return std::move(*page);
}

http::Reply ChartaHandler::handle(http::Request& req) {
  if (auto preflight = cors_.preflight(req)) return std::move(*preflight);
  http::Reply r = answer(req);
  cors_.decorate(req, r);
  return r;
}

void ChartaHandler::answerFromMemory(std::function<std::optional<core::Instant>()> quickClock) {
  quickClock_ = std::move(quickClock);
}

std::optional<http::Reply> ChartaHandler::quick(http::Request& req) {
  if (!quickClock_ || (req.method != "GET" && req.method != "HEAD")) return std::nullopt;
  std::string_view path = req.path;
  // The API and the operators' endpoints (which read the repository and the ledger) go to a
  // worker, as does a malformed escape (an error page).
  if (path.substr(0, 4) == "/api" || path == "/livez" || path == "/readyz" || path == "/metrics") {
    return std::nullopt;
  }
  if (path.find('%') != std::string_view::npos || req.query.find('%') != std::string_view::npos) {
    if (!http::percentDecode(req.path) || !http::percentDecode(req.query)) return std::nullopt;
  }
  auto now = quickClock_();
  if (!now) return std::nullopt;
  auto r = site_.quick(req, *now);
  if (r) cors_.decorate(req, *r);
  return r;
}

http::Reply ChartaHandler::answer(http::Request& req) {
  try {
    return route(req, clock_());
  } catch (const std::exception& e) {
    // A damaged or unreadable object, or anything else: the reason goes to the log, never to the
    // client. (git checks every object against its id, so altered bytes never get this far.)
    service::Failure f = service::failureOf(e);
    std::cerr << "{\"level\":\"error\",\"request_id\":" << http::jsonQuote(req.requestId)
              << ",\"error\":" << http::jsonQuote(f.cause.empty() ? e.what() : f.cause) << "}\n";
    // Out of descriptors or memory for a moment (kRepositoryBusy): 503 with Retry-After, like
    // damage; never 404.
    bool unreadable = f.fault() == service::Fault::kRepositoryUnreadable ||
                      f.fault() == service::Fault::kRepositoryBusy;
    http::Reply r = req.path.substr(0, 5) == "/api/"
                        ? problemReply(unreadable ? f
                                                  : service::Failure(service::Fault::kInternal,
                                                                     "The request failed."))
                    : unreadable ? site_.error(req, 503, "error.503", "error.try-later")
                                 : site_.error(req, 500, "error.500", "error.try-later");
    if (f.retryAfter && req.path.substr(0, 5) != "/api/") {
      r.headers.emplace_back("Retry-After", std::to_string(f.retryAfter->count()));
    }
    r.route = "error";
    return r;
  }
}

}  // namespace charta::api
