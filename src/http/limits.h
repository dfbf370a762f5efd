#pragma once

#include <chrono>
#include <cstddef>

namespace charta::http {

// Limits that every connection is held to. A client that breaks one gets its status code
// (400, 408, 411, 413, 414, 431, 505) and the connection is closed.
struct ServerLimits {
  size_t maxHeaderBytes = 16 * 1024;  // request line and headers together
  size_t maxHeaders = 100;
  size_t maxTarget = 4096;
  size_t maxBody = 64 * 1024;
  std::chrono::milliseconds headerTimeout{10000};  // from the first byte to the end of the body
  std::chrono::milliseconds keepAliveIdle{5000};   // between requests on one connection
  std::chrono::milliseconds sendTimeout{10000};
  int keepAliveMax = 1000;  // requests per connection
};

}  // namespace charta::http
