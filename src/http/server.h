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
#include <thread>
#include <vector>

#include "http/wire.h"

namespace Poco::Net {
class ServerSocket;
}

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

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                  // 0: any free port
  int threads = 64;                      // requests handled at once
  int queue = 512;                       // listen backlog
  int maxConnections = 10000;            // open connections; more are closed at once
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

// An HTTP/1.1 server on Poco::Net sockets with a lean path for pre-built responses.
//
// Threads serve requests, not connections: a worker reads and answers requests on a connection
// while bytes keep coming; when none arrive within "spin", the connection is parked in an epoll
// set and the thread goes back to the pool. Idle keep-alive connections and slow clients
// (slowloris) therefore hold no thread, and a client that takes longer than "headerTimeout" to
// send one request gets 408. Pipelined requests are answered in order; request bodies need a
// Content-Length (chunked gets 411). Responses go out with one writev.
//
// start() and stop() must be called from one thread; the handler is called from many.
class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. throws Error: the address cannot be bound.
  void start();
  // The bound port (useful with port 0).
  uint16_t port() const { return port_; }
  // Stops accepting, closes idle connections, lets requests in flight finish (up to "grace").
  void stop(std::chrono::milliseconds grace);

  int openConnections() const { return open_.load(); }
  int busyWorkers() const { return busy_.load(); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  const ServerOptions& options() const { return options_; }

  struct Conn;  // one client connection (server.cpp)

 private:
  void acceptLoop();
  void workerLoop();
  void parkLoop();
  void serve(std::unique_ptr<Conn> c);
  void dispatch(std::unique_ptr<Conn> c);
  void park(std::unique_ptr<Conn> c);
  void close(std::unique_ptr<Conn> c);
  void refuseAndClose(std::unique_ptr<Conn> c, int status, std::string_view detail);
  void drain(std::unique_ptr<Conn> c);

  ServerOptions options_;
  Handler& handler_;
  std::unique_ptr<Poco::Net::ServerSocket> listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shutdown_{false};
  std::atomic<int> open_{0};
  std::atomic<int> busy_{0};

  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::deque<std::unique_ptr<Conn>> queue_;
  std::atomic<int> queued_{0};

  std::mutex parkMu_;
  std::map<int, std::unique_ptr<Conn>> parked_;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd that wakes the parking thread

  std::vector<std::thread> threads_;
};

}  // namespace charta::http
