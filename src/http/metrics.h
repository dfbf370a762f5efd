#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace charta::http {

// Prometheus metrics of one process: requests by route and status, a latency histogram, and
// named counters other parts increment (consents written, publication conflicts, webhooks...).
// Safe for concurrent use. Request counts are sharded by thread, so concurrent requests rarely
// wait for each other.
class Metrics {
 public:
  // Records one answered request. "route" must be a string literal (a route template).
  void request(const char* route, int status, std::chrono::nanoseconds took);
  // Counts a request answered by an event loop from memory, without a worker.
  void answeredOnLoop() { loopAnswers_.fetch_add(1, std::memory_order_relaxed); }
  // Adds "n" to counter "name" (a metric name in Prometheus syntax, with labels if any).
  void add(const std::string& name, double n = 1);
  // Records a duration in the render-time histogram.
  void renderTime(std::chrono::nanoseconds took);
  // The text exposition format (version 0.0.4).
  std::string exposition() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> counts{};
    std::atomic<uint64_t> sumMicros{0};
    void observe(std::chrono::nanoseconds took);
  };
  struct Shard {
    std::mutex mu;
    std::map<std::pair<const char*, int>, uint64_t> counts;  // route literal, status
  };
  static constexpr size_t kShards = 16;
  mutable std::array<Shard, kShards> shards_;
  mutable std::mutex mu_;
  std::map<std::string, double> counters_;
  std::atomic<uint64_t> loopAnswers_{0};
  Histogram latency_;
  Histogram render_;
};

}  // namespace charta::http
