#include "http/listener.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/error.h"

namespace charta::http {

namespace {

// The most descriptors the kernel lets a process have (fs.nr_open).
rlim_t kernelMaxOpenFiles() {
  std::ifstream in("/proc/sys/fs/nr_open");
  rlim_t n = 0;
  if (in >> n && n > 0) return n;
  return 1024 * 1024;
}

std::string addressText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
  }
  return buf;
}

Fd openSpare() { return Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

// The answer of a server that cannot take one more connection now.
void refuseOutOfDescriptors(int fd) {
  static const char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
      "Connection: close\r\n\r\n";
  ::send(fd, kBusy, sizeof kBusy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace

long raiseOpenFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  rlim_t want = lim.rlim_max == RLIM_INFINITY ? kernelMaxOpenFiles() : lim.rlim_max;
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= want) {
    return static_cast<long>(std::min<rlim_t>(lim.rlim_cur, kernelMaxOpenFiles()));
  }
  rlimit raised{want, lim.rlim_max};
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return static_cast<long>(want);
  return static_cast<long>(lim.rlim_cur);
}

int connectionsWithin(long openFiles) {
  long reserve = std::max<long>(64, openFiles / 8);
  return static_cast<int>(std::clamp<long>(openFiles - reserve, 8, 1L << 30));
}

Listener::Listener(const std::string& host, uint16_t port, int backlog) {
  const std::string where = host + ":" + std::to_string(port);
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(host, port);
  } catch (const Poco::Exception& e) {
    throw Error("cannot listen on " + where + ": " + e.displayText());
  }
  auto fail = [&](const char* doing) {
    throw Error("cannot listen on " + where + ": " + doing + ": " +
                std::generic_category().message(errno));
  };
  fd_.reset(::socket(address.af(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_) fail("socket");
  int one = 1;
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    fail("SO_REUSEADDR");
  if (::bind(fd_.get(), address.addr(), address.length()) != 0) fail("bind");
  if (::listen(fd_.get(), std::max(64, backlog)) != 0) fail("listen");
  // Wake the acceptor only when a client has sent something (up to 1 s after connecting).
  int deferSeconds = 1;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &deferSeconds, sizeof deferSeconds);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    fail("getsockname");
  }
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  spare_ = openSpare();
}

Accepted Listener::accept(Fd& conn, std::string& peer) {
  while (true) {
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    int fd = ::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&from), &length, SOCK_CLOEXEC);
    if (fd >= 0) {
      conn.reset(fd);
      peer = addressText(from);
      return Accepted::kConnection;
    }
    switch (errno) {
      case EINTR:
        continue;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        if (spare_) {
          spare_.reset();
          Fd refused(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
          if (refused) refuseOutOfDescriptors(refused.get());
          refused.reset();
          spare_ = openSpare();
        }
        return Accepted::kOutOfDescriptors;
      default:
        // EAGAIN (none waiting), ECONNABORTED and the network errors that accept() passes on for
        // a connection that failed before it was taken.
        return Accepted::kNone;
    }
  }
}

}  // namespace charta::http
