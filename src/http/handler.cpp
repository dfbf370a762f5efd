#include "http/handler.h"

#include <Poco/JSON/Object.h>

#include <iostream>
#include <sstream>

#include "core/error.h"
#include "repository/policy_repository.h"

namespace charta::http {

Reply problem(int status, std::string_view slug, std::string_view title, std::string_view detail) {
  Reply r;
  r.status = status;
  r.contentType = "application/problem+json";
  r.body = "{\"type\":" + jsonQuote("https://charta.dev/problems/" + std::string(slug)) +
           ",\"title\":" + jsonQuote(title) + ",\"status\":" + std::to_string(status) +
           ",\"detail\":" + jsonQuote(detail) + "}";
  r.headers.emplace_back("Cache-Control", "no-store");
  for (const auto& h : securityHeaders()) r.headers.push_back(h);
  return r;
}

ChartaHandler::ChartaHandler(SiteService& site, Metrics& metrics, AccessLog* log)
    : site_(site), metrics_(metrics), log_(log) {}

void ChartaHandler::addReadinessCheck(std::string name, ReadinessCheck check) {
  checks_.emplace_back(std::move(name), std::move(check));
}

void ChartaHandler::setRepositoryHealthy(bool ok, std::string why) {
  std::lock_guard lock(whyMu_);
  repoHealthy_ = ok;
  repoWhy_ = std::move(why);
}

Reply ChartaHandler::refuse(int status, std::string_view detail) {
  Reply r = problem(status, "bad-request", reasonPhrase(status), detail);
  r.route = "refused";
  return r;
}

void ChartaHandler::completed(const Request& req, const Reply& reply,
                              std::chrono::nanoseconds took) {
  metrics_.request(reply.route, reply.status, took);
  if (log_) log_->write(req, reply, reply.route, took);
}

Reply ChartaHandler::readyz() {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  bool ok = true;
  {
    std::lock_guard lock(whyMu_);
    bool repo = repoHealthy_ && site_.snapshot()->generation > 0;
    o.set("repository", repo ? "ok" : (repoWhy_.empty() ? "not loaded" : repoWhy_));
    ok = ok && repo;
  }
  for (const auto& [name, check] : checks_) {
    std::string why;
    try {
      why = check();
    } catch (const std::exception& e) {
      why = e.what();
    }
    o.set(name, why.empty() ? "ok" : why);
    ok = ok && why.empty();
  }
  std::ostringstream ss;
  o.stringify(ss);
  Reply r;
  r.status = ok ? 200 : 503;
  r.contentType = "application/json";
  r.body = ss.str();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Reply ChartaHandler::route(Request& req, core::Instant now) {
  std::string_view path = req.path;
  bool read = req.method == "GET" || req.method == "HEAD";
  if (path.substr(0, 5) == "/api/" || path == "/api") {
    if (api_) {
      if (auto r = api_->handle(req, now)) return std::move(*r);
    }
    Reply r = problem(404, "not-found", "Not Found", "There is no such API resource.");
    r.route = "api_unknown";
    return r;
  }
  if (path == "/livez" || path == "/readyz" || path == "/metrics") {
    Reply r;
    if (!read) {
      r = problem(405, "method-not-allowed", "Method Not Allowed", "Use GET or HEAD.");
      r.headers.emplace_back("Allow", "GET, HEAD");
    } else if (path == "/livez") {
      r.contentType = "text/plain; charset=utf-8";
      r.body = "ok\n";
      r.headers.emplace_back("Cache-Control", "no-store");
    } else if (path == "/readyz") {
      r = readyz();
    } else {
      r.contentType = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_.exposition();
      r.headers.emplace_back("Cache-Control", "no-store");
    }
    r.route = path == "/livez" ? "livez" : path == "/readyz" ? "readyz" : "metrics";
    return r;
  }
  // Public pages: answer as for GET, then refuse other methods where the page exists.
  std::optional<Reply> page = site_.get(req, now);
  if (!page) {
    Reply r = site_.errorReply(404, "Страница не найдена", "Такой страницы нет.");
    r.route = "not_found";
    return r;
  }
  if (!read) {
    if (page->status == 404) return std::move(*page);
    Reply r = site_.errorReply(405, "Метод не разрешён", "Эта страница только для чтения.");
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.route = "method_not_allowed";
    return r;
  }
  return std::move(*page);
}

Reply ChartaHandler::handle(Request& req) {
  try {
    return route(req, core::now());
  } catch (const repository::RepositoryError& e) {
    // A damaged or unreadable object: nothing is served from it (git checks every object against
    // its id, so altered bytes never get this far). The reason goes to the log.
    std::cerr << "{\"level\":\"error\",\"request_id\":\"" << req.requestId
              << "\",\"error\":" << jsonQuote(std::string("policy repository: ") + e.what())
              << "}\n";
    Reply r = req.path.substr(0, 5) == "/api/"
                  ? problem(503, "repository-unreadable", "Service Unavailable",
                            "The policy text cannot be read intact now.")
                  : site_.errorReply(503, "Страница временно недоступна", "Попробуйте позже.");
    r.route = "error";
    return r;
  } catch (const std::exception& e) {
    // The reason goes to the log, never to the client.
    std::cerr << "{\"level\":\"error\",\"request_id\":\"" << req.requestId
              << "\",\"error\":" << jsonQuote(e.what()) << "}\n";
    Reply r = req.path.substr(0, 5) == "/api/"
                  ? problem(500, "internal", "Internal Server Error", "The request failed.")
                  : site_.errorReply(500, "Ошибка сервера", "Попробуйте позже.");
    r.route = "error";
    return r;
  }
}

}  // namespace charta::http
