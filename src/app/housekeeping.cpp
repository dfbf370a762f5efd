#include "app/housekeeping.h"

#include <iostream>

#include "core/json_text.h"
#include "core/time.h"
#include "repository/policy_repository.h"

namespace charta::app {

void logLine(const std::string& level, const std::string& msg, const std::string& extra) {
  std::cerr << "{\"time\":\"" << core::formatRfc3339(core::now()) << "\",\"level\":\"" << level
            << "\",\"msg\":" << core::jsonQuote(msg) << extra << "}\n"
            << std::flush;
}

void RepositoryReport::report(const service::Snapshot& snap) {
  if (snap.generation == generation_) return;
  generation_ = snap.generation;
  if (!snap.branchProblem.empty() && snap.branchProblem != branch_) {
    logLine("warning",
            "charta.xml at the tip of the branch is invalid: drafts cannot be linted or "
            "published until it is mended; the site is served from the editions",
            ",\"problem\":" + core::jsonQuote(snap.branchProblem));
    metrics_.add("charta_repository_problems_total{kind=\"branch\"}");
  }
  branch_ = snap.branchProblem;
  for (const std::string& p : snap.tagProblems) {
    if (!tags_.insert(p).second) continue;
    logLine("warning", "a tag named as charta names editions is not one: it is never served",
            ",\"problem\":" + core::jsonQuote(p));
    metrics_.add("charta_repository_problems_total{kind=\"tag\"}");
  }
}

std::string repositoryTrouble(const std::exception& e) {
  if (dynamic_cast<const repository::RepositoryUnavailable*>(&e)) {
    return std::string("policy repository unreadable for now (retrying): ") + e.what();
  }
  return std::string("policy repository damaged or unreadable: ") + e.what();
}

std::string loadCatalog(service::Catalog& catalog, RepositoryReport& report) {
  try {
    catalog.refresh();
    report.report(*catalog.snapshot());
    catalog.verifyTexts(core::now());
    return "";
  } catch (const std::exception& e) {
    std::string trouble = repositoryTrouble(e);
    logLine("error", trouble);
    return trouble;
  }
}

Housekeeping::Housekeeping(const Poco::Util::AbstractConfiguration& config,
                           service::Catalog& catalog, api::Ops& ops, RepositoryReport& report,
                           http::AccessLog* log, std::string damage)
    : catalog_(catalog),
      ops_(ops),
      report_(report),
      log_(log),
      poll_(config.getInt("repository.poll_ms")),
      verifyEvery_(config.getInt("repository.verify_s")),
      damage_(std::move(damage)),
      thread_([this] { run(); }) {}

Housekeeping::~Housekeeping() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Housekeeping::run() {
  auto nextVerify = std::chrono::steady_clock::now() + verifyEvery_;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, poll_, [&] { return stop_; })) {
    lock.unlock();
    look(nextVerify);
    if (log_) log_->flush();
    lock.lock();
  }
}

void Housekeeping::look(std::chrono::steady_clock::time_point& nextVerify) {
  try {
    if (catalog_.refresh()) logLine("info", "repository changed: pages reloaded");
    report_.report(*catalog_.snapshot());
    if (!damage_.empty() || std::chrono::steady_clock::now() >= nextVerify) {
      nextVerify = std::chrono::steady_clock::now() + verifyEvery_;
      catalog_.verifyTexts(core::now());
      if (!damage_.empty()) logLine("info", "policy repository readable and intact again");
      damage_.clear();
    }
    ops_.setRepositoryHealthy(damage_.empty());
  } catch (const std::exception& e) {
    std::string why = repositoryTrouble(e);
    if (why != damage_) logLine("error", why);
    damage_ = why;
    ops_.setRepositoryHealthy(false, why);
  }
}

}  // namespace charta::app
