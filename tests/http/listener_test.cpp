// The listener on its own, in this process: out of descriptors, a waiting client is refused with
// 503 (and the acceptor told to back off), and the spare descriptor is there again for the next.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/listener.h"

using namespace charta;
using http::Accepted;
using http::Fd;
using http::Listener;

namespace {

// A client connected to "port" that has sent a request and waits for the answer.
Fd connectAndSend(uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  const std::string request = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd.get(), request.data(), request.size(), 0) ==
          static_cast<ssize_t>(request.size()));
  return fd;
}

// Everything the peer sends until it closes.
std::string readAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 5000) == 1;
}

// Takes every descriptor this process has left (its soft limit lowered for the time being).
class Exhausted {
 public:
  Exhausted() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = 256;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    while (true) {
      Fd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (!fd) break;
      held_.push_back(std::move(fd));
    }
    REQUIRE(errno == EMFILE);
  }
  ~Exhausted() {
    held_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<Fd> held_;
};

}  // namespace

TEST_CASE("out of descriptors: the waiting client gets 503 and the acceptor backs off") {
  Listener listener("127.0.0.1", 0, 64);
  for (int round = 0; round < 2; ++round) {  // the spare is taken again after each refusal
    CAPTURE(round);
    Fd client = connectAndSend(listener.port());
    REQUIRE(readable(listener.fd()));
    {
      Exhausted exhausted;
      Fd conn;
      std::string peer;
      CHECK(listener.accept(conn, peer) == Accepted::kOutOfDescriptors);
      CHECK_FALSE(conn);
    }
    const std::string answer = readAll(client.get());
    CHECK(answer.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
    CHECK(answer.find("Retry-After: 1\r\n") != std::string::npos);
    CHECK(answer.find("Connection: close\r\n") != std::string::npos);
    // It left the queue: nothing is waiting any more.
    Fd conn;
    std::string peer;
    CHECK(listener.accept(conn, peer) == Accepted::kNone);
  }
  // With descriptors, a client is taken as usual.
  Fd client = connectAndSend(listener.port());
  REQUIRE(readable(listener.fd()));
  Fd conn;
  std::string peer;
  CHECK(listener.accept(conn, peer) == Accepted::kConnection);
  CHECK(conn);
  CHECK(peer == "127.0.0.1");
}

TEST_CASE("a port in use is not shared: binding it again fails and says why") {
  Listener first("127.0.0.1", 0, 64);
  try {
    Listener second("127.0.0.1", first.port(), 64);
    FAIL("the second listener bound a port in use");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("Address already in use") != std::string::npos);
  }
}

TEST_CASE("the open-file limit and the connections kept within it") {
  CHECK(http::connectionsWithin(256) == 192);
  CHECK(http::connectionsWithin(1024) == 896);
  CHECK(http::connectionsWithin(65536) == 57344);
  CHECK(http::connectionsWithin(70) == 8);  // never none
  rlimit before{};
  ::getrlimit(RLIMIT_NOFILE, &before);
  rlimit low = before;
  low.rlim_cur = 300;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  long raised = http::raiseOpenFileLimit();
  rlimit after{};
  ::getrlimit(RLIMIT_NOFILE, &after);
  CHECK(after.rlim_cur == before.rlim_max);
  CHECK(raised == static_cast<long>(before.rlim_max));
  ::setrlimit(RLIMIT_NOFILE, &before);
}
