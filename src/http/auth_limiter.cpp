#include "http/auth_limiter.h"

#include <algorithm>
#include <cmath>

namespace charta::http {
namespace {

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string AuthFailureLimiter::clientOf(const Request& req) const {
  if (!options_.clientHeader.empty()) {
    if (auto v = req.header(options_.clientHeader)) {
      // A proxy appends the address it saw: the last element is the one it vouches for; what
      // comes before it is whatever the client claimed.
      std::string_view last = v->substr(std::min(v->size(), v->rfind(',') + 1));
      last = trimSpaces(last);
      if (!last.empty() && last.size() <= 64) return std::string(last);
    }
  }
  return req.peer;
}

double AuthFailureLimiter::refilled(const Bucket& b,
                                    std::chrono::steady_clock::time_point now) const {
  double minutes = std::chrono::duration<double>(now - b.at).count() / 60.0;
  return std::min<double>(options_.burst, b.tokens + std::max(0.0, minutes) * options_.perMinute);
}

void AuthFailureLimiter::prune(std::chrono::steady_clock::time_point now) {
  // At most once a second: forget clients whose bucket is full again.
  if (now - lastPrune_ < std::chrono::seconds(1)) return;
  lastPrune_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = refilled(it->second, now) >= options_.burst ? buckets_.erase(it) : std::next(it);
  }
}

std::optional<int> AuthFailureLimiter::fail(const std::string& client,
                                            std::chrono::steady_clock::time_point now) {
  if (!enabled()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.maxClients) prune(now);
    // Too many clients failing at once: the newcomers share one bucket.
    std::string key = buckets_.size() >= options_.maxClients ? std::string() : client;
    it = buckets_.try_emplace(key, Bucket{static_cast<double>(options_.burst), now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  if (options_.perMinute <= 0) return 3600;
  double seconds = (1 - b.tokens) * 60.0 / options_.perMinute;
  return std::max(1, static_cast<int>(std::ceil(seconds)));
}

}  // namespace charta::http
