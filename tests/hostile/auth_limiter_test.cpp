// The failure limiter on its own: refill, Retry-After, and its bound on remembered clients.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "http/auth_limiter.h"

using charta::http::AuthFailureLimiter;
using charta::http::Request;
using namespace std::chrono;

TEST_CASE("the failure bucket: burst, refill, Retry-After") {
  AuthFailureLimiter limiter({3, 6, 100, ""});  // one failure forgiven every 10 s
  auto t = steady_clock::now();
  CHECK_FALSE(limiter.fail("a", t));
  CHECK_FALSE(limiter.fail("a", t));
  CHECK_FALSE(limiter.fail("a", t));
  CHECK(limiter.fail("a", t) == 10);
  CHECK(limiter.fail("a", t + seconds(4)) == 6);
  CHECK_FALSE(limiter.fail("b", t));  // another client has its own bucket
  CHECK_FALSE(limiter.fail("a", t + seconds(10)));
  CHECK(limiter.fail("a", t + seconds(10)) == 10);
  CHECK_FALSE(limiter.fail("a", t + seconds(100)));  // refilled, never beyond the burst
  CHECK_FALSE(limiter.fail("a", t + seconds(100)));
  CHECK_FALSE(limiter.fail("a", t + seconds(100)));
  CHECK(limiter.fail("a", t + seconds(100)));
}

TEST_CASE("the failure limiter remembers a bounded number of clients") {
  AuthFailureLimiter limiter({1, 1, 10, ""});
  auto t = steady_clock::now();
  for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.fail("c" + std::to_string(i), t));
  // Full: newcomers share one bucket, so a flood of new addresses cannot grow memory or evade.
  CHECK_FALSE(limiter.fail("new-1", t));
  CHECK(limiter.fail("new-2", t));
  CHECK(limiter.fail("c0", t));  // the known ones keep their own
  // Once buckets are full again they are forgotten and there is room.
  auto later = t + minutes(2);
  CHECK_FALSE(limiter.fail("new-3", later));
  CHECK(limiter.fail("new-3", later));
}

TEST_CASE("which client: the peer, or the last element of a trusted proxy's header") {
  Request req;
  req.peer = "10.0.0.9";
  req.headers = {{"X-Forwarded-For", "203.0.113.1, 198.51.100.4 "}};
  CHECK(AuthFailureLimiter({20, 10, 100, ""}).clientOf(req) == "10.0.0.9");
  CHECK(AuthFailureLimiter({20, 10, 100, "X-Forwarded-For"}).clientOf(req) == "198.51.100.4");
  CHECK(AuthFailureLimiter({20, 10, 100, "x-forwarded-for"}).clientOf(req) == "198.51.100.4");
  req.headers = {{"X-Forwarded-For", "198.51.100.5"}};
  CHECK(AuthFailureLimiter({20, 10, 100, "X-Forwarded-For"}).clientOf(req) == "198.51.100.5");
  req.headers = {{"X-Forwarded-For", " , "}};
  CHECK(AuthFailureLimiter({20, 10, 100, "X-Forwarded-For"}).clientOf(req) == "10.0.0.9");
  req.headers = {};
  CHECK(AuthFailureLimiter({20, 10, 100, "X-Forwarded-For"}).clientOf(req) == "10.0.0.9");
  CHECK_FALSE(AuthFailureLimiter({0, 10, 100, ""}).fail("x", std::chrono::steady_clock::now()));
}
