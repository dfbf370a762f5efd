#include "service/verifications.h"

#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <vector>

namespace charta::service {

namespace {

// Thrown from the progress callback to stop a walk when the server stops.
struct Stopped {};

}  // namespace

std::string_view stateName(Verifications::State state) {
  switch (state) {
    case Verifications::State::kRunning:
      return "running";
    case Verifications::State::kDone:
      return "done";
    case Verifications::State::kFailed:
      return "failed";
  }
  return "?";
}

Verifications::Verifications(const Audit& audit, std::function<void(const AuditReport&)> onReport)
    : audit_(audit), onReport_(std::move(onReport)) {}

Verifications::~Verifications() {
  stopping_ = true;
  std::map<std::string, std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mutex_);
    jobs.swap(jobs_);
  }
  for (auto& entry : jobs) {
    if (entry.second->thread.joinable()) entry.second->thread.join();
  }
}

Verifications::Snapshot Verifications::snapshot(const Job& job) const {
  Snapshot s = job.snap;
  s.checked = job.snap.state == State::kRunning ? job.checked.load() : job.snap.checked;
  return s;
}

void Verifications::run(Job& job) {
  std::optional<AuditReport> report;
  std::exception_ptr failure;
  try {
    report = audit_.verify(job.snap.sinceAnchor, [&](std::int64_t checked) {
      if (stopping_) throw Stopped{};
      job.checked = checked;
    });
    if (onReport_) onReport_(*report);
  } catch (const Stopped&) {
    return;  // the destructor is waiting: nobody reads this job any more
  } catch (...) {
    failure = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    job.snap.finishedAt = core::now();
    job.snap.checked = report ? report->log.checked : job.checked.load();
    job.snap.report = std::move(report);
    job.snap.failure = failure;
    job.snap.state = failure ? State::kFailed : State::kDone;
  }
  finished_.notify_all();
}

void Verifications::forgetOld() {
  std::vector<Job*> finished;
  for (auto& entry : jobs_) {
    if (entry.second->snap.state != State::kRunning) finished.push_back(entry.second.get());
  }
  if (finished.size() <= kKept) return;
  std::sort(finished.begin(), finished.end(),
            [](const Job* a, const Job* b) { return *a->snap.finishedAt < *b->snap.finishedAt; });
  for (std::size_t i = 0; i + kKept < finished.size(); ++i) {
    Job* old = finished[i];
    if (old->thread.joinable()) old->thread.join();  // finished: returns at once
    jobs_.erase(old->snap.id);
  }
}

Verifications::Snapshot Verifications::start(bool sinceAnchor, core::Instant now) {
  std::lock_guard lock(mutex_);
  for (const auto& entry : jobs_) {
    const Job& j = *entry.second;
    if (j.snap.state == State::kRunning && j.snap.sinceAnchor == sinceAnchor) return snapshot(j);
  }
  forgetOld();
  auto job = std::make_unique<Job>();
  job->snap.id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  job->snap.sinceAnchor = sinceAnchor;
  job->snap.startedAt = now;
  Job& j = *job;
  jobs_.emplace(j.snap.id, std::move(job));
  j.thread = std::thread([this, &j] { run(j); });
  return snapshot(j);
}

std::optional<Verifications::Snapshot> Verifications::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(std::string(id));
  if (it == jobs_.end()) return std::nullopt;
  return snapshot(*it->second);
}

std::optional<Verifications::Snapshot> Verifications::wait(
    std::string_view id, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const std::string key(id);
  finished_.wait_for(lock, timeout, [&] {
    auto it = jobs_.find(key);
    return it == jobs_.end() || it->second->snap.state != State::kRunning;
  });
  auto it = jobs_.find(key);
  if (it == jobs_.end()) return std::nullopt;
  return snapshot(*it->second);
}

}  // namespace charta::service
