// A shop for the consent API tests: a sandbox with a policy repository (v1 of personal-data
// published by `charta init`), a clone for the legal team, bearer tokens made by
// `charta token new`, and the real `charta serve` on SQLite (var/consents.db) or on a database
// of the shared throwaway PostgreSQL server.
#pragma once

#include <doctest/doctest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "support/pg_server.h"
#include "support/sandbox.h"
#include "support/server_process.h"

namespace charta::consent_testing {

using Poco::JSON::Array;
using Poco::JSON::Object;
using testing::HttpResponse;

inline Object::Ptr parseObject(const std::string& text) {
  INFO("JSON: " << text);
  Object::Ptr o;
  REQUIRE_NOTHROW(o = Poco::JSON::Parser().parse(text).extract<Object::Ptr>());
  return o;
}

// Members of parsed JSON (plain functions: usable on expressions that depend on a template).
inline std::string str(const Object::Ptr& o, const std::string& name) {
  return o->getValue<std::string>(name);
}
inline long long num(const Object::Ptr& o, const std::string& name) {
  return o->getValue<long long>(name);
}
inline bool flag(const Object::Ptr& o, const std::string& name) { return o->getValue<bool>(name); }
inline std::string elem(const Array::Ptr& a, unsigned i) { return a->getElement<std::string>(i); }

// "s" percent-encoded for a path segment.
inline std::string pct(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "/?#%;&=+ .", out);
  return out;
}

// One bearer token and its auth.tokens entry.
struct Token {
  std::string token;
  std::string entry;
};

inline Token makeToken(const std::string& name, const std::string& roles) {
  auto r = testing::run(
      {testing::chartaBinary(), "--json", "token", "new", "--name", name, "--roles", roles});
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto o = parseObject(r.out);
  return Token{str(o, "token"), str(o, "config_entry")};
}

// The tokens every shop uses, made once per test process.
struct Tokens {
  Token site = makeToken("shop-checkout", "site");
  Token auditor = makeToken("audit", "auditor");
  Token legal = makeToken("legal-team", "legal");
  std::string spec() const { return site.entry + ";" + auditor.entry + ";" + legal.entry; }
};

inline const Tokens& tokens() {
  static const Tokens t;
  return t;
}

// Where the ledger lives. "available" is false only when PostgreSQL is skipped on purpose.
struct SqliteLedger {
  static constexpr const char* kName = "sqlite";
  bool available = true;
  std::vector<std::string> defs;  // -D definitions for charta (none: the default var/consents.db)
  explicit SqliteLedger(const testing::Sandbox&) {}
};

struct PgLedger {
  static constexpr const char* kName = "postgresql";
  bool available = false;
  std::vector<std::string> defs;
  std::string db;
  explicit PgLedger(const testing::Sandbox&) {
    testing::PgServer* pg = testing::PgServer::shared();
    if (!pg) {
      MESSAGE("CHARTA_SKIP_PG=1 and no PostgreSQL: PostgreSQL cases skipped");
      return;
    }
    std::string uri = pg->createDatabase("consent");
    db = uri.substr(uri.rfind('/') + 1);
    defs.push_back("ledger.uri=" + uri);
    available = true;
  }
  std::string psql(const std::string& sql) const {
    return testing::PgServer::shared()->psql(db, sql);
  }
};

inline std::map<std::string, std::string> json(const std::string& token) {
  std::map<std::string, std::string> h = {{"Content-Type", "application/json"}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return h;
}

inline std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

template <typename Backend>
class Shop {
 public:
  testing::Sandbox box;
  Backend backend{box};
  std::unique_ptr<testing::ServerProcess> server;

  Shop() {
    auto r = testing::run({testing::chartaBinary(), "init"}, box.path(), testing::gitEnv());
    INFO(r.err);
    REQUIRE(r.status == 0);
    testing::sh("git clone -q var/policies.git wt", box.path());
  }

  bool available() const { return backend.available; }

  // -D definitions for both `charta serve` and the CLI.
  std::vector<std::string> defs() const {
    std::vector<std::string> d = backend.defs;
    d.push_back("auth.tokens=" + tokens().spec());
    return d;
  }

  void start() { server = std::make_unique<testing::ServerProcess>(box.path(), defs()); }
  uint16_t port() const { return server->port(); }

  // Runs the charta CLI in the sandbox with the same configuration as the server.
  testing::RunResult cli(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {testing::chartaBinary()};
    for (const auto& d : defs()) {
      argv.push_back("-D");
      argv.push_back(d);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run(argv, box.path(), testing::gitEnv());
  }

  // Commits an edit of the Russian text with the git CLI, pushes it, and returns the commit id.
  std::string commitEdit(const std::string& line) {
    testing::sh("printf '\\n%s\\n' '" + line +
                    "' >> personal-data/ru.md && git commit -qam edit && git push -q origin main",
                box / "wt");
    std::string head = testing::sh("git rev-parse HEAD", box / "wt");
    return head.substr(0, 40);
  }

  void publish(const std::vector<std::string>& args) {
    std::vector<std::string> a = {"publish", "personal-data"};
    a.insert(a.end(), args.begin(), args.end());
    auto r = cli(a);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  HttpResponse post(const std::string& path, const std::string& body,
                    const std::string& token = tokens().site.token,
                    const std::string& key = "") {  // "": no Idempotency-Key
    auto h = json(token);
    if (!key.empty()) h["Idempotency-Key"] = key;
    return testing::http(port(), "POST", path, h, body);
  }

  HttpResponse get(const std::string& path, const std::string& token = tokens().auditor.token) {
    return testing::http(port(), "GET", path, bearer(token));
  }

  // The consent events in the ledger (the chain also holds the record of editions), read with
  // the backend's own CLI.
  long long count() {
    const std::string query =
        "SELECT count(*) FROM events WHERE kind IN ('consent.given', 'consent.withdrawn', "
        "'subject.blocked', 'subject.unblocked')";
    if constexpr (std::is_same_v<Backend, PgLedger>) {
      return std::stoll(backend.psql(query));
    } else {
      std::filesystem::path file = box / "var/consents.db";
      for (const auto& d : backend.defs) {
        if (d.rfind("ledger.uri=sqlite:", 0) == 0) file = box.path() / d.substr(18);
      }
      auto r = testing::runProgram({"sqlite3", file.string(), query});
      INFO(r.output);
      REQUIRE(r.exitCode == 0);
      return std::stoll(r.output);
    }
  }

  Object::Ptr verify() {
    auto r = get("/api/v1/ledger/verify");
    INFO(r.body);
    REQUIRE(r.status == 200);
    return parseObject(r.body);
  }
};

// A consent body; "extra" is spliced in as more members (",\"form_id\":\"x\"").
inline std::string consentBody(const std::string& subject, const std::string& edition,
                               const std::string& purposes, const std::string& extra = "") {
  return "{\"subject\":\"" + subject + "\",\"document\":\"personal-data\",\"edition\":\"" +
         edition + "\",\"language\":\"ru\",\"purposes\":[" + purposes +
         "],\"collection_method\":\"web-form\"" + extra + "}";
}

// Waits until "pred" holds, polling every 50 ms, for at most "limit".
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

}  // namespace charta::consent_testing
