#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/fd.h"
#include "http/limits.h"
#include "http/request_head.h"
#include "http/wire.h"

namespace charta::http {

// One client connection: its socket and the bytes read but not yet answered. At any time it is
// owned by exactly one of: the work queue, a worker, or the parking lot (server.cpp).
struct Connection {
  using Clock = std::chrono::steady_clock;

  Fd fd;
  std::vector<char> buf;
  size_t begin = 0;  // where the current request starts
  size_t end = 0;    // end of the bytes read
  int served = 0;
  Clock::time_point requestStart{};  // first byte of the current request; {} when idle
  Clock::time_point deadline{};      // while parked: when to give up
  bool sentContinue = false;
  bool headDone = false;  // the current request's head is complete; its body is coming
  bool draining = false;  // refused and half-closed: what still arrives is read and dropped
  size_t drained = 0;
  std::string peer;

  // Between requests: nothing of the next one has arrived.
  bool idle() const { return begin >= end; }
  // A request has begun to arrive and is not answered yet.
  bool inFlight() const { return !draining && headDone; }
};

enum class Parse { kRequest, kNeedMore, kRefused };

// Looks for one complete request in the connection's buffer, without reading. kRequest: "req"
// holds it and "consumed" is where the next one starts. kRefused: "refusal" says why. kNeedMore:
// the buffer has room for the rest (a "100 Continue" was sent when the client asked for one).
Parse tryParse(Connection& c, const ServerLimits& lim, Request& req, size_t& consumed,
               Refusal& refusal);

// The read buffer a connection starts with (and gets back after releaseIdle).
inline constexpr size_t kFirstBuffer = 16 * 1024;

// Frees the read buffer of a connection with nothing unanswered in it (parked between requests):
// an idle keep-alive connection then costs its socket and this struct, not a buffer.
void releaseIdle(Connection& c);

// Reads what the socket has without waiting: > 0 bytes read, 0 end of stream or error, -1 none
// yet.
long readSome(Connection& c);

// Waits up to "wait" for "fd" to become readable.
bool waitReadable(int fd, std::chrono::microseconds wait);

// Whether the client asked to keep the connection open after "req" (HTTP/1.1 unless "close",
// HTTP/1.0 only with "keep-alive").
bool wantsKeepAlive(const Request& req);

// Writes the response to "req" (status line, Date, X-Request-Id, headers, body) with one
// writev. false: the client is gone or the send time-out passed.
bool sendReply(int fd, const Request& req, const Reply& reply, bool keepAlive);

// A process-unique request id: 16 hex digits.
std::string nextRequestId();

}  // namespace charta::http
