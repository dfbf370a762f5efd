#include <doctest/doctest.h>
#include <signal.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <future>
#include <thread>

#include "core/time.h"
#include "site_fixture.h"
#include "support/sandbox.h"
#include "support/server_process.h"

using namespace charta;
using namespace std::chrono;
using testing::http;
using testing::Sandbox;
using testing::ServerProcess;
using testing::Site;

namespace {

long maxAge(const std::string& cacheControl) {
  auto p = cacheControl.find("max-age=");
  REQUIRE(p != std::string::npos);
  return std::stol(cacheControl.substr(p + 8));
}

}  // namespace

TEST_CASE("the in-force page: headers, ETag and 304, HEAD, archive, feed, sitemap") {
  Site s;
  ServerProcess server(s.box.path());
  auto page = http(server.port(), "GET", "/personal-data");
  CHECK(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  CHECK(page.header("content-language") == "ru");
  CHECK(page.header("vary") == "Accept-Language");
  CHECK(page.header("x-content-type-options") == "nosniff");
  CHECK(page.header("content-security-policy").find("default-src 'none'") != std::string::npos);
  CHECK(page.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK_FALSE(page.header("referrer-policy").empty());
  CHECK_FALSE(page.header("last-modified").empty());
  CHECK(page.body.find("<!DOCTYPE html>") == 0);
  CHECK(page.body.find("id=\"p-4-1-10\"") != std::string::npos);
  const std::string etag = page.header("etag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');

  auto again = http(server.port(), "GET", "/personal-data", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.header("etag") == etag);
  CHECK(http(server.port(), "GET", "/personal-data", {{"If-None-Match", "\"other\""}}).status ==
        200);

  auto head = http(server.port(), "HEAD", "/personal-data");
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == std::to_string(page.body.size()));

  CHECK(http(server.port(), "GET", "/personal-data/v1").body == page.body);  // same variant
  auto archive = http(server.port(), "GET", "/personal-data/versions");
  CHECK(archive.status == 200);
  CHECK(archive.body.find("/personal-data/v1") != std::string::npos);
  auto feed = http(server.port(), "GET", "/personal-data/feed.atom");
  CHECK(feed.status == 200);
  CHECK(feed.header("content-type").find("application/atom+xml") == 0);
  CHECK(http(server.port(), "GET", "/sitemap.xml").body.find("/personal-data") !=
        std::string::npos);
  CHECK(http(server.port(), "GET", "/robots.txt").body.find("Sitemap:") != std::string::npos);
  CHECK(http(server.port(), "GET", "/assets/charta.css").header("content-type").find("text/css") ==
        0);
  CHECK(http(server.port(), "GET", "/livez").status == 200);
  CHECK(http(server.port(), "GET", "/readyz").status == 200);
  CHECK(http(server.port(), "GET", "/metrics")
            .body.find("charta_http_requests_total{route=\"page\"") != std::string::npos);
}

TEST_CASE("errors: 404 and 405 pages, no internals; language choice") {
  Site s;
  ServerProcess server(s.box.path());
  for (const char* path :
       {"/nope", "/personal-data/v9", "/personal-data/v01", "/personal-data/x/y",
        "/personal-data/..%2f..%2fetc", "/assets/../../charta.xml", "/personal-data/HEAD~1"}) {
    CAPTURE(path);
    auto r = http(server.port(), "GET", path);
    CHECK(r.status == 404);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(r.body.find("/work") == std::string::npos);
    CHECK(r.body.find(".cpp") == std::string::npos);
  }
  auto post = http(server.port(), "POST", "/personal-data", {}, "x=1");
  CHECK(post.status == 405);
  CHECK(post.header("allow") == "GET, HEAD");
  CHECK(http(server.port(), "DELETE", "/livez").status == 405);
  // A language the edition has not: the controlling one (README: the fallback).
  CHECK(http(server.port(), "GET", "/personal-data?lang=de").header("content-language") == "ru");
  CHECK(http(server.port(), "GET", "/personal-data?lang=ru").header("content-language") == "ru");
  CHECK(http(server.port(), "GET", "/personal-data", {{"Accept-Language", "de, *;q=0.1"}}).status ==
        200);
  auto api = http(server.port(), "GET", "/api/v1/nothing");
  CHECK(api.status == 404);
  CHECK(api.header("content-type") == "application/problem+json");
}

TEST_CASE("a scheduled edition replaces the page at its moment, without restart") {
  Site s;
  ServerProcess server(s.box.path());
  auto v1 = http(server.port(), "GET", "/personal-data");
  REQUIRE(v1.status == 200);
  // Published by another process while the server runs, five seconds ahead (whole seconds: a
  // slow machine may take seconds to publish, and the server must see it before its moment).
  const core::Instant when = std::chrono::floor<seconds>(core::now()) + seconds(5);
  s.publishEdit("10.1. Новый пункт.",
                {"--effective-from", core::formatRfc3339(when, core::kKazakhstanOffset, false)});
  // The server notices the new tag (poll 100 ms) and announces v2; the cache never outlives v1.
  std::string body = v1.body;
  core::Instant sent = core::now();
  while (body == v1.body && sent < when) {
    sent = core::now();
    auto r = http(server.port(), "GET", "/personal-data");
    body = r.body;
    if (body != v1.body) CHECK(maxAge(r.header("cache-control")) <= 5);
    if (body == v1.body) std::this_thread::sleep_for(milliseconds(20));
  }
  REQUIRE(sent < when);                                        // announced before its moment
  CHECK(body.find("/personal-data/v2") != std::string::npos);  // the upcoming notice
  CHECK(body.find("10.1. Новый пункт.") == std::string::npos);
  auto v2page = http(server.port(), "GET", "/personal-data/v2");
  CHECK(v2page.status == 200);
  CHECK(maxAge(v2page.header("cache-control")) <= 5);

  std::this_thread::sleep_until(system_clock::time_point(when) + milliseconds(50));
  auto after = http(server.port(), "GET", "/personal-data");
  CHECK(after.body.find("10.1.") != std::string::npos);
  CHECK(after.body.find("id=\"p-10-1\"") != std::string::npos);
  // v1 is now archived: immutable.
  auto old = http(server.port(), "GET", "/personal-data/v1");
  CHECK(old.header("cache-control").find("immutable") != std::string::npos);
}

TEST_CASE("request limits and malformed requests") {
  Site s;
  ServerProcess server(s.box.path(), {"server.max_body=1024", "server.timeout_s=1"});
  auto status = [](const std::string& response) {
    return response.size() >= 12 ? response.substr(9, 3) : response;
  };
  CHECK(status(testing::rawExchange(
            server.port(), "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
        "200");
  CHECK(status(testing::rawExchange(server.port(), "GARBAGE\r\n\r\n")) == "400");
  CHECK(status(testing::rawExchange(server.port(), "GET /livez HTTP/2.0\r\nHost: x\r\n\r\n")) ==
        "505");
  CHECK(status(testing::rawExchange(server.port(), "GET /livez HTTP/1.1\r\n\r\n")) ==
        "400");  // no Host
  CHECK(status(testing::rawExchange(
            server.port(), "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
                               "\r\n\r\n")) == "431");
  CHECK(status(testing::rawExchange(
            server.port(), "POST /api/v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")) ==
        "413");
  CHECK(status(testing::rawExchange(
            server.port(),
            "POST /api/v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) ==
        "411");
  CHECK(status(testing::rawExchange(server.port(), "GET /" + std::string(5000, 'a') +
                                                       " HTTP/1.1\r\nHost: x\r\n\r\n")) == "414");
  CHECK(status(testing::rawExchange(
            server.port(), "GET /livez HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n")) == "400");
  // A client that stops sending in the middle of its request is cut off.
  auto start = steady_clock::now();
  CHECK(status(testing::rawExchange(server.port(), "GET /livez HTTP/1.1\r\nHost: x\r\n", 5000)) ==
        "408");
  CHECK(steady_clock::now() - start < seconds(4));
  // Pipelined requests are answered in order.
  std::string two = testing::rawExchange(server.port(),
                                         "GET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /nope "
                                         "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(two.find("200 OK") < two.find("404 Not Found"));
  CHECK(server.running());
}

TEST_CASE("more keep-alive connections than threads are all served") {
  Site s;
  ServerProcess server(s.box.path(), {"server.threads=2"});
  std::vector<std::future<int>> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(std::async(std::launch::async, [&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(10, 0));
      int ok = 0;
      for (int i = 0; i < 20; ++i) {
        Poco::Net::HTTPRequest req("GET", "/personal-data", Poco::Net::HTTPMessage::HTTP_1_1);
        req.setKeepAlive(true);
        session.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
        ok += resp.getStatus() == 200 && !body.empty();
      }
      return ok;
    }));
  }
  int total = 0;
  for (auto& f : clients) total += f.get();
  CHECK(total == 8 * 20);
}

TEST_CASE("slow clients hold no thread: /livez answers while 300 connections trickle") {
  Site s;
  ServerProcess server(s.box.path(), {"server.threads=4", "server.timeout_s=5"});
  std::vector<Poco::Net::StreamSocket> slow;
  for (int i = 0; i < 300; ++i) {
    Poco::Net::StreamSocket sock(Poco::Net::SocketAddress("127.0.0.1", server.port()));
    const std::string head = "GET /personal-data HTTP/1.1\r\nHost: x";
    sock.sendBytes(head.data(), static_cast<int>(head.size()));
    slow.push_back(sock);
  }
  std::vector<long> took;
  for (int round = 0; round < 7; ++round) {
    for (auto& sock : slow) sock.sendBytes("X", 1);  // a byte now and then: still unfinished
    auto start = steady_clock::now();
    CHECK(http(server.port(), "GET", "/livez").status == 200);
    took.push_back(duration_cast<milliseconds>(steady_clock::now() - start).count());
    std::this_thread::sleep_for(milliseconds(100));
  }
  // The median, so that one scheduling hiccup of a loaded test machine does not decide.
  std::sort(took.begin(), took.end());
  CAPTURE(took.back());
  CHECK(took[took.size() / 2] < 100);
  CHECK(took.back() < 1000);
  // Idle keep-alive connections hold no thread either.
  CHECK(server.running());
}

TEST_CASE("SIGTERM: the server finishes and exits cleanly; the access log keeps subjects out") {
  Site s;
  ServerProcess server(s.box.path());
  CHECK(http(server.port(), "GET", "/personal-data").status == 200);
  CHECK(http(server.port(), "GET", "/api/v1/subjects/alice@example.com/status").status == 401);
  CHECK(server.kill(SIGTERM) == 0);
  std::string log = server.out();
  CHECK(log.find("\"route\":\"page\"") != std::string::npos);
  CHECK(log.find("alice") == std::string::npos);
  CHECK(log.find("127.0.0.1") == std::string::npos);  // no IP addresses unless configured
  CHECK(server.err().find("\"msg\":\"stopped\"") != std::string::npos);
}

TEST_CASE("build-site writes the bytes the server sends") {
  Site s;
  s.publishEdit("10.1. Новый пункт.", {"--effective-from", "2099-01-01T00:00:00+05:00"});
  ServerProcess server(s.box.path());
  auto r = testing::run({testing::chartaBinary(), "build-site", "--out", "out"}, s.box.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  struct Case {
    const char* path;
    const char* file;
  };
  const Case cases[] = {{"/personal-data", "out/personal-data/index.html"},
                        {"/personal-data/v1", "out/personal-data/v1/index.html"},
                        {"/personal-data/v2", "out/personal-data/v2/index.html"},
                        {"/personal-data/versions", "out/personal-data/versions/index.html"},
                        {"/personal-data/feed.atom", "out/personal-data/feed.atom"},
                        {"/sitemap.xml", "out/sitemap.xml"},
                        {"/robots.txt", "out/robots.txt"},
                        {"/assets/charta.css", "out/assets/charta.css"}};
  for (const auto& c : cases) {
    CAPTURE(c.path);
    CHECK(http(server.port(), "GET", c.path).body == testing::slurp(s.box / c.file));
  }
  auto schedule = Poco::JSON::Parser()
                      .parse(testing::slurp(s.box / "out/schedule.json"))
                      .extract<Poco::JSON::Object::Ptr>();
  CHECK(schedule->getValue<std::string>("next_switch") == "2099-01-01T00:00:00+05:00");
}
