#include "http/server.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <random>
#include <thread>

#include "core/error.h"

namespace charta::http {
namespace {

using Clock = std::chrono::steady_clock;

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A process-unique request id: a random prefix and a counter, 16 hex digits.
std::string nextRequestId() {
  static const uint64_t prefix = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  uint64_t v = prefix + counter.fetch_add(1, std::memory_order_relaxed);
  char buf[17];
  static const char* hex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    buf[i] = hex[v & 0xf];
    v >>= 4;
  }
  buf[16] = '\0';
  return buf;
}

bool writeAll(int fd, iovec* iov, int count);

bool parseHead(std::string_view head, const ServerLimits& lim, Request& req, size_t& length,
               int& status, std::string_view& detail) {
  auto no = [&](int s, std::string_view why) {
    status = s;
    detail = why;
    return false;
  };
  size_t lineEnd = head.find("\r\n");
  std::string_view line = head.substr(0, lineEnd);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return no(400, "malformed request line");
  }
  req.method = line.substr(0, sp1);
  for (char c : req.method) {
    if (!isTokenChar(c)) return no(400, "malformed method");
  }
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    req.minorVersion = 1;
  } else if (version == "HTTP/1.0") {
    req.minorVersion = 0;
  } else if (version.substr(0, 5) == "HTTP/") {
    return no(505, "only HTTP/1.0 and HTTP/1.1 are served");
  } else {
    return no(400, "malformed request line");
  }
  if (req.target.size() > lim.maxTarget) return no(414, "the URI is too long");
  if (req.target.empty() || req.target.front() != '/') {
    return no(400, "the request target must be an absolute path");
  }
  for (char c : req.target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return no(400, "invalid character in the URI");
  }
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
  size_t pos = lineEnd + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    std::string_view field = head.substr(pos, e - pos);
    pos = e + 2;
    if (field.empty()) continue;
    if (field.front() == ' ' || field.front() == '\t') {
      return no(400, "obsolete line folding is not accepted");
    }
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return no(400, "malformed header field");
    std::string_view name = field.substr(0, colon);
    for (char c : name) {
      if (!isTokenChar(c)) return no(400, "malformed header field name");
    }
    std::string_view value = trimOws(field.substr(colon + 1));
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return no(400, "control character in a header");
    }
    if (req.headers.size() >= lim.maxHeaders) return no(431, "too many header fields");
    req.headers.emplace_back(name, value);
  }
  if (req.minorVersion == 1 && !req.header("Host")) {
    return no(400, "HTTP/1.1 requests need a Host header");
  }
  if (req.header("Transfer-Encoding")) {
    return no(411, "send the body with a Content-Length, not chunked");
  }
  length = 0;
  bool haveLength = false;
  for (const auto& [k, v] : req.headers) {
    if (!iequals(k, "Content-Length")) continue;
    size_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
      return no(400, "invalid Content-Length");
    }
    if (haveLength && n != length) return no(400, "conflicting Content-Length");
    length = n;
    haveLength = true;
  }
  if (length > lim.maxBody) return no(413, "the request body is too large");
  return true;
}

bool sendReply(int fd, const Request& req, const Reply& reply, bool keepAlive) {
  const std::string& body = reply.bytes();
  bool noBody = reply.status == 304 || reply.status == 204 || reply.status < 200;
  std::string head;
  head.reserve(256 + reply.headers.size() * 64);
  head += req.minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(reply.status);
  head += ' ';
  head += reasonPhrase(reply.status);
  head += "\r\nDate: ";
  head += cachedHttpDate();
  head += "\r\nX-Request-Id: ";
  head += req.requestId;
  head += "\r\n";
  if (!reply.contentType.empty() && !noBody) {
    head += "Content-Type: ";
    head += reply.contentType;
    head += "\r\n";
  }
  for (const auto& [k, v] : reply.headers) {
    head += k;
    head += ": ";
    head += v;
    head += "\r\n";
  }
  if (!noBody) {
    head += "Content-Length: ";
    head += std::to_string(body.size());
    head += "\r\n";
  }
  if (!keepAlive) {
    head += "Connection: close\r\n";
  } else if (req.minorVersion == 0) {
    head += "Connection: keep-alive\r\n";
  }
  const std::string* block = reply.headerBlock.get();
  static const std::string kEnd = "\r\n";
  iovec iov[4];
  int count = 0;
  iov[count++] = {head.data(), head.size()};
  if (block && !block->empty()) iov[count++] = {const_cast<char*>(block->data()), block->size()};
  iov[count++] = {const_cast<char*>(kEnd.data()), kEnd.size()};
  if (!noBody && !req.isHead() && !body.empty()) {
    iov[count++] = {const_cast<char*>(body.data()), body.size()};
  }
  return writeAll(fd, iov, count);
}

