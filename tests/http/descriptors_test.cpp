// File descriptors: `charta serve` raises its open-file limit, keeps its connections within it
// and answers right with more clients than descriptors; a port in use is not shared.
#include <doctest/doctest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "raw_client.h"
#include "site_fixture.h"
#include "support/server_process.h"

using namespace charta;
using namespace std::chrono;
using testing::http;
using testing::RawClient;
using testing::ServerProcess;
using testing::Site;

namespace {

// The open-file limit of the processes this one forks while it is set (0: as inherited).
std::atomic<rlim_t> gChildSoft{0};
std::atomic<rlim_t> gChildHard{0};

void applyChildLimit() {
  rlim_t soft = gChildSoft.load();
  if (soft == 0) return;
  rlimit l{soft, gChildHard.load()};
  setrlimit(RLIMIT_NOFILE, &l);
}

rlimit ownLimit() {
  rlimit l{};
  getrlimit(RLIMIT_NOFILE, &l);
  return l;
}

// `charta serve` started with the open-file limit "soft":"hard", as `ulimit -n` would leave it.
std::unique_ptr<ServerProcess> serveWithLimit(const std::filesystem::path& dir, rlim_t soft,
                                              rlim_t hard) {
  static const int registered = pthread_atfork(nullptr, nullptr, applyChildLimit);
  REQUIRE(registered == 0);
  // This process holds the client ends of every connection: it needs the room itself.
  rlimit own = ownLimit();
  own.rlim_cur = own.rlim_max;
  setrlimit(RLIMIT_NOFILE, &own);
  gChildHard = hard;
  gChildSoft = soft;
  auto server = std::make_unique<ServerProcess>(dir);
  gChildSoft = 0;
  return server;
}

// A number logged in the server's "listening" line; -1 when the line does not have it.
long listened(ServerProcess& server, const std::string& field) {
  REQUIRE(testing::waitForLog(server, "\"msg\":\"listening\""));
  std::string err = server.err();
  size_t at = err.find("\"" + field + "\":");
  return at == std::string::npos ? -1 : std::stol(err.substr(at + field.size() + 3));
}

// CPU time (user + system) the process has used so far.
milliseconds cpuTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state ... cmajflt
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return milliseconds((utime + stime) * 1000 / sysconf(_SC_CLK_TCK));
}

const std::string kLivez = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";

// Opens "n" keep-alive connections, each answered once: idle from then on.
std::vector<std::unique_ptr<RawClient>> idleConnections(uint16_t port, int n) {
  std::vector<std::unique_ptr<RawClient>> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_unique<RawClient>(port, seconds(5)));
    auto r = out.back()->exchange(kLivez);
    REQUIRE_MESSAGE(r.status == 200, "connection " << i);
  }
  return out;
}

// What must keep answering right whatever the clients do: pages, readiness, the API.
void checkAnswersRight(uint16_t port) {
  CHECK(http(port, "GET", "/personal-data").status == 200);
  CHECK(http(port, "GET", "/readyz").status == 200);
  auto diff = http(port, "GET", "/api/v1/documents/personal-data/diff?from=v1&to=v1");
  CHECK(diff.status == 200);
  CHECK(diff.body.find("there is no edition") == std::string::npos);
  CHECK(http(port, "GET", "/api/v1/documents/personal-data/current").status == 200);
  CHECK(http(port, "GET", "/api/v1/documents/personal-data/editions/v1").status == 200);
}

}  // namespace

TEST_CASE("the soft open-file limit is raised to the hard limit at start") {
  Site s;
  const rlim_t hard = ownLimit().rlim_max;
  REQUIRE(hard >= 1024);
  auto server = serveWithLimit(s.box.path(), 256, hard);
  // More clients than the soft limit it was started with, all kept open and served.
  auto clients = idleConnections(server->port(), 400);
  int served = 0;
  for (auto& c : clients) served += c->exchange(kLivez).status == 200;
  CHECK(served == 400);
  checkAnswersRight(server->port());
  CHECK(listened(*server, "open_file_limit") == static_cast<long>(hard));
}

