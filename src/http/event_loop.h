#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "http/connection.h"
#include "http/fd.h"
#include "http/limits.h"
#include "http/poller.h"

namespace charta::http {

class Handler;  // server.h

// What an event loop hands on to its server.
struct LoopHooks {
  // Takes "c" into the work queue for a worker. Decrements "active" under the queue's lock, so
  // that the connection is always counted by its loop or by the queue (HttpServer::quiet).
  std::function<void(std::unique_ptr<Connection> c, std::atomic<int>& active)> toWorker;
  // A connection this loop closed (the server counts open connections).
  std::function<void()> closed;
  const std::atomic<bool>* stopping = nullptr;
};

// One event loop (the server runs one per core): a thread that owns the connections given to it
// and watches them in its own epoll set (level-triggered; the sockets stay in blocking mode, and
// the loop reads and writes with MSG_DONTWAIT, so that a worker can write to them blocking).
//
// On a readable connection it reads, parses the requests in order, and answers those that
// Handler::quick() answers from memory (a cached page) at once, on this thread: the answer is
// queued (head, shared header block, shared body: no copy) and sent with sendmsg; what the socket
// does not take is sent when it is writable again (EPOLLOUT), and reading waits until then. A
// request that quick() does not answer, a refused one (bad syntax, limits) and one that did not
// arrive in time (408) go to a worker with the connection, once every earlier answer is sent, so
// that pipelined answers keep their order. Idle connections cost their socket and a few hundred
// bytes (the read buffer is let go between requests).
//
// Ownership: the loop's thread alone touches the connections in its table. adopt() (any thread)
// puts a connection in the inbox under a mutex and wakes the loop, which moves it into its table;
// a connection handed to a worker leaves the epoll set and the table first. Time-outs: a sweep
// every 100 ms closes idle connections past keep-alive, those whose answer does not leave within
// the send time-out and those that keep draining; unfinished requests past the header time-out go
// to a worker for their 408. When the server stops, idle connections are closed at once and the
// rest as soon as their answer is sent.
class EventLoop {
 public:
  // throws Error: no epoll set or eventfd can be had.
  EventLoop(size_t index, Handler& handler, const ServerLimits& limits, LoopHooks hooks);
  // Closes the connections still held. Call after run() has returned.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Any thread: gives "c" to this loop (a new connection, or one a worker is done with).
  void adopt(std::unique_ptr<Connection> c);
  // Any thread: asks the loop to close its longest-idle connection; false when it has none idle
  // (or all of those are already asked for).
  bool claimIdle();
  // Any thread: none of this loop's connections has a request in flight (its body arriving) or an
  // answer not sent, and none is waiting in its inbox.
  bool quiet() const { return active_.load() == 0; }
  // Any thread: wakes the loop (to notice that the server stops).
  void wake() { waker_.signal(); }
  // The loop's own thread: serves until "shutdown" is set and wake() called.
  void run(const std::atomic<bool>& shutdown);

 private:
  enum class Next { kWait, kWorker, kClose, kAgain };
  using Table = std::unordered_map<int, std::unique_ptr<Connection>>;

  void takeInbox();
  void onEvent(int fd, uint32_t events);
  Next advance(Connection& c);
  Parse answerBuffered(Connection& c);
  Next drainSome(Connection& c);
  void settle(Table::iterator it, Next next);
  void watch(Connection& c);
  void account(Connection& c, bool active, bool idle);
  void close(Table::iterator it);
  void closeOldestIdle();
  void sweep(Connection::Clock::time_point now);
  bool stopping() const { return hooks_.stopping->load(std::memory_order_relaxed); }

  size_t index_;
  Handler& handler_;
  const ServerLimits& limits_;
  LoopHooks hooks_;
  Fd epoll_;
  Waker waker_;

  std::mutex inboxMu_;
  std::vector<std::unique_ptr<Connection>> inbox_;

  Table conns_;                 // the loop's thread only
  std::vector<int> again_;      // connections left with work to do (fairness): served next round
  std::atomic<int> active_{0};  // in the inbox, or with a request in flight or an answer unsent
  std::atomic<int> idle_{0};    // idle between requests: may be closed to make room
  std::atomic<int> evict_{0};   // idle connections the acceptor asked to close
};

}  // namespace charta::http
