#include "api/ops.h"

#include <Poco/JSON/Object.h>

#include "api/problems.h"
#include "api/request.h"

namespace charta::api {

namespace {

// "ok", or the first tag that is no edition and how many more there are.
std::string tagsDetail(const service::Snapshot& snap) {
  if (snap.tagProblems.empty()) return "ok";
  std::string out = snap.tagProblems.front();
  if (snap.tagProblems.size() > 1) {
    out += " (and " + std::to_string(snap.tagProblems.size() - 1) + " more: charta editions)";
  }
  return out;
}

}  // namespace

Ops::Ops(const service::Catalog& catalog, http::Metrics& metrics)
    : catalog_(catalog), metrics_(metrics) {}

void Ops::addReadinessCheck(std::string name, ReadinessCheck check) {
  checks_.emplace_back(std::move(name), std::move(check));
}

void Ops::setRepositoryHealthy(bool ok, std::string why) {
  std::lock_guard lock(mu_);
  repoHealthy_ = ok;
  repoWhy_ = std::move(why);
}

http::Reply Ops::readyz() {
  auto o = Poco::makeShared<Poco::JSON::Object>(Poco::JSON_PRESERVE_KEY_ORDER);
  bool ok = true;
  auto snap = catalog_.snapshot();
  {
    std::lock_guard lock(mu_);
    bool repo = repoHealthy_ && snap->generation > 0;
    o->set("repository", repo ? "ok" : (repoWhy_.empty() ? "not loaded" : repoWhy_));
    ok = repo;
  }
  // What the repository holds that cannot be used, without making the server unready: the site
  // is served from the editions whatever the branch's charta.xml says, and a tag that is no
  // edition is never served.
  o->set("branch", snap->branchProblem.empty() ? std::string("ok") : snap->branchProblem);
  o->set("tags", tagsDetail(*snap));
  for (const auto& [name, check] : checks_) {
    std::string why;
    try {
      why = check();
    } catch (const std::exception& e) {
      why = e.what();
    }
    o->set(name, why.empty() ? "ok" : why);
    ok = ok && why.empty();
  }
  http::Reply r;
  r.status = ok ? 200 : 503;
  r.contentType = "application/json";
  r.body = toJson(o);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::optional<http::Reply> Ops::handle(const http::Request& req) {
  std::string_view path = req.path;
  if (path != "/livez" && path != "/readyz" && path != "/metrics") return std::nullopt;
  http::Reply r;
  if (req.method != "GET" && req.method != "HEAD") {
    Problem p(service::Fault::kMethodNotAllowed, "Use GET or HEAD.");
    p.headers.emplace_back("Allow", "GET, HEAD");
    r = problemReply(p);
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

}  // namespace charta::api
