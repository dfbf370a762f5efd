// The record of editions in the evidence chain and its anchors in git, against the real
// `charta serve`, the git CLI and the database CLIs: publications chained once and cited by
// consents; git tampering found (/readyz, `ledger verify`, a webhook) while the chained edition is
// still served; a truncated ledger caught by its anchors; anchors complete or absent under
// SIGKILL; RFC 3161 tokens of a local `openssl ts` authority; erasure; a broken chain in /readyz.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "api/webhook_receiver.h"
#include "consent/consent_support.h"

using namespace charta;
using namespace charta::consent_testing;
using namespace std::chrono;

#define BACKENDS SqliteLedger, PgLedger

namespace {

// One SQL query's output, through the backend's own CLI.
std::string sql(const Shop<SqliteLedger>& s, const std::string& query) {
  auto r = testing::runProgram({"sqlite3", (s.box / "var/consents.db").string(), query});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  return r.output;
}
std::string sql(const Shop<PgLedger>& s, const std::string& query) { return s.backend.psql(query); }
// What a DBA does first: drop the triggers that refuse casual edits of the events.
void dropGuards(const Shop<SqliteLedger>& s) {
  sql(s, "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete");
}
void dropGuards(const Shop<PgLedger>& s) {
  sql(s, "DROP TRIGGER IF EXISTS events_no_change ON events");
}
// The text of a BYTES column in both dialects.
std::string text(const Shop<SqliteLedger>&, const std::string& column) {
  return "CAST(" + column + " AS TEXT)";
}
std::string text(const Shop<PgLedger>&, const std::string& column) {
  return "convert_from(" + column + ", 'UTF8')";
}

template <typename S>
std::string publishedBytes(const S& s) {
  return sql(s, "SELECT " + text(s, "bytes") +
                    " FROM events WHERE kind = 'edition.published' ORDER BY seq");
}

int occurrences(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// The tree size the tip of refs/charta/anchors states; 0 before the first anchor.
long long anchoredSize(const testing::Sandbox& box) {
  auto r =
      testing::run({"git", "--git-dir=var/policies.git", "show", "refs/charta/anchors:anchor.json"},
                   box.path(), testing::gitEnv());
  if (r.status != 0) return 0;
  return num(parseObject(r.out), "tree_size");
}

template <typename S>
HttpResponse readyz(S& s) {
  return testing::http(s.port(), "GET", "/readyz");
}

template <typename S>
void waitReady(S& s) {
  REQUIRE(eventually([&] { return readyz(s).status == 200 && anchoredSize(s.box) >= 1; }));
}

// `charta --json [extra -D definitions] ledger verify [extra options]`.
template <typename S>
Object::Ptr verifyJson(S& s, const std::vector<std::string>& extra, int expectedExit) {
  std::vector<std::string> args = {"--json"};
  std::vector<std::string> options;
  for (const auto& e : extra)
    (e == "-D" || e.find('=') != std::string::npos ? args : options).push_back(e);
  args.insert(args.end(), {"ledger", "verify"});
  args.insert(args.end(), options.begin(), options.end());
  auto r = s.cli(args);
  INFO(r.out << r.err);
  CHECK(r.status == expectedExit);
  return parseObject(r.out);
}

std::string findingKinds(const Object::Ptr& report) {
  std::string out;
  auto a = report->getArray("findings");
  for (unsigned i = 0; i < a->size(); ++i) out += str(a->getObject(i), "kind") + " ";
  return out;
}

// A child process started with fork/exec, its output to /dev/null.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& cwd) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

TEST_CASE_TEMPLATE("publications are chained once, cited by consents and anchored", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  // The CLI chains what it publishes and anchors it before it exits.
  s.commitEdit("Пункт о сроках хранения.");
  s.publish({});
  std::string published = publishedBytes(s);
  CHECK(occurrences(published, "kind:17:edition.published") == 1);
  CHECK(occurrences(published, "observed_via:3:cli") == 1);
  const std::string v2seq =
      sql(s, "SELECT seq FROM events WHERE kind = 'edition.published' AND edition = 2");
  CHECK(anchoredSize(s.box) == std::stoll(v2seq));

  // v1 came with `charta init`, which chains nothing: the server finds it in git.
  s.start();
  waitReady(s);
  published = publishedBytes(s);
  CHECK(occurrences(published, "kind:17:edition.published") == 2);
  CHECK(occurrences(published, "observed_via:3:git") == 1);

  // A consent cites the chained publication, and its receipt shows the pseudonym.
  REQUIRE(eventually([&] {
    return s.get("/api/v1/documents/personal-data/current", tokens().site.token)
               .body.find("\"v2\"") != std::string::npos;
  }));
  auto created = s.post("/api/v1/consents", consentBody("subj-1", "v2", "\"marketing\""));
  INFO(created.body);
  REQUIRE(created.status == 201);
  auto receipt = parseObject(created.body);
  CHECK(num(receipt->getObject("privacy_notice"), "publication") == std::stoll(v2seq));
  CHECK(str(receipt, "subject_pseudonym").size() == 64);
  CHECK(str(receipt, "pii_principal_id") == "subj-1");

  // A withdrawal through the API is chained (observed via api) and anchored.
  s.commitEdit("Пункт о будущем.");
  s.publish({"--effective-from", "2099-01-01T00:00:00+05:00"});
  auto withdrawn = s.post("/api/v1/documents/personal-data/editions/v3/withdrawal",
                          "{\"reason\":\"published by mistake\"}", tokens().legal.token);
  INFO(withdrawn.body);
  REQUIRE(withdrawn.status == 200);
  std::string withdrawal =
      sql(s, "SELECT " + text(s, "bytes") + " FROM events WHERE kind = 'edition.withdrawn'");
  CHECK(withdrawal.find("observed_via:3:api") != std::string::npos);
  const long long count = std::stoll(sql(s, "SELECT max(seq) FROM events"));
  REQUIRE(eventually([&] { return anchoredSize(s.box) == count; }));

  auto full = verifyJson(s, {}, 0);
  CHECK(flag(full, "ok"));
  CHECK(num(full->getObject("anchors"), "count") >= 3);
  auto since = verifyJson(s, {"--since-anchor"}, 0);
  CHECK(flag(since, "ok"));
  CHECK(flag(since->getObject("anchors"), "since_anchor"));
  auto api = s.verify();
  CHECK(flag(api, "ok"));
  CHECK(flag(api->getObject("anchors"), "repository_checked"));
}

TEST_CASE_TEMPLATE("two servers on one ledger observing one push chain it once", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  auto second = std::make_unique<testing::ServerProcess>(s.box.path(), s.defs());
  // A publication the CLI cannot chain (its ledger is out of reach): both servers find it in git.
  s.commitEdit("Пункт для двух серверов.");
  auto r = s.cli({"-D", "ledger.uri=sqlite:/nonexistent/charta.db", "publish", "personal-data"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("not recorded in the consent ledger now") != std::string::npos);
  REQUIRE(eventually([&] {
    return occurrences(publishedBytes(s), "kind:17:edition.published") == 2 &&
           testing::http(second->port(), "GET", "/personal-data/v2").status == 200;
  }));
  std::this_thread::sleep_for(milliseconds(1500));  // both have looked at the push by now
  CHECK(sql(s, "SELECT count(*) FROM events WHERE kind = 'edition.published' AND edition = 2") ==
        "1\n");
  CHECK(occurrences(publishedBytes(s), "observed_via:3:git") == 2);
  CHECK(flag(verifyJson(s, {}, 0), "ok"));
}

TEST_CASE_TEMPLATE("an edition deleted or replaced with git is found and still served", B,
                   BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  apitest::WebhookReceiver receiver;
  s.backend.defs.push_back(
      "webhooks.audit.url=http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook");
  s.backend.defs.push_back("webhooks.audit.secret=s3cret-s3cret-s3cret");
  s.backend.defs.push_back("webhooks.audit.events=repository.tampered");
  s.start();
  waitReady(s);
  const std::string commit = testing::sh("git rev-parse personal-data/v1^{commit}", s.box / "wt");

  const std::string tag = testing::sh("git rev-parse personal-data/v1", s.box / "wt");
  const std::filesystem::path served = s.box / "var/policies.git";

  // A push that deletes it is refused by the pre-receive hook...
  auto pushed =
      testing::run({"git", "push", "-q", "origin", ":refs/tags/personal-data/v1"}, s.box / "wt");
  CHECK(pushed.status != 0);
  CHECK(pushed.err.find("deleting it is refused") != std::string::npos);

  // ...so it is deleted where no hook runs: on the server, by someone with a shell there.
  testing::sh("git tag -d personal-data/v1 >/dev/null", served);
  REQUIRE(eventually([&] { return readyz(s).status == 503; }));
  auto ready = readyz(s);
  CHECK(ready.body.find("edition-missing") != std::string::npos);
  CHECK(testing::http(s.port(), "GET", "/personal-data/v1").status == 200);
  auto current = s.get("/api/v1/documents/personal-data/current", tokens().site.token);
  CHECK(current.status == 200);
  CHECK(current.body.find("\"v1\"") != std::string::npos);
  CHECK(findingKinds(verifyJson(s, {}, 5)).find("edition-missing") != std::string::npos);
  auto got = receiver.waitFor([](const auto& d) { return !d.empty(); }, seconds(20));
  REQUIRE(!got.empty());
  CHECK(got[0].body.find("\"repository.tampered\"") != std::string::npos);
  CHECK(got[0].body.find("edition-missing") != std::string::npos);

  // Put back: ready again.
  testing::sh("git update-ref refs/tags/personal-data/v1 " + tag.substr(0, 40), served);
  REQUIRE(eventually([&] { return readyz(s).status == 200; }));
  CHECK(flag(verifyJson(s, {}, 0), "ok"));

  // Replaced by another tag of the same commit.
  testing::sh("git tag -f -a personal-data/v1 -m forged " + commit.substr(0, 40) + " >/dev/null",
              served);
  REQUIRE(eventually([&] { return readyz(s).status == 503; }));
  CHECK(readyz(s).body.find("edition-changed") != std::string::npos);
  CHECK(testing::http(s.port(), "GET", "/personal-data/v1").status == 200);
  CHECK(findingKinds(verifyJson(s, {}, 5)).find("edition-changed") != std::string::npos);
}

TEST_CASE_TEMPLATE("a truncated ledger with a rewritten head is caught by its anchors", B,
                   BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  for (int i = 0; i < 3; ++i) {
    auto r = s.post("/api/v1/consents",
                    consentBody("subj-t" + std::to_string(i), "v1", "\"marketing\""));
    REQUIRE(r.status == 201);
  }
  auto anchored = s.cli({"ledger", "anchor"});
  INFO(anchored.err);
  REQUIRE(anchored.status == 0);
  const long long n = anchoredSize(s.box);
  REQUIRE(n == 4);
  s.server.reset();
  // Delete the last two events and make the head name the one before, as a DBA could.
  dropGuards(s);
  sql(s, "DELETE FROM events WHERE seq > 2");
  sql(s, "UPDATE chain_head SET seq = 2, hash = (SELECT hash FROM events WHERE seq = 2)");
  auto report = verifyJson(s, {}, 5);
  CHECK(findingKinds(report).find("anchor") != std::string::npos);
  // The log alone cannot tell.
  auto logOnly = s.cli({"-D", "repository.path=/nonexistent", "ledger", "verify"});
  CHECK(logOnly.status == 0);
}

TEST_CASE("an anchor written under SIGKILL is complete or absent") {
  Shop<SqliteLedger> s;
  s.start();
  waitReady(s);
  std::mt19937 random(20261207);
  std::vector<std::string> argv = {testing::chartaBinary(), "ledger", "anchor"};
  for (int i = 0; i < 12; ++i) {
    REQUIRE(
        s.post("/api/v1/consents", consentBody("subj-k" + std::to_string(i), "v1", "\"marketing\""))
            .status == 201);
    pid_t pid = spawn(argv, s.box.path());
    std::this_thread::sleep_for(microseconds(random() % 60000));
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    // Whatever the tip is, it is a whole anchor.
    auto tip = testing::run(
        {"git", "--git-dir=var/policies.git", "show", "refs/charta/anchors:anchor.json"},
        s.box.path(), testing::gitEnv());
    REQUIRE(tip.status == 0);
    CHECK(num(parseObject(tip.out), "tree_size") >= 1);
  }
  testing::sh("git --git-dir=var/policies.git fsck --no-dangling --no-progress", s.box.path());
  auto r = s.cli({"-D", "repository.stale_lock_s=0", "ledger", "anchor"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(anchoredSize(s.box) == 13);
  CHECK(flag(verifyJson(s, {}, 0), "ok"));
}

TEST_CASE("anchors carry RFC 3161 tokens of a time-stamping authority") {
  Shop<SqliteLedger> s;
  testing::Sandbox tsaDir;
  pid_t tsa = spawn({"python3", CHARTA_TSA_SCRIPT, tsaDir.path().string()}, tsaDir.path());
  REQUIRE(eventually([&] { return std::filesystem::exists(tsaDir / "port"); }, seconds(60)));
  const std::string url = "http://127.0.0.1:" + testing::slurp(tsaDir / "port") + "/";
  s.backend.defs.push_back("ledger.tsa_url=" + url);
  s.backend.defs.push_back("ledger.tsa_ca_file=" + (tsaDir / "ca.pem").string());
  s.start();
  waitReady(s);
  // Anyone can check the token with openssl alone.
  testing::sh(
      "git --git-dir=var/policies.git show refs/charta/anchors:anchor.json > a.json && "
      "git --git-dir=var/policies.git show refs/charta/anchors:timestamp.tsr > a.tsr && "
      "openssl ts -verify -data a.json -in a.tsr -CAfile " +
          (tsaDir / "ca.pem").string() + " 2>/dev/null | grep -q OK",
      s.box.path());
  auto report = verifyJson(s, {}, 0);
  CHECK(num(report->getObject("anchors"), "timestamps") >= 1);
  // Checked against a CA that did not sign it, the token is a finding.
  auto wrong = verifyJson(s, {"-D", "ledger.tsa_ca_file=" + (tsaDir / "tsa.pem").string()}, 5);
  CHECK(findingKinds(wrong).find("timestamp") != std::string::npos);
  kill(tsa, SIGTERM);
  waitpid(tsa, nullptr, 0);
}

TEST_CASE_TEMPLATE("erasure: the subject is gone, its events remain and the chain verifies", B,
                   BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  const auto& t = tokens();
  const std::string body =
      consentBody("subj-erase", "v1", "\"marketing\"", ",\"evidence\":{\"ua\":\"Mozilla/5.0\"}");
  auto created = s.post("/api/v1/consents", body);
  REQUIRE(created.status == 201);
  const std::string id = str(parseObject(created.body), "record_id");
  const std::string path = "/api/v1/subjects/subj-erase/erasure";

  CHECK(s.post(path, "{\"reason\":\"request of 2026-12-01\"}", t.site.token).status == 403);
  CHECK(s.post(path, "{}", t.legal.token).status == 400);
  auto erased = s.post(path, "{\"reason\":\"request of 2026-12-01\"}", t.legal.token);
  INFO(erased.body);
  REQUIRE(erased.status == 201);
  CHECK(str(parseObject(erased.body), "event_type") == "subject.erased");
  CHECK(s.post(path, "{\"reason\":\"again\"}", t.legal.token).status == 200);

  auto status = s.get("/api/v1/subjects/subj-erase/status?document=personal-data");
  CHECK(status.status == 410);
  CHECK(status.body.find("subject-erased") != std::string::npos);
  CHECK(s.get("/api/v1/subjects/subj-erase/export").status == 410);
  auto receipt = s.get("/api/v1/consents/" + id);
  REQUIRE(receipt.status == 200);
  CHECK(receipt.body.find("subj-erase") == std::string::npos);
  CHECK(receipt.body.find("Mozilla") == std::string::npos);
  CHECK(sql(s, "SELECT count(*) FROM personal").find('0') == 0);

  // The CLI erases too; its export then fails as not found (exit 4).
  REQUIRE(s.post("/api/v1/consents", consentBody("subj-cli", "v1", "\"marketing\"")).status == 201);
  auto cliErase = s.cli({"ledger", "erase", "--subject", "subj-cli", "--reason", "by letter"});
  INFO(cliErase.err);
  CHECK(cliErase.status == 0);
  CHECK(s.cli({"ledger", "export", "--subject", "subj-cli"}).status == 4);
  CHECK(flag(verifyJson(s, {}, 0), "ok"));
  CHECK(flag(s.verify(), "ok"));

  // A later consent of the same id starts afresh.
  REQUIRE(s.post("/api/v1/consents", body).status == 201);
  CHECK(s.get("/api/v1/subjects/subj-erase/export").status == 200);
}

TEST_CASE_TEMPLATE("block and unblock record their reason", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  const auto& t = tokens();
  auto blocked =
      s.post("/api/v1/subjects/subj-b/block", "{\"reason\":\"court order 12/7\"}", t.legal.token);
  INFO(blocked.body);
  REQUIRE(blocked.status == 201);
  CHECK(str(parseObject(blocked.body), "reason") == "court order 12/7");
  auto unblocked =
      s.post("/api/v1/subjects/subj-b/unblock", "{\"reason\":\"order lifted\"}", t.legal.token);
  REQUIRE(unblocked.status == 201);
  CHECK(str(parseObject(unblocked.body), "reason") == "order lifted");
  CHECK(s.post("/api/v1/subjects/subj-b/block", "{\"reason\":\"\"}", t.legal.token).status == 400);
}

TEST_CASE_TEMPLATE("readyz reports a chain broken under it", B, BACKENDS) {
  Shop<B> s;
  if (!s.available()) return;
  s.start();
  waitReady(s);
  REQUIRE(s.post("/api/v1/consents", consentBody("subj-r", "v1", "\"marketing\"")).status == 201);
  REQUIRE(readyz(s).status == 200);
  dropGuards(s);
  sql(s, "UPDATE events SET bytes = " +
             std::string(std::is_same_v<B, SqliteLedger>
                             ? "CAST(replace(CAST(bytes AS TEXT), 'web-form', 'web-farm') AS BLOB)"
                             : "convert_to(replace(convert_from(bytes, 'UTF8'), 'web-form', "
                               "'web-farm'), 'UTF8')") +
             " WHERE seq = (SELECT max(seq) FROM events)");
  auto r = readyz(s);
  INFO(r.body);
  CHECK(r.status == 503);
  CHECK(r.body.find("chain broken") != std::string::npos);
}
