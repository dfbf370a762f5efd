#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/request.h"
#include "http/metrics.h"
#include "service/audit.h"
#include "service/verifications.h"

// The ledger's verification over HTTP (routed by the consents module, see modules.h):
//
//   GET  /api/v1/ledger/verify[?since_anchor=true]          auditor  the report when the walk
//        ends within kWait: 200; else 202 and Location of the verification still running
//   POST /api/v1/ledger/verifications[?since_anchor=true]   auditor  202, Location: the
//        verification started (or the one of that scope already running)
//   GET  /api/v1/ledger/verifications/{id}                  auditor  its state, progress and,
//        once done, the report; 404 once forgotten (the latest 8 finished are kept)
//
// No request holds a worker for the whole walk: the walk runs on a thread of its own.
namespace charta::api {

class VerifyRoutes {
 public:
  static constexpr std::chrono::milliseconds kWait{3000};

  VerifyRoutes(const service::Audit& audit, std::string backend, http::Metrics& metrics);

  // "s": the path segments after /api/v1/ ("ledger", ...); nullopt when not one of the routes.
  std::optional<http::Reply> handle(http::Request& req, const std::vector<std::string>& s,
                                    core::Instant now, const Caller& caller);

 private:
  http::Reply verify(const http::Request& req, core::Instant now);
  http::Reply accepted(const service::Verifications::Snapshot& job, const char* route) const;

  std::string backend_;
  service::Verifications jobs_;
};

}  // namespace charta::api