TEST_CASE("more idle connections than descriptors: the longest idle make room, all answers right") {
  Site s;
  auto server = serveWithLimit(s.box.path(), 256, 256);  // ulimit -n 256: no raising
  const milliseconds cpuBefore = cpuTime(server->pid());
  auto clients = idleConnections(server->port(), 256 + 100);
  // The first ones were closed to make room for the last ones.
  CHECK(clients.front()->closedByServer());
  checkAnswersRight(server->port());
  // The acceptor never spins on a listener it cannot take connections from: the work of a few
  // hundred small requests is a few tens of milliseconds (spinning, it was seconds).
  CHECK(cpuTime(server->pid()) - cpuBefore < milliseconds(500));
  // Nothing inside ran out of descriptors.
  std::string err = server->err();
  CHECK(err.find("damaged or unreadable") == std::string::npos);
  CHECK(err.find("Too many open files") == std::string::npos);
  // Idle, with all those clients still connected, it sleeps: the acceptor does not spin.
  const milliseconds idleBefore = cpuTime(server->pid());
  std::this_thread::sleep_for(seconds(1));  // the span measured, not a wait for an event
  CHECK(cpuTime(server->pid()) - idleBefore < milliseconds(150));
  CHECK(listened(*server, "open_file_limit") == 256);
  const long cap = listened(*server, "max_connections");
  CHECK(cap >= 64);
  CHECK(cap <= 256 - 64);  // room kept for git, the ledger, SQLite and the rest
}

TEST_CASE("every connection busy with an unfinished request: a new one is refused with 503") {
  Site s;
  auto server = serveWithLimit(s.box.path(), 256, 256);
  long cap = listened(*server, "max_connections");
  CHECK(cap > 0);
  if (cap <= 0) cap = 256;  // a server that keeps no count: as many as it has descriptors
  std::vector<std::unique_ptr<RawClient>> slow;
  for (long i = 0; i < cap; ++i) {
    slow.push_back(std::make_unique<RawClient>(server->port()));
    slow.back()->send("GET /livez HTTP/1.1\r\nHost: x\r\n");  // and no more, for now
  }
  RawClient extra(server->port());
  auto r = extra.exchange(kLivez);
  CHECK(r.status == 503);
  CHECK(r.has("Retry-After: 1"));
  CHECK(r.has("Connection: close"));
  CHECK(extra.closedByServer());
  // The unfinished requests are still served when they complete.
  for (int i = 0; i < 10; ++i) {
    slow[static_cast<size_t>(i)]->send("\r\n");
    CHECK(slow[static_cast<size_t>(i)]->read().status == 200);
  }
  // Clients that go away give their room back.
  for (int i = 0; i < 20; ++i) slow[static_cast<size_t>(i)]->close();
  int status = 0;
  auto deadline = steady_clock::now() + seconds(5);
  while (status != 200 && steady_clock::now() < deadline) {
    status = RawClient(server->port()).exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status;
  }
  CHECK(status == 200);
  CHECK(server->running());
}

TEST_CASE("a second server on a port in use fails with \"address in use\"; a restart binds") {
  Site s;
  auto first = std::make_unique<ServerProcess>(s.box.path());
  const std::string port = std::to_string(first->port());
  auto second = testing::run({"timeout", "20", testing::chartaBinary(), "-D", "server.port=" + port,
                              "-D", "server.port_file=", "serve"},
                             s.box.path());
  CHECK(second.status != 0);
  CHECK(second.status != 124);  // it did not start and run until killed
  CHECK(second.err.find("Address already in use") != std::string::npos);
  CHECK(second.err.find("\"listening\"") == std::string::npos);
  CHECK(http(first->port(), "GET", "/livez").status == 200);
  // The first server closes connections itself (Connection: close), leaving TIME_WAIT behind:
  // SO_REUSEADDR lets a new server bind the port at once all the same.
  CHECK(testing::rawExchange(first->port(),
                             "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .find("200 OK") != std::string::npos);
  CHECK(first->kill(SIGTERM) == 0);
  first.reset();
  ServerProcess again(s.box.path(), {"server.port=" + port});
  CHECK(again.port() == std::stoi(port));
  CHECK(http(again.port(), "GET", "/livez").status == 200);
}
