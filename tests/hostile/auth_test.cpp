// Credentials in URLs, and clients that keep failing to authenticate.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hostile/hostile_support.h"

using namespace charta::hostile;
using namespace std::chrono;

TEST_CASE("tokens in the query string: 400, never taken as authentication, never logged") {
  Shop shop;
  const std::string secret = kAuditorToken;
  for (const std::string& target : std::vector<std::string>{
           "/api/v1/ledger/verify?access_token=" + secret,
           "/api/v1/ledger/verify?token=" + secret,
           "/api/v1/ledger/verify?x=1&ACCESS_TOKEN=" + secret,
           "/api/v1/ledger/verify?access%5Ftoken=" + secret,
           "/api/v1/ledger/verify?api_key=" + secret,
           "/api/v1/subjects/s-1/export?token=" + pct(secret),
           "/api/v1/documents?access_token=" + secret,  // a public route: still refused
           "/api/v1/documents/personal-data/current?token=",
           "/api/v1/consents?access_token=" + std::string(kSiteToken),
           "/api/v1/nothing?token=" + secret,
       }) {
    CAPTURE(target);
    for (bool withHeader : {false, true}) {
      auto r =
          http(shop.port(), target.find("/consents") != std::string::npos ? "POST" : "GET", target,
               withHeader ? bearer(kAuditorToken) : std::map<std::string, std::string>{},
               target.find("/consents") != std::string::npos ? consentBody("s-1") : "");
      CHECK(r.status == 400);
      checkProblemJson(r);
      CHECK(charta::apitest::object(r.body)->getValue<std::string>("type") ==
            "https://charta.dev/problems/token-in-query");
      CHECK(r.body.find(secret) == std::string::npos);
    }
  }
  // Parameters that merely contain the word are not credentials.
  auto unknown =
      http(shop.port(), "GET", "/api/v1/documents/personal-data/editions?cursor=b9&tokens=1");
  CHECK(unknown.status == 400);  // an unknown parameter, refused by the route itself
  CHECK(unknown.body.find("token-in-query") == std::string::npos);
  CHECK(shop.ledgerEvents() == 0);
  shop.server->kill(SIGTERM);
  CHECK(shop.server->out().find(secret) == std::string::npos);
  CHECK(shop.server->err().find(secret) == std::string::npos);
  CHECK(shop.server->out().find(kSiteToken) == std::string::npos);
}

TEST_CASE("failed authentications are rate limited per client: 429 with Retry-After") {
  // 5 failures at once, then one more every 5 s (a slow refill: a loaded machine taking its time
  // between two requests does not refill the bucket behind the test's back).
  Shop shop({"auth.failures_burst=5", "auth.failures_per_minute=12"});
  const uint16_t port = shop.port();
  auto guess = [&](const std::string& token) {
    return http(port, "GET", "/api/v1/ledger/verify", {{"Authorization", "Bearer " + token}});
  };
  for (int i = 0; i < 5; ++i) {
    auto r = guess("wrong-" + std::to_string(i));
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") == "Bearer");
  }
  auto limited = guess("wrong-5");
  CHECK(limited.status == 429);
  checkProblemJson(limited);
  CHECK(charta::apitest::object(limited.body)->getValue<std::string>("type") ==
        "https://charta.dev/problems/too-many-auth-failures");
  const int retryAfter = std::stoi(limited.header("retry-after"));
  CHECK(retryAfter >= 1);
  CHECK(retryAfter <= 5);
  // No token on a route that needs one is a failed authentication too.
  CHECK(http(port, "GET", "/api/v1/ledger/verify").status == 429);
  CHECK(http(port, "POST", "/api/v1/consents", {{"Content-Type", "application/json"}},
             consentBody("s-1"))
            .status == 429);
  // A valid token is never limited, nor are public routes.
  CHECK(http(port, "GET", "/api/v1/ledger/verify", bearer(kAuditorToken)).status == 200);
  CHECK(http(port, "POST", "/api/v1/consents",
             {{"Authorization", std::string("Bearer ") + kSiteToken},
              {"Content-Type", "application/json"}},
             consentBody("s-1"))
            .status == 201);
  CHECK(http(port, "GET", "/api/v1/documents/personal-data/current").status == 200);
  CHECK(http(port, "GET", "/personal-data").status == 200);
  // A valid token lacking the role (403) is not a failed authentication.
  CHECK(http(port, "GET", "/api/v1/ledger/verify", bearer(kSiteToken)).status == 403);
  // A claimed X-Forwarded-For does not make another client unless a proxy is configured.
  CHECK(http(port, "GET", "/api/v1/ledger/verify",
             {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", "203.0.113.7"}})
            .status == 429);
  // The bucket refills: after the time the server named, one failure is allowed again, and only
  // one.
  int refilled = 429;
  for (auto end = steady_clock::now() + seconds(30);
       refilled == 429 && steady_clock::now() < end;) {
    auto r = guess("wrong-6");
    refilled = r.status;
    if (refilled == 429) {
      std::this_thread::sleep_for(seconds(std::stoi(r.header("retry-after"))));  // as asked
    }
  }
  CHECK(refilled == 401);
  CHECK(guess("wrong-7").status == 429);

  auto metrics = http(port, "GET", "/metrics").body;
  CHECK(metrics.find("charta_api_auth_limited_total") != std::string::npos);
  shop.server->kill(SIGTERM);
  // The log says what happened (429s) but names no client.
  std::string log = shop.server->out();
  CHECK(log.find("\"status\":429") != std::string::npos);
  CHECK(log.find("127.0.0.1") == std::string::npos);
  CHECK(log.find("203.0.113.7") == std::string::npos);
  CHECK(shop.server->err().find("203.0.113.7") == std::string::npos);
  checkJsonLines(shop.server->out());
}

TEST_CASE("behind a reverse proxy: clients are told apart by the address the proxy appends") {
  Shop shop({"auth.failures_burst=2", "auth.failures_per_minute=1",
             "auth.client_header=X-Forwarded-For"});
  const uint16_t port = shop.port();
  auto guess = [&](const std::string& forwardedFor) {
    return http(port, "GET", "/api/v1/subjects/s-1/export",
                {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", forwardedFor}})
        .status;
  };
  CHECK(guess("198.51.100.1") == 401);
  CHECK(guess("198.51.100.1") == 401);
  CHECK(guess("198.51.100.1") == 429);
  // What the client claims before the proxy's element changes nothing.
  CHECK(guess("10.0.0.1, 198.51.100.1") == 429);
  CHECK(guess("1.2.3.4,198.51.100.1") == 429);
  // Another client behind the same proxy is not locked out.
  CHECK(guess("198.51.100.2") == 401);
  CHECK(guess("198.51.100.1, 198.51.100.2") == 401);
  CHECK(guess("198.51.100.2") == 429);
  auto r = http(port, "GET", "/api/v1/subjects/s-1/export",
                {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", "198.51.100.2"}});
  CHECK(r.header("retry-after") == "60");
  // Without the header the connection's address counts.
  CHECK(http(port, "GET", "/api/v1/ledger/verify", {{"Authorization", "Bearer x"}}).status == 401);
}

TEST_CASE("the limit can be turned off") {
  Shop shop({"auth.failures_burst=0"});
  for (int i = 0; i < 50; ++i) {
    REQUIRE(http(shop.port(), "GET", "/api/v1/ledger/verify", {{"Authorization", "Bearer no"}})
                .status == 401);
  }
}
