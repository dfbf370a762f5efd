// Oversized heads and bodies, lengths that lie, chunked bodies, and slow clients that trickle
// heads and bodies while others are served.
#include <Poco/Net/StreamSocket.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hostile/hostile_support.h"

using namespace charta::hostile;
using namespace std::chrono;

namespace {

const std::string kConsents = "/api/v1/consents";

// Sends "bytes", reads the answer; the server must answer "status" with a problem, say that it
// closes the connection, and close it (not leave the client waiting for its own time-out).
void refusedAndClosed(uint16_t port, const std::string& bytes, int status) {
  bool closed = false;
  std::string raw = charta::testing::rawExchange(port, bytes, 30000, &closed);
  RawResponse r = parseResponse(raw);
  CAPTURE(raw.substr(0, 200));
  REQUIRE_MESSAGE(r.wellFormed, r.why);
  CHECK(r.status == status);
  checkProblemJson(r);
  CHECK(r.header("connection") == "close");
  CHECK(r.rest.empty());  // one answer, then the close
  CHECK(closed);
}

std::string headerFields(size_t count, size_t valueSize) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += "X-Field-" + std::to_string(i) + ": " + std::string(valueSize, 'v') + "\r\n";
  }
  return out;
}

}  // namespace

TEST_CASE("oversized heads: 431 or 414, the connection closed, nothing recorded") {
  Shop shop({"server.max_body=1024", "server.timeout_s=1"});
  const uint16_t port = shop.port();
  const std::string body = consentBody("s-1");
  auto post = [&](const std::string& extraHead) {
    return "POST " + kConsents + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kSiteToken +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + extraHead + "\r\n" + body;
  };
  // One huge field.
  refusedAndClosed(port, post("X-Big: " + std::string(20000, 'a') + "\r\n"), 431);
  refusedAndClosed(port, post("Cookie: " + std::string(1 << 20, 'c') + "\r\n"), 431);
  // Many fields: more than 100, or more than 16 KB in all.
  refusedAndClosed(port, post(headerFields(101, 4)), 431);
  refusedAndClosed(port, post(headerFields(5000, 0)), 431);
  refusedAndClosed(port, post(headerFields(20, 900)), 431);
  // A huge request line: 414 at any length, even past the limit of the whole head.
  refusedAndClosed(
      port, "GET /api/v1/documents/" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      414);
  refusedAndClosed(
      port, "GET /api/v1/documents?" + std::string(20000, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      414);
  // Just under the limits is served: the one consent recorded.
  auto served = roundTrip(port, post(headerFields(90, 100) + "Connection: close\r\n"));
  REQUIRE_MESSAGE(served.wellFormed, served.why);
  CHECK(served.status == 201);
  CHECK(shop.ledgerEvents() == 1);
  shop.checkAlive();
}

TEST_CASE("bodies: 413 for too large, 411 for chunked, 400 for lying lengths; nothing written") {
  Shop shop({"server.max_body=1024", "server.timeout_s=1"});
  const uint16_t port = shop.port();
  const std::string etag =
      http(port, "GET", "/api/v1/documents/personal-data/current").header("etag");
  auto head = [&](const std::string& target, const std::string& fields) {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kSiteToken +
           "\r\nContent-Type: application/json\r\n" + fields + "\r\n";
  };
  const std::string body = consentBody("s-1");

  // Declared too large: refused before a byte of the body is read (or sent).
  refusedAndClosed(port, head(kConsents, "Content-Length: 1000000000\r\n"), 413);
  refusedAndClosed(port, head(kConsents, "Content-Length: 1025\r\n") + std::string(1025, ' '), 413);
  // Expect: 100-continue with a body too large: 413 and no 100 Continue before it.
  {
    std::string raw = charta::testing::rawExchange(
        port, head(kConsents, "Content-Length: 5000\r\nExpect: 100-continue\r\n"));
    CHECK(raw.compare(0, 12, "HTTP/1.1 413") == 0);
  }
  // The publication and withdrawal routes are held to the same limit.
  refusedAndClosed(port,
                   "POST /api/v1/documents/personal-data/publications HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer " +
                       std::string(kLegalToken) + "\r\nIf-Match: " + etag +
                       "\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{" +
                       "\"summary\":\"" + std::string(1985, 's') + "\"}",
                   413);

  // Lengths that are not one plain decimal number.
  for (const char* length : {"-1", "1e3", "0x10", "+10", "10 10", "10, 10", "",
                             "99999999999999999999999999", "18446744073709551616", "١٠"}) {
    CAPTURE(length);
    refusedAndClosed(
        port, head(kConsents, std::string("Content-Length: ") + length + "\r\n") + body, 400);
  }
  refusedAndClosed(
      port,
      head(kConsents, "Content-Length: " + std::to_string(body.size()) +
                          "\r\nContent-Length: " + std::to_string(body.size() - 1) + "\r\n") +
          body,
      400);

  // Chunked, with or without a length beside it (request smuggling): 411.
  std::string chunked;
  for (size_t i = 0; i < body.size(); i += 10) {
    std::string part = body.substr(i, 10);
    char size[16];
    std::snprintf(size, sizeof size, "%zx", part.size());
    chunked += std::string(size) + "\r\n" + part + "\r\n";
  }
  chunked += "0\r\n\r\n";
  refusedAndClosed(port, head(kConsents, "Transfer-Encoding: chunked\r\n") + chunked, 411);
  refusedAndClosed(
      port, head(kConsents, "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") + chunked, 411);
  refusedAndClosed(port, head(kConsents, "Transfer-Encoding: gzip, chunked\r\n") + chunked, 411);
  refusedAndClosed(port, head(kConsents, "transfer-encoding : chunked\r\n") + chunked, 400);

  // No length at all: the body is not read as a body. The empty body is refused, and what
  // follows is not a request (it never ends its head: 408).
  {
    std::string raw = charta::testing::rawExchange(port, head(kConsents, "") + body);
    RawResponse r = parseResponse(raw);
    REQUIRE_MESSAGE(r.wellFormed, r.why);
    CHECK(r.status == 400);
    checkProblemJson(r);
    RawResponse second = parseResponse(r.rest);
    CHECK((r.rest.empty() || (second.wellFormed && second.status == 408)));
  }
  // A body shorter than its length, then silence: 408 after server.timeout_s, and the close.
  {
    bool closed = false;
    std::string raw = charta::testing::rawExchange(
        port,
        head(kConsents, "Content-Length: " + std::to_string(body.size() + 10) + "\r\n") + body,
        30000, &closed);
    CHECK(raw.compare(0, 12, "HTTP/1.1 408") == 0);
    CHECK(closed);
  }
  // A request with a body of exactly the limit is served: the limits are not off by one.
  {
    std::string padded = body + std::string(1024 - body.size(), ' ');
    auto served =
        roundTrip(port, head(kConsents, "Content-Length: 1024\r\nConnection: close\r\n") + padded);
    REQUIRE_MESSAGE(served.wellFormed, served.why);
    CHECK(served.status == 201);
  }
  CHECK(shop.ledgerEvents() == 1);
  CHECK(shop.editions() == std::vector<std::string>{"v1"});
  shop.checkAlive();
}

TEST_CASE("slow bodies and a mix of slow clients hold no thread; /livez answers within 100 ms") {
  Shop shop({"server.threads=4", "server.timeout_s=3"});
  const uint16_t port = shop.port();
  const std::string body = consentBody("slow-1");
  const std::string consentHead =
      std::string("POST /api/v1/consents HTTP/1.1\r\nHost: x\r\n") + "Authorization: Bearer " +
      kSiteToken +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  auto connect = [&](const std::string& first) {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
    s.sendBytes(first.data(), static_cast<int>(first.size()));
    return s;
  };
  std::vector<Poco::Net::StreamSocket> bodies, heads, waiting, idle;
  for (int i = 0; i < 120; ++i) bodies.push_back(connect(consentHead + body.substr(0, 1)));
  for (int i = 0; i < 60; ++i) heads.push_back(connect("POST /api/v1/consents HTTP/1.1\r\nHo"));
  for (int i = 0; i < 60; ++i) {
    waiting.push_back(connect(std::string("POST /api/v1/consents HTTP/1.1\r\nHost: x\r\n") +
                              "Content-Type: application/json\r\nExpect: 100-continue\r\n" +
                              "Content-Length: 500\r\n\r\n"));
  }
  for (int i = 0; i < 60; ++i) idle.push_back(connect("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));

  std::vector<long> took;
  size_t sent = 1;
  for (int round = 0; round < 8; ++round) {
    for (auto& s : bodies) s.sendBytes(body.data() + sent, 1);  // one byte of body each
    for (auto& s : heads) s.sendBytes("o", 1);
    ++sent;
    auto start = steady_clock::now();
    CHECK(http(port, "GET", "/livez").status == 200);
    took.push_back(duration_cast<milliseconds>(steady_clock::now() - start).count());
    std::this_thread::sleep_for(milliseconds(100));
  }
  // Writes are served too, while the slow ones wait: well before server.timeout_s (3 s), which a
  // write queued behind them would wait for.
  auto start = steady_clock::now();
  auto ok = http(port, "POST", "/api/v1/consents",
                 {{"Authorization", std::string("Bearer ") + kSiteToken},
                  {"Content-Type", "application/json"}},
                 consentBody("fast-1"));
  CHECK(ok.status == 201);
  CHECK(steady_clock::now() - start < seconds(2));

  std::sort(took.begin(), took.end());
  CAPTURE(took.back());
  MESSAGE("/livez under 300 slow connections: median " << took[took.size() / 2] << " ms, max "
                                                       << took.back() << " ms");
  CHECK(took[took.size() / 2] < 100);
  CHECK(took.back() < 1000);

  // The slow bodies are cut off with 408 once server.timeout_s has passed, and none of their
  // half-sent consents is recorded.
  for (size_t i = 0; i < 3; ++i) {
    bodies[i].setReceiveTimeout(Poco::Timespan(5, 0));
    char buf[512];
    int n = bodies[i].receiveBytes(buf, sizeof buf);
    REQUIRE(n > 12);
    CHECK(std::string(buf, 12) == "HTTP/1.1 408");
  }
  CHECK(shop.ledgerEvents() == 1);
  shop.checkAlive();
}
