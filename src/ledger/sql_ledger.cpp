// The Ledger on Poco::Data: SQLite (embedded) and PostgreSQL (shared by several servers).
//
// All SQL of charta lives in this folder: the dialects (sqlite_dialect.cpp,
// postgresql_dialect.cpp) say how each database is opened, locked and migrated; sql_events.h
// reads and writes the rows; sql_verify.cpp reads the chain back for verify().
//
// Concurrency model
//   - One writer thread owns one connection and commits appends in batches (group_commit.h).
//   - The chain lock: SQLite BEGIN IMMEDIATE (the database's single write lock, also between
//     processes); PostgreSQL SELECT ... FOR UPDATE on the one chain_head row, so that any number
//     of server processes writing to one database keep seq and prev_hash linear.
//   - Readers use a small pool of other connections (sql_pool.h); verify() reads one consistent
//     snapshot.

#include <chrono>
#include <mutex>
#include <thread>

#include "ledger/group_commit.h"
#include "ledger/ledger.h"
#include "ledger/location.h"
#include "ledger/sql_dialect.h"
#include "ledger/sql_events.h"
#include "ledger/sql_pool.h"
#include "ledger/validate.h"

namespace charta::ledger {
namespace {

using namespace Poco::Data::Keywords;
using sql::Session;
using sql::Settings;

constexpr int kSchemaVersion = 1;

// Creates the schema or brings it up to kSchemaVersion, in one transaction serialised between
// processes.
// throws StorageError: the schema is newer than this build knows.
void migrate(Session& s, const sql::Dialect& d) {
  d.beforeMigration(s);
  d.beginWrite(s);
  try {
    d.lockMigration(s);
    s << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
         " applied_at BIGINT NOT NULL)",
        now;
    Poco::Int64 current = 0;
    s << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(current), now;
    if (current > kSchemaVersion) {
      throw StorageError("the consent ledger's schema is v" + std::to_string(current) +
                         ", newer than this build of charta knows (v" +
                         std::to_string(kSchemaVersion) + ")");
    }
    for (int v = static_cast<int>(current) + 1; v <= kSchemaVersion; ++v) {
      for (const std::string& statement : d.schemaV1()) s << statement, now;
      Poco::Int64 version = v;
      Poco::Int64 at = core::now().time_since_epoch().count();
      s << d.sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"), use(version),
          use(at), now;
    }
    d.commit(s);
  } catch (...) {
    d.rollback(s);
    throw;
  }
}

// The writer's connection, opened and migrated. A failure the dialect calls transient (SQLite's
// race of two processes switching a new file to WAL) is retried within the busy timeout.
std::unique_ptr<Session> openWriter(const sql::Dialect& d, const Options& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.busyTimeout;
  for (;;) {
    try {
      std::unique_ptr<Session> s = d.connect();
      migrate(*s, d);
      return s;
    } catch (...) {
      if (!d.transientOpenFailure() || std::chrono::steady_clock::now() >= deadline) {
        sql::rethrowAsStorage("opening the consent ledger");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class SqlLedger final : public Ledger {
 public:
  SqlLedger(const Location& location, const Options& options)
      : dialect_(sql::makeDialect(location, options)),
        readers_(options.readers, [this] { return dialect_->connect(); }) {
    dialect_->checkBeforeOpen();
    writer_ =
        std::make_unique<sql::GroupCommit>(*dialect_, options, openWriter(*dialect_, options));
  }

  std::string_view backend() const override { return dialect_->name(); }

  AppendResult append(const NewEvent& event) override {
    NewEvent normalized = normalize(event);  // throws InvalidInput
    std::string digest = requestDigest(normalized);
    return writer_->append(std::move(normalized), std::move(digest));
  }

  void ping() override { writer_->ping(); }
  Settings settings() override { return writer_->settings(); }

  std::optional<Event> find(std::string_view id) const override {
    if (id.size() != 36) return std::nullopt;
    std::string key(id);
    return readers_.with("finding a consent event", [&](Session& s) -> std::optional<Event> {
      auto rows = sql::selectEvents(s, *dialect_, "WHERE id = ?", key);
      if (rows.size() == 0) return std::nullopt;
      return sql::toEvent(rows.row(0));
    });
  }

  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    std::string who(subject);
    return readers_.with("reading a subject's consent events", [&](Session& s) {
      sql::Rows rows;
      if (doc) {
        std::string d = doc->str();
        rows = sql::selectEvents(s, *dialect_,
                                 "WHERE subject = ? AND (document = ? OR event_type IN "
                                 "('blocked', 'unblocked')) ORDER BY seq",
                                 who, d);
      } else {
        rows = sql::selectEvents(s, *dialect_, "WHERE subject = ? ORDER BY seq", who);
      }
      std::vector<Event> out;
      out.reserve(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) out.push_back(sql::toEvent(rows.row(i)));
      return out;
    });
  }

  bool isBlocked(std::string_view subject) const override {
    std::string who(subject);
    return readers_.with("reading a subject's blocking",
                         [&](Session& s) { return sql::blockedIn(s, *dialect_, who); });
  }

  std::int64_t count() const override {
    return readers_.with("counting consent events", [&](Session& s) {
      Poco::Int64 seq = 0;
      s << "SELECT seq FROM chain_head WHERE id = 1", into(seq), now;
      return static_cast<std::int64_t>(seq);
    });
  }

  VerifyReport verify() const override {
    return readers_.with("verifying the consent ledger", [&](Session& s) {
      dialect_->beginRead(s);
      try {
        VerifyReport report = sql::verifyChain(s, *dialect_);
        dialect_->endRead(s);
        return report;
      } catch (...) {
        dialect_->rollback(s);
        throw;
      }
    });
  }

 private:
  std::unique_ptr<sql::Dialect> dialect_;
  mutable sql::Pool readers_;
  std::unique_ptr<sql::GroupCommit> writer_;  // last: stopped first
};

}  // namespace

std::unique_ptr<Ledger> openLedger(std::string_view uri, const Options& options) {
  return std::make_unique<SqlLedger>(parseLocation(uri), options);
}

namespace {

// A ledger opened on first use; see openLedgerLazily.
class LazyLedger final : public Ledger {
 public:
  LazyLedger(std::string uri, const Options& options, std::chrono::milliseconds retry)
      : uri_(std::move(uri)), options_(options), retry_(retry) {
    backend_ =
        parseLocation(uri_).backend == Location::Backend::kPostgresql ? "postgresql" : "sqlite";
  }

  AppendResult append(const NewEvent& event) override { return get().append(event); }
  std::optional<Event> find(std::string_view id) const override { return get().find(id); }
  std::vector<Event> bySubject(std::string_view subject,
                               const std::optional<core::DocumentId>& doc) const override {
    return get().bySubject(subject, doc);
  }
  bool isBlocked(std::string_view subject) const override { return get().isBlocked(subject); }
  VerifyReport verify() const override { return get().verify(); }
  void ping() override { get().ping(); }
  std::int64_t count() const override { return get().count(); }
  Settings settings() override { return get().settings(); }
  std::string_view backend() const override { return backend_; }

 private:
  Ledger& get() const {
    std::lock_guard lock(mu_);
    if (inner_) return *inner_;
    auto now = std::chrono::steady_clock::now();
    if (tried_ && now - lastTry_ < retry_) throw StorageError(lastError_);
    tried_ = true;
    lastTry_ = now;
    try {
      inner_ = openLedger(uri_, options_);
    } catch (const StorageError& e) {
      lastError_ = e.what();
      throw;
    }
    return *inner_;
  }

  std::string uri_;
  Options options_;
  std::chrono::milliseconds retry_;
  std::string backend_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<Ledger> inner_;  // set once, never reset
  mutable bool tried_ = false;
  mutable std::chrono::steady_clock::time_point lastTry_;
  mutable std::string lastError_;
};

}  // namespace

std::unique_ptr<Ledger> openLedgerLazily(std::string_view uri, const Options& options,
                                         std::chrono::milliseconds retry) {
  parseLocation(uri);  // a malformed URI is a configuration error now, not later
  return std::make_unique<LazyLedger>(std::string(uri), options, retry);
}

}  // namespace charta::ledger
