#include "http/server.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

// Why reading a request stopped.
enum class ReadOutcome { kRequest, kClosed, kRefused };

class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, HttpServer& server)
      : Poco::Net::TCPServerConnection(socket), server_(server) {}

  void run() override {
    server_.connectionOpened();
    try {
      serve();
    } catch (const Poco::Exception&) {
      // The peer went away or the socket failed: nothing to answer.
    } catch (const std::exception&) {
    }
    server_.connectionClosed();
  }

 private:
  void serve() {
    const ServerLimits& lim = server_.options().limits;
    socket().setNoDelay(true);
    socket().setSendTimeout(Poco::Timespan(lim.sendTimeout.count() * 1000));
    buf_.resize(lim.maxHeaderBytes + 4096);
    std::string peer;
    try {
      peer = socket().peerAddress().host().toString();
    } catch (const Poco::Exception&) {
    }
    for (int served = 0;; ++served) {
      Request req;
      int refuseStatus = 0;
      std::string_view detail;
      ReadOutcome outcome = readRequest(req, refuseStatus, detail);
      if (outcome == ReadOutcome::kClosed) return;
      auto started = Clock::now();
      req.requestId = nextRequestId();
      req.peer = peer;
      Reply reply;
      bool keepAlive = false;
      if (outcome == ReadOutcome::kRefused) {
        reply = server_.handler().refuse(refuseStatus, detail);
      } else {
        reply = server_.handler().handle(req);
        keepAlive = wantsKeepAlive(req) && served + 1 < lim.keepAliveMax && !server_.stopping() &&
                    server_.queuedConnections() == 0;
      }
      bool sent = send(req, reply, keepAlive);
      server_.handler().completed(req, reply, Clock::now() - started);
      if (!sent || !keepAlive) return;
      consume();
    }
  }

  static bool wantsKeepAlive(const Request& req) {
    auto conn = req.header("Connection");
    if (req.minorVersion == 0) return conn && iequals(trimOws(*conn), "keep-alive");
    return !(conn && iequals(trimOws(*conn), "close"));
  }

  // Drops the bytes of the request just answered; keeps what follows (pipelining).
  void consume() {
    if (consumed_ >= end_) {
      begin_ = end_ = consumed_ = 0;
    } else {
      begin_ = consumed_;
    }
  }

  // Waits until the socket is readable, "deadline" passes (false) or the server stops while
  // idle (false).
  bool waitReadable(Clock::time_point deadline, bool idle) {
    while (true) {
      auto now = Clock::now();
      if (now >= deadline) return false;
      if (idle && server_.stopping()) return false;
      auto slice = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(200));
      long us = std::chrono::duration_cast<std::chrono::microseconds>(slice).count();
      if (socket().poll(Poco::Timespan(us),
                        Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
        return true;
      }
    }
  }

  // Reads more bytes into the buffer; 0 on EOF, -1 on time-out.
  long fill(Clock::time_point deadline, bool idle) {
    if (!waitReadable(deadline, idle)) return -1;
    if (end_ == buf_.size()) {
      if (begin_ > 0) {
        std::copy(buf_.begin() + static_cast<long>(begin_), buf_.begin() + static_cast<long>(end_),
                  buf_.begin());
        end_ -= begin_;
        consumed_ -= std::min(consumed_, begin_);
        begin_ = 0;
      } else {
        buf_.resize(buf_.size() * 2);
      }
    }
    int n = socket().receiveBytes(buf_.data() + end_, static_cast<int>(buf_.size() - end_));
    if (n <= 0) return 0;
    end_ += static_cast<size_t>(n);
    return n;
  }

  // Reads until the buffer holds a whole request head; returns its end offset, 0 when the peer
  // closed or went idle, or sets "status" to refuse.
  size_t readHead(int& status, std::string_view& detail) {
    const ServerLimits& lim = server_.options().limits;
    auto idleDeadline = Clock::now() + lim.keepAliveIdle;
    Clock::time_point deadline{};
    size_t scanned = 0;  // bytes of the head already searched for the blank line
    while (true) {
      // Empty lines between requests are ignored (RFC 9112 2.2).
      while (begin_ < end_ && (buf_[begin_] == '\r' || buf_[begin_] == '\n')) ++begin_;
      if (begin_ < end_) {
        if (deadline == Clock::time_point{}) {
          deadline = Clock::now() + lim.headerTimeout;
          deadline_ = deadline;
        }
        std::string_view have(buf_.data() + begin_, end_ - begin_);
        size_t pos = have.find("\r\n\r\n", scanned > 3 ? scanned - 3 : 0);
        if (pos != std::string_view::npos) {
          if (pos + 4 > lim.maxHeaderBytes) break;
          return begin_ + pos + 4;
        }
        scanned = have.size();
        if (have.size() > lim.maxHeaderBytes) break;
      }
      bool idle = begin_ >= end_;
      long n = fill(idle ? idleDeadline : deadline, idle);
      if (n == 0 || (n < 0 && idle)) return 0;
      if (n < 0) {
        status = 408;
        detail = "the request was not received in time";
        return 0;
      }
    }
    status = 431;
    detail = "the request line and headers are too large";
    return 0;
  }

  ReadOutcome readRequest(Request& req, int& status, std::string_view& detail) {
    const ServerLimits& lim = server_.options().limits;
    size_t headEnd = readHead(status, detail);
    if (headEnd == 0) return status ? ReadOutcome::kRefused : ReadOutcome::kClosed;
    size_t length = 0;
    if (!parseHead(std::string_view(buf_.data() + begin_, headEnd - begin_), lim, req, length,
                   status, detail)) {
      return ReadOutcome::kRefused;
    }
    if (length > 0) {
      auto expect = req.header("Expect");
      if (expect && iequals(*expect, "100-continue") && end_ - headEnd < length) {
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        socket().sendBytes(kContinue, sizeof kContinue - 1);
      }
      size_t headLen = headEnd - begin_;
      while (end_ - begin_ < headLen + length) {
        long n = fill(deadline_, false);
        if (n == 0) return ReadOutcome::kClosed;
        if (n < 0) {
          status = 408;
          detail = "the request body was not received in time";
          return ReadOutcome::kRefused;
        }
      }
      // The buffer may have moved while the body arrived: take the views again.
      req = Request();
      parseHead(std::string_view(buf_.data() + begin_, headLen), lim, req, length, status, detail);
      req.body = std::string_view(buf_.data() + begin_ + headLen, length);
      consumed_ = begin_ + headLen + length;
    } else {
      consumed_ = headEnd;
    }
    return ReadOutcome::kRequest;
  }

  // Parses a request head (request line, fields, the blank line). Returns false with "status"
  // and "detail" set when the request must be refused.
  static bool parseHead(std::string_view head, const ServerLimits& lim, Request& req,
                        size_t& length, int& status, std::string_view& detail) {
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

  bool send(const Request& req, const Reply& reply, bool keepAlive) {
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
    return writeAll(iov, count);
  }

  bool writeAll(iovec* iov, int count) {
    int fd = socket().impl()->sockfd();
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

  HttpServer& server_;
  std::vector<char> buf_;
  size_t begin_ = 0;     // where the current request starts
  size_t end_ = 0;       // end of the bytes read
  size_t consumed_ = 0;  // end of the current request (head and body)
  Clock::time_point deadline_{};
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(HttpServer& server) : server_(server) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, server_);
  }

 private:
  HttpServer& server_;
};

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler& handler)
    : options_(std::move(options)), handler_(handler) {}

HttpServer::~HttpServer() {
  if (server_) stop(std::chrono::milliseconds(0));
}

int HttpServer::queuedConnections() const { return server_ ? server_->queuedConnections() : 0; }

void HttpServer::start() {
  try {
    Poco::Net::SocketAddress address(options_.host, options_.port);
    Poco::Net::ServerSocket socket;
    socket.bind(address, true);
    socket.listen(std::max(64, options_.queue));
    port_ = socket.address().port();
    pool_ = std::make_unique<Poco::ThreadPool>(2, options_.threads + 2, 60);
    auto* params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(options_.threads);
    params->setMaxQueued(options_.queue);
    params->setThreadIdleTime(Poco::Timespan(60, 0));
    server_ = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(*this), *pool_, socket,
                                                     params);
    server_->start();
  } catch (const Poco::Exception& e) {
    throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                e.displayText());
  }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (!server_) return;
  stopping_.store(true);
  server_->stop();  // no new connections; idle keep-alive connections notice "stopping"
  auto deadline = Clock::now() + grace;
  while (active_.load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pool_->joinAll();
  server_.reset();
}

}  // namespace charta::http
