// SIGTERM: `charta serve` stops taking connections and lets the requests in flight finish.
#include <doctest/doctest.h>
#include <signal.h>

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <string>
#include <thread>

#include "raw_client.h"
#include "site_fixture.h"
#include "support/server_process.h"

using namespace charta;
using namespace std::chrono;
using testing::RawClient;
using testing::ServerProcess;
using testing::Site;

namespace {

// Whether a new connection to "port" is refused (the listener is closed).
bool refused(uint16_t port) {
  try {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
    return false;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return true;
  }
}

}  // namespace

TEST_CASE("SIGTERM lets a request in flight finish: its body arrives after the signal") {
  Site s;
  ServerProcess server(s.box.path());
  RawClient idle(server.port());
  CHECK(idle.exchange("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
  RawClient busy(server.port());
  busy.send(
      "POST /personal-data HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
      "\r\n");
  // The server has the head and waits for the body: the request is in flight.
  REQUIRE(busy.read().status == 100);

  server.kill(SIGTERM, false);
  REQUIRE(testing::waitForLog(server, "finishing requests in flight"));
  // New connections are refused at once; idle keep-alive connections are closed.
  auto deadline = steady_clock::now() + seconds(5);
  while (!refused(server.port()) && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  CHECK(refused(server.port()));
  CHECK(idle.closedByServer());

  busy.send("x=1&y");
  auto r = busy.read();
  CHECK(r.status == 405);  // the page is read-only: the answer of the complete request
  CHECK(r.has("Connection: close"));
  CHECK(server.kill(SIGTERM) == 0);
  CHECK(server.err().find("\"msg\":\"stopped\"") != std::string::npos);
}

TEST_CASE("SIGTERM with a request that never completes: the server still exits within grace") {
  Site s;
  ServerProcess server(s.box.path(), {"server.timeout_s=2"});
  RawClient stuck(server.port());
  stuck.send(
      "POST /personal-data HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: "
      "100-continue\r\n\r\n");
  REQUIRE(stuck.read().status == 100);
  auto start = steady_clock::now();
  CHECK(server.kill(SIGTERM) == 0);
  // The unfinished request is answered 408 at its time-out (2 s), then the server exits.
  CHECK(steady_clock::now() - start < seconds(8));
  CHECK(stuck.read().status == 408);
}
