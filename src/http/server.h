#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/wire.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
}
}  // namespace Poco

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
  uint16_t port = 8080;  // 0: any free port
  int threads = 32;      // connections served at once; more wait in the queue
  int queue = 512;       // accepted connections waiting for a thread; more are closed
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

// An HTTP/1.1 server on Poco::Net::TCPServer with a lean path for pre-built responses: one
// thread per active connection from a bounded pool, keep-alive while no connection waits for a
// thread (when one waits, the connection is closed after its response, so more connections than
// threads are all served), pipelined requests answered in order, Content-Length bodies only
// (chunked request bodies get 411). Responses go out with one writev.
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
  // Stops accepting, lets requests in flight finish (up to "grace"), then returns.
  void stop(std::chrono::milliseconds grace);

  int activeConnections() const { return active_.load(); }
  int queuedConnections() const;
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  const ServerOptions& options() const { return options_; }
  Handler& handler() { return handler_; }
  void connectionOpened() { active_.fetch_add(1); }
  void connectionClosed() { active_.fetch_sub(1); }

 private:
  ServerOptions options_;
  Handler& handler_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  std::atomic<int> active_{0};
  std::atomic<bool> stopping_{false};
  uint16_t port_ = 0;
};

}  // namespace charta::http
