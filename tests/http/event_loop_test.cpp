// The event loops' lean path (http/event_loop.h): cached pages answered on the thread that read
// the request, in order with what the workers answer, to slow readers and to clients that leave.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "raw_client.h"
#include "site_fixture.h"
#include "support/sandbox.h"
#include "support/server_process.h"

using namespace charta;
using testing::http;
using testing::RawClient;
using testing::RawResponse;
using testing::ServerProcess;
using testing::Site;

namespace {

// charta_http_loop_answers_total: requests an event loop answered without a worker.
long loopAnswers(uint16_t port) {
  std::string metrics = http(port, "GET", "/metrics").body;
  const std::string name = "\ncharta_http_loop_answers_total ";
  size_t at = metrics.find(name);
  REQUIRE(at != std::string::npos);
  return std::stol(metrics.substr(at + name.size()));
}

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

// A client socket with a receive buffer of "rcvbuf" bytes, set before it connects so that the
// window the server sees is small. Owns its descriptor.
class SmallWindowClient {
 public:
  SmallWindowClient(uint16_t port, int rcvbuf) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~SmallWindowClient() { closeNow(); }
  SmallWindowClient(const SmallWindowClient&) = delete;
  SmallWindowClient& operator=(const SmallWindowClient&) = delete;

  void send(const std::string& bytes) {
    REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(bytes.size()));
  }
  // Reads at most "n" bytes (one recv); empty at the end of the stream.
  std::string readSome(size_t n) {
    std::string buf(n, '\0');
    ssize_t got = ::recv(fd_, buf.data(), n, 0);
    buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
    return buf;
  }
  void closeNow() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Splits a stream of answers to GETs (each with Content-Length) into their statuses and bodies,
// up to the first answer that has not arrived whole.
struct Answers {
  std::vector<std::string> heads;
  std::vector<std::string> bodies;
};
Answers answersIn(const std::string& stream) {
  Answers a;
  size_t at = 0;
  while (at < stream.size()) {
    size_t end = stream.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    std::string head = stream.substr(at, end - at);
    size_t cl = head.find("Content-Length: ");
    if (cl == std::string::npos) break;
    size_t length = std::stoul(head.substr(cl + 16));
    if (stream.size() < end + 4 + length) break;
    a.heads.push_back(head);
    a.bodies.push_back(stream.substr(end + 4, length));
    at = end + 4 + length;
  }
  return a;
}

}  // namespace

TEST_CASE("pipelined requests are answered in order, by the event loop and by workers") {
  Site s;
  ServerProcess server(s.box.path());
  auto page = http(server.port(), "GET", "/personal-data");  // rendered by a worker, then cached
  REQUIRE(page.status == 200);
  const std::string etag = page.header("etag");
  long before = loopAnswers(server.port());

  RawClient c(server.port());
  // From memory first (the loop), then what a worker answers (the operators' endpoint, an error
  // page, a feed not rendered yet), then from memory again.
  c.send(get("/personal-data") + get("/personal-data", "If-None-Match: " + etag + "\r\n") +
         "HEAD /personal-data HTTP/1.1\r\nHost: x\r\n\r\n" + get("/livez") + get("/no-such-page") +
         get("/personal-data/feed.atom") + get("/personal-data", "Connection: close\r\n"));
  RawResponse first = c.read();
  CHECK(first.status == 200);
  CHECK(first.body == page.body);
  RawResponse notModified = c.read();
  CHECK(notModified.status == 304);
  CHECK(notModified.has("ETag: " + etag));
  CHECK(notModified.body.empty());
  RawResponse head = c.readHead();
  CHECK(head.status == 200);
  CHECK(head.has("Content-Length: " + std::to_string(page.body.size())));
  CHECK(head.has("Content-Security-Policy: "));
  RawResponse live = c.read();
  CHECK(live.status == 200);
  CHECK(live.body.find("ok") != std::string::npos);
  CHECK(c.read().status == 404);
  RawResponse feed = c.read();
  CHECK(feed.status == 200);
  CHECK(feed.has("application/atom+xml"));
  RawResponse last = c.read();
  CHECK(last.status == 200);
  CHECK(last.has("Connection: close"));
  CHECK(last.body == page.body);
  CHECK(c.closedByServer());
  // The page, the 304 and the HEAD came from memory without a worker.
  CHECK(loopAnswers(server.port()) - before >= 3);
}

