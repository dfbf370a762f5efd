// Webhooks over HTTPS against the real `charta serve`: receivers on 127.0.0.1 speaking TLS with
// certificates that the test makes with the openssl CLI. A receiver whose certificate leads to
// the configured CA and names the host gets signed events; one whose certificate names another
// host, or leads to a CA charta does not trust, gets nothing, and the delivery is retried,
// logged and counted.
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <signal.h>

#include <optional>
#include <sstream>
#include <thread>

#include "api/api_support.h"
#include "api/webhook_receiver.h"

using namespace charta;
using namespace charta::apitest;
using namespace std::chrono;

namespace {

const std::string kSecret = "a-webhook-secret-of-some-length";

// Two CAs and three server certificates, made by the openssl CLI:
//   good      signed by ca,    names IP 127.0.0.1 and DNS localhost
//   otherhost signed by ca,    names only DNS other.test
//   unknown   signed by rogue, names IP 127.0.0.1 and DNS localhost
struct TestPki {
  Sandbox dir;
  TestPki() {
    testing::sh(R"(set -e
mkca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$2" -keyout "$1.key" -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null
}
mkleaf() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" \
    > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
mkca ca "charta test CA"
mkca rogue "rogue CA"
mkleaf good ca "IP:127.0.0.1,DNS:localhost"
mkleaf otherhost ca "DNS:other.test"
mkleaf unknown rogue "IP:127.0.0.1,DNS:localhost"
)",
                dir.path());
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  // A TLS server socket on 127.0.0.1 presenting certificate "name".
  Poco::Net::SecureServerSocket server(const std::string& name) const {
    Poco::Net::Context::Ptr ctx =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, file(name + ".key"),
                               file(name + ".pem"), "", Poco::Net::Context::VERIFY_NONE);
    return Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, ctx);
  }
};

std::vector<std::string> subscription(const std::string& name, const std::string& url,
                                      const std::string& caFile) {
  std::vector<std::string> defs = {"webhooks." + name + ".url=" + url,
                                   "webhooks." + name + ".secret=" + kSecret};
  if (!caFile.empty()) defs.push_back("webhooks." + name + ".ca_file=" + caFile);
  return defs;
}

std::string httpsUrl(uint16_t port) {
  return "https://127.0.0.1:" + std::to_string(port) + "/hooks/charta";
}

std::string opensslSignature(const Sandbox& box, const std::string& body) {
  testing::writeFile(box / "body.json", body);
  std::string out =
      testing::sh("openssl dgst -sha256 -hmac '" + kSecret + "' body.json", box.path());
  return "sha256=" + out.substr(out.rfind(' ') + 1, 64);
}

// The lines of the server's log that hold every one of "parts".
std::vector<std::string> logLines(ServerProcess& server, const std::vector<std::string>& parts) {
  std::vector<std::string> out;
  std::istringstream log(server.err());
  for (std::string line; std::getline(log, line);) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) out.push_back(line);
  }
  return out;
}

