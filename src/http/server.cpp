#include "http/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>

#include "core/error.h"
#include "http/connection.h"
#include "http/event_loop.h"
#include "http/listener.h"
#include "http/poller.h"

namespace charta::http {
namespace {

using Clock = std::chrono::steady_clock;

void setSendTimeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler& handler)
    : options_(std::move(options)), handler_(handler) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
  openFileLimit_ = raiseOpenFileLimit();
  maxConnections_ = std::clamp(options_.maxConnections, 1, connectionsWithin(openFileLimit_));
  // Every descriptor has its owner before the next can fail: if one of these throws, the ones
  // made before it are closed with their owners.
  auto listener = std::make_unique<Listener>(options_.host, options_.port, options_.queue);
  auto acceptWake = std::make_unique<Waker>();
  int loops =
      options_.loops > 0 ? options_.loops : static_cast<int>(std::thread::hardware_concurrency());
  LoopHooks hooks;
  hooks.toWorker = [this](std::unique_ptr<Connection> c, std::atomic<int>& active) {
    dispatch(std::move(c), &active);
  };
  hooks.closed = [this] { open_.fetch_sub(1); };
  hooks.stopping = &stopping_;
  std::vector<std::unique_ptr<EventLoop>> made;
  for (int i = 0; i < std::clamp(loops, 1, 16); ++i) {
    made.push_back(
        std::make_unique<EventLoop>(static_cast<size_t>(i), handler_, options_.limits, hooks));
  }
  listener_ = std::move(listener);
  acceptWake_ = std::move(acceptWake);
  loops_ = std::move(made);
  port_ = listener_->port();
  threads_.emplace_back([this] { acceptLoop(); });
  for (auto& loop : loops_) {
    threads_.emplace_back([this, l = loop.get()] { l->run(shutdown_); });
  }
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { workerLoop(); });
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (threads_.empty()) return;
  stopping_.store(true);
  acceptWake_->signal();
  for (auto& loop : loops_) loop->wake();  // closes the idle connections at once
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline && !quiet()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  shutdown_.store(true);
  queueCv_.notify_all();
  for (auto& loop : loops_) loop->wake();
  for (auto& t : threads_) t.join();
  threads_.clear();
  {
    std::lock_guard q(queueMu_);
    for (auto& c : queue_) close(std::move(c));
    queue_.clear();
  }
  loops_.clear();  // closes what they still hold
  acceptWake_.reset();
  listener_.reset();
}

// No request in flight: none queued or being answered, none in a loop with its body arriving or
// its answer unsent. A connection is counted by its loop until the queue has it (a loop lets go
// of its count under the queue's lock), and by a worker (busy_) until its loop has it: so the
// queue and the workers are read first, under that lock, then the loops.
bool HttpServer::quiet() {
  std::lock_guard queueLock(queueMu_);
  if (!queue_.empty() || busy_.load() > 0) return false;
  return std::all_of(loops_.begin(), loops_.end(), [](const auto& l) { return l->quiet(); });
}

void HttpServer::acceptLoop() {
  auto backoff = std::chrono::milliseconds(0);
  while (!stopping_.load()) {
    // Out of descriptors: the listener stays readable, so wait before trying again.
    if (backoff.count() > 0 && waitReadable(acceptWake_->fd(), backoff)) continue;
    pollfd fds[2] = {{listener_->fd(), POLLIN, 0}, {acceptWake_->fd(), POLLIN, 0}};
    if (::poll(fds, 2, 1000) <= 0 || (fds[1].revents & POLLIN)) continue;
    Fd fd;
    std::string peer;
    switch (listener_->accept(fd, peer)) {
      case Accepted::kConnection:
        backoff = std::chrono::milliseconds(0);
        admit(std::move(fd), std::move(peer));
        break;
      case Accepted::kOutOfDescriptors:
        evictIdle();  // gives a descriptor back to the rest of charta
        backoff =
            std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
        break;
      case Accepted::kNone:
        break;
    }
  }
  // Closed here, by the one thread that uses it: from now on the kernel refuses new connections.
  listener_.reset();
}

