#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/wire.h"

namespace charta::http {

// Limits failed authentications (401 answers) per client with a token bucket of failures: a
// client may fail "burst" times at once, and one more failure is allowed every 60/"perMinute"
// seconds. Once its bucket is empty, its failing requests get 429 with Retry-After instead of
// 401. Requests with a valid token are never limited, so a shop that shares an address with a
// guesser (behind NAT or one reverse proxy) keeps working. Client keys live in memory only and
// are never logged. Safe for concurrent use.
class AuthFailureLimiter {
 public:
  struct Options {
    int burst = 20;             // failures allowed at once; 0 turns the limit off
    double perMinute = 10;      // failures forgiven per minute
    size_t maxClients = 10000;  // clients tracked; beyond that, new ones share one bucket
    // The header a trusted reverse proxy sets to the client's address ("X-Forwarded-For": its
    // last element, the address the proxy saw). Empty: the connection's peer address.
    std::string clientHeader;
  };
  explicit AuthFailureLimiter(Options options) : options_(std::move(options)) {}
  AuthFailureLimiter(const AuthFailureLimiter&) = delete;
  AuthFailureLimiter& operator=(const AuthFailureLimiter&) = delete;

  bool enabled() const { return options_.burst > 0; }
  // The client of "req" as this limiter tells clients apart.
  std::string clientOf(const Request& req) const;
  // Records one failed authentication of "client" at "now". nullopt: within the limit (answer
  // 401); otherwise the seconds until the client may fail again (answer 429).
  std::optional<int> fail(const std::string& client, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;  // when "tokens" was computed
  };
  double refilled(const Bucket& b, std::chrono::steady_clock::time_point now) const;
  void prune(std::chrono::steady_clock::time_point now);

  Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::chrono::steady_clock::time_point lastPrune_{};
};

}  // namespace charta::http
