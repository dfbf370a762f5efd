#include "api/verifications.h"

#include "service/views.h"

namespace charta::api {

using service::Fault;
using service::Verifications;

namespace {

// ?since_anchor=true|false (default false).
bool sinceAnchorParam(const http::Request& req) {
  requireQueryParams(req, {"since_anchor"});
  auto since = req.queryParam("since_anchor");
  if (since && *since != "true" && *since != "false") {
    throw Problem(Fault::kInvalidParameter, "since_anchor must be true or false.");
  }
  return since && *since == "true";
}

}  // namespace

VerifyRoutes::VerifyRoutes(const service::Audit& audit, std::string backend, http::Metrics& metrics)
    : backend_(std::move(backend)), jobs_(audit, [&metrics](const service::AuditReport& r) {
        if (!r.ok()) metrics.add("charta_ledger_verify_failures_total");
      }) {}

std::optional<http::Reply> VerifyRoutes::handle(http::Request& req,
                                                const std::vector<std::string>& s,
                                                core::Instant now, const Caller& caller) {
  if (s.empty() || s[0] != "ledger") return std::nullopt;
  if (s.size() == 2 && s[1] == "verify") {
    requireMethod(req, {"GET", "HEAD"});
    requireRole(caller, "auditor");
    return verify(req, now);
  }
  if (s.size() == 2 && s[1] == "verifications") {
    requireMethod(req, {"POST"});
    requireRole(caller, "auditor");
    return accepted(jobs_.start(sinceAnchorParam(req), now), "/api/v1/ledger/verifications");
  }
  if (s.size() == 3 && s[1] == "verifications") {
    requireMethod(req, {"GET", "HEAD"});
    requireRole(caller, "auditor");
    requireQueryParams(req, {});
    auto job = jobs_.find(s[2]);
    if (!job) throw Problem(Fault::kNotFound, "No such verification (or it was forgotten).");
    return jsonReply(200, service::verificationJson(*job, backend_),
                     "/api/v1/ledger/verifications/{id}");
  }
  return std::nullopt;
}

// The report when the walk ends within kWait, as before verifications ran off the request.
http::Reply VerifyRoutes::verify(const http::Request& req, core::Instant now) {
  Verifications::Snapshot job = jobs_.start(sinceAnchorParam(req), now);
  auto done = jobs_.wait(job.id, kWait);
  if (done) job = std::move(*done);
  if (job.state == Verifications::State::kFailed) std::rethrow_exception(job.failure);
  if (job.state == Verifications::State::kDone) {
    return jsonReply(200, service::auditReportJson(*job.report, backend_), "/api/v1/ledger/verify");
  }
  return accepted(job, "/api/v1/ledger/verify");
}

http::Reply VerifyRoutes::accepted(const Verifications::Snapshot& job, const char* route) const {
  http::Reply r = jsonReply(202, service::verificationJson(job, backend_), route);
  r.headers.emplace_back("Location", "/api/v1/ledger/verifications/" + job.id);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace charta::api