void HttpServer::admit(Fd fd, std::string peer) {
  // Only this thread adds connections, so the count cannot pass the cap between check and add.
  if (open_.load() >= maxConnections_ && !evictIdle()) {
    return refuseBusy(std::move(fd), std::move(peer));
  }
  auto c = std::make_unique<Connection>();
  c->fd = std::move(fd);
  int one = 1;
  ::setsockopt(c->fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setSendTimeout(c->fd.get(), options_.limits.sendTimeout);
  c->peer = std::move(peer);
  // The read buffer comes with the first read (readSome).
  open_.fetch_add(1);
  loops_[nextLoop_++ % loops_.size()]->adopt(std::move(c));
}

// Has an event loop close its longest-idle keep-alive connection (a server may close an idle
// connection at any time, RFC 9112 9.5); false when none is idle.
bool HttpServer::evictIdle() {
  return std::any_of(loops_.begin(), loops_.end(), [](const auto& l) { return l->claimIdle(); });
}

// Every connection is busy with a request: this one is answered 503 and closed at once. The
// answer is small, so it goes out without waiting; what the client sent is read first, so that
// closing does not reset the connection before the client reads the answer.
void HttpServer::refuseBusy(Fd fd, std::string peer) {
  auto started = Clock::now();
  setSendTimeout(fd.get(), std::chrono::milliseconds(100));
  char sink[4096];
  while (::recv(fd.get(), sink, sizeof sink, MSG_DONTWAIT) > 0) {
  }
  Request req;
  req.requestId = nextRequestId();
  req.peer = std::move(peer);
  Reply reply = handler_.refuse(503, "the server has no room for another connection now");
  reply.header("Retry-After", "1");
  sendReply(fd.get(), req, reply, false);
  ::shutdown(fd.get(), SHUT_WR);
  handler_.completed(req, reply, Clock::now() - started);
}

void HttpServer::dispatch(std::unique_ptr<Connection> c, std::atomic<int>* active) {
  {
    std::lock_guard lock(queueMu_);
    queue_.push_back(std::move(c));
    queued_.fetch_add(1, std::memory_order_relaxed);
    if (active) active->fetch_sub(1);  // see quiet()
  }
  queueCv_.notify_one();
}

void HttpServer::workerLoop() {
  while (true) {
    std::unique_ptr<Connection> c;
    {
      std::unique_lock lock(queueMu_);
      queueCv_.wait(lock, [&] { return shutdown_.load() || !queue_.empty(); });
      if (queue_.empty()) return;  // shut down
      c = std::move(queue_.front());
      queue_.pop_front();
      queued_.fetch_sub(1, std::memory_order_relaxed);
      busy_.fetch_add(1);
    }
    try {
      serve(std::move(c));
    } catch (const std::exception&) {
      // The connection is gone with its owner.
    }
    busy_.fetch_sub(1);
  }
}

void HttpServer::close(std::unique_ptr<Connection> c) {
  if (!c) return;
  c->fd.reset();
  open_.fetch_sub(1);
}

void HttpServer::refuseAndClose(std::unique_ptr<Connection> c, int status,
                                std::string_view detail) {
  auto started = Clock::now();
  Request req;
  req.requestId = nextRequestId();
  req.peer = c->peer;
  Reply reply = handler_.refuse(status, detail);
  sendReply(c->fd.get(), req, reply, false);
  handler_.completed(req, reply, Clock::now() - started);
  // Close in stages (RFC 9112, 9.6): stop sending, then drop what the client still sends for a
  // moment. Closing with unread bytes would reset the connection, and the client could lose the
  // answer before reading it (a 413 while it is still sending its body).
  ::shutdown(c->fd.get(), SHUT_WR);
  c->draining = true;
  c->begin = c->end = 0;
  c->deadline = Clock::now() + std::chrono::seconds(1);
  drain(std::move(c));
}

void HttpServer::drain(std::unique_ptr<Connection> c) {
  constexpr size_t kMaxDrained = 4 * 1024 * 1024;
  while (c->drained < kMaxDrained) {
    c->begin = c->end = 0;
    long n = readSome(*c);
    if (n == 0) break;  // the client closed too, or an error
    if (n < 0) return park(std::move(c));
    c->drained += static_cast<size_t>(n);
  }
  close(std::move(c));
}

void HttpServer::serve(std::unique_ptr<Connection> c) {
  if (c->draining) return drain(std::move(c));
  const ServerLimits& lim = options_.limits;
  if (c->expired) return refuseAndClose(std::move(c), 408, "the request was not received in time");
  while (true) {
    Request req;
    size_t consumed = 0;
    Refusal refusal;
    Parse p = tryParse(*c, lim, req, consumed, refusal);
    if (p == Parse::kRefused) return refuseAndClose(std::move(c), refusal.status, refusal.detail);
    if (p == Parse::kNeedMore) {
      if (!c->idle() && Clock::now() - c->requestStart > lim.headerTimeout) {
        return refuseAndClose(std::move(c), 408, "the request was not received in time");
      }
      long n = readSome(*c);
      if (n > 0) continue;
      if (n == 0) return close(std::move(c));
      if (stopping_.load() && c->idle()) return close(std::move(c));
      // Between the requests of a busy keep-alive connection the next one usually follows within
      // microseconds: wait a moment for it rather than park. A partial request head (a slow
      // client) or a fresh connection is parked at once, and so is any when others wait.
      bool worthWaiting = c->idle() ? c->served > 0 : c->headDone;
      if (worthWaiting && queued_.load(std::memory_order_relaxed) == 0 &&
          waitReadable(c->fd.get(), options_.spin)) {
        continue;
      }
      return park(std::move(c));
    }
    auto started = Clock::now();
    req.requestId = nextRequestId();
    req.peer = c->peer;
    Reply reply = handler_.handle(req);
    bool keepAlive = wantsKeepAlive(req) && c->served + 1 < lim.keepAliveMax && !stopping_.load();
    bool sent = sendReply(c->fd.get(), req, reply, keepAlive);
    handler_.completed(req, reply, Clock::now() - started);
    ++c->served;
    c->begin = consumed;
    c->requestStart = {};
    c->sentContinue = false;
    c->headDone = false;
    if (!sent || !keepAlive) return close(std::move(c));
    // Fairness: when other connections wait for a thread, this one goes to the back.
    if (queued_.load(std::memory_order_relaxed) > 0) {
      if (!c->idle()) return dispatch(std::move(c));
      if (!waitReadable(c->fd.get(), std::chrono::microseconds(0))) return park(std::move(c));
      return dispatch(std::move(c));
    }
  }
}

// Gives the connection back to its event loop, which watches it and sets its deadline.
void HttpServer::park(std::unique_ptr<Connection> c) {
  EventLoop& home = *loops_[c->home];
  home.adopt(std::move(c));
}

}  // namespace charta::http
