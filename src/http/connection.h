#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/fd.h"
#include "http/limits.h"
#include "http/request_head.h"
#include "http/wire.h"

namespace charta::http {

// Bytes queued on a connection and sent in order without copying them: each segment keeps what it
// points into (its own string, or a cached page's shared, immutable bytes) until it is sent.
// Not safe for concurrent use (it belongs to its connection).
class Output {
 public:
  enum class Sent { kDone, kBlocked, kFailed };

  void add(std::string bytes);
  void add(std::shared_ptr<const std::string> bytes);
  bool empty() const { return left_ == 0; }
  size_t size() const { return left_; }
  // Sends what the socket takes without waiting (one sendmsg of up to 64 segments at a time):
  // kDone everything was sent, kBlocked the socket is full (wait for EPOLLOUT), kFailed the client
  // is gone.
  Sent send(int fd);

 private:
  struct Segment {
    std::string own;
    std::shared_ptr<const std::string> shared;
    size_t at = 0;  // bytes of it already sent
    const std::string& bytes() const { return shared ? *shared : own; }
  };
  std::vector<Segment> segments_;
  size_t first_ = 0;  // the first segment not completely sent
  size_t left_ = 0;   // bytes not sent
};

// One client connection: its socket and the bytes read but not yet answered. At any moment it is
// owned by exactly one of: the acceptor (until it hands it to an event loop), an event loop (its
// inbox, then its table), the work queue, or a worker (server.h says how it moves between them).
// Only its owner touches it; a hand-over goes through a mutex, which orders the two owners' work.
struct Connection {
  using Clock = std::chrono::steady_clock;

  Fd fd;
  std::vector<char> buf;
  size_t begin = 0;  // where the current request starts
  size_t end = 0;    // end of the bytes read
  int served = 0;
  Clock::time_point requestStart{};  // first byte of the current request; {} when idle
  Clock::time_point deadline{};      // while in an event loop: when to give up
  bool sentContinue = false;
  bool headDone = false;  // the current request's head is complete; its body is coming
  bool draining = false;  // refused and half-closed: what still arrives is read and dropped
  size_t drained = 0;
  std::string peer;

  // Kept by the event loop that owns it (event_loop.h); empty whenever a worker owns it.
  Output out;               // answers not yet sent
  size_t home = 0;          // the event loop it goes back to
  uint32_t watched = 0;     // the epoll events its loop watches; 0: not in the loop's set
  bool closeAfter = false;  // the last answer queued says "Connection: close"
  bool workerNext = false;  // the next request in "buf" needs a worker
  bool expired = false;     // its request did not arrive in time: a worker answers 408
  bool countedActive = false;
  bool countedIdle = false;

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
inline constexpr size_t kFirstBuffer = 4 * 1024;  // a request head seldom needs more

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

// Queues the same bytes on "out" without copying a shared body (the reply's body is moved when
// it is its own).
void queueReply(Output& out, const Request& req, Reply& reply, bool keepAlive);

// A process-unique request id: 16 hex digits.
std::string nextRequestId();

}  // namespace charta::http