bool writeAll(int fd, iovec* iov, int count) {
  while (count > 0) {
    ssize_t n = ::writev(fd, iov, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // time-out (SO_SNDTIMEO) or the peer is gone
    }
    auto left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

}  // namespace

// One client connection: its socket and the bytes read but not yet answered. At any time it is
// owned by exactly one of: the work queue, a worker, or the parking lot.
struct HttpServer::Conn {
  Poco::Net::StreamSocket socket;
  int fd = -1;
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

  bool idle() const { return begin >= end; }
};

namespace {

enum class Parse { kRequest, kNeedMore, kRefused };

// Looks for one complete request in the connection's buffer, without reading.
Parse tryParse(HttpServer::Conn& c, const ServerLimits& lim, Request& req, size_t& consumed,
               int& status, std::string_view& detail) {
  while (c.begin < c.end && (c.buf[c.begin] == '\r' || c.buf[c.begin] == '\n')) ++c.begin;
  if (c.begin >= c.end) {
    c.begin = c.end = 0;
    c.requestStart = {};
    return Parse::kNeedMore;
  }
  if (c.requestStart == Clock::time_point{}) c.requestStart = Clock::now();
  std::string_view have(c.buf.data() + c.begin, c.end - c.begin);
  size_t pos = have.find("\r\n\r\n");
  if (pos == std::string_view::npos) {
    if (have.size() > lim.maxHeaderBytes) {
      status = 431;
      detail = "the request line and headers are too large";
      return Parse::kRefused;
    }
    return Parse::kNeedMore;
  }
  size_t headLen = pos + 4;
  if (headLen > lim.maxHeaderBytes) {
    status = 431;
    detail = "the request line and headers are too large";
    return Parse::kRefused;
  }
  size_t length = 0;
  if (!parseHead(have.substr(0, headLen), lim, req, length, status, detail)) return Parse::kRefused;
  if (have.size() < headLen + length) {
    c.headDone = true;
    auto expect = req.header("Expect");
    if (expect && iequals(*expect, "100-continue") && !c.sentContinue) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      ::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL);
      c.sentContinue = true;
    }
    if (c.buf.size() < headLen + length + 1) {
      // Make room for the whole body at once.
      std::vector<char> bigger(headLen + length + 4096);
      std::copy(c.buf.begin() + static_cast<long>(c.begin),
                c.buf.begin() + static_cast<long>(c.end), bigger.begin());
      c.end -= c.begin;
      c.begin = 0;
      c.buf.swap(bigger);
    }
    return Parse::kNeedMore;
  }
  req.body = have.substr(headLen, length);
  consumed = c.begin + headLen + length;
  return Parse::kRequest;
}

