// The rules of RFC 9112 for a request's head, against the real `charta serve` over raw sockets:
// Host, the absolute form, line ends, the version, the length of the request line.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "raw_client.h"
#include "site_fixture.h"
#include "support/server_process.h"

using namespace charta;
using namespace std::chrono;
using testing::RawClient;
using testing::ServerProcess;
using testing::Site;

namespace {

// The status code of the one answer to "request" on a fresh connection.
int statusOf(uint16_t port, const std::string& request) {
  RawClient c(port);
  c.send(request);
  return c.read().status;
}

}  // namespace

TEST_CASE("Host: exactly one, with a valid value (RFC 9112 3.2)") {
  Site s;
  ServerProcess server(s.box.path());
  const uint16_t port = server.port();
  CHECK(statusOf(port, "GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  CHECK(statusOf(port, "GET /livez HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n") == 400);
  CHECK(statusOf(port, "GET /livez HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  for (const char* bad : {"a b/c", "a/b", "a@b", "[::1", "h:port", "h:80:80", "[zz]"}) {
    CAPTURE(bad);
    CHECK(statusOf(port, "GET /livez HTTP/1.1\r\nHost: " + std::string(bad) + "\r\n\r\n") == 400);
  }
  for (const char* good : {"shop.example", "shop.example:8080", "127.0.0.1:80", "[::1]:8080",
                           "[::1]", "xn--80ak6aa92e.xn--p1ai", ""}) {
    CAPTURE(good);
    CHECK(statusOf(port, "GET /livez HTTP/1.1\r\nHost: " + std::string(good) +
                             "\r\nConnection: close\r\n\r\n") == 200);
  }
  // HTTP/1.0 needs none.
  CHECK(statusOf(port, "GET /livez HTTP/1.0\r\n\r\n") == 200);
}

TEST_CASE("the absolute form of the target is served (RFC 9112 3.2.2)") {
  Site s;
  ServerProcess server(s.box.path());
  const uint16_t port = server.port();
  const std::string here = "127.0.0.1:" + std::to_string(port);
  RawClient c(port);
  auto live = c.exchange("GET http://" + here + "/livez HTTP/1.1\r\nHost: " + here + "\r\n\r\n");
  CHECK(live.status == 200);
  // Its query is the query; the scheme's case does not matter; keep-alive goes on.
  auto page = c.exchange("GET HTTP://" + here + "/personal-data?lang=ru HTTP/1.1\r\nHost: " + here +
                         "\r\n\r\n");
  CHECK(page.status == 200);
  CHECK(page.has("Content-Language: ru"));
  CHECK(page.body.find("<!DOCTYPE html>") == 0);
  // The same bytes as the origin form.
  CHECK(page.body == c.exchange("GET /personal-data?lang=ru HTTP/1.1\r\nHost: x\r\n\r\n").body);
  // No path: the root, as for "/".
  CHECK(c.exchange("GET http://" + here + " HTTP/1.1\r\nHost: x\r\n\r\n").status ==
        c.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status);
  CHECK(statusOf(port, "GET http://user@" + here + "/livez HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(statusOf(port, "GET http:///livez HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(statusOf(port, "GET ftp://" + here + "/livez HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  CHECK(statusOf(port, "GET livez HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
}

TEST_CASE("bare LF line ends are answered at once, not held until the time-out") {
  Site s;
  ServerProcess server(s.box.path());
  for (const char* request :
       {"GET /livez HTTP/1.1\nHost: x\n\n", "GET /livez HTTP/1.1\r\nHost: x\n\n",
        "GET /livez HTTP/1.1\r\nHost: x\r\n\n"}) {
    CAPTURE(std::string(request));
    auto start = steady_clock::now();
    RawClient c(server.port());
    c.send(request);
    auto r = c.read();
    CHECK(r.status == 400);
    CHECK(r.has("Connection: close"));
    CHECK(steady_clock::now() - start < seconds(2));  // the time-out is 10 s
  }
}

TEST_CASE("HTTP/1.x after 1.1 is answered as 1.1; 2.0 and malformed versions are not") {
  Site s;
  ServerProcess server(s.box.path());
  RawClient c(server.port());
  auto r = c.exchange("GET /livez HTTP/1.2\r\nHost: x\r\n\r\n");
  CHECK(r.status == 200);
  CHECK(r.head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(c.exchange("GET /livez HTTP/1.9\r\nHost: x\r\n\r\n").status == 200);  // kept alive
  CHECK(statusOf(server.port(), "GET /livez HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
  CHECK(statusOf(server.port(), "GET /livez HTTP/1.10\r\nHost: x\r\n\r\n") == 400);
  CHECK(statusOf(server.port(), "GET /livez HTTP/1\r\nHost: x\r\n\r\n") == 400);
  CHECK(statusOf(server.port(), "GET /livez http/1.1\r\nHost: x\r\n\r\n") == 400);
}

TEST_CASE("a request line too long is 414 whatever its length; large headers stay 431") {
  Site s;
  ServerProcess server(s.box.path());
  for (size_t n : {5000, 20000, 78000}) {
    CAPTURE(n);
    auto start = steady_clock::now();
    CHECK(statusOf(server.port(), "GET /" + std::string(n, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") ==
          414);
    CHECK(steady_clock::now() - start < seconds(2));
  }
  // The request line alone, still arriving: 414 as soon as it cannot fit any more.
  RawClient partial(server.port());
  partial.send("GET /" + std::string(6000, 'a'));
  CHECK(partial.read().status == 414);
  CHECK(statusOf(server.port(), "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                    std::string(20000, 'a') + "\r\n\r\n") == 431);
  RawClient noSpace(server.port());
  noSpace.send(std::string(6000, 'G'));  // not a request line at all
  CHECK(noSpace.read().status == 400);
  CHECK(server.running());
}
