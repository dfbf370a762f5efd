#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/metrics.h"
#include "http/wire.h"
#include "service/catalog.h"

namespace charta::api {

// What /readyz checks besides the repository: empty when healthy, else why not.
using ReadinessCheck = std::function<std::string()>;

// The operators' endpoints: /livez (the process is up), /readyz (the repository readable and
// every check healthy: 200, else 503 naming why; "branch" and "tags" name what the repository
// holds that cannot be used — an invalid charta.xml at the branch tip, tags that are no editions —
// without making the server unready) and /metrics (Prometheus text). Safe for concurrent use once
// the checks are added.
class Ops {
 public:
  Ops(const service::Catalog& catalog, http::Metrics& metrics);

  void addReadinessCheck(std::string name, ReadinessCheck check);
  // Whether the last look at the repository worked (the server's housekeeping tells).
  void setRepositoryHealthy(bool ok, std::string why = "");

  // The answer when "req.path" is one of the three; nullopt otherwise.
  std::optional<http::Reply> handle(const http::Request& req);

 private:
  http::Reply readyz();

  const service::Catalog& catalog_;
  http::Metrics& metrics_;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
  std::mutex mu_;
  bool repoHealthy_ = true;
  std::string repoWhy_;
};

}  // namespace charta::api
