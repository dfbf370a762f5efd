#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "support/pg_server.h"

namespace charta::ledger::testing {

inline const std::string kTextSha = std::string(64, 'a');
inline const std::string kPageSha = std::string(64, 'b');
inline const std::string kCommit = std::string(40, 'c');

// A valid request; tests change what they need.
inline NewEvent request(std::string subject, std::vector<const char*> purposes = {"marketing"},
                        EventType type = EventType::kGiven, int edition = 1,
                        const char* doc = "personal-data") {
  std::vector<core::PurposeId> ps;
  for (const char* p : purposes) ps.push_back(*core::PurposeId::parse(p));
  return NewEvent{std::move(subject),
                  *core::DocumentId::parse(doc),
                  *core::EditionNo::of(edition),
                  *core::CommitId::parse(kCommit),
                  kTextSha,
                  kPageSha,
                  *core::Lang::parse("ru"),
                  std::move(ps),
                  type,
                  "web-form",
                  std::string("checkout"),
                  std::string(R"({"user_agent":"Mozilla/5.0","ip":"203.0.113.7"})"),
                  std::nullopt};
}

inline NewEvent blockRequest(std::string subject, EventType type = EventType::kBlocked) {
  NewEvent e = request(std::move(subject), {}, type);
  e.purposes.clear();
  return e;
}

// A fresh SQLite ledger file in its own temporary folder; tampering goes through the sqlite3 CLI.
class SqliteBackend {
 public:
  static constexpr const char* kName = "sqlite";
  SqliteBackend() {
    char tmpl[] = "/tmp/charta-ledger-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/consents.db";
  }
  ~SqliteBackend() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool available() const { return true; }
  std::string uri() const { return "sqlite:" + path_; }
  const std::string& path() const { return path_; }
  // Runs "statements" with the real sqlite3 CLI; returns its output.
  std::string sql(const std::string& statements) const {
    auto r = charta::testing::runProgram({"sqlite3", "-batch", "-bail", path_}, statements);
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    return r.output;
  }
  // Like sql(), but reports failure instead of failing the test.
  bool trySql(const std::string& statements) const {
    return charta::testing::runProgram({"sqlite3", "-batch", "-bail", path_}, statements)
               .exitCode == 0;
  }
  // Lets the tests edit as an attacker with file access would: drop the append-only triggers.
  std::string dropGuards() const {
    return "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
           " DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete;\n";
  }
  // A trigger that makes storing the first event of subject "poison" fail.
  std::string poison() const {
    return "CREATE TRIGGER poison BEFORE INSERT ON subjects WHEN NEW.subject = 'poison'"
           " BEGIN SELECT RAISE(ABORT, 'poisoned'); END;";
  }
  // A BLOB literal of the bytes in hex, and the stored bytes of a column as hex.
  static std::string blob(const std::string& hex) { return "X'" + hex + "'"; }
  static std::string hexOf(const std::string& column) { return "hex(" + column + ")"; }

 private:
  std::string dir_, path_;
};

// A fresh database on the shared throwaway PostgreSQL server; tampering goes through psql.
class PgBackend {
 public:
  static constexpr const char* kName = "postgresql";
  PgBackend() : server_(charta::testing::PgServer::shared()) {
    if (!server_) {
      MESSAGE("CHARTA_SKIP_PG=1 and no PostgreSQL binaries: PostgreSQL cases skipped");
      return;
    }
    uri_ = server_->createDatabase("ledger");
    db_ = uri_.substr(uri_.rfind('/') + 1);
  }
  bool available() const { return server_ != nullptr; }
  std::string uri() const { return uri_; }
  std::string sql(const std::string& statements) const { return server_->psql(db_, statements); }
  bool trySql(const std::string& statements) const {
    try {
      server_->psql(db_, statements);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  std::string dropGuards() const {
    return "DROP TRIGGER events_no_change ON events;"
           " DROP TRIGGER merkle_nodes_no_change ON merkle_nodes;\n";
  }
  std::string poison() const {
    return "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
           " IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;"
           " CREATE TRIGGER poison BEFORE INSERT ON subjects FOR EACH ROW"
           " EXECUTE FUNCTION poison();";
  }
  static std::string blob(const std::string& hex) { return "decode('" + hex + "', 'hex')"; }
  static std::string hexOf(const std::string& column) {
    return "upper(encode(" + column + ", 'hex'))";
  }
  const std::string& database() const { return db_; }
  charta::testing::PgServer* server() const { return server_; }

 private:
  charta::testing::PgServer* server_;
  std::string uri_, db_;
};

}  // namespace charta::ledger::testing
