// Pure parts of webhooks: configuration, the signature, which events are due; the TLS context
// of a subscription.
#include <doctest/doctest.h>

#include <Poco/Net/Context.h>
#include <openssl/ssl.h>

#include "core/error.h"
#include "service/webhook_delivery.h"
#include "service/webhooks.h"

using namespace charta;
using namespace std::chrono;

namespace {

core::Instant at(const char* t) { return *core::parseRfc3339(t); }

core::Edition edition(int n, const char* published, const char* effective) {
  return core::Edition{*core::DocumentId::parse("personal-data"),
                       *core::EditionNo::of(n),
                       *core::CommitId::parse(std::string(40, static_cast<char>('0' + n))),
                       at(published),
                       at(effective),
                       core::kKazakhstanOffset,
                       false,
                       {},
                       "",
                       {"Legal", "legal@shop.test"},
                       std::nullopt,
                       std::nullopt};
}

std::vector<std::string> types(const std::vector<service::WebhookEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

}  // namespace

TEST_CASE("the signature is HMAC-SHA256 (RFC 4231 test cases 1 and 2)") {
  CHECK(service::webhookSignature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(service::webhookSignature(std::string(20, '\x0b'), "Hi There") ==
        "sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 6: a key longer than the block is hashed first.
  CHECK(service::webhookSignature(std::string(131, '\xaa'),
                                  "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("webhook configuration") {
  auto o = service::parseWebhookOptions({{"shop.url", "http://127.0.0.1:9000/hook"},
                                         {"shop.secret", "0123456789abcdef"},
                                         {"shop.events", "edition.effective, edition.withdrawn"},
                                         {"retry_base_ms", "250"},
                                         {"outbox", "/tmp/x.db"}});
  REQUIRE(o.subscriptions.size() == 1);
  CHECK(o.subscriptions[0].name == "shop");
  CHECK(o.subscriptions[0].events ==
        std::set<std::string>{"edition.effective", "edition.withdrawn"});
  CHECK(o.retryBase == milliseconds(250));
  CHECK(o.outbox == "/tmp/x.db");
  auto all = service::parseWebhookOptions(
      {{"a.url", "https://hooks.shop.kz/x"}, {"a.secret", "0123456789abcdef"}});
  CHECK(all.subscriptions[0].events.size() == 4);
  CHECK(all.subscriptions[0].caFile.empty());
  CHECK_FALSE(all.subscriptions[0].allowHttp);
  CHECK(service::parseWebhookOptions({}).subscriptions.empty());

  // https:// anywhere; plain http:// to loopback addresses, elsewhere only when allowed.
  using Keys = std::map<std::string, std::string>;
  auto one = [](const std::string& url, Keys more = {}) {
    more["a.url"] = url;
    more["a.secret"] = "0123456789abcdef";
    return service::parseWebhookOptions(more).subscriptions.at(0);
  };
  CHECK(one("https://10.0.0.7:8443/hooks", {{"a.ca_file", "/etc/charta/ca.pem"}}).caFile ==
        "/etc/charta/ca.pem");
  for (const char* url : {"http://127.0.0.1:9000/x", "http://127.8.9.10/x", "http://[::1]:9/x",
                          "http://localhost:9000/x"}) {
    CAPTURE(url);
    CHECK_NOTHROW(one(url));
  }
  CHECK(one("http://hooks.shop.kz/x", {{"a.allow_http", "true"}}).allowHttp);

  for (const Keys& bad : {
           Keys{{"a.url", "http://127.0.0.1/x"}},                            // no secret
           Keys{{"a.secret", "0123456789abcdef"}},                           // no url
           Keys{{"a.url", "http://h/x"}, {"a.secret", "0123456789abcdef"}},  // http, not loopback
           Keys{{"a.url", "http://10.0.0.7/x"}, {"a.secret", "0123456789abcdef"}},
           Keys{{"a.url", "http://127.0.0.1.example/x"}, {"a.secret", "0123456789abcdef"}},
           Keys{{"a.url", "http://h/x"}, {"a.secret", "0123456789abcdef"}, {"a.allow_http", "yes"}},
           Keys{{"a.url", "http://127.0.0.1/x"},
                {"a.secret", "0123456789abcdef"},
                {"a.ca_file", "/etc/ca.pem"}},  // a CA for plain http
           Keys{{"a.url", "ftp://h/x"}, {"a.secret", "0123456789abcdef"}},
           Keys{{"a.url", "https://u:p@h/x"}, {"a.secret", "0123456789abcdef"}},
           Keys{{"a.url", "http://u:p@127.0.0.1/x"}, {"a.secret", "0123456789abcdef"}},
           Keys{{"a.url", "https://h/x"}, {"a.secret", "short"}},
           Keys{{"a.url", "https://h/x"}, {"a.secret", "0123456789abcdef"}, {"a.events", "x"}},
           Keys{{"a.url", "https://h/x"}, {"a.secret", "0123456789abcdef"}, {"a.colour", "x"}},
           Keys{{"A B.url", "https://h/x"}, {"A B.secret", "0123456789abcdef"}},
           Keys{{"retry_base_ms", "0"}},
           Keys{{"retry_base_ms", "soon"}},
           Keys{{"surprise", "1"}},
       }) {
    CAPTURE(bad.begin()->first);
    CHECK_THROWS_AS(service::parseWebhookOptions(bad), InvalidInput);
  }
}

TEST_CASE("due events: published, effective at the moment, withdrawn; stable ids") {
  auto v1 = edition(1, "2026-01-01T00:00:00+05:00", "2026-01-01T00:00:00+05:00");
  auto v2 = edition(2, "2026-02-01T00:00:00+05:00", "2026-03-01T00:00:00+05:00");
  auto v3 = edition(3, "2026-02-02T00:00:00+05:00", "2026-04-01T00:00:00+05:00");
  v3.withdrawal = core::Withdrawal{at("2026-02-03T00:00:00+05:00"), {"L", "l@x"}, "typo"};
  core::Timeline tl({v1, v2, v3});
  const auto since = at("2025-01-01T00:00:00Z");

  auto early = service::dueEvents(tl, since, at("2026-02-28T23:59:59.999+05:00"));
  CHECK(types(early) == std::vector<std::string>{"edition.published", "edition.effective",
                                                 "edition.published", "edition.published",
                                                 "edition.withdrawn"});
  auto atSwitch = service::dueEvents(tl, since, at("2026-03-01T00:00:00+05:00"));
  REQUIRE(atSwitch.size() == early.size() + 1);
  CHECK(atSwitch.back().type == "edition.effective");
  CHECK(atSwitch.back().occurredAt == at("2026-03-01T00:00:00+05:00"));
  CHECK(atSwitch.back().body.find("\"edition\":\"v2\"") != std::string::npos);
  CHECK(atSwitch.back().body.find("\"status\":\"in_force\"") != std::string::npos);
  // The withdrawn v3 never comes into force.
  auto later = service::dueEvents(tl, since, at("2027-01-01T00:00:00Z"));
  CHECK(later.size() == atSwitch.size());
  // Ids are stable and distinct.
  auto again = service::dueEvents(tl, since, at("2027-01-01T00:00:00Z"));
  std::set<std::string> ids;
  for (size_t i = 0; i < later.size(); ++i) {
    CHECK(later[i].id == again[i].id);
    CHECK(later[i].id.size() == 36);
    CHECK(later[i].body.find(later[i].id) != std::string::npos);
    ids.insert(later[i].id);
  }
  CHECK(ids.size() == later.size());
  // Nothing from before the subscription existed.
  CHECK(
      service::dueEvents(tl, at("2026-02-15T00:00:00+05:00"), at("2027-01-01T00:00:00Z")).size() ==
      1);
}

TEST_CASE("an edition outranked at its moment is not announced as effective") {
  // v2 and v3 take effect at the same moment: the higher number wins.
  auto v1 = edition(1, "2026-01-01T00:00:00+05:00", "2026-01-01T00:00:00+05:00");
  auto v2 = edition(2, "2026-02-01T00:00:00+05:00", "2026-03-01T00:00:00+05:00");
  auto v3 = edition(3, "2026-02-02T00:00:00+05:00", "2026-03-01T00:00:00+05:00");
  core::Timeline tl({v1, v2, v3});
  int effective2 = 0, effective3 = 0;
  for (const auto& e :
       service::dueEvents(tl, at("2025-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))) {
    if (e.type != "edition.effective") continue;
    effective2 += e.body.find("\"edition\":\"v2\"") != std::string::npos;
    effective3 += e.body.find("\"edition\":\"v3\"") != std::string::npos;
  }
  CHECK(effective2 == 0);
  CHECK(effective3 == 1);
}

TEST_CASE("an https subscription gets a TLS context of its own: TLS 1.2 or later, strict checks") {
  auto opts = service::parseWebhookOptions({{"a.url", "https://hooks.shop.kz/x"},
                                            {"a.secret", "0123456789abcdef"},
                                            {"b.url", "https://127.0.0.1:8443/x"},
                                            {"b.secret", "0123456789abcdef"},
                                            {"c.url", "http://127.0.0.1:9000/x"},
                                            {"c.secret", "0123456789abcdef"}});
  REQUIRE(opts.subscriptions.size() == 3);
  service::WebhookSender a(opts.subscriptions[0], seconds(1));
  service::WebhookSender b(opts.subscriptions[1], seconds(1));
  service::WebhookSender c(opts.subscriptions[2], seconds(1));
  REQUIRE(a.tls());
  REQUIRE(b.tls());
  CHECK(a.tls() != b.tls());  // nothing shared between subscriptions
  CHECK_FALSE(c.tls());
  for (const auto* sender : {&a, &b}) {
    const Poco::Net::Context* tls = sender->tls();
    CHECK(SSL_CTX_get_min_proto_version(tls->sslContext()) == TLS1_2_VERSION);
    CHECK(tls->verificationMode() == Poco::Net::Context::VERIFY_STRICT);
    CHECK(tls->extendedCertificateVerificationEnabled());  // the host name is checked
    CHECK_FALSE(tls->isForServerUse());
  }
}

TEST_CASE("a ca_file that cannot be read stops the sender from being made") {
  auto opts = service::parseWebhookOptions({{"a.url", "https://hooks.shop.kz/x"},
                                            {"a.secret", "0123456789abcdef"},
                                            {"a.ca_file", "/nonexistent/charta-ca.pem"}});
  CHECK_THROWS_AS(service::WebhookSender(opts.subscriptions[0], seconds(1)), InvalidInput);
}