TEST_CASE("a large stream of answers to a reader with a small window arrives whole and in order") {
  Site s;
  ServerProcess server(s.box.path());
  auto page = http(server.port(), "GET", "/personal-data");
  REQUIRE(page.status == 200);
  const std::string live = http(server.port(), "GET", "/livez").body;
  // 60 answers of the page (about 1.6 MB) to a window of a few KB: the loop's sends stop short
  // and continue on EPOLLOUT many times; the worker's /livez in the middle waits its turn.
  SmallWindowClient slow(server.port(), 4096);
  std::string requests;
  for (int i = 0; i < 60; ++i) requests += get(i == 30 ? "/livez" : "/personal-data");
  slow.send(requests);
  // Meanwhile the loops serve others.
  CHECK(http(server.port(), "GET", "/personal-data").body == page.body);
  std::string stream;
  const size_t expected = 59 * page.body.size() + live.size();  // and 60 heads
  Answers got;
  while (got.bodies.size() < 60) {
    std::string more = slow.readSome(2048);
    if (more.empty()) break;
    stream += more;
    if (stream.size() >= expected) got = answersIn(stream);  // only near the end: no quadratic
  }
  REQUIRE(got.bodies.size() == 60);
  for (size_t i = 0; i < 60; ++i) {
    CAPTURE(i);
    CHECK(got.heads[i].substr(0, 15) == "HTTP/1.1 200 OK");
    CHECK(got.bodies[i] == (i == 30 ? live : page.body));
  }
}

TEST_CASE("a client that leaves in the middle of its answers costs nothing afterwards") {
  Site s;
  ServerProcess server(s.box.path());
  auto page = http(server.port(), "GET", "/personal-data");
  REQUIRE(page.status == 200);
  for (int round = 0; round < 20; ++round) {
    SmallWindowClient leaving(server.port(), 4096);
    std::string requests;
    for (int i = 0; i < 40; ++i) requests += get("/personal-data");
    leaving.send(requests);
    CHECK_FALSE(leaving.readSome(1000).empty());  // the answers have begun
    leaving.closeNow();                           // with unread bytes: a reset
  }
  // The loops go on serving, on new connections and kept-alive ones.
  RawClient c(server.port());
  for (int i = 0; i < 5; ++i) CHECK(c.exchange(get("/personal-data")).body == page.body);
  CHECK(server.running());
}

TEST_CASE("many idle keep-alive connections do not keep the page from others") {
  Site s;
  // The idle connections need descriptors here too.
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  const int idle =
      static_cast<int>(std::min<rlim_t>(2000, lim.rlim_cur > 200 ? lim.rlim_cur - 200 : 0));
  REQUIRE(idle >= 500);
  ServerProcess server(s.box.path(), {"server.max_connections=4000", "server.keep_alive_s=600"});
  auto page = http(server.port(), "GET", "/personal-data");
  REQUIRE(page.status == 200);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < idle; ++i) {
    held.push_back(std::make_unique<RawClient>(server.port()));
    REQUIRE(held.back()->exchange(get("/personal-data")).status == 200);
  }
  // Every one of them stays open and silent; the page goes on being served, on a kept-alive
  // connection and on new ones, and the idle ones still answer when they speak again.
  RawClient busy(server.port());
  for (int i = 0; i < 20; ++i) CHECK(busy.exchange(get("/personal-data")).body == page.body);
  CHECK(http(server.port(), "GET", "/personal-data").body == page.body);
  CHECK(held.front()->exchange(get("/personal-data")).body == page.body);
  CHECK(held.back()->exchange(get("/personal-data")).body == page.body);
  CHECK(server.running());
}
