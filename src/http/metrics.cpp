#include "http/metrics.h"

#include <cstdio>
#include <sstream>
#include <thread>

namespace charta::http {

void Metrics::Histogram::observe(std::chrono::nanoseconds took) {
  double s = std::chrono::duration<double>(took).count();
  size_t i = 0;
  while (i < kBuckets.size() && s > kBuckets[i]) ++i;
  counts[i].fetch_add(1, std::memory_order_relaxed);
  sumMicros.fetch_add(static_cast<uint64_t>(s * 1e6), std::memory_order_relaxed);
}

void Metrics::request(const char* route, int status, std::chrono::nanoseconds took) {
  latency_.observe(took);
  thread_local const size_t shard =
      std::hash<std::thread::id>()(std::this_thread::get_id()) % kShards;
  Shard& s = shards_[shard];
  std::lock_guard lock(s.mu);
  ++s.counts[{route, status}];
}

void Metrics::add(const std::string& name, double n) {
  std::lock_guard lock(mu_);
  counters_[name] += n;
}

void Metrics::renderTime(std::chrono::nanoseconds took) { render_.observe(took); }

std::string Metrics::exposition() const {
  std::ostringstream out;
  auto histogram = [&](const char* name, const char* help, const Histogram& h) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i].load();
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      out << name << "_bucket{le=\"" << le << "\"} " << cumulative << '\n';
    }
    cumulative += h.counts[kBuckets.size()].load();
    out << name << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(h.sumMicros.load()) / 1e6);
    out << name << "_sum " << sum << '\n' << name << "_count " << cumulative << '\n';
  };
  // Route literals with the same text may have different addresses: merge by text.
  std::map<std::pair<std::string, int>, uint64_t> requests;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    for (const auto& [key, n] : s.counts) requests[{key.first, key.second}] += n;
  }
  std::lock_guard lock(mu_);
  out << "# HELP charta_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE charta_http_requests_total counter\n";
  for (const auto& [key, n] : requests) {
    out << "charta_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << '\n';
  }
  out << "# HELP charta_http_loop_answers_total Requests answered from memory by an event loop, "
         "without a worker.\n# TYPE charta_http_loop_answers_total counter\n"
         "charta_http_loop_answers_total "
      << loopAnswers_.load() << '\n';
  histogram("charta_http_request_duration_seconds", "Time to answer a request.", latency_);
  histogram("charta_render_duration_seconds", "Time to render a page or text.", render_);
  std::string lastFamily;
  for (const auto& [name, v] : counters_) {
    std::string family = name.substr(0, name.find('{'));
    if (family != lastFamily) {
      out << "# TYPE " << family << " counter\n";
      lastFamily = family;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out << name << ' ' << buf << '\n';
  }
  return out.str();
}

}  // namespace charta::http
