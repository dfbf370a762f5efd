#include "http/connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>

namespace charta::http {
namespace {

using Clock = Connection::Clock;

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

std::string statusAndHeaders(const Request& req, const Reply& reply, bool keepAlive, bool noBody) {
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
    head += std::to_string(reply.bytes().size());
    head += "\r\n";
  }
  if (!keepAlive) {
    head += "Connection: close\r\n";
  } else if (req.minorVersion == 0) {
    head += "Connection: keep-alive\r\n";
  }
  return head;
}

// The body has begun to arrive: says "100 Continue" when asked to, and makes room for the whole
// body at once.
void expectBody(Connection& c, const Request& req, size_t total) {
  c.headDone = true;
  auto expect = req.header("Expect");
  if (expect && iequals(*expect, "100-continue") && !c.sentContinue) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    ::send(c.fd.get(), kContinue, sizeof kContinue - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    c.sentContinue = true;
  }
  if (c.buf.size() < c.begin + total + 1) {
    std::vector<char> bigger(total + 4096);
    std::copy(c.buf.begin() + static_cast<long>(c.begin), c.buf.begin() + static_cast<long>(c.end),
              bigger.begin());
    c.end -= c.begin;
    c.begin = 0;
    c.buf.swap(bigger);
  }
}

}  // namespace

Parse tryParse(Connection& c, const ServerLimits& lim, Request& req, size_t& consumed,
               Refusal& refusal) {
  while (c.begin < c.end && (c.buf[c.begin] == '\r' || c.buf[c.begin] == '\n')) ++c.begin;
  if (c.begin >= c.end) {
    c.begin = c.end = 0;
    c.requestStart = {};
    return Parse::kNeedMore;
  }
  if (c.requestStart == Clock::time_point{}) c.requestStart = Clock::now();
  std::string_view have(c.buf.data() + c.begin, c.end - c.begin);
  size_t pos = have.find("\r\n\r\n");
  size_t headLen = pos == std::string_view::npos ? 0 : pos + 4;
  if (headLen == 0 || headLen > lim.maxHeaderBytes) {
    // Incomplete, or too large: the earliest rule it breaks decides.
    auto no = checkPartialHead(headLen == 0 ? have : have.substr(0, headLen), lim);
    if (!no) return Parse::kNeedMore;
    refusal = *no;
    return Parse::kRefused;
  }
  size_t length = 0;
  if (auto no = parseRequestHead(have.substr(0, headLen), lim, req, length)) {
    refusal = *no;
    return Parse::kRefused;
  }
  if (have.size() < headLen + length) {
    expectBody(c, req, headLen + length);
    return Parse::kNeedMore;
  }
  req.body = have.substr(headLen, length);
  consumed = c.begin + headLen + length;
  return Parse::kRequest;
}

long readSome(Connection& c) {
  if (c.buf.empty()) c.buf.resize(kFirstBuffer);  // released between requests (releaseIdle)
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
    ssize_t n = ::recv(c.fd.get(), c.buf.data() + c.end, c.buf.size() - c.end, MSG_DONTWAIT);
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

void releaseIdle(Connection& c) {
  if (!c.idle() || c.draining) return;
  std::vector<char>().swap(c.buf);
  c.begin = c.end = 0;
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
  if (req.minorVersion == 0) return conn && iequals(*conn, "keep-alive");
  return !(conn && iequals(*conn, "close"));
}

namespace {

// The framing of "reply": its head (the status line and the header lines made per response)
// and whether a body follows.
struct Framing {
  std::string head;
  bool withBody = false;
};

Framing framing(const Request& req, const Reply& reply, bool keepAlive) {
  bool noBody = reply.status == 304 || reply.status == 204 || reply.status < 200;
  Framing f{statusAndHeaders(req, reply, keepAlive, noBody), false};
  f.withBody = !noBody && !req.isHead() && !reply.bytes().empty();
  return f;
}

const std::shared_ptr<const std::string>& endOfHead() {
  static const auto kEnd = std::make_shared<const std::string>("\r\n");
  return kEnd;
}

}  // namespace

bool sendReply(int fd, const Request& req, const Reply& reply, bool keepAlive) {
  Framing f = framing(req, reply, keepAlive);
  const std::string* block = reply.headerBlock.get();
  const std::string& end = *endOfHead();
  iovec iov[4];
  int count = 0;
  iov[count++] = {f.head.data(), f.head.size()};
  if (block && !block->empty()) iov[count++] = {const_cast<char*>(block->data()), block->size()};
  iov[count++] = {const_cast<char*>(end.data()), end.size()};
  if (f.withBody) {
    const std::string& body = reply.bytes();
    iov[count++] = {const_cast<char*>(body.data()), body.size()};
  }
  return writeAll(fd, iov, count);
}

void queueReply(Output& out, const Request& req, Reply& reply, bool keepAlive) {
  Framing f = framing(req, reply, keepAlive);
  out.add(std::move(f.head));
  if (reply.headerBlock && !reply.headerBlock->empty()) out.add(reply.headerBlock);
  out.add(endOfHead());
  if (!f.withBody) return;
  if (reply.shared) {
    out.add(reply.shared);
  } else {
    out.add(std::move(reply.body));
  }
}

void Output::add(std::string bytes) {
  if (bytes.empty()) return;
  left_ += bytes.size();
  segments_.push_back(Segment{std::move(bytes), nullptr, 0});
}

void Output::add(std::shared_ptr<const std::string> bytes) {
  if (!bytes || bytes->empty()) return;
  left_ += bytes->size();
  segments_.push_back(Segment{{}, std::move(bytes), 0});
}

Output::Sent Output::send(int fd) {
  while (left_ > 0) {
    iovec iov[64];
    size_t count = 0;
    for (size_t i = first_; i < segments_.size() && count < 64; ++i, ++count) {
      const Segment& s = segments_[i];
      iov[count] = {const_cast<char*>(s.bytes().data() + s.at), s.bytes().size() - s.at};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    ssize_t n = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? Sent::kBlocked : Sent::kFailed;
    }
    auto sent = static_cast<size_t>(n);
    left_ -= sent;
    while (sent > 0) {
      Segment& s = segments_[first_];
      size_t take = std::min(sent, s.bytes().size() - s.at);
      s.at += take;
      sent -= take;
      if (s.at == s.bytes().size()) ++first_;
    }
  }
  segments_.clear();  // every segment was sent: what they kept alive is let go
  first_ = 0;
  return Sent::kDone;
}

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

}  // namespace charta::http