// Reads what the socket has without waiting: > 0 bytes read, 0 end of stream or error, -1 none yet.
long readSome(HttpServer::Conn& c) {
  if (c.end == c.buf.size()) {
    if (c.begin > 0) {
      std::copy(c.buf.begin() + static_cast<long>(c.begin),
                c.buf.begin() + static_cast<long>(c.end), c.buf.begin());
      c.end -= c.begin;
      c.begin = 0;
    } else {
      c.buf.resize(c.buf.size() * 2);
    }
  }
  while (true) {
    ssize_t n = ::recv(c.fd, c.buf.data() + c.end, c.buf.size() - c.end, MSG_DONTWAIT);
    if (n > 0) {
      c.end += static_cast<size_t>(n);
      return n;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
    return 0;
  }
}

bool waitReadable(int fd, std::chrono::microseconds wait) {
  pollfd p{fd, POLLIN, 0};
  int ms = static_cast<int>((wait.count() + 999) / 1000);
  while (true) {
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

bool wantsKeepAlive(const Request& req) {
  auto conn = req.header("Connection");
  if (req.minorVersion == 0) return conn && iequals(trimOws(*conn), "keep-alive");
  return !(conn && iequals(trimOws(*conn), "close"));
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler& handler)
    : options_(std::move(options)), handler_(handler) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
  try {
    Poco::Net::SocketAddress address(options_.host, options_.port);
    listener_ = std::make_unique<Poco::Net::ServerSocket>();
    listener_->bind(address, true);
    listener_->listen(std::max(64, options_.queue));
    // Wake the acceptor only when a client has sent something (up to 1 s after connecting).
    int deferSeconds = 1;
    ::setsockopt(listener_->impl()->sockfd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &deferSeconds,
                 sizeof deferSeconds);
    port_ = listener_->address().port();
  } catch (const Poco::Exception& e) {
    throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                e.displayText());
  }
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_ < 0 || wake_ < 0) throw Error("cannot create the connection poller");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
  threads_.emplace_back([this] { acceptLoop(); });
  threads_.emplace_back([this] { parkLoop(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { workerLoop(); });
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (threads_.empty()) return;
  stopping_.store(true);
  uint64_t one = 1;
  if (::write(wake_, &one, sizeof one) < 0) {
    // The parking thread also wakes every 100 ms.
  }
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    bool quiet;
    {
      std::lock_guard lock(queueMu_);
      quiet = queue_.empty() && busy_.load() == 0;
    }
    if (quiet) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  shutdown_.store(true);
  queueCv_.notify_all();
  if (::write(wake_, &one, sizeof one) < 0) {
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(parkMu_);
  parked_.clear();
  {
    std::lock_guard q(queueMu_);
    queue_.clear();
  }
  ::close(epoll_);
  ::close(wake_);
  listener_.reset();
}

void HttpServer::acceptLoop() {
  while (!stopping_.load()) {
    try {
      if (!listener_->poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ)) continue;
      // The connection's socket belongs to its Conn alone, which the worker that closes it owns:
      // the acceptor keeps no copy of it, so the socket is never released on two threads.
      auto c = std::make_unique<Conn>();
      c->socket = listener_->acceptConnection();
      if (open_.load() >= options_.maxConnections) {
        c->socket.close();  // over the limit: refuse rather than queue without bound
        continue;
      }
      c->fd = c->socket.impl()->sockfd();
      c->socket.setNoDelay(true);
      c->socket.setSendTimeout(Poco::Timespan(options_.limits.sendTimeout.count() * 1000));
      try {
        c->peer = c->socket.peerAddress().host().toString();
      } catch (const Poco::Exception&) {
      }
      c->buf.resize(std::min<size_t>(options_.limits.maxHeaderBytes + 1024, 16 * 1024));
      open_.fetch_add(1);
      dispatch(std::move(c));
    } catch (const Poco::Exception&) {
      // A connection that failed while being accepted: nothing to do.
    }
  }
}

void HttpServer::dispatch(std::unique_ptr<Conn> c) {
  {
    std::lock_guard lock(queueMu_);
    queue_.push_back(std::move(c));
    queued_.fetch_add(1, std::memory_order_relaxed);
  }
  queueCv_.notify_one();
}

void HttpServer::workerLoop() {
  while (true) {
    std::unique_ptr<Conn> c;
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

void HttpServer::close(std::unique_ptr<Conn> c) {
  if (!c) return;
  try {
    c->socket.close();
  } catch (const Poco::Exception&) {
  }
  open_.fetch_sub(1);
}

void HttpServer::refuseAndClose(std::unique_ptr<Conn> c, int status, std::string_view detail) {
  auto started = Clock::now();
  Request req;
  req.requestId = nextRequestId();
  req.peer = c->peer;
  Reply reply = handler_.refuse(status, detail);
  sendReply(c->fd, req, reply, false);
  handler_.completed(req, reply, Clock::now() - started);
  // Close in stages (RFC 9112, 9.6): stop sending, then drop what the client still sends for a
  // moment. Closing with unread bytes would reset the connection, and the client could lose the
  // answer before reading it (a 413 while it is still sending its body).
  ::shutdown(c->fd, SHUT_WR);
  c->draining = true;
  c->begin = c->end = 0;
  c->deadline = Clock::now() + std::chrono::seconds(1);
  drain(std::move(c));
}

void HttpServer::drain(std::unique_ptr<Conn> c) {
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

void HttpServer::serve(std::unique_ptr<Conn> c) {
  if (c->draining) return drain(std::move(c));
  const ServerLimits& lim = options_.limits;
  while (true) {
    Request req;
    size_t consumed = 0;
    int status = 0;
    std::string_view detail;
    Parse p = tryParse(*c, lim, req, consumed, status, detail);
    if (p == Parse::kRefused) return refuseAndClose(std::move(c), status, detail);
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
          waitReadable(c->fd, options_.spin)) {
        continue;
      }
      auto now = Clock::now();
      c->deadline = c->idle() ? now + lim.keepAliveIdle : c->requestStart + lim.headerTimeout;
      return park(std::move(c));
    }
    auto started = Clock::now();
    req.requestId = nextRequestId();
    req.peer = c->peer;
    Reply reply = handler_.handle(req);
    bool keepAlive = wantsKeepAlive(req) && c->served + 1 < lim.keepAliveMax && !stopping_.load();
    bool sent = sendReply(c->fd, req, reply, keepAlive);
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
      if (!waitReadable(c->fd, std::chrono::microseconds(0))) {
        c->deadline = Clock::now() + lim.keepAliveIdle;
        return park(std::move(c));
      }
      return dispatch(std::move(c));
    }
  }
}

void HttpServer::park(std::unique_ptr<Conn> c) {
  int fd = c->fd;
  std::lock_guard lock(parkMu_);
  parked_[fd] = std::move(c);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    auto it = parked_.find(fd);
    auto lost = std::move(it->second);
    parked_.erase(it);
    close(std::move(lost));
  }
}

void HttpServer::parkLoop() {
  epoll_event events[64];
  auto nextSweep = Clock::now();
  while (!shutdown_.load()) {
    int n = ::epoll_wait(epoll_, events, 64, 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_) {
        uint64_t v;
        while (::read(wake_, &v, sizeof v) > 0) {
        }
        continue;
      }
      std::unique_ptr<Conn> c;
      {
        std::lock_guard lock(parkMu_);
        auto it = parked_.find(fd);
        if (it == parked_.end()) continue;
        c = std::move(it->second);
        parked_.erase(it);
        ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
      }
      dispatch(std::move(c));
    }
    auto now = Clock::now();
    if (now < nextSweep && !stopping_.load()) continue;
    nextSweep = now + std::chrono::milliseconds(100);
    // Time-outs: idle connections are closed, unfinished requests get 408.
    std::vector<std::unique_ptr<Conn>> expired;
    {
      std::lock_guard lock(parkMu_);
      for (auto it = parked_.begin(); it != parked_.end();) {
        bool idleStop = stopping_.load() && it->second->idle();
        if (it->second->deadline <= now || idleStop) {
          ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
          expired.push_back(std::move(it->second));
          it = parked_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : expired) {
      if (c->idle()) {
        close(std::move(c));
      } else {
        refuseAndClose(std::move(c), 408, "the request was not received in time");
      }
    }
  }
}

}  // namespace charta::http