// Waits until a line of the server's log holds every one of "parts".
bool waitForLog(ServerProcess& server, const std::vector<std::string>& parts,
                milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (logLines(server, parts).empty()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

// Waits until the metric line "name" reads at least "atLeast"; returns its value (-1: absent).
long waitForMetric(ServerProcess& server, const std::string& name, long atLeast,
                   milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  long value = -1;
  while (true) {
    std::istringstream m(http(server.port(), "GET", "/metrics").body);
    for (std::string line; std::getline(m, line);) {
      if (line.rfind(name + " ", 0) == 0) value = std::stol(line.substr(name.size() + 1));
    }
    if (value >= atLeast || steady_clock::now() > deadline) return value;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

}  // namespace

TEST_CASE("the test's certificates are what the cases below say (openssl verify)") {
  TestPki pki;
  auto verify = [&](const std::string& ca, const std::string& leaf) {
    return testing::run({"openssl", "verify", "-CAfile", pki.file(ca + ".pem"), "-verify_ip",
                         "127.0.0.1", pki.file(leaf + ".pem")})
        .status;
  };
  CHECK(verify("ca", "good") == 0);
  CHECK(verify("ca", "otherhost") != 0);  // does not name 127.0.0.1
  CHECK(verify("ca", "unknown") != 0);    // another CA
  CHECK(verify("rogue", "unknown") == 0);
}

TEST_CASE("https receivers: a trusted certificate gets signed events; another host or CA nothing") {
  TestPki pki;
  WebhookReceiver good(pki.server("good"));
  WebhookReceiver otherHost(pki.server("otherhost"));
  WebhookReceiver unknownCa(pki.server("unknown"));
  WebhookReceiver systemStore(pki.server("good"));  // the test CA is not in the system's store
  ApiSite site;
  std::vector<std::string> defs = {"webhooks.retry_base_ms=300", "webhooks.timeout_ms=2000"};
  for (const auto& d : {subscription("good", httpsUrl(good.port()), pki.file("ca.pem")),
                        subscription("otherhost", httpsUrl(otherHost.port()), pki.file("ca.pem")),
                        subscription("unknownca", httpsUrl(unknownCa.port()), pki.file("ca.pem")),
                        subscription("system", httpsUrl(systemStore.port()), "")}) {
    defs.insert(defs.end(), d.begin(), d.end());
  }
  ServerProcess server(site.box.path(), site.defs(defs));
  site.commitEdit("Пункт для получателей по HTTPS.");
  site.publishCli();  // in force at once: edition.published and edition.effective

  auto both = [](const std::vector<Delivery>& ds) {
    bool published = false, effective = false;
    for (const auto& d : ds) {
      published |= d.header("charta-event-type") == "edition.published";
      effective |= d.header("charta-event-type") == "edition.effective";
    }
    return published && effective;
  };
  auto got = good.waitFor(both, seconds(10));
  REQUIRE(both(got));
  for (const auto& d : got) {
    CHECK(d.header("charta-signature") == opensslSignature(site.box, d.body));
    CHECK(str(object(d.body)->getObject("edition"), "edition") == "v2");
  }
  CHECK(waitForMetric(server, "charta_webhook_deliveries_total{subscription=\"good\"}", 2,
                      seconds(5)) == 2);

  // The others: every attempt fails at the handshake, and is tried again.
  using Named = std::pair<std::string, WebhookReceiver*>;
  for (const auto& [name, receiver] : std::vector<Named>{
           {"otherhost", &otherHost}, {"unknownca", &unknownCa}, {"system", &systemStore}}) {
    CAPTURE(name);
    CHECK(receiver->waitForFailures(3, seconds(10)));  // two events, one of them again
    CHECK(receiver->deliveries().empty());
    std::string label = "charta_webhook_failures_total{subscription=\"" + name + "\"}";
    CHECK(waitForMetric(server, label, 2, seconds(5)) >= 2);
    auto failed =
        logLines(server, {"webhook delivery failed", "\"subscription\":\"" + name + "\"", "TLS"});
    REQUIRE(failed.size() >= 1);
    MESSAGE(failed.front());
    // Retried: the same event fails again at attempt 2.
    CHECK(waitForLog(server, {"webhook delivery failed", "\"" + name + "\"", "\"attempt\":2"},
                     seconds(10)));
    CHECK(waitForMetric(server, "charta_webhook_deliveries_total{subscription=\"" + name + "\"}", 0,
                        milliseconds(0)) <= 0);
  }
  // Why, in the log: the host name for one, the chain for the others; never the secret.
  CHECK_FALSE(logLines(server, {"\"otherhost\"", "TLS", "certificate"}).empty());
  CHECK_FALSE(logLines(server, {"\"unknownca\"", "TLS", "certificate verify failed"}).empty());
  CHECK(server.err().find(kSecret) == std::string::npos);
  CHECK(server.out().find(kSecret) == std::string::npos);
}

TEST_CASE("an https receiver that accepts but never shakes hands times out like any other") {
  TestPki pki;
  ApiSite site;
  // Listens but never accepts: the TCP connection opens, the TLS handshake never answers.
  Poco::Net::ServerSocket blackHole(Poco::Net::SocketAddress("127.0.0.1", 0), 1);
  std::vector<std::string> defs = {"webhooks.retry_base_ms=300", "webhooks.timeout_ms=1000"};
  auto sub = subscription("silent", httpsUrl(blackHole.address().port()), pki.file("ca.pem"));
  defs.insert(defs.end(), sub.begin(), sub.end());
  ServerProcess server(site.box.path(), site.defs(defs));
  site.commitEdit("Пункт.");
  site.publishCli();
  CHECK(waitForMetric(server, "charta_webhook_failures_total{subscription=\"silent\"}", 1,
                      seconds(8)) >= 1);
  auto t0 = steady_clock::now();
  CHECK(http(server.port(), "GET", "/api/v1/documents/personal-data/current").status == 200);
  CHECK(steady_clock::now() - t0 < milliseconds(500));
  // SIGTERM still ends the server promptly (the handshake in flight times out).
  t0 = steady_clock::now();
  CHECK(server.kill(SIGTERM) == 0);
  CHECK(steady_clock::now() - t0 < seconds(5));
}

TEST_CASE("plain http to a host that is not loopback is refused at start") {
  ApiSite site;
  // (timeout: should the refusal fail, the server must not hold the test up.)
  auto r = testing::run(
      {"timeout", "20", testing::chartaBinary(), "-D", "webhooks.far.url=http://192.0.2.10/hooks",
       "-D", "webhooks.far.secret=" + kSecret, "-D", "server.port=0", "serve"},
      site.box.path());
  CHECK(r.status != 0);
  CHECK(r.err.find("allow_http") != std::string::npos);
  CHECK(r.err.find(kSecret) == std::string::npos);
}
