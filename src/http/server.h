#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/fd.h"
#include "http/limits.h"
#include "http/wire.h"

namespace charta::http {

struct Connection;  // connection.h
class Listener;     // listener.h
class Poller;       // poller.h
class Waker;        // poller.h

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                  // 0: any free port
  int threads = 64;                      // requests handled at once
  int queue = 512;                       // listen backlog
  int maxConnections = 10000;            // open connections (lowered to fit the open-file limit)
  std::chrono::microseconds spin{1000};  // how long a thread waits for more bytes before parking
  ServerLimits limits;
};

// What the server calls for each request. Implementations must be safe for concurrent use and
// must not throw: turn failures into replies.
class Handler {
 public:
  virtual ~Handler() = default;
  // Answers "req". The body of "req" has been read completely and is within limits.
  virtual Reply handle(Request& req) = 0;
  // Answers a request the server refused before any handler saw it (bad syntax, limits).
  virtual Reply refuse(int status, std::string_view detail) = 0;
  // Called after each response was written (or failed to be): logging and metrics.
  virtual void completed(const Request& req, const Reply& reply, std::chrono::nanoseconds took) = 0;
};

// An HTTP/1.1 server on plain sockets with a lean path for pre-built responses.
//
// Threads serve requests, not connections: a worker reads and answers requests on a connection
// while bytes keep coming; when none arrive within "spin", the connection is parked in an epoll
// set and the thread goes back to the pool. Idle keep-alive connections and slow clients
// (slowloris) therefore hold no thread, and a client that takes longer than "headerTimeout" to
// send one request gets 408. Pipelined requests are answered in order; request bodies need a
// Content-Length (chunked gets 411). Responses go out with one writev.
//
// Descriptors: start() raises the open-file limit to the hard limit and keeps the connections
// within it (maxConnections(): what is left after a reserve for the repository, the ledger and
// the rest). A connection past that closes the longest-idle keep-alive connection, or when none
// is idle is answered 503 and closed, so that nothing inside charta runs out of descriptors. When
// the process is out of descriptors all the same, the acceptor refuses the waiting client and
// backs off instead of spinning.
//
// start() and stop() must be called from one thread; the handler is called from many.
class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. throws Error: the address cannot be bound (in use, not local,
  // not resolvable) or the poller cannot be created; nothing stays open then.
  void start();
  // The bound port (useful with port 0).
  uint16_t port() const { return port_; }
  // Stops accepting (new connections are refused at once), closes idle connections, and lets
  // requests in flight finish, those whose head or body is still arriving included (up to
  // "grace"); then closes the rest.
  void stop(std::chrono::milliseconds grace);

  int openConnections() const { return open_.load(); }
  int busyWorkers() const { return busy_.load(); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  const ServerOptions& options() const { return options_; }
  // After start(): the open-file limit in force and the connections kept within it.
  long openFileLimit() const { return openFileLimit_; }
  int maxConnections() const { return maxConnections_; }

 private:
  void acceptLoop();
  void workerLoop();
  void parkLoop();
  void admit(Fd fd, std::string peer);
  bool evictIdle();
  void refuseBusy(Fd fd, std::string peer);
  void sweep(std::chrono::steady_clock::time_point now);
  bool quiet();
  void serve(std::unique_ptr<Connection> c);
  void dispatch(std::unique_ptr<Connection> c);
  void park(std::unique_ptr<Connection> c);
  void close(std::unique_ptr<Connection> c);
  void refuseAndClose(std::unique_ptr<Connection> c, int status, std::string_view detail);
  void drain(std::unique_ptr<Connection> c);

  ServerOptions options_;
  Handler& handler_;
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Waker> acceptWake_;  // wakes the acceptor to stop
  uint16_t port_ = 0;
  long openFileLimit_ = 0;
  int maxConnections_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shutdown_{false};
  std::atomic<int> open_{0};
  std::atomic<int> busy_{0};

  std::mutex queueMu_;  // after parkMu_ when both are held
  std::condition_variable queueCv_;
  std::deque<std::unique_ptr<Connection>> queue_;
  std::atomic<int> queued_{0};

  std::mutex parkMu_;
  std::map<int, std::unique_ptr<Connection>> parked_;
  std::unique_ptr<Poller> poller_;

  std::vector<std::thread> threads_;
};

}  // namespace charta::http
