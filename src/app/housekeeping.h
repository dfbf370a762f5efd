#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/ops.h"
#include "http/access_log.h"
#include "http/metrics.h"
#include "service/catalog.h"

// What the server does besides answering requests: it notices what other processes wrote to the
// repository, re-reads the texts in force for damage, and says once what the repository holds
// that cannot be used.
namespace charta::app {

// One line of the server's log on stderr: {"time", "level", "msg"} and "extra" (`,"key":value`
// pairs, already JSON). Never given a subject id or an address.
void logLine(const std::string& level, const std::string& msg, const std::string& extra = "");

// Says once what the repository holds that cannot be used, as a log line (stderr) and a metric
// (charta_repository_problems_total{kind="branch"|"tag"}): an invalid charta.xml at the tip of the
// branch, once per tip; each tag that is no edition, once. Not thread-safe: one caller.
class RepositoryReport {
 public:
  explicit RepositoryReport(http::Metrics& metrics) : metrics_(metrics) {}
  void report(const service::Snapshot& snap);

 private:
  http::Metrics& metrics_;
  uint64_t generation_ = 0;
  std::string branch_;
  std::set<std::string> tags_;
};

// The line a failure to read the repository is logged and shown in /readyz with: "damaged or
// unreadable", or "unreadable for now" when the process is short of descriptors or memory.
std::string repositoryTrouble(const std::exception& e);

// Loads the catalog and checks the texts in force. A repository that cannot be read, or a
// damaged text, does not stop the server: it serves what it can, answers 503 for the rest, and
// /readyz says why until the repository is mended. Returns the trouble ("" when none).
std::string loadCatalog(service::Catalog& catalog, RepositoryReport& report);

// Notices commits and tags of other processes every repository.poll_ms, re-reads the texts in
// force every repository.verify_s (git checks them for damage), reports what cannot be used, and
// flushes the access log, on its own thread until destroyed.
class Housekeeping {
 public:
  Housekeeping(const Poco::Util::AbstractConfiguration& config, service::Catalog& catalog,
               api::Ops& ops, RepositoryReport& report, http::AccessLog* log, std::string damage);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

 private:
  void run();
  void look(std::chrono::steady_clock::time_point& nextVerify);

  service::Catalog& catalog_;
  api::Ops& ops_;
  RepositoryReport& report_;
  http::AccessLog* log_;
  std::chrono::milliseconds poll_;
  std::chrono::seconds verifyEvery_;
  std::string damage_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace charta::app
