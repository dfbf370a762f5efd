#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
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
class EventLoop;    // event_loop.h
class Waker;        // poller.h

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                  // 0: any free port
  int threads = 64;                      // requests handled at once by workers
  int loops = 0;                         // event loops; 0: one per core (at most 16)
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
  // Answers "req" at once on the event loop that read it, when that needs no waiting (no disk, no
  // lock held for long, nothing to render: a page already in memory); nullopt: handle() answers
  // it on a worker. Called only for requests without a body; safe for concurrent use; must not
  // throw and must not block.
  virtual std::optional<Reply> quick(Request& req) {
    (void)req;
    return std::nullopt;
  }
  // Answers a request the server refused before any handler saw it (bad syntax, limits).
  virtual Reply refuse(int status, std::string_view detail) = 0;
  // Called after each response was written (or failed to be): logging and metrics.
  virtual void completed(const Request& req, const Reply& reply, std::chrono::nanoseconds took) = 0;
};

// An HTTP/1.1 server on plain sockets with a lean path for pre-built responses.
//
// Threads: an acceptor; event loops, one per core (event_loop.h); workers, "threads" of them.
// Every connection belongs to an event loop, which reads its requests and answers those that
// Handler::quick() answers from memory (the cached pages) on its own thread, without waking
// anyone; the answer's bytes are shared with the cache, not copied. A request quick() does not
// answer (the API, writes, pages to render, anything that may block), a refused one and a late
// one go with the connection to the work queue; a worker answers it with Handler::handle() and
// any requests that follow while bytes keep coming (waiting up to "spin" for the next), then
// gives the connection back to its loop. Idle keep-alive connections and slow clients
// (slowloris) therefore hold no thread, and a client that takes longer than "headerTimeout" to
// send one request gets 408. Pipelined requests are answered in order, on the loop or a worker;
// request bodies need a Content-Length (chunked gets 411).
//
// Who owns a connection (only its owner touches it; each hand-over goes through a mutex):
//   acceptor --adopt--> event loop (inbox, then its table) --toWorker--> work queue --> worker
//   worker --adopt--> its event loop (or back to the queue when others wait: fairness)
// A loop hands a connection over only when every answer it queued has been sent; a worker only
// with nothing of it unanswered but a partial next request. Any owner may close it.
//
// Descriptors: start() raises the open-file limit to the hard limit and keeps the connections
// within it (maxConnections(): what is left after a reserve for the repository, the ledger and
// the rest). A connection past that closes the longest-idle keep-alive connection, or when none
// is idle is answered 503 and closed, so that nothing inside charta runs out of descriptors. When
// the process is out of descriptors all the same, the acceptor refuses the waiting client and
// backs off instead of spinning. (The eviction is done by the loop that holds the idle connection,
// a moment later: for that moment the count may pass the cap by the connections accepted.)
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
  void admit(Fd fd, std::string peer);
  bool evictIdle();
  void refuseBusy(Fd fd, std::string peer);
  bool quiet();
  void serve(std::unique_ptr<Connection> c);
  void dispatch(std::unique_ptr<Connection> c, std::atomic<int>* active = nullptr);
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

  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::deque<std::unique_ptr<Connection>> queue_;
  std::atomic<int> queued_{0};

  std::vector<std::unique_ptr<EventLoop>> loops_;
  size_t nextLoop_ = 0;  // the acceptor's round robin

  std::vector<std::thread> threads_;
};

}  // namespace charta::http
